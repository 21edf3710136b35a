"""``utils._complex.times``: the written-out complex product equals numba's own, in each precision,
and numpy's to rounding."""

import numpy as np
import pytest

from skphase.utils._complex import times
from skphase.utils._numba import njit


@njit
def _products(z, w, out):
    for i in range(z.shape[0]):
        out[i] = times(z[i], w[i])


@njit
def _numba_products(z, w, out):
    for i in range(z.shape[0]):
        out[i] = z[i] * w[i]


@pytest.mark.parametrize("cdtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("kind", ["real", "complex", "wider real"])
def test_times_equals_numpy_product(cdtype, kind):
    rng = np.random.default_rng(0)
    n = 257
    z = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(cdtype)
    real = np.float32 if cdtype == np.complex64 else np.float64
    if kind == "real":
        w = rng.standard_normal(n).astype(real)
    elif kind == "complex":
        w = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(cdtype)
    else:  # a float64 factor is cast to z's precision first
        w = rng.standard_normal(n)
    out = np.empty_like(z)
    _products(z, w, out)
    w_cast = w.astype(real) if kind == "wider real" else w
    expected = np.empty_like(z)
    _numba_products(z, w_cast, expected)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_allclose(out, z * w_cast, rtol=4 * np.finfo(real).eps, atol=0)
