"""Tests of skphase.operators."""
