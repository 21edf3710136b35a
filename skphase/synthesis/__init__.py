"""Statistical models from one example: phase-harmonic moments, synthesis, reconstruction.

:class:`PhaseHarmonicSynthesizer` fits translation-invariant moments of rectified
wavelet coefficients and samples new realisations by moment matching;
:class:`GaussianSynthesizer` is the power-spectrum baseline.
"""

from ._gaussian import GaussianSynthesizer
from ._prediction import CrossScalePredictor
from ._moments import PhaseHarmonicMoments
from ._synthesizer import PhaseHarmonicSynthesizer
from ._table import FAMILIES, MomentPlan, build_plan, moment_names

__all__ = [
    "CrossScalePredictor",
    "FAMILIES",
    "GaussianSynthesizer",
    "MomentPlan",
    "PhaseHarmonicMoments",
    "PhaseHarmonicSynthesizer",
    "build_plan",
    "moment_names",
]
