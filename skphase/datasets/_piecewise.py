"""Piecewise-constant signals and piecewise-affine ("cartoon") images with a set number of edges.

These are the signals that wavelets represent sparsely: all the large fine-scale
coefficients sit on the few discontinuities.
"""

from __future__ import annotations

import numpy as np

from ..utils._params import RANDOM_STATE, Ints, as_image_shape, image_size, validate_params
from ._rng import _as_generator

# Jump sizes are drawn in [_JUMP_LOW, _JUMP_HIGH] so that every discontinuity is
# clearly visible and the total variation is bounded by a documented constant.
_JUMP_LOW, _JUMP_HIGH = 0.5, 1.5


@validate_params({"n_samples": [Ints(1)], "size": [Ints(2)], "n_jumps": [Ints(0)],
                  "random_state": RANDOM_STATE})
def make_piecewise_constant(
    n_samples: int = 1,
    size: int = 1024,
    *,
    n_jumps: int = 8,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
) -> np.ndarray:
    """Generate piecewise-constant signals with exactly ``n_jumps`` discontinuities.

    Parameters
    ----------
    n_samples : int, default=1
        Number of independent signals.
    size : int, default=1024
        Length of each signal, at least 2.
    n_jumps : int, default=8
        Number of discontinuities, between 0 and ``size - 1``.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same output.

    Returns
    -------
    X : ndarray of shape (n_samples, size), dtype float64

    Notes
    -----
    Exact statistics: ``X[0]`` is standard normal; the jump positions ``p`` (where
    ``X[p] != X[p - 1]``) are a uniformly random set of ``n_jumps`` distinct indices in
    ``1 .. size - 1``; each jump has a random sign and a magnitude uniform in
    ``[0.5, 1.5]``, independent of everything else. Hence the signal has exactly
    ``n_jumps`` non-zero first differences and total variation
    ``sum |X[t] - X[t - 1]|`` in ``[0.5 n_jumps, 1.5 n_jumps]`` (mean ``n_jumps``).
    For a dyadic ``size``, each jump meets exactly one Haar wavelet per scale, so at
    most ``n_jumps`` Haar detail coefficients are non-zero at every scale.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.datasets import make_piecewise_constant
    >>> X = make_piecewise_constant(n_samples=3, size=128, n_jumps=5, random_state=0)
    >>> X.shape
    (3, 128)
    >>> (np.diff(X, axis=1) != 0).sum(axis=1)
    array([5, 5, 5])
    """
    n_samples, size, n_jumps = int(n_samples), int(size), int(n_jumps)
    if n_jumps > size - 1:
        raise ValueError(f"n_jumps must be at most size - 1 = {size - 1} for size={size}, got {n_jumps}.")
    rng = _as_generator(random_state)
    start = rng.standard_normal((n_samples, 1))
    steps = np.zeros((n_samples, size))
    if n_jumps > 0:
        # The n_jumps smallest of size - 1 i.i.d. uniforms index a uniformly random
        # subset, drawn for all samples at once.
        keys = rng.random((n_samples, size - 1))
        positions = np.argpartition(keys, n_jumps - 1, axis=1)[:, :n_jumps] + 1
        magnitudes = rng.uniform(_JUMP_LOW, _JUMP_HIGH, (n_samples, n_jumps))
        signs = rng.choice(np.array([-1.0, 1.0]), size=(n_samples, n_jumps))
        np.put_along_axis(steps, positions, signs * magnitudes, axis=1)
    return start + np.cumsum(steps, axis=1)


@validate_params({"n_samples": [Ints(1)], "size": image_size(16), "n_shapes": [Ints(0)],
                  "random_state": RANDOM_STATE})
def make_cartoon_image(
    n_samples: int = 1,
    size: int | tuple[int, int] = 64,
    *,
    n_shapes: int = 4,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
) -> np.ndarray:
    """Generate piecewise-affine "cartoon" images made of ellipses on a sloped background.

    Parameters
    ----------
    n_samples : int, default=1
        Number of independent images.
    size : int or tuple of (int, int), default=64
        Image shape ``(H, W)``; an int gives a square. Each side is at least 16.
    n_shapes : int, default=4
        Number of ellipses, hence of closed discontinuity curves, at least 0.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same output.

    Returns
    -------
    X : ndarray of shape (n_samples, H, W), dtype float64

    Notes
    -----
    Construction, with pixel coordinates ``(y, x)`` and ``s = min(H, W)``:

    - background ``c0 + gy (y / H - 1/2) + gx (x / W - 1/2)`` with ``c0`` standard
      normal and ``gy, gx`` uniform in ``[-1, 1]``;
    - each ellipse has semi-axes uniform in ``[0.08 s, 0.25 s]``, a uniform
      orientation, and a centre uniform among the positions that keep the whole
      ellipse at least one pixel inside the image; on the pixels whose centre lies
      inside it adds ``a + g . ((y, x) - centre) / s`` with ``|a|`` uniform in
      ``[0.5, 1.5]`` (random sign) and ``g`` uniform in ``[-0.5, 0.5]^2``.

    So the image is affine on every region cut out by the ``n_shapes`` ellipse
    boundaries (discrete second differences vanish there, up to round-off), and
    every boundary point is a jump of at least ``0.5 - 0.5 * 0.25 * 2 = 0.25``. With
    a wavelet having two vanishing moments, only the ``O(perimeter / 2^j)``
    coefficients at scale ``2^j`` whose support meets an edge are non-zero.
    Edges are not anti-aliased.

    Examples
    --------
    >>> from skphase.datasets import make_cartoon_image
    >>> X = make_cartoon_image(n_samples=2, size=32, n_shapes=3, random_state=0)
    >>> X.shape
    (2, 32, 32)
    """
    n_samples, (height, width), n_shapes = int(n_samples), as_image_shape(size), int(n_shapes)
    rng = _as_generator(random_state)
    side = min(height, width)

    def draw(low, high):
        # (n_samples, 1, 1) so that parameters broadcast against the pixel grid
        return rng.uniform(low, high, (n_samples, 1, 1))

    y = np.arange(height, dtype=np.float64)[:, None]
    x = np.arange(width, dtype=np.float64)[None, :]
    offset = rng.standard_normal((n_samples, 1, 1))
    images = offset + draw(-1.0, 1.0) * (y / height - 0.5) + draw(-1.0, 1.0) * (x / width - 0.5)
    for _ in range(n_shapes):
        a = draw(0.08, 0.25) * side
        b = draw(0.08, 0.25) * side
        theta = draw(0.0, np.pi)
        reach = np.maximum(a, b) + 1.0
        cy = reach + draw(0.0, 1.0) * (height - 1 - 2 * reach)
        cx = reach + draw(0.0, 1.0) * (width - 1 - 2 * reach)
        amplitude = draw(0.5, 1.5) * rng.choice(np.array([-1.0, 1.0]), size=(n_samples, 1, 1))
        slope_y = draw(-0.5, 0.5)
        slope_x = draw(-0.5, 0.5)
        dy = y - cy
        dx = x - cx
        u = dx * np.cos(theta) + dy * np.sin(theta)
        v = -dx * np.sin(theta) + dy * np.cos(theta)
        inside = (u / a) ** 2 + (v / b) ** 2 <= 1.0
        images = images + inside * (amplitude + (slope_y * dy + slope_x * dx) / side)
    return images
