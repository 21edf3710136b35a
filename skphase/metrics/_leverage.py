"""Time-asymmetry and volatility statistics of return series (1-D only)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..utils._params import Ints, validate_params
from ._validation import _as_batch, _check_max_lag, _check_not_constant

# the range of max_lag, 1 .. N // 2, depends on the series: _check_max_lag
_R = {"r": ["array-like"], "max_lag": [Ints(), None]}


def _returns(r: ArrayLike, max_lag: int | None) -> tuple[np.ndarray, int]:
    # Returns are always 1-D, so a 2-D array is unambiguously a set (n, N).
    arr = _as_batch(r, "r", 1)
    return arr, _check_max_lag(max_lag, arr.shape[1])


def _leverage(r: np.ndarray, max_lag: int, name: str = "r") -> tuple[np.ndarray, np.ndarray]:
    if not np.any(r):
        raise ValueError(f"{name} is identically 0: the leverage correlation, a ratio to E[r^2]^2, is "
                         "undefined.")
    sq = r**2
    denom = np.mean(sq) ** 2
    taus = np.arange(-max_lag, max_lag + 1)
    values = np.empty(taus.size)
    n = r.shape[1]
    for i, tau in enumerate(taus):
        if tau >= 0:
            # pairs (r(t), r(t + tau)^2) for t = 0 ... N - 1 - tau
            values[i] = np.mean(sq[:, tau:] * r[:, : n - tau])
        else:
            lag = -tau
            values[i] = np.mean(sq[:, : n - lag] * r[:, lag:])
    return taus, values / denom


@validate_params(_R)
def leverage_correlation(
    r: ArrayLike, max_lag: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Leverage correlation ``L(tau) = E[r(t + tau)^2 r(t)] / E[r^2]^2``.

    For ``tau > 0`` it correlates today's return with future squared
    returns: the leverage effect of equity prices (falls raise future
    volatility) makes ``L(tau) < 0`` for ``tau > 0`` and ``L(tau) ~= 0`` for
    ``tau < 0``. A time-reversible or Gaussian process has ``L = 0`` at
    every ``tau != 0``. Returns are not de-meaned, as in the usual
    definition for daily returns whose mean is negligible.

    Each expectation is the mean over all samples and all ``t`` for which
    both ``t`` and ``t + tau`` lie inside the series (no wrap-around).

    Parameters
    ----------
    r : array-like of shape (N,) or (n, N)
        One return series or a set of ``n`` series (this metric is 1-D only,
        so a 2-D array is always a set of series).
    max_lag : int, optional
        Largest ``|tau|``, between 1 and ``N // 2``. Default
        ``min(20, N // 4)``.

    Returns
    -------
    taus : ndarray of shape (2 * max_lag + 1,)
        ``-max_lag ... max_lag``.
    L : ndarray of shape (2 * max_lag + 1,)
        Leverage correlation at each ``tau``.

    Raises
    ------
    ValueError
        If ``r`` is identically 0 (``L`` divides by ``E[r^2]^2``).

    See Also
    --------
    volatility_autocorrelation : autocorrelation of ``|r|``.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import leverage_correlation
    >>> r = np.random.default_rng(0).standard_normal((4, 10_000))
    >>> taus, L = leverage_correlation(r, max_lag=5)
    >>> taus
    array([-5, -4, -3, -2, -1,  0,  1,  2,  3,  4,  5])
    >>> bool(np.all(np.abs(L) < 0.1))  # no leverage in white noise
    True
    """
    arr, max_lag = _returns(r, max_lag)
    return _leverage(arr, max_lag)


def _volatility_acf(r: np.ndarray, max_lag: int, name: str = "r") -> tuple[np.ndarray, np.ndarray]:
    a = np.abs(r)
    _check_not_constant(a, f"|{name}|", "its autocorrelation, a ratio to its zero variance, is undefined")
    centred = a - a.mean()
    var = np.mean(centred**2)
    n = r.shape[1]
    taus = np.arange(0, max_lag + 1)
    values = np.array([np.mean(centred[:, tau:] * centred[:, : n - tau]) for tau in taus])
    return taus, values / var


@validate_params(_R)
def volatility_autocorrelation(
    r: ArrayLike, max_lag: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Autocorrelation of absolute returns ``|r|`` (volatility clustering).

    ``C(tau) = E[(|r(t)| - m)(|r(t + tau)| - m)] / E[(|r| - m)^2]`` with
    ``m = E|r|``, where the mean and variance are pooled over all samples
    and the lagged mean runs over all valid ``t`` (no wrap-around).
    ``C(0) = 1``; white noise has ``C(tau) ~= 0`` for ``tau > 0`` while
    volatility clustering gives slowly decaying positive values.

    Parameters
    ----------
    r : array-like of shape (N,) or (n, N)
        One return series or a set of ``n`` series (1-D only).
    max_lag : int, optional
        Largest ``tau``, between 1 and ``N // 2``. Default
        ``min(20, N // 4)``.

    Returns
    -------
    taus : ndarray of shape (max_lag + 1,)
        ``0 ... max_lag``.
    C : ndarray of shape (max_lag + 1,)
        Autocorrelation of ``|r|``.

    Raises
    ------
    ValueError
        If ``|r|`` is constant (``C`` divides by its variance).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import volatility_autocorrelation
    >>> r = np.random.default_rng(0).standard_normal(20_000)
    >>> taus, C = volatility_autocorrelation(r, max_lag=3)
    >>> float(C[0])
    1.0
    >>> bool(np.all(np.abs(C[1:]) < 0.05))
    True
    """
    arr, max_lag = _returns(r, max_lag)
    return _volatility_acf(arr, max_lag)
