"""Coefficient maps and scattering averages, with their channels named."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..utils._params import Ints, validate_params
from ._common import _FIGSIZE, _figure_class, _infer_L, _labels_from, angle_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
