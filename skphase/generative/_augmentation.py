"""Symmetry augmentation: the flips and quarter turns of the training images and their embeddings.

The embeddings of the symmetric images cost no scattering when they are permutations of the
original's (:mod:`skphase.generative._symmetries`), checked on a few images at each fit;
``augment="auto"`` keeps the symmetries under which the images still look like the data, seen
by the embedding (:func:`choose_symmetries`).
"""

from __future__ import annotations

import numpy as np

from ..utils._warnings import warn_external
from . import _symmetries as sym
from ._embedding import Whitening


def symmetric_embeddings(X4, S, scatter, ops=None, n_check=2):
    """Symmetries of the images X4 and their scattering, mostly by permutation.

    ``ops``: the symmetries as (flip_rows, flip_cols, transpose), flips first (default:
    all 7 others for square images, 3 otherwise). Periodic padding: all of them permute
    S's channels and maps (see :mod:`skphase.generative._symmetries`; the mirrors are
    about pixel 0, a flip and a one-pixel circular shift). Reflection padding: the
    mirrors are scattered again and their transposes permuted. The first ``n_check``
    images' permuted embeddings are compared with scattering them: a mismatch (a filter
    convention that these maps do not describe) warns and scatters every symmetry instead.
    ``scatter``: the :class:`~skphase.generative._embedding.ScatteringEmbedding` that gave S.
    Returns the images and their S, symmetry by symmetry (all images of ``ops[0]`` first).
    """
    H, W, C = X4.shape[1:]
    ops = sym.symmetries(H == W) if ops is None else list(ops)
    periodic = scatter.periodic
    transpose = sym.orientation_map(scatter.L, "transpose")
    perms = dict(flip=sym.channel_permutation(scatter.channel_table, sym.orientation_map(scatter.L, "flip")),
                 transpose=None if transpose is None else
                 sym.channel_permutation(scatter.channel_table, transpose))
    shape = (-1, C, scatter.n_channels) + tuple(scatter.output_shape)

    def permute(S, op):
        return sym.apply_to_embedding(S.reshape(shape), op, perms).reshape(len(S), -1)

    def embed(X, S):
        mirrors = {(False, False): S}  # reflection padding: S of the plain mirror images

        def mirrored(fr, fc):
            if (fr, fc) not in mirrors:
                mirrors[fr, fc] = scatter(sym.apply_to_images(X, (fr, fc, False), False))
            return mirrors[fr, fc]

        images, maps = [], []
        for op in ops:
            images.append(sym.apply_to_images(X, op, periodic))
            if op[2] and perms["transpose"] is None:  # odd L: no permutation
                maps.append(scatter(images[-1]))
            elif periodic:
                maps.append(permute(S, op))
            else:
                base = mirrored(op[0], op[1])
                maps.append(permute(base, (False, False, True)) if op[2] else base)
        return np.concatenate(images), np.concatenate(maps)

    err = 0.0
    if n_check:
        images, maps = embed(X4[:n_check], S[:n_check])
        direct = scatter(images)
        err = np.linalg.norm(maps - direct) / max(np.linalg.norm(direct), 1e-30)
    if err > 1e-3:
        warn_external(f"The scattering of flipped or turned images is not the expected permutation "
                      f"of the original's (relative error {err:.1e}); augment scatters every "
                      "symmetry instead (slower).", RuntimeWarning)
        images = sym.apply_all(X4, ops, periodic)
        return images, scatter(images)
    return embed(X4, S)

def choose_symmetries(X4, S, scatter, n_components, seed, n_max=500, ratio=1.2, symmetric=None):
    """The symmetries whose images look like the data, seen by the embedding (augment="auto").

    The training images are split in halves A and B; a PCA whitening with
    ``n_components`` is fitted on S of A alone. B's images, unseen by it, give the typical
    relative distance of new images to the whitened subspace (median of
    ||(I - P)(S - m)|| / ||S - m||) and their typical whitened norm (median of
    ||W (S - m)||). A symmetry is kept when the images of A under it are at most ``ratio``
    times as far (both medians): then its images are new images of the same kind. Polygons:
    every symmetry's ratios are 0.89-1.08; scikit-learn's digits: 1.28-2.8 (mirrored and
    turned digits are no digits; training on them cost 1.7 dB of held-out PSNR).
    ``symmetric(X4, S, ops)``: the embeddings of the symmetries ``ops`` of the images X4, all
    images of ``ops[0]`` first (default: :func:`symmetric_embeddings` with ``scatter``; the
    progressive decoder's pyramid transforms the symmetric images again).
    Returns the symmetries kept and, for each, its ratios (``symmetry_ratios_``).
    """
    n = len(X4)
    order = np.random.default_rng([seed, 1]).permutation(n)
    half = n // 2
    A, B = np.sort(order[:half][:n_max]), np.sort(order[half:][:n_max])
    k = min(n_components, len(A) - 1, S.shape[1])
    if k < 1 or len(B) < 2:
        return [], {}
    white = Whitening.fit(S[A], k)
    mean, components, scale = white.mean, white.components, white.scale

    def medians(T):
        centred = T - mean
        proj = centred @ components.T
        off = np.linalg.norm(centred - proj @ components, axis=1)
        return (np.median(off / np.maximum(np.linalg.norm(centred, axis=1), 1e-300)),
                np.median(np.linalg.norm(proj / scale, axis=1)))

    ref = medians(S[B])
    ops = sym.symmetries(X4.shape[1] == X4.shape[2])
    if symmetric is None:
        S_sym = symmetric_embeddings(X4[A], S[A], scatter, ops, n_check=0)[1]
    else:
        S_sym = symmetric(X4[A], S[A], ops)
    keep, all_ratios = [], {}
    for i, op in enumerate(ops):
        got = medians(S_sym[i * len(A):(i + 1) * len(A)])
        ratios = (got[0] / max(ref[0], 1e-300), got[1] / max(ref[1], 1e-300))
        all_ratios[sym.NAMES[op]] = ratios
        if max(ratios) <= ratio:
            keep.append(op)
    return keep, all_ratios


def augmentation(augment, X4, S, scatter, n_components, seed, choose=True, symmetric=None):
    """The symmetries to train on, and their ratios (empty unless chosen).

    ``augment``: True (all of them), False (none) or "auto" (:func:`choose_symmetries`, when
    ``choose``, with ``symmetric``; else none).
    """
    if isinstance(augment, str):  # "auto"
        return choose_symmetries(X4, S, scatter, n_components, seed, symmetric=symmetric) if choose else ([], {})
    return (sym.symmetries(X4.shape[1] == X4.shape[2]) if augment else []), {}
