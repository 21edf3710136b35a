"""Data checks shared by the metrics (their parameters are declared with ``validate_params``).

Every metric accepts either one realisation or a set of realisations:

========  ====================  ==========================
``ndim``  one realisation       a set of ``n`` realisations
========  ====================  ==========================
1         ``(N,)`` signal       ``(n, N)``
2         ``(H, W)`` image      ``(n, H, W)``
========  ====================  ==========================

A 2-D array is therefore ambiguous (an image, or a set of signals). Nothing is
guessed from sizes: ``ndim`` is either given, or read from an argument that is
unambiguous (1-D means signals, 3-D means images); if every argument is 2-D
and ``ndim`` is None the metric raises.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..utils._params import OneOf

#: ``ndim`` of every metric: 1, 2 or None (read from the inputs).
NDIM = [OneOf(1, 2, text="1 (signals) or 2 (images)"), None]


def _infer_ndim(ndim: object, arrays: Mapping[str, object]) -> int:
    """Resolve the signal dimension from a declared ``ndim`` or from unambiguous arrays."""
    if ndim is not None:
        return int(ndim)
    votes: dict[str, int] = {}
    for name, value in arrays.items():
        if value is None:
            continue
        a_ndim = np.ndim(value)
        if a_ndim == 1:
            votes[name] = 1
        elif a_ndim == 3:
            votes[name] = 2
        elif a_ndim != 2:
            raise ValueError(
                f"{name} must have shape (N,), (n, N), (H, W) or (n, H, W); "
                f"got an array with {a_ndim} dimensions of shape {np.shape(value)}."
            )
    if not votes:
        names = ", ".join(n for n, v in arrays.items() if v is not None)
        raise ValueError(
            f"Cannot tell whether 2-D inputs ({names}) are one image (H, W) or a set of "
            "signals (n, N): pass ndim=1 for signals or ndim=2 for images."
        )
    if len(set(votes.values())) > 1:
        detail = ", ".join(f"{n} -> ndim={d}" for n, d in votes.items())
        raise ValueError(f"Inputs disagree on the signal dimension ({detail}).")
    return next(iter(votes.values()))


def _as_batch(x: object, name: str, ndim: int) -> np.ndarray:
    """Return ``x`` as a finite float64 array of shape ``(n, *signal_shape)``."""
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}.")
    if np.iscomplexobj(arr):
        raise TypeError(
            f"{name} must be real-valued, got complex dtype {arr.dtype}; pass the real "
            "part or the modulus explicitly."
        )
    if arr.ndim == ndim:
        arr = arr[np.newaxis]
    elif arr.ndim != ndim + 1:
        expected = "(N,) or (n, N)" if ndim == 1 else "(H, W) or (n, H, W)"
        raise ValueError(
            f"{name} must have shape {expected} for ndim={ndim}, got shape {arr.shape}."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {np.shape(x)}).")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        n_bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} contains NaN or infinite values ({n_bad} entries); metrics need "
            "finite inputs."
        )
    return arr


def _check_same_signal_shape(a: np.ndarray, name_a: str, b: np.ndarray, name_b: str) -> None:
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same signal shape, got "
            f"{a.shape[1:]} and {b.shape[1:]}."
        )


def _check_min_size(x: np.ndarray, name: str, minimum: int) -> None:
    smallest = min(x.shape[1:])
    if smallest < minimum:
        raise ValueError(
            f"{name} is too small: each signal axis needs at least {minimum} points, "
            f"got signal shape {x.shape[1:]}."
        )


def _default_lags(size: int) -> np.ndarray:
    # Dyadic lags up to size // 8 keep at least 8 disjoint increments per sample
    # at the largest lag, so high moments are not dominated by a handful of values.
    top = size // 8
    if top < 1:
        return np.array([], dtype=np.int64)
    return 2 ** np.arange(int(np.log2(top)) + 1, dtype=np.int64)


def _check_lags(lags: object, size: int, *, minimum: int = 1, name: str = "lags") -> np.ndarray:
    """Validate a 1-D sequence of distinct positive integer lags <= size // 2."""
    if lags is None:
        out = _default_lags(size)
        if out.size < minimum:
            raise ValueError(
                f"Signals of size {size} are too small for the default dyadic lags "
                f"(1, 2, 4, ... <= size // 8 = {size // 8}); at least {minimum} lags are "
                f"needed: pass {name} explicitly or use longer signals."
            )
        return out
    arr = np.asarray(lags)
    if arr.ndim == 0:
        arr = arr[np.newaxis]
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of integers, got {lags!r}.")
    if not np.issubdtype(arr.dtype, np.integer):
        if not (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr))):
            raise TypeError(f"{name} must contain integers, got {lags!r}.")
        arr = arr.astype(np.int64)
    arr = arr.astype(np.int64)
    if np.any(arr < 1):
        raise ValueError(f"{name} must be positive integers, got {arr.tolist()}.")
    if np.any(np.diff(arr) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {arr.tolist()}.")
    if arr[-1] > size // 2:
        raise ValueError(
            f"{name} must be <= size // 2 = {size // 2} for signals of size {size}, got "
            f"a largest lag of {int(arr[-1])}."
        )
    if arr.size < minimum:
        raise ValueError(f"{name} must contain at least {minimum} lags, got {arr.tolist()}.")
    return arr


def _check_q(q: object) -> np.ndarray:
    if isinstance(q, (str, bytes)):
        raise TypeError(f"q must be a positive number or a 1-D sequence of them, got {q!r}.")
    arr = np.asarray(q)
    if arr.ndim == 0:
        arr = arr[np.newaxis]
    if arr.ndim != 1 or arr.size == 0 or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"q must be a positive number or a 1-D sequence of them, got {q!r}.")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"q must contain finite moments q > 0, got {arr.tolist()}.")
    return arr


def _check_not_constant(x: np.ndarray, name: str, consequence: str) -> None:
    """Refuse a set whose pooled values are all equal, saying what cannot be computed."""
    if x.size and np.all(x == x.flat[0]):
        raise ValueError(f"{name} is constant (every value is {float(x.flat[0])!r}): {consequence}.")


def _check_max_lag(max_lag: object, size: int, *, default_cap: int = 20) -> int:
    if max_lag is None:
        max_lag = min(default_cap, size // 4)
        if max_lag < 1:
            raise ValueError(
                f"Series of length {size} are too short for the default max_lag "
                "(min(20, N // 4)); use series of at least 4 points."
            )
        return max_lag
    # its type is declared by the caller; its range depends on the series' length
    if max_lag < 1 or max_lag > size // 2:
        raise ValueError(
            f"max_lag must be between 1 and N // 2 = {size // 2} for series of length "
            f"{size}, got {max_lag}."
        )
    return int(max_lag)

