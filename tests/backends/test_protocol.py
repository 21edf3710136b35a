"""Every backend primitive, checked against its definition and across backends."""

import numpy as np
import pytest

from skphase.backends import get_backend
from skphase.operators._common import phase_angles
from skphase.operators._layer import wavelet_layer

NUMPY = get_backend("numpy", workers=1)


def _backends():
    out = [NUMPY]
    try:
        out.append(get_backend("torch"))
    except ImportError:
        pass
    return out


BACKENDS = _backends()
IDS = [b.name for b in BACKENDS]


def _np(backend, a):
    return backend.to_numpy(a) if backend.name != "numpy" else np.asarray(a)


def _cplx(rng, shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _reference_periodize(prod, k, ndim):
    """Mean over the k**ndim aliases: subsampling by k in space, written in Fourier."""
    out = prod
    for axis in range(-ndim, 0):
        n = out.shape[axis]
        parts = np.split(out, k, axis=axis)
        out = sum(parts) / k
        assert out.shape[axis] == n // k
    return out


@pytest.mark.parametrize("backend", BACKENDS, ids=IDS)
@pytest.mark.parametrize("ndim, k", [(1, 1), (1, 2), (1, 4), (2, 1), (2, 2)])
def test_mul_periodize_is_product_then_alias_mean(backend, ndim, k):
    rng = np.random.default_rng(0)
    spatial = (16,) * ndim
    x, f = _cplx(rng, (3,) + spatial), _cplx(rng, (5,) + spatial)
    out = _np(backend, backend.mul_periodize(backend.asarray(x), backend.asarray(f), k, ndim))
    ref = _reference_periodize(x[:, None] * f[None], k, ndim)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    # and subsampling in space is periodizing in Fourier
    if k > 1:
        z = np.fft.ifftn(x[:, None] * f[None], axes=tuple(range(-ndim, 0)))
        sub = z[(Ellipsis,) + (slice(None, None, k),) * ndim]
        np.testing.assert_allclose(np.fft.ifftn(out, axes=tuple(range(-ndim, 0))), sub, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS, ids=IDS)
@pytest.mark.parametrize("ndim, k", [(1, 2), (2, 1), (2, 2)])
def test_mul_periodize_adjoint_is_the_adjoint(backend, ndim, k):
    rng = np.random.default_rng(1)
    spatial = (16,) * ndim
    x, f = _cplx(rng, (3,) + spatial), _cplx(rng, (4,) + spatial)
    g = _cplx(rng, (3, 4) + tuple(n // k for n in spatial))
    fwd = _np(backend, backend.mul_periodize(backend.asarray(x), backend.asarray(f), k, ndim))
    adj = _np(backend, backend.mul_periodize_adjoint(backend.asarray(g), backend.asarray(f), k, ndim))
    # <g, A x> = <A^H g, x> (complex inner products)
    np.testing.assert_allclose(np.vdot(g, fwd), np.vdot(adj, x), rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS, ids=IDS)
@pytest.mark.parametrize("ndim", [1, 2])
def test_ffts_and_half_spectra(backend, ndim):
    rng = np.random.default_rng(2)
    spatial = (12, 10)[:ndim] if ndim == 2 else (14,)
    x = rng.standard_normal((3,) + spatial)
    axes = tuple(range(-ndim, 0))
    X = np.fft.fftn(x, axes=axes)
    xb = backend.asarray(x)
    np.testing.assert_allclose(_np(backend, backend.fft(xb, ndim)), X, atol=1e-10)
    np.testing.assert_allclose(_np(backend, backend.ifft(backend.asarray(X), ndim)), x, atol=1e-12)
    full = backend.hermitian_full(backend.rfft(xb, ndim), ndim, spatial)
    np.testing.assert_allclose(_np(backend, full), X, atol=1e-10)


@pytest.mark.parametrize("backend", BACKENDS, ids=IDS)
@pytest.mark.parametrize("ndim, k", [(1, 2), (2, 2), (2, 4)])
def test_low_pass_half_is_low_pass_then_subsampling(backend, ndim, k):
    rng = np.random.default_rng(3)
    spatial = (16,) * ndim
    axes = tuple(range(-ndim, 0))
    x = rng.standard_normal((2,) + spatial)
    phi = np.exp(-np.sum(np.meshgrid(*[np.fft.fftfreq(n) ** 2 * 40 for n in spatial], indexing="ij"),
                         axis=0))
    xb = backend.asarray(x)
    out = _np(backend, backend.low_pass_half(backend.rfft(xb, ndim), backend.asarray(phi), k, ndim, spatial))
    ref = np.fft.ifftn(np.fft.fftn(x, axes=axes) * phi, axes=axes).real
    np.testing.assert_allclose(out, ref[(Ellipsis,) + (slice(None, None, k),) * ndim], atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS, ids=IDS)
def test_pointwise_primitives(backend):
    rng = np.random.default_rng(4)
    z = _cplx(rng, (2, 3, 8))
    zb = backend.asarray(z)
    np.testing.assert_allclose(_np(backend, backend.modulus(zb)), np.abs(z), rtol=1e-12)
    np.testing.assert_allclose(_np(backend, backend.real(zb)), z.real)
    alphas = phase_angles(4)
    cos, sin = backend.cos_sin(alphas, np.float64)
    u = _np(backend, backend.relu_phases(zb, cos, sin))
    ref = np.maximum((np.exp(-1j * alphas)[None, None, :, None] * z[:, :, None]).real, 0)
    np.testing.assert_allclose(u, ref, atol=1e-12)
    a = rng.standard_normal((4, 5))
    b = rng.standard_normal((4, 5))
    np.testing.assert_allclose(_np(backend, backend.where_positive(backend.asarray(a), backend.asarray(b))),
                               np.where(a > 0, b, 0))


@pytest.mark.parametrize("backend", BACKENDS, ids=IDS)
def test_take_and_index_add_are_adjoint(backend):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6))
    index = np.array([2, 1, 0, 1, 2, 3, 4, 5, 4, 3])
    taken = _np(backend, backend.take(backend.asarray(x), index, axis=-1))
    np.testing.assert_array_equal(taken, x[:, index])
    g = rng.standard_normal(taken.shape)
    back = _np(backend, backend.index_add((2, 6), index, backend.asarray(g), axis=1))
    np.testing.assert_allclose(np.sum(g * taken), np.sum(back * x), rtol=1e-12)


@pytest.mark.parametrize("kind", ["modulus", "relu"])
@pytest.mark.parametrize("ndim, k, k_low", [(1, 2, 2), (2, 1, 4), (2, 2, 2)])
def test_fused_layer_equals_the_composition_of_primitives(kind, ndim, k, k_low):
    # the numpy backend's fused kernel against the generic layer written over primitives
    rng = np.random.default_rng(7)
    spatial = (16,) * ndim
    X = np.fft.fftn(rng.standard_normal((2,) + spatial), axes=tuple(range(-ndim, 0)))
    filt = _cplx(rng, (3,) + spatial)
    phi = np.abs(_cplx(rng, tuple(n // k for n in spatial)))
    phi = 0.5 * (phi + np.roll(np.flip(phi, axis=tuple(range(-ndim, 0))), 1, axis=tuple(range(-ndim, 0))))
    P = 4 if kind == "relu" else 1

    class Generic:  # the numpy primitives without the fused fast path
        def __getattr__(self, name):
            if name.startswith("fused_"):
                raise AttributeError(name)
            return getattr(NUMPY, name)

    kw = dict(kind=kind, n_phases=P, ndim=ndim, spectra=True)
    s_f, U_f, _ = wavelet_layer(NUMPY, X, filt, k, phi, k_low, **kw)
    s_g, U_g, _ = wavelet_layer(Generic(), X, filt, k, phi, k_low, **kw)
    np.testing.assert_allclose(s_f, s_g, atol=1e-10)
    np.testing.assert_allclose(U_f, U_g, atol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS, ids=IDS)
def test_zero_embed_is_the_adjoint_of_cropping(backend):
    rng = np.random.default_rng(8)
    g = rng.standard_normal((2, 3, 4, 5))
    window = (slice(1, 5), slice(2, 7))
    out = _np(backend, backend.zero_embed(backend.asarray(g), (2, 3, 6, 8), window))
    np.testing.assert_array_equal(out[..., 1:5, 2:7], g)
    assert np.count_nonzero(out) == np.count_nonzero(g)
