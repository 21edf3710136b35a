"""Tests of make_polygons: the even-odd fill against an independent point-in-polygon test,
determinism, shapes, value range, the vertex count, and argument errors."""

from __future__ import annotations

import numpy as np
import pytest

from skphase.datasets._polygons import make_polygons


def test_fill_matches_independent_point_in_polygon():
    path_mod = pytest.importorskip("matplotlib.path")
    X, vertices = make_polygons(6, size=24, n_vertices=(3, 9), supersample=1, return_vertices=True,
                                random_state=3)
    centres = np.stack(np.meshgrid(np.arange(24) + 0.5, np.arange(24) + 0.5, indexing="xy"), -1)
    centres = centres.reshape(-1, 2)  # (x, y) of pixel (r, c) at index r * 24 + c
    for image, (poly,) in zip(X, vertices):
        inside = path_mod.Path(poly).contains_points(centres).reshape(24, 24)
        level = image.max()
        # points within rounding of an edge may go either way: allow at most one pixel
        assert np.count_nonzero((image > 0) != inside) <= 1
        assert np.all(image[image > 0] == level)


def test_seeded_determinism_and_independence():
    a = make_polygons(5, size=16, random_state=7)
    b = make_polygons(5, size=16, random_state=7)
    c = make_polygons(5, size=16, random_state=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rng = np.random.default_rng(0)
    assert not np.array_equal(make_polygons(2, 16, random_state=rng), make_polygons(2, 16, random_state=rng))


@pytest.mark.parametrize("color, shape", [(False, (3, 20, 20)), (True, (3, 20, 20, 3))])
def test_shapes_and_range(color, shape):
    X = make_polygons(3, size=20, color=color, n_polygons=2, random_state=0)
    assert X.shape == shape and X.dtype == np.float64
    assert X.min() >= 0.0 and X.max() <= 1.0
    # every image shows a polygon, and the background stays black
    assert np.all(X.reshape(3, -1).max(axis=1) >= 0.3)
    assert np.all(X.reshape(3, -1).min(axis=1) == 0.0)


def test_supersampling_gives_intermediate_values_on_edges_only():
    hard = make_polygons(4, size=32, supersample=1, random_state=1)
    soft = make_polygons(4, size=32, supersample=4, random_state=1)
    for h, s in zip(hard, soft):
        level = h.max()
        assert set(np.unique(h)) <= {0.0, level}
        partial = (s > 0) & (s < level)
        assert partial.any()
        # partially covered pixels sit next to a change of the hard image
        edge = np.zeros_like(h, dtype=bool)
        change = np.diff(h, axis=0) != 0
        edge[:-1] |= change
        edge[1:] |= change
        change = np.diff(h, axis=1) != 0
        edge[:, :-1] |= change
        edge[:, 1:] |= change
        grown = edge.copy()
        grown[1:] |= edge[:-1]
        grown[:-1] |= edge[1:]
        grown[:, 1:] |= edge[:, :-1]
        grown[:, :-1] |= edge[:, 1:]
        assert np.all(grown[partial])


def test_vertex_count():
    _, vertices = make_polygons(20, size=32, n_vertices=(4, 6), return_vertices=True, random_state=0)
    counts = [len(v[0]) for v in vertices]
    assert set(counts) <= {4, 5, 6} and len(set(counts)) > 1
    # more vertices at the same radii cover more of the disc: mean area grows with the count
    areas = [make_polygons(200, size=32, n_vertices=v, random_state=0).astype(bool).mean() for v in (3, 12)]
    assert areas[1] > 1.5 * areas[0]


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_samples=0), ValueError, "n_samples"),
    (dict(size=2), ValueError, "size"),
    (dict(size=16.0), TypeError, "size"),
    (dict(n_vertices=2), ValueError, "n_vertices"),
    (dict(n_vertices=(6, 4)), ValueError, "n_vertices"),
    (dict(n_vertices="five"), TypeError, "n_vertices"),
    (dict(n_polygons=0), ValueError, "n_polygons"),
    (dict(supersample=0), ValueError, "supersample"),
    (dict(color="yes"), TypeError, "color"),
    (dict(random_state=-1), ValueError, "random_state"),
])
def test_bad_arguments(kwargs, error, match):
    args = dict(n_samples=2, size=16) | kwargs
    with pytest.raises(error, match=match):
        make_polygons(**args)
