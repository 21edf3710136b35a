"""Tests of skphase.backends."""
