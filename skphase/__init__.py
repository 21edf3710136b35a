"""skphase: multiscale sparse models for scikit-learn.

Wavelet phase harmonics (:class:`PhaseHarmonicTransform`), scattering averages
(:class:`ScatteringAverager`), moment-matching synthesis (:mod:`skphase.synthesis`),
sparse dictionary coding and its classifier (:mod:`skphase.sparse_coding`),
generative scattering autoencoders (:mod:`skphase.generative`), filter banks
(:mod:`skphase.filters`), test processes (:mod:`skphase.datasets`) and quality
measures (:mod:`skphase.metrics`). Submodules and the estimators they hold load on
first use, as scikit-learn's do: ``import skphase`` then
``skphase.datasets.make_fbm(...)`` or ``skphase.PhaseHarmonicSynthesizer`` works
without importing the submodule first.
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
    "generative",
    "metrics",
    "operators",
    "plotting",
    "representations",
    "sparse_coding",
    "synthesis",
]

# estimators of the families, importable from the top without loading them all
_LAZY_ESTIMATORS = {
    "PhaseHarmonicSynthesizer": "synthesis",
    "GaussianSynthesizer": "synthesis",
    "CrossScalePredictor": "synthesis",
    "SparseDictionaryCoder": "sparse_coding",
    "LISTAClassifier": "sparse_coding",
    "ScatteringGenerator": "generative",
}

__all__ = [
    "PhaseHarmonicTransform",
    "ScatteringAverager",
    "config_context",
    "get_config",
    "set_config",
    "__version__",
    *_LAZY_ESTIMATORS,
    *_SUBMODULES,
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"skphase.{name}")
    if name in _LAZY_ESTIMATORS:
        return getattr(importlib.import_module(f"skphase.{_LAZY_ESTIMATORS[name]}"), name)
    raise AttributeError(f"module 'skphase' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_LAZY_ESTIMATORS))
