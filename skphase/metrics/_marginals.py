"""Marginal (one-point) statistics: moments and the Wasserstein-1 distance."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..utils._params import validate_params
from ._validation import NDIM, _as_batch, _check_not_constant, _check_same_signal_shape, _infer_ndim


def _moments(values: np.ndarray, name: str) -> dict[str, float]:
    _check_not_constant(values, name, "its skewness and kurtosis, ratios to powers of its zero std, are "
                                      "undefined")
    mean = float(np.mean(values))
    centred = values - mean
    var = float(np.mean(centred**2))
    std = float(np.sqrt(var))
    skew = float(np.mean(centred**3) / var**1.5)
    kurt = float(np.mean(centred**4) / var**2 - 3.0)
    return {"mean": mean, "std": std, "skewness": skew, "excess_kurtosis": kurt}


@validate_params({"x": ["array-like"], "ndim": NDIM})
def marginal_moments(x: ArrayLike, *, ndim: int | None = None) -> dict[str, float]:
    """First four moments of the marginal distribution, pooled over samples.

    All values of all realisations are pooled (stationarity is assumed), then

    - ``mean`` = E[x],
    - ``std`` = sqrt(E[(x - mean)^2]) (population, ``ddof=0``),
    - ``skewness`` = E[(x - mean)^3] / std^3,
    - ``excess_kurtosis`` = E[(x - mean)^4] / std^4 - 3 (0 for a Gaussian).

    Parameters
    ----------
    x : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        One realisation or a set of realisations.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from ``x`` when unambiguous. It
        only matters for shape validation since values are pooled.

    Returns
    -------
    moments : dict
        Keys ``"mean"``, ``"std"``, ``"skewness"``, ``"excess_kurtosis"``,
        each a Python float.

    Raises
    ------
    ValueError
        If ``x`` is constant: skewness and kurtosis divide by its zero
        standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import marginal_moments
    >>> x = np.random.default_rng(0).uniform(-1, 1, size=(4, 50_000))
    >>> m = marginal_moments(x, ndim=1)
    >>> sorted(m)
    ['excess_kurtosis', 'mean', 'skewness', 'std']
    >>> round(m["excess_kurtosis"], 1)  # uniform law: -1.2
    -1.2
    """
    ndim = _infer_ndim(ndim, {"x": x})
    arr = _as_batch(x, "x", ndim)
    return _moments(arr.ravel(), "x")


def _wasserstein(u: np.ndarray, v: np.ndarray) -> float:
    # Local import keeps `import skphase.metrics` free of scipy.stats' import cost.
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(u, v))


@validate_params({"target": ["array-like"], "samples": ["array-like"], "ndim": NDIM})
def marginal_wasserstein(
    target: ArrayLike, samples: ArrayLike, *, ndim: int | None = None
) -> float:
    """Wasserstein-1 distance between the pooled marginal distributions.

    ``W1 = integral |F_target(v) - F_samples(v)| dv`` between the empirical
    distribution functions of all values of ``target`` and all values of
    ``samples``. It is in the units of the data (a shift by ``c`` gives
    ``|c|``); divide by the target's standard deviation for a scale-free
    number, as :func:`compare` does.

    Parameters
    ----------
    target : array-like of shape (N,), (m, N), (H, W) or (m, H, W)
        Reference realisation(s).
    samples : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        Realisation(s) to compare, with the same signal shape as ``target``.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from whichever input is
        unambiguous.

    Returns
    -------
    distance : float
        Non-negative; 0 for identical value sets.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import marginal_wasserstein
    >>> x = np.random.default_rng(0).standard_normal(1000)
    >>> marginal_wasserstein(x, x)
    0.0
    >>> round(marginal_wasserstein(x, x + 0.5), 6)
    0.5
    """
    ndim = _infer_ndim(ndim, {"target": target, "samples": samples})
    t = _as_batch(target, "target", ndim)
    s = _as_batch(samples, "samples", ndim)
    _check_same_signal_shape(t, "target", s, "samples")
    return _wasserstein(t.ravel(), s.ravel())
