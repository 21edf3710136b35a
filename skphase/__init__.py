"""skphase: multiscale sparse models for scikit-learn.

Wavelet phase harmonics (:class:`PhaseHarmonicTransform`), scattering averages
(:class:`ScatteringAverager`), filter banks (:mod:`skphase.filters`), test
processes (:mod:`skphase.datasets`) and quality measures (:mod:`skphase.metrics`).
"""

from ._phase_harmonic_transform import PhaseHarmonicTransform
from ._scattering_averager import ScatteringAverager

__version__ = "0.1.0"

__all__ = ["PhaseHarmonicTransform", "ScatteringAverager", "__version__"]
