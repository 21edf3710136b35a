"""Target, samples and baseline side by side with their statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..metrics._report import compare
from ..metrics._structure import DEFAULT_Q
from ..metrics._validation import NDIM, _as_batch
from ..utils._params import Ints, TupleOf, validate_params
from ._common import _COLORS, _FIGSIZE, _figure_class

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@validate_params({"target": ["array-like"], "samples": ["array-like"], "baseline": [None, "array-like"],
                  "ndim": NDIM, "q": "no_validation", "lags": "no_validation", "max_lag": [Ints(), None],
                  "labels": [TupleOf(str, 3, text="a tuple of 3 strings")], "figsize": _FIGSIZE})
def plot_comparison(
    target: ArrayLike,
    samples: ArrayLike,
    baseline: ArrayLike | None = None,
    *,
    ndim: int | None = None,
    q: ArrayLike = DEFAULT_Q,
    lags: ArrayLike | None = None,
    max_lag: int | None = None,
    labels: tuple[str, str, str] = ("target", "samples", "baseline"),
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Draw target, samples and baseline side by side with their statistics.

    Top row: the first realisation of the target, of the samples and (if
    given) of the baseline, as images (shared grey scale, set by the
    target's 1st and 99th percentiles) or as line plots. Bottom row: power
    spectra (log-log), marginal histograms (log density), scaling exponents
    ``zeta(q)`` with regression standard errors and, for signals, the
    leverage correlation ``L(tau)``. The statistics are those of
    :func:`skphase.metrics.compare` with the same arguments.

    Parameters
    ----------
    target, samples, baseline : array-like
        As in :func:`skphase.metrics.compare`; ``baseline`` is optional.
    ndim : {1, 2} or None, default=None
        Signal dimension; ``None`` reads it from whichever input is
        unambiguous.
    q, lags, max_lag
        As in :func:`skphase.metrics.compare`.
    labels : tuple of 3 str, default=("target", "samples", "baseline")
        Legend and title labels of the three roles.
    figsize : tuple of 2 float, optional
        Figure size in inches; default scales with the number of panels.

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``2 + (baseline given)`` panels on the top row and 3 (images) or 4
        (signals) on the bottom row, in this order in ``fig.axes``.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install skphase[plot]``).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.plotting import plot_comparison
    >>> rng = np.random.default_rng(0)
    >>> target = rng.standard_normal((64, 64))
    >>> samples = rng.standard_normal((2, 64, 64))
    >>> fig = plot_comparison(target, samples, baseline=samples[::-1])
    >>> len(fig.axes)
    6
    """
    Figure = _figure_class("plot_comparison")
    report = compare(target, samples, baseline, ndim=ndim, q=q, lags=lags, max_lag=max_lag)
    ndim = report["info"]["ndim"]
    names = dict(zip(("target", "samples", "baseline"), labels))
    arrays = {"target": target, "samples": samples}
    if baseline is not None:
        arrays["baseline"] = baseline
    firsts = {role: _as_batch(a, role, ndim)[0] for role, a in arrays.items()}

    n_top = len(firsts)
    n_bottom = 4 if ndim == 1 else 3
    if figsize is None:
        figsize = (3.2 * max(n_top, n_bottom), 6.4)
    fig = Figure(figsize=figsize, layout="constrained")
    rows = fig.add_gridspec(2, 1)
    top = rows[0].subgridspec(1, n_top)
    bottom = rows[1].subgridspec(1, n_bottom)

    lo, hi = np.percentile(firsts["target"], [1, 99])
    for i, (role, field) in enumerate(firsts.items()):
        ax = fig.add_subplot(top[0, i])
        if ndim == 2:
            ax.imshow(field, cmap="gray", vmin=lo, vmax=hi, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            ax.plot(field, color=_COLORS[role], linewidth=0.6)
            ax.set_xlabel("t")
        ax.set_title(names[role])

    curves = report["curves"]
    roles = list(firsts)
    ax = fig.add_subplot(bottom[0, 0])
    for role in roles:
        spectrum = curves["spectrum"]
        ax.loglog(spectrum["x"], spectrum[role], color=_COLORS[role], label=names[role])
    ax.set_xlabel("frequency (cycles / sample)")
    ax.set_title("power spectrum")
    ax.legend(fontsize="small")

    ax = fig.add_subplot(bottom[0, 1])
    for role in roles:
        dens = curves["histogram"][role]
        # Empty bins would vanish on a log axis; hide them rather than warn.
        ax.semilogy(curves["histogram"]["x"], np.where(dens > 0, dens, np.nan), color=_COLORS[role])
    ax.set_xlabel("value")
    ax.set_title("marginal density")

    ax = fig.add_subplot(bottom[0, 2])
    for role in roles:
        ax.errorbar(
            curves["zeta"]["x"],
            curves["zeta"][role],
            yerr=curves["zeta_stderr"][role],
            color=_COLORS[role],
            marker="o",
            markersize=3,
            capsize=2,
        )
    ax.set_xlabel("q")
    ax.set_title(r"$\zeta(q)$")

    if ndim == 1:
        ax = fig.add_subplot(bottom[0, 3])
        for role in roles:
            ax.plot(
                curves["leverage"]["x"], curves["leverage"][role], color=_COLORS[role], marker="."
            )
        ax.axhline(0.0, color="grey", linewidth=0.5)
        ax.set_xlabel(r"$\tau$")
        ax.set_title(r"leverage $L(\tau)$")
    return fig
