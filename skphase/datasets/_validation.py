"""Argument checks shared by the dataset generators.

Every check names the argument, the value received and what is expected, so that
a user who passes ``hurst=1.2`` reads exactly that in the error.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state


def _check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int after checking its type and range."""
    # bool is an Integral subclass, but ``size=True`` is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value}.")
    return value


def _check_real(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float after checking that it lies in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}.")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high or not np.isfinite(value):
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be a finite number in {left}{lo}, {hi}{right}, got {value!r}.")
    return value


def _check_shape_2d(name: str, size, *, minimum: int = 1) -> tuple[int, int]:
    """Turn ``size`` (int or pair of ints) into an image shape ``(H, W)``."""
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        side = _check_int(name, size, minimum=minimum)
        return side, side
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return (
            _check_int(f"{name}[0]", size[0], minimum=minimum),
            _check_int(f"{name}[1]", size[1], minimum=minimum),
        )
    raise TypeError(f"{name} must be an int or a pair of ints (height, width), got {size!r}.")


def _check_random_state(random_state) -> np.random.Generator:
    """Turn ``random_state`` into a numpy Generator.

    Accepts what scikit-learn accepts (None, int, RandomState) plus a
    ``np.random.Generator``. Integers seed a Generator directly; None and RandomState
    instances are turned into a Generator by drawing one seed from them, so ``None``
    follows ``np.random.seed`` exactly like scikit-learn's ``check_random_state``.
    Generators are used internally because their normal sampler is several times
    faster than RandomState's, which matters for the 2**16-point benchmarks.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer seed, got {random_state}.")
        return np.random.default_rng(int(random_state))
    if random_state is None or isinstance(random_state, np.random.RandomState):
        legacy = check_random_state(random_state)
        return np.random.default_rng(int(legacy.randint(0, np.iinfo(np.int32).max)))
    raise TypeError(
        "random_state must be None, an int, a numpy.random.Generator or a numpy.random.RandomState, "
        f"got {random_state!r} of type {type(random_state).__name__}."
    )
