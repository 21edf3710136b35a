"""2D multifractal random fields: log-normal multiplicative chaos, fractionally integrated."""

from __future__ import annotations

import numpy as np
import scipy.fft

from ..utils._params import RANDOM_STATE, Floats, Ints, as_image_shape, image_size, validate_params
from ._log_correlated import _blocks, _check_integral_scale, _circular_distance, _log_covariance
from ._rng import _as_generator

# In two dimensions the chaos exp(2 omega) stays non-degenerate while 4 lambda^2 < 4
# (twice the dimension), i.e. lambda < 1; see the 1D bound in _multifractal_walks.
_MAX_INTERMITTENCY_2D = 1.0


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


@validate_params({"n_samples": [Ints(1)], "size": image_size(4),
                  "hurst": [Floats(0.0, 1.0, closed="neither")],
                  "intermittency": [Floats(0.0, _MAX_INTERMITTENCY_2D, closed="left",
                                           text="a float in [0, 1) (the field degenerates to 0 for "
                                                "intermittency >= 1)")],
                  "integral_scale": [None, Ints(1)], "random_state": RANDOM_STATE})
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
        Intermittency lambda in ``[0, 1)``; 0 gives a Gaussian (fractional Brownian)
        field. In two dimensions the volatility ``exp(2 omega)`` (a Gaussian
        multiplicative chaos) is non-degenerate only for ``lambda^2 < 1`` (Kahane
        1985); beyond, fields tend to 0 with rare bursts (about 1e-30 at
        ``lambda = 5``), so ``lambda >= 1`` is refused. Near the bound the unit variance
        holds in expectation only: one 128 x 128 field has a median standard
        deviation of 0.96 at ``lambda = 0.3`` and 0.56 at ``lambda = 0.9``.
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
    n_samples, shape = int(n_samples), as_image_shape(size)
    hurst, intermittency = float(hurst), float(intermittency)
    half = min(shape) // 2
    integral_scale = _check_integral_scale(integral_scale, half, half, "min(size) // 2")
    rng = _as_generator(random_state)

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
