"""Random polygon images (the seed's "Polygones", slide 25), rasterised with numpy.

Each image holds ``n_polygons`` filled polygons painted in turn over a black
background. A polygon is star-shaped around its centre: its vertices sit at
sorted, jittered angles and random radii, so it is simple (never self-crossing)
and convex or not. Pixels are filled by the even-odd rule, evaluated for all
pixels, edges and images at once; ``supersample`` averages an s x s grid of
points inside each pixel (anti-aliasing).
"""

from __future__ import annotations

import numpy as np

from ..utils._params import RANDOM_STATE, Ints, Shape, validate_params
from ._rng import _as_generator

# Polygon radius as a fraction of the image side, and inner radii as a fraction of it:
# large enough to be seen at 32x32, small enough to leave room for several polygons.
_RADIUS_RANGE = (0.2, 0.42)
_INNER_RANGE = (0.45, 1.0)
# Grey levels (or colour norms) are kept away from the black background.
_MIN_LEVEL = 0.3
# Work is chunked so that the (chunk, points, edges) masks stay around this many booleans.
_CHUNK_ELEMENTS = 2**24


def _vertex_range(n_vertices) -> tuple[int, int]:
    if isinstance(n_vertices, (tuple, list)):
        low, high = int(n_vertices[0]), int(n_vertices[1])
        if high < low:
            raise ValueError(f"n_vertices must be (low, high) with low <= high, got {tuple(n_vertices)}.")
        return low, high
    return int(n_vertices), int(n_vertices)


def _even_odd(px, py, vx, vy):
    """Inside masks of points (P,) for polygons (n, V) by the even-odd rule.

    A horizontal ray from each point crosses edge (k, k+1) when the edge straddles the
    point's ordinate and the crossing lies to its right. Padding vertices are copies of
    the last real vertex: their edges are horizontal points that straddle nothing, and
    the closing edge (V-1, 0) runs from the last real vertex to vertex 0.
    """
    x0, y0 = vx[:, None, :], vy[:, None, :]
    x1 = np.roll(vx, -1, axis=1)[:, None, :]
    y1 = np.roll(vy, -1, axis=1)[:, None, :]
    qy = py[None, :, None]
    straddle = (y0 > qy) != (y1 > qy)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross_x = x0 + (qy - y0) * (x1 - x0) / (y1 - y0)
    crossing = straddle & (px[None, :, None] < cross_x)
    return np.count_nonzero(crossing, axis=2) % 2 == 1


@validate_params({"n_samples": [Ints(1)], "size": [Ints(4)],
                  "n_vertices": [Ints(3), Shape((2,), min_size=3, text="an int >= 3 or a pair (low, high) "
                                                                       "of ints >= 3")],
                  "n_polygons": [Ints(1)], "color": ["boolean"], "supersample": [Ints(1)],
                  "return_vertices": ["boolean"], "random_state": RANDOM_STATE})
def make_polygons(
    n_samples: int = 1,
    size: int = 32,
    *,
    n_vertices: int | tuple[int, int] = (3, 8),
    n_polygons: int = 1,
    color: bool = False,
    supersample: int = 2,
    return_vertices: bool = False,
    random_state: None | int | np.random.Generator | np.random.RandomState = None,
):
    """Generate images of random filled polygons on a black background.

    Parameters
    ----------
    n_samples : int, default=1
        Number of images.
    size : int, default=32
        Side of the square images, at least 4.
    n_vertices : int or (int, int), default=(3, 8)
        Vertices per polygon, at least 3; a pair (low, high) draws the count
        uniformly in low..high (inclusive) for every polygon.
    n_polygons : int, default=1
        Polygons per image, painted in turn (later ones cover earlier ones).
    color : bool, default=False
        False: grey levels, shape (n_samples, size, size). True: RGB colours,
        shape (n_samples, size, size, 3), channels last.
    supersample : int, default=2
        Each pixel averages ``supersample**2`` points of a regular grid inside it
        (1: pixel centres only, hard edges).
    return_vertices : bool, default=False
        Also return the vertex coordinates.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState, default=None
        Seed or generator; the same seed gives the same images.

    Returns
    -------
    X : ndarray of shape (n_samples, size, size) or (n_samples, size, size, 3), dtype float64
        Values in [0, 1].
    vertices : list of list of ndarray of shape (n_vertices, 2)
        Only when ``return_vertices``: ``vertices[i][k]`` holds the (x, y) vertices
        of polygon k of image i, in pixel units (pixel (r, c) covers
        ``c <= x < c + 1``, ``r <= y < r + 1``).

    Notes
    -----
    A polygon has centre uniform in the image (kept at one radius from the border),
    radius R uniform in [0.2, 0.42] * size, vertex angles 2 pi (k + u_k) / V + phase
    with u_k uniform in [0, 0.8) (sorted and distinct, hence a simple polygon, star-shaped
    around its centre) and vertex radii uniform in [0.45, 1] * R. Its grey level is
    uniform in [0.3, 1]; an RGB colour is uniform in the cube, rescaled so that its
    largest component is at least 0.3.

    Examples
    --------
    >>> from skphase.datasets import make_polygons
    >>> X = make_polygons(4, size=32, n_vertices=5, random_state=0)
    >>> X.shape, float(X.min()) >= 0.0, float(X.max()) <= 1.0
    ((4, 32, 32), True, True)
    >>> make_polygons(2, size=16, color=True, random_state=0).shape
    (2, 16, 16, 3)
    """
    low, high = _vertex_range(n_vertices)
    rng = _as_generator(random_state)

    n_total = n_samples * n_polygons
    counts = rng.integers(low, high + 1, size=n_total)
    V = high
    radius = rng.uniform(*_RADIUS_RANGE, size=n_total) * size
    centre = rng.uniform(0.0, 1.0, size=(n_total, 2)) * (size - 2 * radius[:, None]) + radius[:, None]
    phase = rng.uniform(0.0, 2 * np.pi, size=n_total)
    jitter = rng.uniform(0.0, 0.8, size=(n_total, V))
    inner = rng.uniform(*_INNER_RANGE, size=(n_total, V))
    k = np.arange(V)
    valid = k[None, :] < counts[:, None]
    angle = 2 * np.pi * (k[None, :] + jitter) / counts[:, None] + phase[:, None]
    rad = radius[:, None] * inner
    vx = centre[:, 0:1] + rad * np.cos(angle)
    vy = centre[:, 1:2] + rad * np.sin(angle)
    # padding vertices repeat the last real one: their edges are degenerate
    last = counts - 1
    vx = np.where(valid, vx, vx[np.arange(n_total), last][:, None])
    vy = np.where(valid, vy, vy[np.arange(n_total), last][:, None])
    if color:
        colours = rng.uniform(0.0, 1.0, size=(n_total, 3))
        peak = colours.max(axis=1, keepdims=True)
        colours = np.where(peak < _MIN_LEVEL, colours * _MIN_LEVEL / np.maximum(peak, 1e-12), colours)
    else:
        colours = rng.uniform(_MIN_LEVEL, 1.0, size=(n_total, 1))

    # sample points: an s x s grid inside every pixel
    offsets = (np.arange(supersample) + 0.5) / supersample
    coords = (np.arange(size)[:, None] + offsets[None, :]).ravel()
    py, px = np.meshgrid(coords, coords, indexing="ij")
    px, py = px.ravel(), py.ravel()

    n_channels = 3 if color else 1
    out = np.zeros((n_samples, size, size, n_channels))
    per_image = px.size * V
    chunk = max(1, _CHUNK_ELEMENTS // per_image)
    for start in range(0, n_samples, chunk):
        stop = min(start + chunk, n_samples)
        canvas = np.zeros((stop - start, px.size, n_channels))
        for p in range(n_polygons):
            rows = np.arange(start, stop) * n_polygons + p
            inside = _even_odd(px, py, vx[rows], vy[rows])
            canvas = np.where(inside[:, :, None], colours[rows][:, None, :], canvas)
        canvas = canvas.reshape(stop - start, size, supersample, size, supersample, n_channels)
        out[start:stop] = canvas.mean(axis=(2, 4))
    X = out if color else out[..., 0]
    if not return_vertices:
        return X
    vertices = [[np.stack([vx[i * n_polygons + p, :counts[i * n_polygons + p]],
                           vy[i * n_polygons + p, :counts[i * n_polygons + p]]], axis=1)
                 for p in range(n_polygons)] for i in range(n_samples)]
    return X, vertices
