"""What the multifractal walks and fields share: a log-correlated Gaussian covariance.

The log-volatility omega of every multifractal generator here has covariance
lambda^2 ln+(T / (r + 1)) (Bacry, Delour & Muzy 2001) up to the integral scale T;
it is sampled exactly by circulant embedding on a periodic grid at least twice T,
where this covariance is non-negative definite.
"""

from __future__ import annotations

import numpy as np

# Samples are drawn in blocks so that temporary complex arrays stay near 32 MiB
# whatever n_samples is; 2**21 complex128 values = 32 MiB.
_BLOCK_ELEMENTS = 2**21


def _log_covariance(distance: np.ndarray, integral_scale: int) -> np.ndarray:
    """ln+(T / (r + 1)): the discretised log-correlation of Bacry, Delour & Muzy (2001)."""
    return np.log(np.maximum(integral_scale / (distance + 1.0), 1.0))


def _circular_distance(n: int) -> np.ndarray:
    k = np.arange(n, dtype=np.float64)
    return np.minimum(k, n - k)


def _blocks(n_samples: int, elements_per_sample: int):
    """Yield (start, stop) sample ranges whose arrays stay under _BLOCK_ELEMENTS."""
    step = max(2, _BLOCK_ELEMENTS // max(elements_per_sample, 1))
    step -= step % 2  # even blocks keep the complex-pair trick fully used
    for start in range(0, n_samples, step):
        yield start, min(start + step, n_samples)


def _check_integral_scale(integral_scale, maximum: int, default: int, what: str) -> int:
    if integral_scale is None:
        return default
    value = int(integral_scale)  # declared an integer >= 1 by the caller
    if value > maximum:
        raise ValueError(
            f"integral_scale must be at most {what} = {maximum} for this size, got {value}; "
            "increase size or decrease integral_scale."
        )
    return value
