"""What every figure shares: matplotlib on demand, sizes, colours and readable channel names."""

from __future__ import annotations

from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from ..utils._params import TupleOf

if TYPE_CHECKING:
    pass


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


def _labels_from(channels, n_channels, two_d, L):
    if isinstance(channels, dict):
        labels = channel_labels(channels, L=L, two_d=two_d)
    else:
        labels = [str(c) for c in channels]
    if len(labels) != n_channels:
        raise ValueError(f"channels describe {len(labels)} channels but U has {n_channels} "
                         f"(U.shape[0]); pass the channel_table_ of the estimator that produced U.")
    return labels
