"""Tests of skphase.datasets."""
