"""Tests of skphase.generative."""
