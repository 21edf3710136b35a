"""Fractional Gaussian noise and fractional Brownian motion by exact circulant embedding."""

from __future__ import annotations

import numpy as np
import scipy.fft

from ..utils._params import RANDOM_STATE, Floats, Ints, validate_params
from ._rng import _as_generator


def _fgn_autocovariance(n_lags: int, hurst: float) -> np.ndarray:
    """Autocovariance of unit-variance fractional Gaussian noise at lags ``0 .. n_lags - 1``.

    gamma(k) = (|k + 1|^{2H} - 2 |k|^{2H} + |k - 1|^{2H}) / 2.
    """
    k = np.arange(n_lags, dtype=np.float64)
    gamma = np.empty(n_lags)
    a = 2.0 * hurst
    gamma[0] = 1.0
    if n_lags > 1:
        gamma[1] = 0.5 * (2.0**a - 2.0)
    if n_lags > 2:
        # The textbook second difference loses ~k**2 * eps in relative precision at
        # large k; writing it as k^a [(1 + 1/k)^a - 1 + (1 - 1/k)^a - 1] / 2 with
        # expm1/log1p keeps the cancellation to ~k * eps.
        kk = k[2:]
        x = 1.0 / kk
        gamma[2:] = 0.5 * kk**a * (np.expm1(a * np.log1p(x)) + np.expm1(a * np.log1p(-x)))
    return gamma


def _fgn_circulant_eigenvalues(size: int, hurst: float) -> np.ndarray:
    """Eigenvalues of the ``2 * size`` circulant matrix whose top-left block is the fGn covariance.

    For fGn with any H in (0, 1) this minimal embedding is non-negative definite
    (Craigmile 2003), so the sampler is exact; the clip only removes round-off.
    """
    gamma = _fgn_autocovariance(size + 1, hurst)
    row = np.concatenate([gamma, gamma[-2:0:-1]])
    eigenvalues = scipy.fft.rfft(row).real
    return np.maximum(eigenvalues, 0.0)


def _circulant_gaussian(n_samples: int, eigenvalues: np.ndarray, length: int, rng) -> np.ndarray:
    """Draw ``n_samples`` stationary Gaussian sequences with the given circulant spectrum.

    ``eigenvalues`` are the ``rfft`` half-spectrum of a symmetric circulant of even
    size ``M``; the first ``length`` entries of each draw have exactly the covariance
    of its first row. The real and imaginary parts of one complex FFT are two
    independent draws (Davies & Harte 1987), which halves the FFT work.
    """
    half = eigenvalues.shape[-1]
    m = 2 * (half - 1)
    full = np.concatenate([eigenvalues, eigenvalues[-2:0:-1]])
    scale = np.sqrt(full / m)
    n_pairs = (n_samples + 1) // 2
    z = rng.standard_normal((n_pairs, m)) + 1j * rng.standard_normal((n_pairs, m))
    y = scipy.fft.fft(z * scale, axis=-1)[:, :length]
    out = np.empty((2 * n_pairs, length))
    out[0::2] = y.real
    out[1::2] = y.imag
    return out[:n_samples]


def _increments_to_path(increments: np.ndarray) -> np.ndarray:
    """Path that starts at 0 and whose steps are the first ``size - 1`` increments."""
    path = np.zeros_like(increments)
    np.cumsum(increments[:, :-1], axis=1, out=path[:, 1:])
    return path


@validate_params({"n_samples": [Ints(1)], "size": [Ints(2)], "hurst": [Floats(0.0, 1.0, closed="neither")],
                  "increments": ["boolean"], "random_state": RANDOM_STATE})
def make_fbm(
    n_samples: int = 1,
    size: int = 1024,
    *,
    hurst: float = 0.5,
    increments: bool = False,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
) -> np.ndarray:
    """Generate fractional Brownian motion (or its increments, fractional Gaussian noise).

    Sampled exactly (no approximation besides floating point) by circulant
    embedding of the fractional Gaussian noise covariance in a circulant matrix of
    size ``2 * size`` (Davies & Harte 1987), whose eigenvalues are non-negative for
    every H in (0, 1).

    Parameters
    ----------
    n_samples : int, default=1
        Number of independent realisations.
    size : int, default=1024
        Number of time points of each realisation, at least 2.
    hurst : float, default=0.5
        Hurst exponent H, in the open interval (0, 1). ``hurst=0.5`` is Brownian motion.
    increments : bool, default=False
        If True, return the fractional Gaussian noise ``B(t + 1) - B(t)`` instead of the path.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same output.

    Returns
    -------
    X : ndarray of shape (n_samples, size), dtype float64
        With ``increments=False`` the paths ``B(0) = 0, B(1), ..., B(size - 1)``;
        otherwise the noise ``B(1) - B(0), ..., B(size) - B(size - 1)``.

    Notes
    -----
    Exact statistics: Gaussian, zero mean, stationary increments with
    ``E[(B(t + tau) - B(t))^2] = |tau|^{2H}`` (unit variance at lag 1), hence
    structure functions ``E|B(t + tau) - B(t)|^q = C_q |tau|^{qH}`` with
    ``C_q = 2^{q/2} Gamma((q + 1) / 2) / sqrt(pi)``, i.e. ``zeta(q) = q H`` at every
    lag. The noise has autocovariance
    ``gamma(k) = (|k + 1|^{2H} - 2 |k|^{2H} + |k - 1|^{2H}) / 2`` and spectral
    density ~ ``|f|^{1 - 2H}`` at low frequency.

    References
    ----------
    R. B. Davies and D. S. Harte, "Tests for Hurst effect", Biometrika 74 (1987).
    P. F. Craigmile, "Simulating a class of stationary Gaussian processes using the
    Davies-Harte algorithm", J. Time Series Analysis 24 (2003).

    Examples
    --------
    >>> from skphase.datasets import make_fbm
    >>> X = make_fbm(n_samples=4, size=256, hurst=0.7, random_state=0)
    >>> X.shape, X.dtype
    ((4, 256), dtype('float64'))
    >>> bool((X[:, 0] == 0).all())
    True
    """
    n_samples, size, hurst = int(n_samples), int(size), float(hurst)
    rng = _as_generator(random_state)
    eigenvalues = _fgn_circulant_eigenvalues(size, hurst)
    noise = _circulant_gaussian(n_samples, eigenvalues, size, rng)
    if increments:
        return noise
    return _increments_to_path(noise)
