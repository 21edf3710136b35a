"""Metrics that compare syntheses of stationary processes with their target.

Pure functions on arrays. Every function takes one realisation ``(N,)`` /
``(H, W)`` or a set ``(n, N)`` / ``(n, H, W)``; since a 2-D array can be
either an image or a set of signals, pass ``ndim=1`` or ``ndim=2`` unless
another argument settles it (1-D arrays are signals, 3-D arrays are sets of
images). Return-series metrics (leverage, volatility) are 1-D only.
"""

from ._copy import max_cross_correlation
from ._leverage import leverage_correlation, volatility_autocorrelation
from ._marginals import marginal_moments, marginal_wasserstein
from ._report import compare
from ._spectrum import power_spectrum, spectrum_error
from ._structure import flatness, scaling_exponents, structure_functions


__all__ = [
    "compare",
    "flatness",
    "leverage_correlation",
    "marginal_moments",
    "marginal_wasserstein",
    "max_cross_correlation",
    "power_spectrum",
    "scaling_exponents",
    "spectrum_error",
    "structure_functions",
    "volatility_autocorrelation",
]
