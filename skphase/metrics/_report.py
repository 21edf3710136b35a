"""One tidy report with every metric: target vs samples (vs a baseline)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._copy import _max_xcorr
from ._leverage import _leverage, _volatility_acf
from ._marginals import _moments, _wasserstein
from ._spectrum import _log_spectrum_rms, _spectrum
from ..utils._params import Ints, validate_params
from ._structure import DEFAULT_Q, _check_increments, _slopes, _structure
from ._validation import (
    NDIM,
    _as_batch,
    _check_lags,
    _check_max_lag,
    _check_not_constant,
    _check_q,
    _check_same_signal_shape,
    _infer_ndim,
)

_ROLES = ("target", "samples", "baseline")


@validate_params({"target": ["array-like"], "samples": ["array-like"], "baseline": [None, "array-like"],
                  "ndim": NDIM, "q": "no_validation", "lags": "no_validation", "max_lag": [Ints(), None],
                  "whiten": ["boolean"], "bins": [Ints(1, text="a positive integer")]})
def compare(
    target: ArrayLike,
    samples: ArrayLike,
    baseline: ArrayLike | None = None,
    *,
    ndim: int | None = None,
    q: ArrayLike = DEFAULT_Q,
    lags: ArrayLike | None = None,
    max_lag: int | None = None,
    whiten: bool = True,
    bins: int = 50,
) -> dict[str, Any]:
    """Compare samples (and an optional baseline) with a target on every metric.

    Runs :func:`power_spectrum`, :func:`marginal_moments`,
    :func:`marginal_wasserstein`, :func:`scaling_exponents`,
    :func:`flatness`, :func:`max_cross_correlation` and, for signals,
    :func:`leverage_correlation` and :func:`volatility_autocorrelation` with
    shared settings, and gathers the results in one dictionary.

    1D inputs are read as paths (like the generators' default output, e.g.
    :func:`skphase.datasets.make_mrw`): structure functions use their
    increments, and leverage and volatility clustering are computed on the
    returns ``np.diff(path)``.

    Parameters
    ----------
    target : array-like of shape (N,), (m, N), (H, W) or (m, H, W)
        Reference realisation(s), typically the training example.
    samples : array-like of shape (N,), (n, N), (H, W) or (n, H, W)
        Syntheses, with the same signal shape as ``target``.
    baseline : array-like of the same signal shape, optional
        A reference synthesis to beat (e.g. a Gaussian model of the target).
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from whichever input is
        unambiguous (1-D arrays are signals, 3-D arrays sets of images).
    q : float or array-like of float, default=(1, 2, 3, 4, 5, 6)
        Moment orders for ``zeta(q)``, each ``> 0``.
    lags : array-like of int, optional
        At least 3 lags for structure functions; default dyadic lags up to
        ``size // 8`` (``size`` is ``N`` or ``min(H, W)``, so the default
        needs ``size >= 32``).
    max_lag : int, optional
        Largest lag of the leverage and volatility correlations (signals
        only); default ``min(20, N // 4)``.
    whiten : bool, default=True
        Passed to :func:`max_cross_correlation`.
    bins : int, default=50
        Number of histogram bins, shared by all roles and spanning the
        pooled range of all inputs.

    Returns
    -------
    report : dict
        Three entries; every number is a Python float or a small ndarray.

        ``"info"`` : dict
            ``ndim``, ``signal_shape`` (tuple), ``n_target``, ``n_samples``,
            ``n_baseline`` (0 without baseline).
        ``"scalars"`` : dict of dict of float
            ``scalars[role][metric]`` with role in ``"target"``,
            ``"samples"`` and (if given) ``"baseline"``. Every role has
            ``mean``, ``std``, ``skewness``, ``excess_kurtosis`` (pooled
            marginal moments). ``samples`` and ``baseline`` also have
            ``spectrum_error`` (RMS log10 spectrum difference, decades),
            ``wasserstein`` (W1 of the marginals), ``wasserstein_relative``
            (W1 divided by the target's std) and
            ``copy_score`` (the largest :func:`max_cross_correlation` over
            the set; near 1 means a copy of the target).
            ``pandas.DataFrame(report["scalars"])`` is a metrics x roles
            table.
        ``"curves"`` : dict of dict of ndarray
            ``curves[name]["x"]`` is the abscissa and ``curves[name][role]``
            the values, for ``name`` in ``"spectrum"`` (x = frequencies),
            ``"histogram"`` (x = bin centres, values = densities),
            ``"zeta"`` and ``"zeta_stderr"`` (x = q; regression standard
            errors), ``"flatness"`` (x = lags) and, when ``ndim == 1``,
            ``"leverage"`` (x = taus from -max_lag to max_lag) and
            ``"volatility_acf"`` (x = taus from 0 to max_lag).

    Raises
    ------
    ValueError
        If an input is constant, has no increment at some lag, or (signals)
        has returns of constant magnitude: the moments, ``zeta``, the
        flatness or the volatility correlation would be undefined. The
        message names the input (``target``, ``samples`` or ``baseline``).

    See Also
    --------
    skphase.plotting.plot_comparison : draws this report.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.metrics import compare
    >>> rng = np.random.default_rng(0)
    >>> target = np.cumsum(rng.standard_normal(1024))
    >>> samples = np.cumsum(rng.standard_normal((4, 1024)), axis=1)
    >>> report = compare(target, samples)
    >>> sorted(report)
    ['curves', 'info', 'scalars']
    >>> sorted(report["scalars"]["samples"])  # doctest: +NORMALIZE_WHITESPACE
    ['copy_score', 'excess_kurtosis', 'mean', 'skewness', 'spectrum_error', 'std',
     'wasserstein', 'wasserstein_relative']
    >>> report["curves"]["zeta"]["x"]
    array([1., 2., 3., 4., 5., 6.])
    """
    ndim = _infer_ndim(ndim, {"target": target, "samples": samples, "baseline": baseline})
    data = {
        "target": _as_batch(target, "target", ndim),
        "samples": _as_batch(samples, "samples", ndim),
    }
    if baseline is not None:
        data["baseline"] = _as_batch(baseline, "baseline", ndim)
    t = data["target"]
    for role, arr in data.items():
        _check_same_signal_shape(t, "target", arr, role)
        _check_not_constant(arr, role, "its skewness, kurtosis, zeta(q) and flatness are undefined")
    size = min(t.shape[1:])
    lags = _check_lags(lags, size, minimum=3)
    q = _check_q(q)
    if ndim == 1:
        max_lag = _check_max_lag(max_lag, t.shape[1])

    scalars: dict[str, dict[str, float]] = {}
    curves: dict[str, dict[str, np.ndarray]] = {
        name: {} for name in ("spectrum", "histogram", "zeta", "zeta_stderr", "flatness")
    }
    if ndim == 1:
        curves["leverage"] = {}
        curves["volatility_acf"] = {}

    pooled = np.concatenate([a.ravel() for a in data.values()])
    edges = np.linspace(pooled.min(), pooled.max(), bins + 1)  # min < max: constants were refused
    curves["histogram"]["x"] = 0.5 * (edges[1:] + edges[:-1])
    curves["zeta"]["x"] = curves["zeta_stderr"]["x"] = q
    curves["flatness"]["x"] = lags
    log_l = np.log2(lags.astype(np.float64))
    q_all = np.union1d(q, [2.0, 4.0])

    target_spectrum = None
    target_std = None
    for role, arr in data.items():
        freqs, power = _spectrum(arr)
        curves["spectrum"]["x"] = freqs
        curves["spectrum"][role] = power
        curves["histogram"][role] = np.histogram(arr, bins=edges, density=True)[0]

        s_all = _structure(arr, lags, q_all).mean(axis=0)
        s2 = s_all[np.searchsorted(q_all, 2.0)]
        _check_increments(s2, lags, role, "zeta(q) and the flatness")
        zeta, stderr = _slopes(log_l, np.log2(s_all[np.searchsorted(q_all, q)]))
        curves["flatness"][role] = s_all[np.searchsorted(q_all, 4.0)] / s2**2
        curves["zeta"][role] = zeta
        curves["zeta_stderr"][role] = stderr
        if ndim == 1:
            returns = np.diff(arr, axis=-1)
            name = f"np.diff({role})"
            curves["leverage"]["x"], curves["leverage"][role] = _leverage(returns, max_lag, name)
            curves["volatility_acf"]["x"], curves["volatility_acf"][role] = _volatility_acf(
                returns, max_lag, name
            )

        scalars[role] = _moments(arr.ravel(), role)
        if role == "target":
            target_spectrum = power
            target_std = scalars[role]["std"]
            continue
        w1 = _wasserstein(t.ravel(), arr.ravel())
        scalars[role].update(
            spectrum_error=_log_spectrum_rms(target_spectrum, power),
            wasserstein=w1,
            wasserstein_relative=w1 / target_std,  # > 0: a constant target was refused
            copy_score=float(_max_xcorr(t, arr, bool(whiten)).max()),
        )

    info = {
        "ndim": ndim,
        "signal_shape": tuple(int(s) for s in t.shape[1:]),
        "n_target": int(t.shape[0]),
        "n_samples": int(data["samples"].shape[0]),
        "n_baseline": int(data["baseline"].shape[0]) if baseline is not None else 0,
    }
    return {"info": info, "scalars": scalars, "curves": curves}
