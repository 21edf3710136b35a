"""Tests of skphase.synthesis."""
