"""Multiscale representations as scikit-learn transformers: phase harmonics and scattering averages."""

from ._phase_harmonic_transform import PhaseHarmonicTransform
from ._scattering_averager import ScatteringAverager

__all__ = ["PhaseHarmonicTransform", "ScatteringAverager"]
