"""Structure functions, scaling exponents zeta(q) and flatness."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ..utils._params import OneOf, validate_params
from ._validation import NDIM, _as_batch, _check_lags, _check_q, _infer_ndim

DEFAULT_Q = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)


def _abs_increments(x: np.ndarray, lag: int) -> list[np.ndarray]:
    """|x(t + lag) - x(t)| along every signal axis, without wrap-around.

    Increments are not circular because most series of interest (random
    walks, prices) are not periodic and the wrap would add one huge jump.
    """
    out = []
    for axis in range(1, x.ndim):
        ahead = [slice(None)] * x.ndim
        behind = [slice(None)] * x.ndim
        ahead[axis] = slice(lag, None)
        behind[axis] = slice(None, -lag)
        out.append(np.abs(x[tuple(ahead)] - x[tuple(behind)]))
    return out


def _structure(x: np.ndarray, lags: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per-sample structure functions, shape ``(n, n_q, n_lags)``."""
    n = x.shape[0]
    out = np.empty((n, q.size, lags.size))
    for j, lag in enumerate(lags):
        per_axis = _abs_increments(x, int(lag))
        for i, qi in enumerate(q):
            # Equal weight per axis, whatever the number of increments along it,
            # so a non-square image is not dominated by its longer axis.
            out[:, i, j] = np.mean(
                [np.mean(d.reshape(n, -1) ** qi, axis=1) for d in per_axis], axis=0
            )
    return out


def _check_increments(s2: np.ndarray, lags: np.ndarray, name: str, what: str) -> None:
    """Refuse structure functions S_2 that vanish at some lag (no increments there)."""
    dead = lags[~(s2 > 0)]
    if dead.size:
        raise ValueError(
            f"Structure functions vanish at some lag for {name}: it has no non-zero increment at "
            f"lag(s) {dead.tolist()} (a constant input?), so {what} is undefined."
        )


# lags and q are checked against the data by _check_lags / _check_q
_X = {"x": ["array-like"], "lags": "no_validation", "q": "no_validation", "ndim": NDIM}


def _validated(x, lags, q, ndim, *, min_lags):
    ndim = _infer_ndim(ndim, {"x": x})
    arr = _as_batch(x, "x", ndim)
    size = min(arr.shape[1:])
    lags = _check_lags(lags, size, minimum=min_lags)
    return arr, lags, _check_q(q)


@validate_params(_X)
def structure_functions(
    x: ArrayLike,
    lags: ArrayLike | None = None,
    q: ArrayLike = DEFAULT_Q,
    *,
    ndim: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Structure functions ``S_q(l) = E|x(t + l) - x(t)|^q``.

    The expectation is the mean over all samples and all positions ``t``
    with ``t + l`` inside the signal (increments do not wrap around). For
    images, increments are taken along each axis separately (vertical
    ``x[i + l, j] - x[i, j]`` and horizontal ``x[i, j + l] - x[i, j]``) and
    the two means are averaged with equal weight, which suits isotropic
    fields.

    Parameters
    ----------
    x : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        One realisation or a set of realisations.
    lags : array-like of int, optional
        Strictly increasing positive lags, each at most ``size // 2`` where
        ``size`` is ``N`` or ``min(H, W)``. Default: dyadic lags
        ``1, 2, 4, ...`` up to ``size // 8``.
    q : float or array-like of float, default=(1, 2, 3, 4, 5, 6)
        Moment orders, each ``> 0``.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from ``x`` when unambiguous.

    Returns
    -------
    lags : ndarray of shape (n_lags,)
        The lags used.
    S : ndarray of shape (n_q, n_lags)
        ``S[i, j] = S_{q[i]}(lags[j])``.

    See Also
    --------
    scaling_exponents : power-law exponents ``zeta(q)`` of ``S_q``.
    flatness : ``S_4 / S_2^2``.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import structure_functions
    >>> walk = np.cumsum(np.random.default_rng(0).standard_normal((8, 1024)), axis=1)
    >>> lags, S = structure_functions(walk, lags=[1, 4, 16], q=[2], ndim=1)
    >>> np.round(S[0] / lags, 1)  # S_2(l) = l for a unit-step random walk
    array([1. , 1. , 1.1])
    """
    arr, lags, q = _validated(x, lags, q, ndim, min_lags=1)
    return lags, _structure(arr, lags, q).mean(axis=0)


def _slopes(log_l: np.ndarray, log_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS slope and its standard error for each row of ``log_s``."""
    xc = log_l - log_l.mean()
    sxx = float(xc @ xc)
    slope = (log_s - log_s.mean(axis=-1, keepdims=True)) @ xc / sxx
    intercept = log_s.mean(axis=-1) - slope * log_l.mean()
    resid = log_s - intercept[..., np.newaxis] - slope[..., np.newaxis] * log_l
    dof = log_l.size - 2
    stderr = np.sqrt(np.sum(resid**2, axis=-1) / dof / sxx)
    return slope, stderr


@validate_params({**_X, "error": [OneOf("regression", "samples", text="'regression' or 'samples'")]})
def scaling_exponents(
    x: ArrayLike,
    q: ArrayLike = DEFAULT_Q,
    lags: ArrayLike | None = None,
    *,
    error: Literal["regression", "samples"] = "regression",
    ndim: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scaling exponents ``zeta(q)`` of the structure functions and their standard errors.

    ``zeta(q)`` is the least-squares slope of ``log2 S_q(l)`` against
    ``log2 l`` over ``lags``, with ``S_q`` from :func:`structure_functions`
    (averaged over all samples). For Brownian motion ``zeta(q) = q / 2``;
    for white noise ``zeta(q) = 0``.

    Parameters
    ----------
    x : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        One realisation or a set of realisations.
    q : float or array-like of float, default=(1, 2, 3, 4, 5, 6)
        Moment orders, each ``> 0``.
    lags : array-like of int, optional
        At least 3 strictly increasing positive lags, each at most
        ``size // 2``. Default: dyadic lags ``1, 2, 4, ...`` up to
        ``size // 8`` (so signals need ``size >= 32``).
    error : {"regression", "samples"}, default="regression"
        How the standard error is computed:

        - ``"regression"``: the usual OLS standard error of the slope,
          ``sqrt(RSS / (n_lags - 2) / sum (log2 l - mean)^2)``. It only
          measures departures from a straight line; because the values of
          ``S_q`` at different lags are strongly correlated, it
          underestimates the sampling spread of ``zeta``.
        - ``"samples"``: ``zeta`` is also fitted on each sample's own
          ``S_q`` and the error is ``std(ddof=1) / sqrt(n)`` of these
          per-sample exponents. This measures the sampling spread; it needs
          ``n >= 2`` samples.

        The returned ``zeta`` is the same in both cases.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from ``x`` when unambiguous.

    Returns
    -------
    zeta : ndarray of shape (n_q,)
        Fitted exponents.
    stderr : ndarray of shape (n_q,)
        Standard errors of ``zeta`` (see ``error``).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import scaling_exponents
    >>> walk = np.cumsum(np.random.default_rng(0).standard_normal((16, 2048)), axis=1)
    >>> zeta, stderr = scaling_exponents(walk, q=[1, 2, 3], error="samples", ndim=1)
    >>> np.round(zeta, 1)  # q / 2 for Brownian motion
    array([0.5, 1. , 1.5])
    >>> bool(np.all(stderr < 0.05))
    True
    """
    arr, lags, q = _validated(x, lags, q, ndim, min_lags=3)
    if error == "samples" and arr.shape[0] < 2:
        raise ValueError(
            f"error='samples' needs at least 2 samples to measure a spread, got x with "
            f"{arr.shape[0]} sample; use error='regression' or pass a set (n, ...)."
        )
    per_sample = _structure(arr, lags, q)
    log_l = np.log2(lags.astype(np.float64))
    # S_q(l) = 0 for one q > 0 means no increment at lag l, hence S_q(l) = 0 for all q
    _check_increments(per_sample.mean(axis=0)[0], lags, "x", "zeta(q) (a slope of log S_q)")
    log_mean = np.log2(per_sample.mean(axis=0))
    zeta, stderr = _slopes(log_l, log_mean)
    if error == "samples":
        with np.errstate(divide="ignore"):
            log_each = np.log2(per_sample)
        if not np.all(np.isfinite(log_each)):
            raise ValueError(
                "A sample has a vanishing structure function (a constant sample?); "
                "use error='regression'."
            )
        each, _ = _slopes(log_l, log_each)
        stderr = each.std(axis=0, ddof=1) / np.sqrt(arr.shape[0])
    return zeta, stderr


@validate_params({"x": ["array-like"], "lags": "no_validation", "ndim": NDIM})
def flatness(
    x: ArrayLike, lags: ArrayLike | None = None, *, ndim: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Flatness ``F(l) = S_4(l) / S_2(l)^2`` of the increments.

    A Gaussian process has ``F = 3`` at every lag; intermittent signals
    (turbulence, returns) have ``F > 3`` growing towards small lags.
    Structure functions are those of :func:`structure_functions`.

    Parameters
    ----------
    x : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        One realisation or a set of realisations.
    lags : array-like of int, optional
        Strictly increasing positive lags, each at most ``size // 2``.
        Default: dyadic lags up to ``size // 8``.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from ``x`` when unambiguous.

    Returns
    -------
    lags : ndarray of shape (n_lags,)
        The lags used.
    F : ndarray of shape (n_lags,)
        Flatness at each lag.

    Raises
    ------
    ValueError
        If ``S_2`` vanishes at some lag (a constant input): ``F`` is undefined there.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import flatness
    >>> walk = np.cumsum(np.random.default_rng(0).standard_normal((8, 4096)), axis=1)
    >>> lags, F = flatness(walk, lags=[1, 2, 4], ndim=1)
    >>> np.round(F, 1)
    array([3., 3., 3.])
    """
    arr, lags, _ = _validated(x, lags, (2.0, 4.0), ndim, min_lags=1)
    s = _structure(arr, lags, np.array([2.0, 4.0])).mean(axis=0)
    _check_increments(s[0], lags, "x", "the flatness S_4 / S_2**2")
    return lags, s[1] / s[0] ** 2
