"""Labelled rows of grey-scale images: originals, reconstructions, paths, samples."""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from ..utils._params import Ints, TupleOf, validate_params
from ._common import _FIGSIZE, _figure_class

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
