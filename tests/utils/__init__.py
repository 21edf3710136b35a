"""Tests of skphase.utils."""
