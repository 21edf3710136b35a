"""Tests of skphase.sparse_coding."""
