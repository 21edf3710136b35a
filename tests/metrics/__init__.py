"""Tests of skphase.metrics."""
