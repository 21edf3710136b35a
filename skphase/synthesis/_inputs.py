"""Checks and standardisation of the synthesis estimators' inputs and parameters."""

from __future__ import annotations

import math

import numpy as np

from ..utils._params import RANDOM_STATE, Ints, Shape, check_param
from ..utils._validation import check_J

#: auto J: the coarsest wavelet spans at most a quarter (images) / an eighth (series) of the grid
MAX_AUTO_J = {1: 12, 2: 5}


def shape_param(name, value):
    """``value`` as a tuple of 1 or 2 positive ints, or None; an error naming ``name`` otherwise."""
    check_param(name, value, [None, Shape((1, 2))])
    return None if value is None else tuple(int(s) for s in value)


def check_seed(random_state, name="random_state", caller="skphase") -> np.random.RandomState:
    """A RandomState from ``random_state`` (:data:`RANDOM_STATE`: None, a seed in [0, 2**32 - 1],
    a RandomState or a Generator; never a bool), or scikit-learn's error naming ``name``."""
    from sklearn.utils import check_random_state

    check_param(name, random_state, RANDOM_STATE, caller=caller)
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(random_state.integers(2**31 - 1))
    return check_random_state(random_state)


def _positive_int(name, value, caller="skphase") -> int:
    """``value`` as an int >= 1 (a bool is refused); scikit-learn's error naming ``name`` otherwise."""
    check_param(name, value, [Ints(1)], caller=caller)
    return int(value)


def _seed_of(random_state, name, caller="skphase") -> np.random.RandomState:
    return check_seed(random_state, name, caller)


#: data whose standard deviation is below this fraction of their magnitude are constant up to
#: rounding (an offset of 1e16 on values of order 1): nothing of their structure survives float64
MIN_RELATIVE_STD = 64 * np.finfo(np.float64).eps


def mean_std(X: np.ndarray, name: str = "X") -> tuple[float, float, float]:
    """``(mean, std, max |X|)`` of all the values of X, without overflow or underflow (see below)."""
    X = np.asarray(X, dtype=np.float64)
    peak = float(np.max(np.abs(X)))
    if not np.isfinite(peak):
        raise ValueError(f"{name} contains NaN or infinity.")
    if peak == 0:
        return 0.0, 0.0, 0.0
    mean = float(np.mean(X / peak)) * peak
    spread = float(np.max(np.abs(X - mean)))
    std = float(np.std((X - mean) / spread)) * spread if spread > 0 else 0.0
    return mean, std, peak


def standardization(X: np.ndarray, name: str = "X") -> tuple[float, float]:
    """``(mean, std)`` of all the values of X, computed without overflow or underflow.

    The moments are homogeneous of degrees 1 to 4 in the values, so the model works on
    ``(X - mean) / std`` (unit-free); the mean and the standard deviation are computed
    here on values rescaled by their largest magnitude, so data near 1e-300 or 1e300 (whose
    squares, let alone fourth powers, leave the float64 range) are handled like any other.
    """
    mean, std, peak = mean_std(X, name)
    if peak == 0:
        raise ValueError(f"{name} is all zeros: a stationary model needs realisations with some variance.")
    if not std > MIN_RELATIVE_STD * peak:
        what = "constant" if std == 0 else (f"constant up to rounding (standard deviation {std:.3g} for "
                                             f"values of magnitude {peak:.3g}); subtract the offset first")
        raise ValueError(f"{name} is {what}: a stationary model needs realisations with some variance.")
    return mean, std


def resolve_J(J, spatial, name: str) -> int:
    """The number of octaves for signals of shape ``spatial``: ``J``, or the default for None."""
    checked = check_J(J, spatial, name)
    if checked is not None:
        return checked
    smallest = min(spatial)
    margin = 2 if len(spatial) == 2 else 3
    return int(max(1, min(MAX_AUTO_J[len(spatial)], math.floor(math.log2(smallest)) - margin)))
