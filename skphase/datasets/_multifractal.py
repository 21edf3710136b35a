"""Multifractal random walks (1D), skewed MRW with leverage, and 2D multifractal fields.

All three are built the same way: a log-correlated Gaussian field omega (covariance
lambda^2 ln+(T / (r + 1))) exponentiated into a stochastic volatility that multiplies
white Gaussian noise. The Gaussian fields are sampled exactly by circulant embedding
on a periodic grid at least twice the integral scale, where this covariance is
non-negative definite.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from ._fractional import (
    _circulant_gaussian,
    _fgn_circulant_eigenvalues,
    _increments_to_path,
)
from ._validation import (
    _check_int,
    _check_random_state,
    _check_real,
    _check_shape_2d,
)

# Samples are drawn in blocks so that temporary complex arrays stay near 32 MiB
# whatever n_samples is; 2**21 complex128 values = 32 MiB.
_BLOCK_ELEMENTS = 2**21


def _log_covariance(distance: np.ndarray, integral_scale: int) -> np.ndarray:
    """ln+(T / (r + 1)): the discretised log-correlation of Bacry, Delour & Muzy (2001)."""
    return np.log(np.maximum(integral_scale / (distance + 1.0), 1.0))


def _circular_distance(n: int) -> np.ndarray:
    k = np.arange(n, dtype=np.float64)
    return np.minimum(k, n - k)


def _log_correlated_eigenvalues_1d(length: int, integral_scale: int) -> np.ndarray:
    """rfft half-spectrum of the periodic covariance ln+(T / (d + 1)), d the circular distance."""
    row = _log_covariance(_circular_distance(length), integral_scale)
    # Non-negative whenever length >= 2 T (checked numerically for lengths 8 to 2**21
    # and T from 1 to length / 2); the clip only removes round-off.
    return np.maximum(scipy.fft.rfft(row).real, 0.0)


def _log_correlated_eigenvalues_2d(shape: tuple[int, int], integral_scale: int) -> np.ndarray:
    """fft2 eigenvalues of the periodic covariance ln+(T / (r + 1)), r the circular Euclidean distance."""
    dy = _circular_distance(shape[0])[:, None]
    dx = _circular_distance(shape[1])[None, :]
    row = _log_covariance(np.hypot(dy, dx), integral_scale)
    # This isotropic 2D kernel is positive definite in the continuum; on the grid it
    # stays non-negative when both sides are >= 2 T (checked numerically for square
    # and rectangular grids with sides 4 to 512), and the clip guards round-off.
    return np.maximum(scipy.fft.fft2(row).real, 0.0)


def _periodic_gaussian_2d(n_samples: int, eigenvalues: np.ndarray, rng) -> np.ndarray:
    """Stationary periodic 2D Gaussian fields with the given fft2 eigenvalues, two per complex FFT."""
    shape = eigenvalues.shape
    scale = np.sqrt(eigenvalues / eigenvalues.size)
    n_pairs = (n_samples + 1) // 2
    z = rng.standard_normal((n_pairs, *shape)) + 1j * rng.standard_normal((n_pairs, *shape))
    y = scipy.fft.fft2(z * scale, axes=(-2, -1))
    out = np.empty((2 * n_pairs, *shape))
    out[0::2] = y.real
    out[1::2] = y.imag
    return out[:n_samples]


def _blocks(n_samples: int, elements_per_sample: int):
    """Yield (start, stop) sample ranges whose arrays stay under _BLOCK_ELEMENTS."""
    step = max(2, _BLOCK_ELEMENTS // max(elements_per_sample, 1))
    step -= step % 2  # even blocks keep the complex-pair trick fully used
    for start in range(0, n_samples, step):
        yield start, min(start + step, n_samples)


def _check_integral_scale(integral_scale, maximum: int, default: int, what: str) -> int:
    if integral_scale is None:
        return default
    value = _check_int("integral_scale", integral_scale, minimum=1)
    if value > maximum:
        raise ValueError(
            f"integral_scale must be at most {what} = {maximum} for this size, got {value}; "
            "increase size or decrease integral_scale."
        )
    return value


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
        Intermittency lambda >= 0 (``lambda^2`` is the intermittency coefficient).
        ``0`` gives fractional Brownian motion.
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
    n_samples = _check_int("n_samples", n_samples, minimum=1)
    size = _check_int("size", size, minimum=2)
    hurst = _check_real("hurst", hurst, low=0.0, high=1.0, low_open=True, high_open=True)
    intermittency = _check_real("intermittency", intermittency, low=0.0)
    integral_scale = _check_integral_scale(integral_scale, size, size, "size")
    rng = _check_random_state(random_state)

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
        Leverage strength K0 >= 0, as in :func:`make_skewed_mrw`.
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
    intermittency = _check_real("intermittency", intermittency, low=0.0)
    leverage = _check_real("leverage", leverage, low=0.0)
    integral_scale = _check_int("integral_scale", integral_scale, minimum=1)
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
    n_samples = _check_int("n_samples", n_samples, minimum=1)
    size = _check_int("size", size, minimum=2)
    intermittency = _check_real("intermittency", intermittency, low=0.0)
    leverage = _check_real("leverage", leverage, low=0.0)
    integral_scale = _check_integral_scale(integral_scale, size, size, "size")
    rng = _check_random_state(random_state)

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


# Images of the frequency grid summed exactly in the aliasing sum; beyond them the sum
# is replaced by its integral, which is nearly constant over the grid.
_ALIASES = 3


def _sampled_fractional_spectrum(shape: tuple[int, int], hurst: float) -> np.ndarray:
    """Spectrum, on the rfft2 grid, of a fractional field |k|^{-(2H + 2)} sampled on the pixel grid.

    Sampling folds the continuum spectrum: S(k) = sum_{m in Z^2} |k + m|^{-a},
    a = 2H + 2. Using |k|^{-a} alone leaves out this nearly white aliased part and
    steepens the structure functions at lags of a few pixels (for H = 0.3 the
    local exponent of the second moment at lag 1 is 0.76 instead of 0.6). The images
    with |m_i| <= 3 are summed and the rest is replaced by the integral of |x|^{-a}
    outside the square of half-side 3.5. The zero frequency is set to 0.
    """
    a = 2.0 * hurst + 2.0
    ky = scipy.fft.fftfreq(shape[0])[:, None]
    kx = scipy.fft.rfftfreq(shape[1])[None, :]
    power = np.zeros((shape[0], kx.shape[1]))
    for my in range(-_ALIASES, _ALIASES + 1):
        for mx in range(-_ALIASES, _ALIASES + 1):
            radius = np.hypot(ky + my, kx + mx)
            if my == 0 and mx == 0:
                radius[0, 0] = np.inf
            power += radius ** (-a)
    # Integral of r^{-a} outside the square: 8 times the integral over the octant
    # 0 <= theta <= pi / 4, where the square's edge is at r = h / cos(theta).
    half_side = _ALIASES + 0.5
    theta = np.linspace(0.0, np.pi / 4, 2001)
    radial = (half_side / np.cos(theta)) ** (2.0 - a) / (a - 2.0)
    power += 8.0 * np.trapezoid(radial, theta)
    power[0, 0] = 0.0
    return power


def make_multifractal_field(
    n_samples: int = 1,
    size: int | tuple[int, int] = 128,
    *,
    hurst: float = 0.5,
    intermittency: float = 0.2,
    integral_scale: int | None = None,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
) -> np.ndarray:
    """Generate periodic 2D multifractal random fields (2D MRW / log-normal multiplicative chaos).

    A white Gaussian field ``xi`` is modulated by a log-normal volatility
    ``exp(omega)``, with ``omega`` a Gaussian field of covariance
    ``lambda^2 ln+(T / (|r| + 1))`` and mean ``-lambda^2 ln T``, then fractionally
    integrated in Fourier by ``sqrt(S_H(k))``, where ``S_H`` is the spectrum
    ``|k|^{-(2H + 2)}`` of a fractional Brownian field with Hurst exponent H as seen
    on the pixel grid (aliasing included), with the zero frequency removed.

    Parameters
    ----------
    n_samples : int, default=1
        Number of independent realisations.
    size : int or tuple of (int, int), default=128
        Image shape ``(H, W)``; an int gives a square. Each side is at least 4.
    hurst : float, default=0.5
        Hurst exponent H in the open interval (0, 1).
    intermittency : float, default=0.2
        Intermittency lambda >= 0; 0 gives a Gaussian (fractional Brownian) field.
    integral_scale : int, default=None
        Integral scale T in pixels, between 1 and ``min(H, W) // 2`` (the
        log-correlated covariance must not wrap around the torus). ``None`` means
        ``min(H, W) // 2``.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same output.

    Returns
    -------
    X : ndarray of shape (n_samples, H, W), dtype float64
        Periodic fields with zero spatial mean and unit expected variance.

    Notes
    -----
    Exact statistics: each field has zero spatial mean, ``E[X^2] = 1`` and expected
    periodogram ``E|X_hat(k)|^2 / (H W) = c S_H(k)`` with
    ``S_H(k) = sum_{m in Z^2} |k + m|^{-2H - 2}`` (k != 0 in cycles per pixel; the
    images ``|m_i| <= 3`` are summed and the rest integrated), ``c`` set by the unit
    variance; ``S_H(k) ~ |k|^{-2H - 2}`` at low frequency. The second-order
    structure function is therefore known exactly: ``2 (C(0) - C(r))`` with ``C``
    the inverse DFT of ``c S_H``. It is Gaussian-like: the modulated noise is white,
    so ``lambda`` does not change it.

    Scaling: for lags ``1 <= |r| << min(T, H, W)`` the increments along any
    direction follow ``E|X(x + r) - X(x)|^q ~ |r|^{zeta(q)}`` with

        zeta(q) = (H + lambda^2) q - lambda^2 q^2 / 2,

    the log-normal spectrum of :func:`make_mrw`, ``zeta(2) = 2H``, and the
    log-increments have ``Var ln|X(x + r) - X(x)| = const - lambda^2 ln |r|``. Both
    are asymptotic, and reached slowly: the fractional integration mixes the
    volatility of scales larger than ``|r|`` into each increment, so at lags 1 to 8
    on a 128 x 128 field (T = 64) the measured log-variance slope is about
    ``0.65 lambda^2`` for H = 0.3 and ``0.5 lambda^2`` for H = 0.7, and a Gaussian
    field (``lambda = 0``) gives 0. The field is periodic, which suits FFT-based
    transforms but bends the scaling at lags approaching the period: the local
    exponent of the second moment falls short of ``2H`` by a relative
    ``~ (|r| / L)^{2 - 2H}`` (on a 128 x 128 torus with H = 0.7 it is 1.28 between
    lags 4 and 8 instead of 1.4).

    References
    ----------
    E. Bacry, J. Delour and J. F. Muzy, "Multifractal random walk", Phys. Rev. E 64 (2001);
    R. Robert and V. Vargas, "Gaussian multiplicative chaos revisited", Ann. Probab. 38 (2010).

    Examples
    --------
    >>> from skphase.datasets import make_multifractal_field
    >>> X = make_multifractal_field(n_samples=2, size=32, hurst=0.3, random_state=0)
    >>> X.shape
    (2, 32, 32)
    """
    n_samples = _check_int("n_samples", n_samples, minimum=1)
    shape = _check_shape_2d("size", size, minimum=4)
    hurst = _check_real("hurst", hurst, low=0.0, high=1.0, low_open=True, high_open=True)
    intermittency = _check_real("intermittency", intermittency, low=0.0)
    half = min(shape) // 2
    integral_scale = _check_integral_scale(integral_scale, half, half, "min(size) // 2")
    rng = _check_random_state(random_state)

    log_cov = intermittency**2 * _log_correlated_eigenvalues_2d(shape, integral_scale)
    mean_omega = -(intermittency**2) * np.log(integral_scale)
    power = _sampled_fractional_spectrum(shape, hurst)
    # Normalise so that E[X^2] = mean of the power over the full DFT grid = 1; the
    # rfft half grid counts its interior columns twice.
    weights = np.full(power.shape[1], 2.0)
    weights[0] = 1.0
    if shape[1] % 2 == 0:
        weights[-1] = 1.0
    gain = np.sqrt(power / (np.sum(power * weights) / (shape[0] * shape[1])))

    out = np.empty((n_samples, *shape))
    for start, stop in _blocks(n_samples, shape[0] * shape[1]):
        n = stop - start
        omega = _periodic_gaussian_2d(n, log_cov, rng)
        noise = rng.standard_normal((n, *shape)) * np.exp(omega + mean_omega)
        out[start:stop] = scipy.fft.irfft2(scipy.fft.rfft2(noise) * gain, s=shape)
    return out
