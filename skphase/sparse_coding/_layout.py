"""The (channels, *positions) layout of features, read from what the previous step passed on.

A skphase transform passes its layout on in two ways: as an array ``(n, C, H, W)`` /
``(n, C, N)`` (``flatten=False``), or, flattened, in its feature names
(``c_y1_x0``-style: a channel name, then ``_y<i>_x<j>`` or ``_t<i>``, channel major), which
reach the next step as ``feature_names_in_`` when the output is a DataFrame
(``set_output(transform="pandas")``).
"""

from __future__ import annotations

import re

import numpy as np

_POSITION = re.compile(r"^(?P<channel>.+)_(?:y(?P<y>\d+)_x(?P<x>\d+)|t(?P<t>\d+))$")


def split_structured(X, name: str = "X"):
    """``(X2d, layout)``: an array of 3 or more dimensions flattened per sample, with its
    layout ``X.shape[1:]``; anything else unchanged, with layout None."""
    if hasattr(X, "columns") or not hasattr(X, "shape") or len(X.shape) < 3:
        return X, None
    X = np.asarray(X)
    if X.shape[0] == 0 or 0 in X.shape[1:]:
        raise ValueError(f"{name} of shape {X.shape} has no values to classify.")
    return X.reshape(X.shape[0], -1), tuple(int(s) for s in X.shape[1:])


def layout_from_feature_names(names) -> tuple | None:
    """(C, H, W) or (C, N) when ``names`` are a skphase transform's feature names (every
    channel at every position, channel major); None for any other names."""
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
    expected = [f"{c}_" + ("_".join(f"{a}{v}" for a, v in zip("yx", p)) if len(p) == 2 else f"t{p[0]}")
                for c in channels for p in np.ndindex(*shape)]
    if [str(n) for n in names] != expected:
        return None
    return (C, *shape)
