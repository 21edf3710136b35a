"""Stationary Gaussian random fields with a prescribed power spectrum (1D and 2D)."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np
import scipy.fft

from ..utils._params import RANDOM_STATE, Floats, Ints, Shape, validate_params
from ._rng import _as_generator


def _radial_frequency(shape: tuple[int, ...]) -> np.ndarray:
    """|k| in cycles per sample on the full DFT grid of ``shape``."""
    grids = np.meshgrid(*[scipy.fft.fftfreq(n) for n in shape], indexing="ij", sparse=True)
    return np.sqrt(sum(g**2 for g in grids))


def _power_spectrum(shape: tuple[int, ...], spectrum) -> np.ndarray:
    """Power spectrum on the DFT grid with P(0) = 0, scaled to unit mean."""
    k = _radial_frequency(shape)
    nonzero = k > 0
    power = np.zeros(k.shape)
    if callable(spectrum):
        values = np.asarray(spectrum(k[nonzero]), dtype=np.float64)
        if values.shape != (int(nonzero.sum()),) or not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError(
                "spectrum must map an array of radial frequencies |k| > 0 (cycles per sample) to an array "
                "of the same shape of finite non-negative powers; got "
                f"shape {values.shape} with min {np.min(values) if values.size else 'n/a'}."
            )
        power[nonzero] = values
    else:
        beta = float(spectrum)
        power[nonzero] = k[nonzero] ** (-beta)
    mean = power.mean()
    if not mean > 0:
        raise ValueError("spectrum is zero at every non-zero frequency of the grid; the field would be 0.")
    return power / mean


@validate_params({"n_samples": [Ints(1)],
                  "shape": [Ints(2, text="an integer >= 2 (1D signals)"),
                            Shape((1, 2), min_size=2, text="a tuple (N,) or (H, W) of integers >= 2")],
                  "spectrum": [Floats(), callable], "random_state": RANDOM_STATE})
def make_gaussian_field(
    n_samples: int = 1,
    shape: int | tuple[int] | tuple[int, int] = 256,
    *,
    spectrum: float | Callable[[np.ndarray], np.ndarray] = 2.0,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
) -> np.ndarray:
    """Generate periodic stationary Gaussian signals or images with a given power spectrum.

    Parameters
    ----------
    n_samples : int, default=1
        Number of independent realisations.
    shape : int or tuple of one or two ints, default=256
        ``N`` or ``(N,)`` for 1D signals, ``(H, W)`` for 2D images; each side at least 2.
    spectrum : float or callable, default=2.0
        A float ``beta`` asks for the power law ``P(k) = |k|^{-beta}``; a callable
        receives the radial frequencies ``|k| > 0`` (1D array, in cycles per sample,
        up to ``0.5`` in 1D and ``0.5 * sqrt(2)`` in 2D) and returns the power at each.
        Only the shape of the spectrum matters; it is rescaled to unit variance.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same output.

    Returns
    -------
    X : ndarray of shape (n_samples, N) or (n_samples, H, W), dtype float64
        Periodic realisations.

    Notes
    -----
    Exact statistics: Gaussian, stationary on the torus (periodic), zero spatial
    mean (the zero frequency is removed) and unit variance, with expected periodogram

    ``E|X_hat(k)|^2 / n_pixels = P(|k|) / mean(P)``,

    where ``X_hat`` is the DFT and the mean runs over the DFT grid with ``P(0) = 0``;
    the DFT coefficients at distinct non-conjugate frequencies are independent. The
    covariance is ``E[X(x) X(x + r)] = IDFT[P](r) / mean(P)``. For a power law
    ``|k|^{-beta}`` with ``d < beta < d + 2`` (d the dimension) this is a fractional
    Gaussian field with Hurst exponent ``(beta - d) / 2`` at scales well below the period.

    Examples
    --------
    >>> from skphase.datasets import make_gaussian_field
    >>> X = make_gaussian_field(n_samples=3, shape=(32, 32), spectrum=3.0, random_state=0)
    >>> X.shape
    (3, 32, 32)
    >>> import numpy as np
    >>> bool(np.allclose(X.mean(axis=(1, 2)), 0.0))
    True
    >>> s = make_gaussian_field(2, 128, spectrum=lambda k: np.exp(-(k / 0.1) ** 2), random_state=0)
    >>> s.shape
    (2, 128)
    """
    n_samples = int(n_samples)
    shape = (int(shape),) if isinstance(shape, Integral) else tuple(int(s) for s in shape)
    rng = _as_generator(random_state)
    power = _power_spectrum(shape, spectrum)
    n_pixels = power.size
    scale = np.sqrt(power / n_pixels)
    axes = tuple(range(-len(shape), 0))
    n_pairs = (n_samples + 1) // 2
    # The real and imaginary parts of fft(sqrt(P / n) z), z complex white noise, are two
    # independent real fields with circulant covariance IDFT[P] (P is symmetric).
    z = rng.standard_normal((n_pairs, *shape)) + 1j * rng.standard_normal((n_pairs, *shape))
    y = scipy.fft.fftn(z * scale, axes=axes)
    out = np.empty((2 * n_pairs, *shape))
    out[0::2] = y.real
    out[1::2] = y.imag
    return out[:n_samples]
