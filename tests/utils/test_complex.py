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


def test_times_of_two_reals_is_their_product():
    z = np.linspace(-2.0, 3.0, 11)
    w = np.linspace(0.5, 1.5, 11).astype(np.float32)
    out = np.empty_like(z)
    _products(z, w, out)
    np.testing.assert_array_equal(out, z * w.astype(np.float64))


def test_real_spectra_still_go_through_the_periodized_product():
    from skphase.backends import get_backend

    b = get_backend("numpy")
    x, f = np.ones((2, 8, 8)), np.ones((3, 8, 8))
    out = b.mul_periodize(x, f, 2, 2)
    assert out.shape == (2, 3, 4, 4) and np.allclose(out, 1.0)
    # adjoint: sum over the 3 filters of the tiled gradient, over the 4 aliases
    back = b.mul_periodize_adjoint(np.ones((2, 3, 4, 4)), f, 2, 2)
    assert back.shape == (2, 8, 8) and np.allclose(back, 0.75)
