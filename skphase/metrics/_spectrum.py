"""Power spectra and the log-spectrum error between two sets of samples."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..utils._params import validate_params
from ._validation import NDIM, _as_batch, _check_min_size, _check_same_signal_shape, _infer_ndim


def _periodogram(x: np.ndarray) -> np.ndarray:
    """Sample-averaged periodogram ``|x_hat|^2 / size`` on the ``rfftn`` grid."""
    axes = tuple(range(1, x.ndim))
    size = int(np.prod(x.shape[1:]))
    xhat = np.fft.rfftn(x, axes=axes)
    return np.mean(xhat.real**2 + xhat.imag**2, axis=0) / size


def _radial_bins(shape: tuple[int, int]) -> tuple[np.ndarray, int]:
    """Integer radial bin of every ``rfft2`` frequency and the number of bins.

    The radius is measured in cycles per pixel and rounded to the nearest
    multiple of ``1 / min(H, W)``, so square and rectangular images share the
    same bin layout and every bin from 1 to ``min(H, W) // 2`` is non-empty.
    """
    height, width = shape
    fy = np.fft.fftfreq(height)[:, np.newaxis]
    fx = np.fft.rfftfreq(width)[np.newaxis, :]
    side = min(height, width)
    radius = np.rint(np.sqrt(fy**2 + fx**2) * side).astype(np.int64)
    return radius, side // 2


def _spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spectrum of an already-validated batch, zero frequency excluded."""
    pgram = _periodogram(x)
    if x.ndim == 2:
        n_freq = x.shape[1] // 2
        k = np.arange(1, n_freq + 1)
        return k / x.shape[1], pgram[1 : n_freq + 1]
    radius, n_bins = _radial_bins(x.shape[1:])
    keep = (radius >= 1) & (radius <= n_bins)
    sums = np.bincount(radius[keep], weights=pgram[keep], minlength=n_bins + 1)
    counts = np.bincount(radius[keep], minlength=n_bins + 1)
    r = np.arange(1, n_bins + 1)
    return r / min(x.shape[1:]), sums[1:] / counts[1:]


@validate_params({"x": ["array-like"], "ndim": NDIM})
def power_spectrum(x: ArrayLike, *, ndim: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Periodogram averaged over samples; radially averaged for images.

    Parameters
    ----------
    x : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        One realisation or a set of ``n`` realisations.
    ndim : {1, 2} or None, default=None
        Signal dimension. ``None`` reads it from ``x`` when unambiguous (1-D
        arrays are signals, 3-D arrays are sets of images); a 2-D ``x``
        requires ``ndim``.

    Returns
    -------
    freqs : ndarray of shape (n_freqs,)
        Frequencies in cycles per sample (per pixel for images), zero excluded.
        For signals ``freqs = k / N`` with ``k = 1 ... N // 2``. For images
        the radius ``|f|`` of every Fourier frequency is rounded to the
        nearest multiple of ``1 / L`` with ``L = min(H, W)``, giving integer
        bins ``r = 1 ... L // 2`` and ``freqs = r / L``; frequencies beyond
        ``L // 2`` (the corners) are dropped.
    power : ndarray of shape (n_freqs,)
        ``|x_hat(f)|^2 / size`` averaged over samples (and over each radial
        bin for images). The signal mean is not removed; it only affects the
        excluded zero frequency. No one-sided doubling is applied, so a white
        noise of variance ``s^2`` has ``power ~= s^2`` at every frequency.

    See Also
    --------
    spectrum_error : RMS difference of two log10 spectra.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import power_spectrum
    >>> x = np.random.default_rng(0).standard_normal((8, 256))
    >>> freqs, power = power_spectrum(x, ndim=1)
    >>> freqs.shape, power.shape
    ((128,), (128,))
    >>> bool(abs(power.mean() - 1.0) < 0.05)
    True
    """
    ndim = _infer_ndim(ndim, {"x": x})
    arr = _as_batch(x, "x", ndim)
    _check_min_size(arr, "x", 2)
    return _spectrum(arr)


def _log_spectrum_rms(p_ref: np.ndarray, p_other: np.ndarray) -> float:
    # Floor at the smallest positive float so that empty power (a constant
    # signal) yields a large finite error instead of NaN.
    tiny = np.finfo(np.float64).tiny
    diff = np.log10(np.maximum(p_other, tiny)) - np.log10(np.maximum(p_ref, tiny))
    return float(np.sqrt(np.mean(diff**2)))


@validate_params({"target": ["array-like"], "samples": ["array-like"], "ndim": NDIM})
def spectrum_error(target: ArrayLike, samples: ArrayLike, *, ndim: int | None = None) -> float:
    """RMS difference of log10 power spectra over non-zero frequencies.

    ``sqrt(mean_f (log10 P_samples(f) - log10 P_target(f))^2)`` where ``P``
    is :func:`power_spectrum` (averaged over each set, radially binned for
    images) and ``f`` runs over every non-zero frequency bin with equal
    weight. The unit is decades: 0 means identical spectra, ``log10(4) ~=
    0.602`` a uniform factor 2 in amplitude. Powers are floored at the
    smallest positive float64 so a zero bin gives a large, finite error.

    Parameters
    ----------
    target : array-like of shape (N,), (m, N), (H, W) or (m, H, W)
        Reference realisation(s).
    samples : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        Realisation(s) to compare, with the same signal shape as ``target``.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from whichever input is
        unambiguous (see :func:`power_spectrum`).

    Returns
    -------
    error : float
        Non-negative, in decades.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import spectrum_error
    >>> x = np.random.default_rng(0).standard_normal((4, 32, 32))
    >>> spectrum_error(x, x)
    0.0
    >>> round(spectrum_error(x, 2 * x), 3)
    0.602
    """
    ndim = _infer_ndim(ndim, {"target": target, "samples": samples})
    t = _as_batch(target, "target", ndim)
    s = _as_batch(samples, "samples", ndim)
    _check_same_signal_shape(t, "target", s, "samples")
    _check_min_size(t, "target", 2)
    return _log_spectrum_rms(_spectrum(t)[1], _spectrum(s)[1])
