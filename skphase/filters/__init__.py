"""Wavelet filters in the Fourier domain: Morlet (Kymatio 0.3) and steerable bumps.

Everything here is pure and cached: :func:`filter_bank` returns read-only
filters at every dyadic resolution, :func:`padding_geometry` the padding that
goes with them.
"""

from ._bank import FilterBank, FilterSet, LowPass, filter_bank
from ._bump import bump_1d, bump_2d, bump_lowpass
from ._morlet import gabor_2d, gaussian_1d, morlet_1d, morlet_2d
from ._padding import PadSpec, padding_geometry

__all__ = [
    "FilterBank",
    "FilterSet",
    "LowPass",
    "PadSpec",
    "bump_1d",
    "bump_2d",
    "bump_lowpass",
    "filter_bank",
    "gabor_2d",
    "gaussian_1d",
    "morlet_1d",
    "morlet_2d",
    "padding_geometry",
]
