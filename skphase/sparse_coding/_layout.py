"""The (channels, *positions) layout of features, read from what the previous step passed on.

A skphase transform passes its layout on in two ways: as an array ``(n, C, H, W)`` /
``(n, C, N)`` (``flatten=False``), or, flattened, in its feature names
(``c_y1_x0``-style: a channel name, then ``_y<i>_x<j>`` or ``_t<i>``, channel major), which
reach the next step as ``feature_names_in_`` when the output is a DataFrame
(``set_output(transform="pandas")``); :mod:`skphase.utils._feature_names` reads them.
"""

from __future__ import annotations

import numpy as np


def split_structured(X, name: str = "X"):
    """``(X2d, layout)``: an array of 3 or more dimensions flattened per sample, with its
    layout ``X.shape[1:]``; anything else unchanged, with layout None."""
    if hasattr(X, "columns") or not hasattr(X, "shape") or len(X.shape) < 3:
        return X, None
    X = np.asarray(X)
    if X.shape[0] == 0 or 0 in X.shape[1:]:
        raise ValueError(f"{name} of shape {X.shape} has no values to classify.")
    return X.reshape(X.shape[0], -1), tuple(int(s) for s in X.shape[1:])
