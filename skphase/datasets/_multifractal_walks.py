"""Multifractal random walks (1D): the MRW and the skewed MRW with leverage.

Both are white Gaussian noise multiplied by a log-normal volatility exp(omega),
omega log-correlated over the integral scale (see :mod:`._log_correlated`).
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from ._fractional import (
    _circulant_gaussian,
    _fgn_circulant_eigenvalues,
    _increments_to_path,
)
from ..utils._params import RANDOM_STATE, Floats, Ints, validate_params
from ._log_correlated import _blocks, _check_integral_scale, _circular_distance, _log_covariance
from ._rng import _as_generator

# Gaussian multiplicative chaos exp(2 omega) on the line is non-degenerate only while
# the log-correlation coefficient of 2 omega, 4 lambda^2, stays below 2 (twice the
# dimension; Kahane 1985, Bacry, Delour & Muzy 2001). At and beyond, the volatility
# of almost every point tends to 0 as the resolution grows: samples come out as
# zeros (1e-40 at lambda = 5) with rare bursts, and the promised unit variance holds
# for no realisation. Refused, with the bound in the message.
MAX_LOG_CORRELATION = 0.5
_INTERMITTENCY = [Floats(0.0, np.sqrt(MAX_LOG_CORRELATION), closed="left",
                         text="a float in [0, sqrt(1/2)) = [0, 0.7071) (the walk degenerates to 0 "
                              "for intermittency**2 >= 1/2)")]
_LEVERAGE = [Floats(0.0, np.sqrt(MAX_LOG_CORRELATION), closed="left",
                    text="a float in [0, sqrt(1/2)) = [0, 0.7071) (the walk degenerates to 0 "
                         "for intermittency**2 + leverage**2 >= 1/2)")]
_WALK = {"n_samples": [Ints(1)], "size": [Ints(2)], "integral_scale": [None, Ints(1)],
         "increments": ["boolean"], "random_state": RANDOM_STATE}


def _check_log_correlation(intermittency: float, leverage: float) -> None:
    total = intermittency**2 + leverage**2
    if total >= MAX_LOG_CORRELATION:
        raise ValueError(
            f"intermittency**2 + leverage**2 must be < 1/2, got {intermittency!r}**2 + {leverage!r}**2 = "
            f"{total:.4g}: the volatility's log-correlation coefficient is then too large and the walk "
            "degenerates to 0 (Gaussian multiplicative chaos); lower intermittency or leverage."
        )


def _log_correlated_eigenvalues_1d(length: int, integral_scale: int) -> np.ndarray:
    """rfft half-spectrum of the periodic covariance ln+(T / (d + 1)), d the circular distance."""
    row = _log_covariance(_circular_distance(length), integral_scale)
    # Non-negative whenever length >= 2 T (checked numerically for lengths 8 to 2**21
    # and T from 1 to length / 2); the clip only removes round-off.
    return np.maximum(scipy.fft.rfft(row).real, 0.0)


@validate_params({**_WALK, "hurst": [Floats(0.0, 1.0, closed="neither")],
                  "intermittency": _INTERMITTENCY})
def make_mrw(
    n_samples: int = 1,
    size: int = 1024,
    *,
    hurst: float = 0.5,
    intermittency: float = 0.2,
    integral_scale: int | None = None,
    increments: bool = False,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
) -> np.ndarray:
    """Generate multifractal random walks (Bacry, Delour & Muzy).

    The increments at ``hurst=0.5`` are ``dX(k) = xi(k) exp(omega(k))`` with ``xi``
    white Gaussian noise and ``omega`` an independent stationary Gaussian sequence
    with ``Cov(omega(k), omega(k + tau)) = lambda^2 ln+(T / (|tau| + 1))`` and mean
    ``-lambda^2 ln T`` (so that ``E[dX^2] = 1``). For ``hurst != 0.5`` these white
    increments are passed through the square-root filter of the fractional Gaussian
    noise covariance (a fractional integration of order ``H - 1/2``), which gives them
    exactly the second-order structure of fGn.

    Parameters
    ----------
    n_samples : int, default=1
        Number of independent realisations.
    size : int, default=1024
        Number of time points of each realisation, at least 2.
    hurst : float, default=0.5
        Hurst exponent H in the open interval (0, 1).
    intermittency : float, default=0.2
        Intermittency lambda in ``[0, sqrt(1/2))`` (``lambda^2`` is the intermittency
        coefficient). ``0`` gives fractional Brownian motion. From ``lambda^2 = 1/2`` on
        the walk degenerates to 0 (see Notes) and the value is refused.
    integral_scale : int, default=None
        Integral scale T (in samples), between 1 and ``size``; beyond T the volatility
        decorrelates and the walk is monofractal. ``None`` means ``size``.
    increments : bool, default=False
        If True, return the increments ``dX`` instead of the path.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same output.

    Returns
    -------
    X : ndarray of shape (n_samples, size), dtype float64
        Paths starting at ``X(0) = 0`` (or the increments with ``increments=True``).

    Notes
    -----
    Exact statistics: zero mean, ``E[(X(t + tau) - X(t))^2] = |tau|^{2H}`` for
    ``|tau| < size`` (unit variance increments, the covariance of fGn) and no
    leverage, ``E[dX(t) dX(t + tau)^2] = 0`` for every ``tau``, because the law is
    invariant under ``xi -> -xi``. For lags ``1 << tau << T`` the structure functions
    scale as ``E|X(t + tau) - X(t)|^q ~ tau^{zeta(q)}`` with the log-normal spectrum

        zeta(q) = (H + lambda^2) q - lambda^2 q^2 / 2,

    so the flatness ``E[dX_tau^4] / E[dX_tau^2]^2 ~ tau^{-4 lambda^2}`` grows as the
    lag shrinks, and ``Var ln|X(t + tau) - X(t)| = const - lambda^2 ln tau``. For
    ``tau >= T`` the increments are nearly Gaussian. At ``hurst=0.5`` the one-step
    increments also satisfy, exactly, ``Var ln|dX| = pi^2 / 8 + lambda^2 ln T``,
    ``E[dX^4] = 3 T^{4 lambda^2}`` and
    ``E[dX(t)^2 dX(t + tau)^2] = (T / (|tau| + 1))^{4 lambda^2}`` for
    ``1 <= |tau| < T`` (1 beyond). The
    ``omega`` sequence and, for ``H != 0.5``, the fGn filter are sampled by exact
    circulant embedding on a periodic grid of ``2 * size`` points, of which the first
    ``size`` are returned. On the grid every moment is finite, but in the continuum
    limit the moment of order ``q > 2`` stays finite only while ``zeta(q) > 1``, so
    estimates of higher orders converge slowly.

    Range of ``intermittency``: the volatility ``exp(2 omega)`` is a Gaussian
    multiplicative chaos, non-degenerate only for ``lambda^2 < 1/2`` (Kahane 1985;
    Bacry, Delour & Muzy 2001). Beyond, almost every increment tends to 0 as the
    resolution grows (at ``lambda = 5`` samples are about 1e-70 with rare bursts), so
    ``lambda >= sqrt(1/2)`` is refused. Close to the bound ``E[dX^2] = 1`` still holds
    but one realisation's variance is ruled by rare bursts: with ``T = size = 4096``
    the median per-sample standard deviation is 0.87 at ``lambda = 0.3`` and 0.57 at
    ``lambda = 0.5``.

    References
    ----------
    E. Bacry, J. Delour and J. F. Muzy, "Multifractal random walk", Phys. Rev. E 64 (2001).

    Examples
    --------
    >>> from skphase.datasets import make_mrw
    >>> X = make_mrw(n_samples=2, size=512, intermittency=0.2, random_state=0)
    >>> X.shape
    (2, 512)
    >>> dX = make_mrw(n_samples=2, size=512, increments=True, random_state=0)
    >>> bool(abs(dX.std() - 1.0) < 0.3)
    True
    """
    n_samples, size, hurst, intermittency = int(n_samples), int(size), float(hurst), float(intermittency)
    integral_scale = _check_integral_scale(integral_scale, size, size, "size")
    rng = _as_generator(random_state)

    length = 2 * size
    log_cov = intermittency**2 * _log_correlated_eigenvalues_1d(length, integral_scale)
    mean_omega = -(intermittency**2) * np.log(integral_scale)
    fractional = hurst != 0.5
    if fractional:
        fgn_filter = np.sqrt(_fgn_circulant_eigenvalues(size, hurst))
    out = np.empty((n_samples, size))
    for start, stop in _blocks(n_samples, length):
        n = stop - start
        omega = _circulant_gaussian(n, log_cov, length, rng)
        # White noise over the whole period only when it is filtered; at H = 1/2 the
        # increments are used as they are.
        width = length if fractional else size
        dx = rng.standard_normal((n, width))
        dx *= np.exp(omega[:, :width] + mean_omega)
        if fractional:
            dx = scipy.fft.irfft(scipy.fft.rfft(dx, axis=-1) * fgn_filter, n=length, axis=-1)
        out[start:stop] = dx[:, :size]
    if increments:
        return out
    return _increments_to_path(out)


def _skewed_omega_covariance(
    lags: np.ndarray, intermittency: float, leverage: float, integral_scale: int
) -> np.ndarray:
    """Cov(omega(t), omega(t + tau)) of the skewed MRW volatility for lags ``tau >= 0``."""
    lags = np.asarray(lags, dtype=np.int64)
    steps = np.arange(1, integral_scale, dtype=np.float64)
    cov = intermittency**2 * _log_covariance(lags.astype(np.float64), integral_scale)
    for i, tau in enumerate(lags.ravel()):
        # sum_l K(l) K(l + tau) over 1 <= l, l + tau < T
        count = integral_scale - 1 - int(tau)
        if count > 0:
            cov.flat[i] += leverage**2 * np.sum(1.0 / np.sqrt(steps[:count] * (steps[:count] + tau)))
    return cov


@validate_params({"lags": "no_validation", "intermittency": _INTERMITTENCY, "leverage": _LEVERAGE,
                  "integral_scale": [Ints(1)]})
def skewed_mrw_leverage(
    lags,
    *,
    intermittency: float = 0.15,
    leverage: float = 0.1,
    integral_scale: int = 1024,
) -> np.ndarray:
    """Exact leverage function of :func:`make_skewed_mrw`.

    ``L(tau) = E[dX(t) dX(t + tau)^2] / E[dX^2]^2`` equals
    ``-2 K(tau) exp(2 C(tau) - C(0) / 2)`` for ``1 <= tau < T`` and ``0`` otherwise
    (in particular for every ``tau <= 0``), where ``K(l) = leverage / sqrt(l)`` is the
    leverage kernel and ``C`` the covariance of the log-volatility omega. It follows
    from Gaussian integration by parts, since ``omega(t + tau)`` contains
    ``-K(tau) xi(t)``.

    Parameters
    ----------
    lags : array-like of int
        Lags tau (negative values allowed).
    intermittency : float, default=0.15
        Intermittency lambda >= 0, as in :func:`make_skewed_mrw`.
    leverage : float, default=0.1
        Leverage strength K0 >= 0, as in :func:`make_skewed_mrw`;
        ``lambda^2 + K0^2 < 1/2``.
    integral_scale : int, default=1024
        Integral scale T >= 1, as in :func:`make_skewed_mrw`.

    Returns
    -------
    L : ndarray of float64, same shape as ``lags``
        Exact leverage at each lag.

    Examples
    --------
    >>> from skphase.datasets import skewed_mrw_leverage
    >>> L = skewed_mrw_leverage([-2, -1, 0, 1, 2], intermittency=0.2, leverage=0.3, integral_scale=256)
    >>> bool((L[:3] == 0).all() and (L[3:] < 0).all())
    True
    """
    intermittency, leverage, integral_scale = float(intermittency), float(leverage), int(integral_scale)
    _check_log_correlation(intermittency, leverage)
    lags = np.asarray(lags)
    if not np.issubdtype(lags.dtype, np.integer):
        raise TypeError(f"lags must be integers, got an array of dtype {lags.dtype}.")
    result = np.zeros(lags.shape)
    active = (lags >= 1) & (lags < integral_scale)
    if np.any(active):
        tau = lags[active]
        variance = _skewed_omega_covariance(np.array([0]), intermittency, leverage, integral_scale)[0]
        cov = _skewed_omega_covariance(tau, intermittency, leverage, integral_scale)
        kernel = leverage / np.sqrt(tau)
        result[active] = -2.0 * kernel * np.exp(2.0 * cov - 0.5 * variance)
    return result


@validate_params({**_WALK, "intermittency": _INTERMITTENCY, "leverage": _LEVERAGE})
def make_skewed_mrw(
    n_samples: int = 1,
    size: int = 1024,
    *,
    intermittency: float = 0.15,
    leverage: float = 0.1,
    integral_scale: int | None = None,
    increments: bool = False,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
) -> np.ndarray:
    """Generate skewed multifractal random walks with leverage (Pochart & Bouchaud).

    The increments are ``dX(k) = xi(k) exp(omega(k))`` with ``xi`` white Gaussian
    noise and a log-volatility that responds to past returns,

        omega(k) = Omega(k) - sum_{1 <= l < T} K(l) xi(k - l) - C(0),   K(l) = leverage / sqrt(l),

    where ``Omega`` is an independent Gaussian sequence with covariance
    ``lambda^2 ln+(T / (|tau| + 1))`` and ``C(0) = Var(omega(k))``, so that
    ``E[dX^2] = 1``. A negative return raises future volatility but never past
    volatility: the walk is not invariant under time reversal.

    Parameters
    ----------
    n_samples : int, default=1
        Number of independent realisations.
    size : int, default=1024
        Number of time points of each realisation, at least 2.
    intermittency : float, default=0.15
        Intermittency lambda >= 0 of the part of the volatility independent of returns.
    leverage : float, default=0.1
        Leverage strength K0 >= 0; 0 gives the (symmetric) MRW with ``hurst=0.5``.
        The effective intermittency coefficient ``lambda^2 + K0^2`` must stay below
        1/2, where the walk degenerates to 0 as in :func:`make_mrw`.
    integral_scale : int, default=None
        Integral scale T between 1 and ``size``, the memory of both the volatility
        and the leverage kernel. ``None`` means ``size``.
    increments : bool, default=False
        If True, return the increments (the "returns") instead of the path.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same output.

    Returns
    -------
    X : ndarray of shape (n_samples, size), dtype float64
        Paths starting at ``X(0) = 0`` (or the increments with ``increments=True``).

    Notes
    -----
    Exact statistics: zero-mean, uncorrelated increments with unit variance, and the
    leverage function ``L(tau) = E[dX(t) dX(t + tau)^2]`` given in closed form by
    :func:`skewed_mrw_leverage`: ``L(tau) = -2 K(tau) exp(2 C(tau) - C(0) / 2) < 0``
    for ``1 <= tau < T`` and ``L(tau) = 0`` for ``tau <= 0`` and ``tau >= T``, with
    ``C(tau) = lambda^2 ln+(T / (tau + 1)) + sum_l K(l) K(l + tau)``. The
    log-volatility is again log-correlated over the integral scale, so the walk is
    multifractal for lags below T as in :func:`make_mrw`, with an effective
    intermittency coefficient ``lambda^2 + leverage^2``, and
    ``E[(X(t + tau) - X(t))^2] = |tau|`` exactly. The returns are negatively
    skewed once aggregated over a few lags.

    References
    ----------
    B. Pochart and J.-P. Bouchaud, "The skewed multifractal random walk with
    applications to option smiles", Quantitative Finance 2 (2002).

    Examples
    --------
    >>> from skphase.datasets import make_skewed_mrw
    >>> r = make_skewed_mrw(n_samples=2, size=512, increments=True, random_state=0)
    >>> r.shape
    (2, 512)
    """
    n_samples, size = int(n_samples), int(size)
    intermittency, leverage = float(intermittency), float(leverage)
    _check_log_correlation(intermittency, leverage)
    integral_scale = _check_integral_scale(integral_scale, size, size, "size")
    rng = _as_generator(random_state)

    length = 2 * size
    log_cov = intermittency**2 * _log_correlated_eigenvalues_1d(length, integral_scale)
    variance = _skewed_omega_covariance(np.array([0]), intermittency, leverage, integral_scale)[0]
    memory = integral_scale - 1
    kernel = np.zeros(integral_scale)
    kernel[1:] = leverage / np.sqrt(np.arange(1, integral_scale))
    # Linear (not circular) convolution: the noise carries `memory` extra samples of
    # past so that every returned point sees a full kernel window, as in a stationary walk.
    n_fft = scipy.fft.next_fast_len(size + 2 * memory, real=True)
    kernel_hat = scipy.fft.rfft(kernel, n=n_fft)
    out = np.empty((n_samples, size))
    for start, stop in _blocks(n_samples, max(length, n_fft)):
        n = stop - start
        omega = _circulant_gaussian(n, log_cov, size, rng)
        xi = rng.standard_normal((n, size + memory))
        feedback = scipy.fft.irfft(scipy.fft.rfft(xi, n=n_fft, axis=-1) * kernel_hat, n=n_fft, axis=-1)
        omega -= feedback[:, memory : memory + size]
        out[start:stop] = xi[:, memory:] * np.exp(omega - variance)
    if increments:
        return out
    return _increments_to_path(out)
