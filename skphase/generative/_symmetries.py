"""The symmetries of the square acting on images and, without recomputing it, on their scattering.

With L orientations theta_l = (a - l) pi / L (Kymatio's convention, a = int(L - L/2 - 1)) on
[0, pi), and the complex modulus (|x * psi_{theta + pi}| = |x * psi_theta| for real x):

* a mirror image turns theta into -theta: orientation l becomes 2a - l (mod L);
* the transpose turns theta into pi/2 - theta: l becomes 2a - L/2 - l (L even);

and an order-2 channel (j1, l1, j2, l2) maps both orientations. The subsampled spatial maps
undergo the same symmetry, provided it maps the sampling grid {2^J m} onto itself:

* the transpose does (square images, same padding on both axes);
* a plain mirror i -> H - 1 - i does not (Kymatio's reflect-padded grid {0, 8, 16, 24} of a
  32-pixel side is not symmetric: the permuted embedding is off by 80% of its norm), but with
  periodic padding the mirror about pixel 0, i -> -i mod H, maps {2^J m} onto itself, and
  with filters symmetric under v -> -v the whole cascade, intermediate subsamplings included,
  commutes with it. That mirror is a plain flip followed by a one-pixel circular shift.

Measured on the generator's order-2 modulus ``ScatteringAverager`` (torch, float32, 32 x 32,
J=3, L=8): permuted vs recomputed embeddings differ by 1.5e-6 (mirrors, periodic padding) and
1.2e-5 (transposes; order-2 channels 5e-5) in relative L2 norm: float32 rounding.
"""

from __future__ import annotations

import numpy as np


# (flip_rows, flip_cols, transpose), flips first: rot90 is numpy's (counter-clockwise)
NAMES = {(True, False, False): "flip_rows", (False, True, False): "flip_cols", (True, True, False): "rot180",
         (False, False, True): "transpose", (False, True, True): "rot90", (True, False, True): "rot270",
         (True, True, True): "anti_transpose"}


def symmetries(square: bool) -> list[tuple[bool, bool, bool]]:
    """The non-identity symmetries as (flip_rows, flip_cols, transpose), flips applied first."""
    ops = [(True, False, False), (False, True, False), (True, True, False)]
    if square:
        ops += [(fr, fc, True) for fr in (False, True) for fc in (False, True)]
    return ops


def apply_to_images(X4, op, rolled: bool):
    """One symmetry of images (n, H, W, C); ``rolled`` mirrors about pixel 0 (i -> -i mod H)."""
    out = X4
    for axis, flip in ((1, op[0]), (2, op[1])):
        if flip:
            out = np.flip(out, axis)
            if rolled:
                out = np.roll(out, 1, axis=axis)
    if op[2]:
        out = np.swapaxes(out, 1, 2)
    return np.ascontiguousarray(out)


def apply_all(X4, ops, rolled: bool):
    """The symmetries ``ops`` of images (n, H, W, C), stacked symmetry-major (len(ops) * n images)."""
    return np.concatenate([apply_to_images(X4, op, rolled) for op in ops])


def orientation_map(L: int, kind: str):
    """Orientation l -> l' under a mirror ("flip") or the transpose, or None when it is no permutation."""
    a = int(L - L / 2 - 1)
    if kind == "flip":
        return (2 * a - np.arange(L)) % L
    if L % 2:  # pi/2 is not a multiple of pi/L
        return None
    return (2 * a - L // 2 - np.arange(L)) % L


def channel_permutation(table: dict, orient: np.ndarray) -> np.ndarray:
    """p with S(g x)[c] = S(x)[p[c]]: each orientation of channel c (theta1, theta2) mapped by ``orient``.

    ``orient`` is an involution (mirrors and the transpose are), so the map and its inverse agree.
    """
    keys = ("order", "j1", "theta1", "j2", "theta2")
    rows = list(zip(*(np.asarray(table[k]).tolist() for k in keys)))
    index = {row: c for c, row in enumerate(rows)}

    def mapped(th):
        return int(orient[th]) if th >= 0 else th

    return np.array([index[(o, j1, mapped(t1), j2, mapped(t2))] for o, j1, t1, j2, t2 in rows])


def apply_to_embedding(S5, op, perms: dict):
    """The same symmetry on scattering maps (n, colours, channels, h, w) with periodic padding.

    ``perms`` holds the channel permutations "flip" and "transpose"; two mirrors compose to
    the identity on channels.
    """
    out = S5
    for axis, flip in ((3, op[0]), (4, op[1])):
        if flip:
            out = np.roll(np.flip(out, axis), 1, axis=axis)
    if op[0] != op[1]:
        out = out[:, :, perms["flip"]]
    if op[2]:
        out = np.swapaxes(out[:, :, perms["transpose"]], 3, 4)
    return np.ascontiguousarray(out)
