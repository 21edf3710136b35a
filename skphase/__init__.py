"""skphase: multiscale sparse models for scikit-learn.

Wavelet phase harmonics (:class:`PhaseHarmonicTransform`), scattering averages
(:class:`ScatteringAverager`), filter banks (:mod:`skphase.filters`), test
processes (:mod:`skphase.datasets`) and quality measures (:mod:`skphase.metrics`).
Submodules load on first use, as scikit-learn's do: ``import skphase`` then
``skphase.datasets.make_fbm(...)`` works without importing the submodule first.
"""

import importlib

from ._config import config_context, get_config, set_config
from .representations import PhaseHarmonicTransform, ScatteringAverager

__version__ = "0.2.0"

_SUBMODULES = [
    "backends",
    "base",
    "datasets",
    "filters",
    "metrics",
    "operators",
    "plotting",
    "representations",
]

__all__ = [
    "PhaseHarmonicTransform",
    "ScatteringAverager",
    "config_context",
    "get_config",
    "set_config",
    "__version__",
    *_SUBMODULES,
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"skphase.{name}")
    raise AttributeError(f"module 'skphase' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
