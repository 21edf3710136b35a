"""The names skphase gives structured features, and the layout read back from them.

A structured output (channels at every position) is named channel major: a channel name,
then its position, ``_t<i>`` for series and ``_y<i>_x<j>`` for images (``s1_j2_t3_p0_y1_x0``).
A next skphase step that receives the flattened output with its names (a DataFrame from
``set_output(transform="pandas")``) reads the (C, *positions) layout back from them.
"""

from __future__ import annotations

import re

import numpy as np

_POSITION = re.compile(r"^(?P<channel>.+)_(?:y(?P<y>\d+)_x(?P<x>\d+)|t(?P<t>\d+))$")


def position_names(spatial) -> list[str]:
    """The position suffixes of a grid, in C order: ``t<i>`` (1D), ``y<i>_x<j>`` (2D), or
    ``p<a>_p<b>...`` beyond (names that :func:`layout_from_feature_names` does not read).

    Examples
    --------
    >>> from skphase.utils._feature_names import position_names
    >>> position_names((3,)), position_names((1, 2))
    (['t0', 't1', 't2'], ['y0_x0', 'y0_x1'])
    """
    spatial = tuple(int(s) for s in spatial)
    if len(spatial) == 1:
        return [f"t{i}" for i in range(spatial[0])]
    if len(spatial) == 2:
        return [f"y{i}_x{j}" for i, j in np.ndindex(*spatial)]
    return ["_".join(f"p{v}" for v in p) for p in np.ndindex(*spatial)]


def structured_names(channels, spatial) -> np.ndarray:
    """Names of every channel at every position, channel major (an object array)."""
    positions = position_names(spatial)
    return np.asarray([f"{c}_{p}" for c in channels for p in positions], dtype=object)


def layout_from_feature_names(names) -> tuple | None:
    """(C, H, W) or (C, N) when ``names`` are :func:`structured_names` (every channel at every
    position, channel major); None for any other names.

    Examples
    --------
    >>> from skphase.utils._feature_names import layout_from_feature_names, structured_names
    >>> layout_from_feature_names(structured_names(["a", "b"], (2, 3)))
    (2, 2, 3)
    >>> layout_from_feature_names(["x0", "x1"]) is None
    True
    """
    if names is None or len(names) == 0:
        return None
    channels, positions = [], {}
    for name in names:
        match = _POSITION.match(str(name))
        if match is None:
            return None
        if not channels or channels[-1] != match["channel"]:
            channels.append(match["channel"])
        pos = (int(match["t"]),) if match["t"] is not None else (int(match["y"]), int(match["x"]))
        positions.setdefault(pos, None)
    C, P = len(channels), len(positions)
    if len(set(channels)) != C or C * P != len(names):
        return None
    order = list(positions)
    shape = tuple(max(p[i] for p in order) + 1 for i in range(len(order[0])))
    if any(len(p) != len(shape) for p in order) or int(np.prod(shape)) != P:
        return None
    if [str(n) for n in names] != list(structured_names(channels, shape)):
        return None
    return (C, *shape)
