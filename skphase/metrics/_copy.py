"""Copy check: does a synthesis reproduce (a shift of) its training example?"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..utils._params import validate_params
from ._validation import NDIM, _as_batch, _check_same_signal_shape, _infer_ndim


def _unit_fields(
    t: np.ndarray, s: np.ndarray, whiten: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-mean, unit-norm Fourier transforms of target and samples."""
    axes = tuple(range(1, t.ndim))
    t_hat = np.fft.rfftn(t, axes=axes)
    s_hat = np.fft.rfftn(s, axes=axes)
    # Removing the mean is zeroing the zero frequency.
    t_hat[(slice(None),) + (0,) * len(axes)] = 0.0
    s_hat[(slice(None),) + (0,) * len(axes)] = 0.0
    if whiten:
        power = np.concatenate([np.abs(t_hat) ** 2, np.abs(s_hat) ** 2]).mean(axis=0)
        keep = power > np.finfo(np.float64).eps * power.max() if power.max() > 0 else power > 0
        scale = np.zeros_like(power)
        scale[keep] = 1.0 / np.sqrt(power[keep])
        t_hat = t_hat * scale
        s_hat = s_hat * scale
    return _normalise(t_hat, t.shape[1:]), _normalise(s_hat, t.shape[1:])


def _normalise(xhat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    # Parseval on the rfft half-grid: every column except the first (and the
    # last for even sizes) stands for itself and its mirror image.
    weights = np.full(xhat.shape[-1], 2.0)
    weights[0] = 1.0
    if shape[-1] % 2 == 0:
        weights[-1] = 1.0
    energy = np.sum(
        (xhat.real**2 + xhat.imag**2) * weights, axis=tuple(range(1, xhat.ndim))
    ) / np.prod(shape)
    norm = np.sqrt(energy).reshape((-1,) + (1,) * (xhat.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norm > 0, xhat / norm, 0.0)


@validate_params({"target": ["array-like"], "samples": ["array-like"], "whiten": ["boolean"], "ndim": NDIM})
def max_cross_correlation(
    target: ArrayLike,
    samples: ArrayLike,
    *,
    whiten: bool = True,
    ndim: int | None = None,
) -> np.ndarray:
    """Largest absolute normalised circular cross-correlation of each sample with the target.

    For every sample ``y`` the score is

    ``max over targets x, over circular shifts u of |corr(x, roll(y, u))|``

    where ``corr`` is the Pearson correlation (both fields de-meaned and
    divided by their norms), computed for all shifts at once by FFT; in 2-D
    the shifts run over both axes. A circularly shifted copy of a target
    scores 1; the absolute value also catches a sign-flipped copy ``-x``.
    Independent samples score about ``sqrt(2 log(size) / size)`` for white
    fields. Mirror images and rotations are not searched.

    Fields are treated as periodic. For non-stationary signals such as
    random walks, the jump at the wrap-around point is shared by every
    field and inflates the score of independent samples; check their
    increments (returns) instead.

    Parameters
    ----------
    target : array-like of shape (N,), (m, N), (H, W) or (m, H, W)
        Training example(s).
    samples : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        Syntheses to check, with the same signal shape as ``target``.
    whiten : bool, default=True
        Divide every Fourier coefficient by the square root of the power
        averaged over all target and sample fields before correlating.
        Without it, two independent fields with a steep spectrum (random
        walks, smooth textures) are dominated by a few large-scale modes and
        often correlate at 0.5 or more; whitening makes the score of
        independent fields small whatever the spectrum, while a copy still
        scores exactly 1 since it has the same Fourier moduli.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from whichever input is
        unambiguous.

    Returns
    -------
    scores : ndarray of shape (n,)
        One score in ``[0, 1]`` per sample (0 for a constant sample).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import max_cross_correlation
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((64, 64))
    >>> samples = np.stack([np.roll(x, (5, -9), axis=(0, 1)), rng.standard_normal((64, 64))])
    >>> scores = max_cross_correlation(x, samples)
    >>> round(float(scores[0]), 6), bool(scores[1] < 0.1)
    (1.0, True)
    """
    ndim = _infer_ndim(ndim, {"target": target, "samples": samples})
    t = _as_batch(target, "target", ndim)
    s = _as_batch(samples, "samples", ndim)
    _check_same_signal_shape(t, "target", s, "samples")
    return _max_xcorr(t, s, bool(whiten))


def _max_xcorr(t: np.ndarray, s: np.ndarray, whiten: bool) -> np.ndarray:
    shape = t.shape[1:]
    axes = tuple(range(1, t.ndim))
    t_hat, s_hat = _unit_fields(t, s, whiten)
    scores = np.zeros(s.shape[0])
    for x_hat in t_hat:
        # sum_v x(v) y(v - u) for every u: the inverse transform of x_hat * conj(y_hat).
        xcorr = np.fft.irfftn(x_hat * np.conj(s_hat), s=shape, axes=axes)
        scores = np.maximum(scores, np.abs(xcorr).reshape(s.shape[0], -1).max(axis=1))
    # Rounding can push an exact copy a hair above 1.
    return np.minimum(scores, 1.0)
