"""Tests of skphase.representations."""
