"""Figures: filter banks, coefficient maps, scattering averages, synthesis comparisons, image grids.

matplotlib is an optional extra (``pip install skphase[plot]``), imported only when a
figure is asked for. Every function returns a :class:`matplotlib.figure.Figure` built
without ``pyplot``, so no global figure is left open: save it with ``fig.savefig(...)``
or display it in a notebook.

Orientation indices are shown as angles: filter ``theta = t`` of a bank with ``L``
orientations has the wave vector at ``(int(L - L/2 - 1) - t) pi / L`` from the first
(row) frequency axis (see :class:`skphase.filters.FilterSet`).
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .filters import FilterBank
from .metrics._report import compare
from .metrics._structure import DEFAULT_Q
from .metrics._validation import NDIM, _as_batch
from .utils._params import Ints, TupleOf, validate_params

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "angle_label",
    "channel_labels",
    "plot_coefficients",
    "plot_comparison",
    "plot_filter_bank",
    "plot_image_rows",
    "plot_scattering",
]

_COLORS = {"target": "black", "samples": "tab:blue", "baseline": "tab:orange"}
_FIGSIZE = [None, TupleOf(Real, 2, text="a pair (width, height) of inches")]


def _figure_class(what: str):
    # matplotlib is an optional extra: import it only when a figure is asked for.
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            f"{what} needs matplotlib, which is not installed; install it with "
            "`pip install skphase[plot]`."
        ) from exc
    return Figure


# ---------------------------------------------------------------- channel labels
def angle_label(theta: int, L: int) -> str:
    """The angle of orientation index ``theta`` among ``L``, as a multiple of pi.

    Examples
    --------
    >>> from skphase.plotting import angle_label
    >>> [angle_label(t, 8) for t in (0, 3, 4)]
    ['3π/8', '0', '-π/8']
    """
    frac = Fraction(int(L - L / 2 - 1) - int(theta), int(L))
    if frac == 0:
        return "0"
    sign = "-" if frac < 0 else ""
    num, den = abs(frac.numerator), frac.denominator
    text = f"{sign}{'' if num == 1 else num}π"
    return text if den == 1 else f"{text}/{den}"


def _infer_L(table: dict, key: str) -> int:
    return int(max(np.max(table[key]), 0)) + 1


def _wavelet_label(n, j, theta, L, two_d) -> str:
    return f"j={j}, θ={angle_label(theta, L)}" if two_d else f"n={n} (j={j})"


def channel_labels(table: dict, *, L: int | None = None, two_d: bool = True) -> list[str]:
    """Readable names of the channels of a fitted transformer's ``channel_table_``.

    Accepts the tables of :class:`~skphase.PhaseHarmonicTransform` (keys ``kind``,
    ``n``, ``j``, ``theta``, ``phase``, ``k``, ``part``) and of
    :class:`~skphase.ScatteringAverager` (keys ``order``, ``n1``, ``j1``, ...).

    Parameters
    ----------
    table : dict of ndarray
        ``estimator.channel_table_``.
    L : int, optional
        Number of orientations, for the angles; default ``max(theta) + 1``.
    two_d : bool, default=True
        Images (orientations shown as angles) or signals (filter index n).

    Returns
    -------
    list of str

    Examples
    --------
    >>> import numpy as np
    >>> from skphase import PhaseHarmonicTransform
    >>> from skphase.plotting import channel_labels
    >>> pht = PhaseHarmonicTransform(J=2, L=4).fit(np.zeros((1, 16, 16)))
    >>> channel_labels(pht.channel_table_)[:2]
    ['low-pass φ, j=2', 'j=0, θ=π/4, phase 0']
    """
    if "kind" in table:
        L = _infer_L(table, "theta") if L is None else L
        out = []
        for c in range(len(table["kind"])):
            if table["kind"][c] == 0:
                out.append(f"low-pass φ, j={table['j'][c]}")
                continue
            base = _wavelet_label(table["n"][c], table["j"][c], table["theta"][c], L, two_d)
            if table["kind"][c] == 1:
                out.append(f"{base}, phase {table['phase'][c]}")
            elif table["k"][c] == 0:
                out.append(f"{base}, |z|")
            else:
                out.append(f"{base}, k={table['k'][c]} {('Re', 'Im')[table['part'][c]]}")
        return out
    if "order" in table:
        L = _infer_L(table, "theta1") if L is None else L
        out = []
        for c in range(len(table["order"])):
            order = table["order"][c]
            if order == 0:
                out.append("S0 (low-pass of x)")
                continue
            parts = []
            for i in range(1, order + 1):
                label = _wavelet_label(table[f"n{i}"][c], table[f"j{i}"][c], table[f"theta{i}"][c], L, two_d)
                if table[f"phase{i}"][c] >= 0:
                    label += f", phase {table[f'phase{i}'][c]}"
                parts.append(label)
            out.append(f"S{order} " + " → ".join(parts))
        return out
    raise ValueError("table must be the channel_table_ of a PhaseHarmonicTransform (key 'kind') or of a "
                     f"ScatteringAverager (key 'order'); got keys {sorted(table)}.")


# ---------------------------------------------------------------- filter banks
@validate_params({"bank": [FilterBank], "n_show": [Ints(1)]})
def plot_filter_bank(bank: FilterBank, n_show: int = 8) -> Figure:
    """Draw a filter bank: Littlewood-Paley sum and wavelets, in Fourier and in space.

    2D banks: the top row is in the Fourier domain (frequencies in radians per
    sample, zero at the centre): the Littlewood-Paley sum and ``|psi_hat|`` of
    ``n_show`` wavelets spread over scales and orientations; the bottom row shows
    the same wavelets in space (real part, centred). 1D banks: one panel of every
    ``|psi_hat|`` and the Littlewood-Paley sum against frequency, and one of the
    wavelets' real parts in time. Every image has a colour bar.

    Parameters
    ----------
    bank : FilterBank
        From :func:`skphase.filters.filter_bank`.
    n_show : int, default=8
        Number of 2D wavelets drawn (at most the bank's size).

    Returns
    -------
    fig : matplotlib.figure.Figure
        2D: ``2 * (n_show + 1)`` panels in ``fig.axes`` (the Fourier row: the
        Littlewood-Paley sum and the wavelets; the space row: the low-pass and
        the wavelets), then one colour bar per panel. 1D: 2 panels.

    Examples
    --------
    >>> from skphase.filters import filter_bank
    >>> from skphase.plotting import plot_filter_bank
    >>> fig = plot_filter_bank(filter_bank((64, 64), 3, L=4), n_show=4)
    >>> fig.axes[0].get_title()
    'Fourier domain: Littlewood-Paley sum\\n(range [0.13, 1.00])'
    >>> fig.axes[1].get_title()
    'Fourier domain |ψ̂|\\nj=0, θ=π/4'
    >>> len(fig.axes)  # 2 rows of 5 panels, then their 10 colour bars
    20
    """
    Figure = _figure_class("plot_filter_bank")
    if bank.ndim == 1:
        return _plot_filter_bank_1d(Figure, bank)
    n_show = min(n_show, len(bank.psi1))
    fig = Figure(figsize=(2.6 * (n_show + 1), 5.2), layout="constrained")
    axes = fig.subplots(2, n_show + 1)
    extent = (-np.pi, np.pi, np.pi, -np.pi)  # rows: first frequency axis, downwards
    lp = np.fft.fftshift(bank.littlewood_paley())
    im = axes[0, 0].imshow(lp, cmap="viridis", extent=extent)
    axes[0, 0].set_title(f"Fourier domain: Littlewood-Paley sum\n(range [{lp.min():.2f}, {lp.max():.2f}])",
                         fontsize=8)
    fig.colorbar(im, ax=axes[0, 0], shrink=0.8)
    picks = np.linspace(0, len(bank.psi1) - 1, n_show).astype(int)
    # wavelets are small next to the grid: show the central window holding the coarsest one
    half = min(min(bank.shape) // 2, int(4 * 0.8 * 2 ** bank.J))
    centre = tuple(slice(n // 2 - half, n // 2 + half) for n in bank.shape)
    for col, n in enumerate(picks, start=1):
        label = _wavelet_label(n, bank.psi1.j[n], bank.psi1.theta[n], bank.L, True)
        im = axes[0, col].imshow(np.fft.fftshift(np.abs(bank.psi1.hat[0][n])), cmap="magma", extent=extent)
        axes[0, col].set_title(f"Fourier domain |ψ̂|\n{label}", fontsize=8)
        fig.colorbar(im, ax=axes[0, col], shrink=0.8)
        spatial = np.fft.fftshift(np.fft.ifft2(bank.psi1.hat[0][n]))[centre].real
        bound = float(np.abs(spatial).max()) or 1.0
        im = axes[1, col].imshow(spatial, cmap="RdBu_r", vmin=-bound, vmax=bound)
        axes[1, col].set_title(f"space Re ψ\n{label}", fontsize=8)
        fig.colorbar(im, ax=axes[1, col], shrink=0.8)
    phi = np.fft.fftshift(np.fft.ifft2(bank.phi.hat[0]))[centre].real
    im = axes[1, 0].imshow(phi, cmap="viridis")
    axes[1, 0].set_title(f"space: low-pass φ\nj={bank.phi.j}", fontsize=8)
    fig.colorbar(im, ax=axes[1, 0], shrink=0.8)
    for ax in axes[0]:
        ax.set_xlabel("ω₂ (rad/sample)", fontsize=7)
        ax.set_ylabel("ω₁", fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in axes[1]:
        ax.set_axis_off()
    return fig


def _plot_filter_bank_1d(Figure, bank):
    fig = Figure(figsize=(9.0, 3.2), layout="constrained")
    ax_f, ax_t = fig.subplots(1, 2)
    omega = np.fft.fftshift(2 * np.pi * np.fft.fftfreq(bank.shape[0]))
    for n in range(len(bank.psi1)):
        ax_f.plot(omega, np.fft.fftshift(np.abs(bank.psi1.hat[0][n])), linewidth=0.8)
    ax_f.plot(omega, np.fft.fftshift(np.abs(bank.phi.hat[0])), color="black", linewidth=0.8, label="|φ̂|")
    ax_f.plot(omega, np.fft.fftshift(bank.littlewood_paley()), color="grey", linestyle="--",
              linewidth=0.8, label="Littlewood-Paley sum")
    ax_f.set_xlabel("ω (rad/sample)")
    ax_f.set_title(f"Fourier domain |ψ̂| ({len(bank.psi1)} wavelets, Q={bank.Q})", fontsize=9)
    ax_f.legend(fontsize="small")
    half = min(bank.shape[0] // 2, 4 * 2 ** bank.J)
    for n in np.linspace(0, len(bank.psi1) - 1, min(4, len(bank.psi1))).astype(int):
        psi = np.fft.fftshift(np.fft.ifft(bank.psi1.hat[0][n]))
        mid = bank.shape[0] // 2
        ax_t.plot(np.arange(-half, half), psi[mid - half: mid + half].real, linewidth=0.8,
                  label=f"n={n} (j={bank.psi1.j[n]})")
    ax_t.set_xlabel("t (samples)")
    ax_t.set_title("time domain Re ψ", fontsize=9)
    ax_t.legend(fontsize="small")
    return fig


# ---------------------------------------------------------------- coefficients
def _labels_from(channels, n_channels, two_d, L):
    if isinstance(channels, dict):
        labels = channel_labels(channels, L=L, two_d=two_d)
    else:
        labels = [str(c) for c in channels]
    if len(labels) != n_channels:
        raise ValueError(f"channels describe {len(labels)} channels but U has {n_channels} "
                         f"(U.shape[0]); pass the channel_table_ of the estimator that produced U.")
    return labels


@validate_params({"image": ["array-like"], "U": ["array-like"], "channels": [dict, "array-like"],
                  "n_show": [Ints(1)], "L": [None, Ints(1)]})
def plot_coefficients(image: ArrayLike, U: ArrayLike, channels, n_show: int = 7, *,
                      L: int | None = None) -> Figure:
    """Draw an image (or signal) and some of its coefficient maps, with readable titles.

    Parameters
    ----------
    image : array-like of shape (H, W) or (N,)
        The input of the transform (one sample).
    U : array-like of shape (n_channels, h, w) or (n_channels, n)
        Structured output of a transformer (``flatten=False``), one sample.
    channels : dict or sequence of str
        The estimator's ``channel_table_`` (titles such as
        ``"j=2, θ=3π/8, phase 0"``, see :func:`channel_labels`) or one name per
        channel.
    n_show : int, default=7
        Number of channels drawn, spread evenly over all channels.
    L : int, optional
        Number of orientations, for the angles; default read from the table.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Images: ``n_show + 1`` panels in ``fig.axes``, then one colour bar
        per panel. Signals: 2 panels.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase import PhaseHarmonicTransform
    >>> from skphase.plotting import plot_coefficients
    >>> x = np.random.default_rng(0).standard_normal((1, 32, 32))
    >>> pht = PhaseHarmonicTransform(J=2, L=4, flatten=False).fit(x)
    >>> fig = plot_coefficients(x[0], pht.transform(x)[0], pht.channel_table_, n_show=3)
    >>> [ax.get_title() for ax in fig.axes[:4]]
    ['x (input)', 'low-pass φ, j=2', 'j=0, θ=-π/2, phase 3', 'j=1, θ=-π/2, phase 3']
    """
    Figure = _figure_class("plot_coefficients")
    image, U = np.asarray(image), np.asarray(U)
    if image.ndim not in (1, 2) or U.ndim != image.ndim + 1:
        raise ValueError(f"image must be (H, W) or (N,) and U (n_channels, *spatial) for one sample; got "
                         f"image.shape={image.shape} and U.shape={U.shape}.")
    two_d = image.ndim == 2
    labels = _labels_from(channels, U.shape[0], two_d, L)
    n_show = min(n_show, U.shape[0])
    picks = np.linspace(0, U.shape[0] - 1, n_show).astype(int)
    if not two_d:
        fig = Figure(figsize=(9.0, 4.0), layout="constrained")
        ax_x, ax_u = fig.subplots(2, 1, sharex=image.shape[0] == U.shape[1])
        ax_x.plot(image, color="black", linewidth=0.7)
        ax_x.set_title("x (input)", fontsize=9)
        for c in picks:
            ax_u.plot(U[c], linewidth=0.7, label=labels[c])
        ax_u.set_title("coefficients", fontsize=9)
        ax_u.legend(fontsize="x-small", ncol=2)
        return fig
    fig = Figure(figsize=(2.6 * (n_show + 1), 2.6), layout="constrained")
    axes = fig.subplots(1, n_show + 1)
    im = axes[0].imshow(image, cmap="gray")
    axes[0].set_title("x (input)", fontsize=8)
    fig.colorbar(im, ax=axes[0], shrink=0.8)
    for ax, c in zip(axes[1:], picks):
        im = ax.imshow(U[c], cmap="magma")
        ax.set_title(labels[c], fontsize=7)
        fig.colorbar(im, ax=ax, shrink=0.8)
    for ax in axes:
        ax.set_axis_off()
    return fig


# ---------------------------------------------------------------- scattering
@validate_params({"S": ["array-like"], "channel_table": [dict], "L": [None, Ints(1)],
                  "figsize": _FIGSIZE})
def plot_scattering(S: ArrayLike, channel_table: dict, *, L: int | None = None,
                    figsize: tuple[float, float] | None = None) -> Figure:
    """Draw scattering averages: order 1 on a (j, θ) grid, order 2 summarised by scale.

    Each channel is reduced to its spatial mean (the average ``S x``). Images:
    order 1 is a ``J x L`` grid (rows j, columns the angles), averaged over the
    phases of ``nonlinearity="relu"``; order 2 is a ``J x J`` grid of the
    mean over orientations (and phases) of the paths ``j1 → j2`` (empty below
    the diagonal, where no path is computed). Signals: order 1 against the
    first-order filter index, order 2 as an ``n1 x n2`` grid. Every grid has a
    colour bar.

    Parameters
    ----------
    S : array-like of shape ``(n_channels, *spatial)`` or ``(n_channels,)``
        One sample of :meth:`ScatteringAverager.transform` with ``flatten=False``
        (or its channel means).
    channel_table : dict of ndarray
        The estimator's ``channel_table_``.
    L : int, optional
        Number of orientations, for the angles; default ``max(theta1) + 1``.
    figsize : tuple of 2 float, optional
        Figure size in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per order present (1, or 2 with ``max_order=2``) in
        ``fig.axes``, then the colour bars of the grids (the 1D order-1 panel,
        a curve, has none).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase import ScatteringAverager
    >>> from skphase.plotting import plot_scattering
    >>> x = np.random.default_rng(0).standard_normal((1, 32, 32))
    >>> sa = ScatteringAverager(J=3, L=4, max_order=2, nonlinearity="modulus", flatten=False).fit(x)
    >>> fig = plot_scattering(sa.transform(x)[0], sa.channel_table_)
    >>> fig.axes[0].get_title()
    'order 1: spatial mean of S1 on (j, θ)'
    """
    Figure = _figure_class("plot_scattering")
    S = np.asarray(S, dtype=np.float64)
    table = channel_table
    if "order" not in table:
        raise ValueError("channel_table must be a ScatteringAverager's channel_table_ (key 'order'); "
                         "got keys "
                         f"{sorted(table)}.")
    order = np.asarray(table["order"])
    if S.shape[0] != order.size:
        raise ValueError(f"S has {S.shape[0]} channels (S.shape[0]) but channel_table has {order.size}; pass "
                         "one sample (S[0]) of the estimator that made the table.")
    means = S.reshape(S.shape[0], -1).mean(axis=1)
    if S.ndim > 1:
        two_d = S.ndim == 3
    else:  # channel means only: images have orientations (or say L)
        two_d = bool(np.any(np.asarray(table["theta1"])[order >= 1] > 0)) or (L is not None and L > 1)
    L = _infer_L(table, "theta1") if L is None else L
    orders = [o for o in (1, 2) if np.any(order == o)]
    fig = Figure(figsize=figsize or (4.6 * len(orders), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(orders)))
    s0 = f"S0 = {means[order == 0][0]:.3g}" if np.any(order == 0) else ""

    first = order == 1
    if two_d:
        grid = _mean_grid(means[first], table["j1"][first], table["theta1"][first])
        im = axes[0].imshow(grid, cmap="viridis", aspect="auto")
        axes[0].set_xticks(range(grid.shape[1]), [angle_label(t, L) for t in range(grid.shape[1])],
                           fontsize=7)
        axes[0].set_yticks(range(grid.shape[0]))
        axes[0].set_xlabel("θ (orientation of the wave vector)")
        axes[0].set_ylabel("j (scale 2^j)")
        axes[0].set_title("order 1: spatial mean of S1 on (j, θ)", fontsize=9)
        fig.colorbar(im, ax=axes[0], shrink=0.8, label="mean S1" + (f"   ({s0})" if s0 else ""))
    else:
        n1 = np.asarray(table["n1"])[first]
        values = _mean_grid(means[first], n1, np.zeros_like(n1))[:, 0]
        axes[0].plot(range(values.size), values, marker="o", markersize=3)
        axes[0].set_xlabel("first-order filter n (decreasing frequency)")
        axes[0].set_title("order 1: time mean of S1 on n", fontsize=9)
        if s0:
            axes[0].text(0.98, 0.95, s0, transform=axes[0].transAxes, ha="right", va="top", fontsize=8)

    if 2 in orders:
        second = order == 2
        a, b = ("j1", "j2") if two_d else ("n1", "n2")
        # every first-order index as a row, so that the grid reads like the order-1 panel
        n_rows = int(np.max(table[a][first])) + 1
        n_cols = n_rows if two_d else int(np.max(table[b][second])) + 1
        grid = _mean_grid(means[second], table[a][second], table[b][second], (n_rows, n_cols))
        im = axes[1].imshow(grid, cmap="viridis", aspect="auto")
        axes[1].set_xlabel(f"{b} (second wavelet)")
        axes[1].set_ylabel(f"{a} (first wavelet)")
        over = "θ1, θ2" if two_d else "paths"
        axes[1].set_title(f"order 2: mean of S2 over {over}, on ({a}, {b})", fontsize=9)
        fig.colorbar(im, ax=axes[1], shrink=0.8, label="mean S2")
    return fig


def _mean_grid(values, rows, cols, shape=None):
    """Mean of ``values`` per (row, col) cell; NaN (drawn blank) where no channel falls."""
    rows, cols = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
    shape = (rows.max() + 1, cols.max() + 1) if shape is None else shape
    sums = np.zeros(shape)
    counts = np.zeros(shape)
    np.add.at(sums, (rows, cols), values)
    np.add.at(counts, (rows, cols), 1)
    with np.errstate(invalid="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


# ---------------------------------------------------------------- comparison
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


# ---------------------------------------------------------------- image grids
def _image_row(label, images, r: int) -> np.ndarray:
    if not isinstance(label, str):
        raise TypeError(f"rows[{r}] must be a pair (label, images) with a str label; "
                        f"got a label of type {type(label).__name__}.")
    arr = np.asarray(images)
    if arr.ndim != 3 or arr.shape[0] == 0 or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"rows[{r}] ({label!r}) must hold numeric images of shape (n_images, height, "
                         f"width) with n_images >= 1; got an array of shape {arr.shape} and dtype "
                         f"{arr.dtype}.")
    return arr


@validate_params({"rows": "no_validation", "n_columns": [Ints(1)],
                  "value_range": [TupleOf(Real, 2, text="a pair (low, high) of numbers")],
                  "figsize": _FIGSIZE})
def plot_image_rows(
    rows,
    *,
    n_columns: int = 8,
    value_range: tuple[float, float] = (0.0, 1.0),
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Draw labelled rows of grey-scale images: originals, reconstructions, paths, samples.

    Each row shows its first ``n_columns`` images (fewer if it has fewer) on one grey
    scale, ``value_range``, shared by every panel, with values outside it clipped, so
    that rows can be compared by eye; the row's label is written on the left.

    Parameters
    ----------
    rows : sequence of (str, array-like of shape (n_images, height, width))
        The label and the images of each row, top to bottom.
    n_columns : int, default=8
        The most images shown per row.
    value_range : tuple of 2 float, default=(0.0, 1.0)
        The grey scale: ``low`` is black, ``high`` white.
    figsize : tuple of 2 float, optional
        Figure size in inches; default ``(n_columns, 1.1 * len(rows))``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per image shown, row by row, in ``fig.axes``.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install skphase[plot]``).

    See Also
    --------
    skphase.generative.ScatteringGenerator : whose reconstructions, interpolations and
        samples these rows usually show.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.plotting import plot_image_rows
    >>> rng = np.random.default_rng(0)
    >>> images = rng.uniform(size=(8, 16, 16))
    >>> fig = plot_image_rows([("images", images), ("negatives", 1 - images[:3])])
    >>> len(fig.axes)
    11
    """
    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__len__") or len(rows) == 0:
        raise ValueError(f"rows must be a non-empty sequence of (label, images) pairs; got {rows!r:.80}.")
    checked = []
    for r, row in enumerate(rows):
        if not isinstance(row, (tuple, list)) or len(row) != 2:
            what = f"of length {len(row)}" if isinstance(row, (tuple, list)) else "object"
            raise TypeError(f"rows[{r}] must be a pair (label, images); got a {type(row).__name__} {what}.")
        checked.append((row[0], _image_row(row[0], row[1], r)))
    low, high = (float(v) for v in value_range)
    if not low < high:
        raise ValueError(f"value_range must be a pair (low, high) with low < high; got {value_range!r}.")
    Figure = _figure_class("plot_image_rows")
    if figsize is None:
        figsize = (float(n_columns), 1.1 * len(checked))
    fig = Figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(len(checked), n_columns)
    for r, (label, images) in enumerate(checked):
        for c in range(min(n_columns, len(images))):
            ax = fig.add_subplot(grid[r, c])
            ax.imshow(np.clip(images[c], low, high), cmap="gray", vmin=low, vmax=high,
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, fontsize=7)
    return fig
