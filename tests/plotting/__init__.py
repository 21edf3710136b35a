"""Tests of skphase.plotting."""
