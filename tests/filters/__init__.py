"""Tests of skphase.filters."""
