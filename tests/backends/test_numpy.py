"""The fused scattering layer's coefficients and its pullback (numpy backend).

``fused_wavelet_layer(..., coefficients=True)`` must return the kernel's wavelet
coefficients z = ifft(alias sum of X * filt), and ``fused_wavelet_layer_adjoint`` must be
the adjoint of the layer's derivative: <g_s, ds> + Re<g_U, dU> = Re<gX, dX>, checked
against central finite differences in float64.
"""

import numpy as np
import pytest

from skphase.backends._numpy import NumpyBackend
from skphase.utils._numba import kernel_threads
from skphase.operators._common import phase_angles

BACKEND = NumpyBackend(workers=1)
N_PHASES = 4


def _spatial(ndim):
    return (16, 16) if ndim == 2 else (64,)


def _hermitian(rng, shape):
    """A complex Hermitian low-pass: the spectrum of a real, non-symmetric map."""
    return np.fft.fftn(rng.standard_normal(shape))


def _layer_inputs(ndim, k, k_low, kind, seed=0, n_batch=2, n_filt=3, spatial=None, real_filters=False):
    rng = np.random.default_rng(seed)
    spatial = _spatial(ndim) if spatial is None else spatial
    X = rng.standard_normal((n_batch,) + spatial) + 1j * rng.standard_normal((n_batch,) + spatial)
    if real_filters:
        filt = rng.standard_normal((n_filt,) + spatial)
        phi = _hermitian(rng, tuple(n // k for n in spatial)).real.copy()
    else:
        # complex filters and a complex phi, so that a missing conjugate shows
        filt = rng.standard_normal((n_filt,) + spatial) + 1j * rng.standard_normal((n_filt,) + spatial)
        phi = _hermitian(rng, tuple(n // k for n in spatial))
    cos, sin = BACKEND.cos_sin(phase_angles(N_PHASES), np.float64)
    return X, dict(filt=filt, k=k, phi=phi, k_low=k_low, kind=kind, cos=cos, sin=sin, ndim=ndim)


def _alias_sum(a, k, ndim):
    # sum over the k**ndim aliases of the trailing ndim axes: (..., k*h, k*w) -> (..., h, w)
    lead = a.shape[:a.ndim - ndim]
    split = []
    for n in a.shape[a.ndim - ndim:]:
        split += [k, n // k]
    summed = tuple(len(lead) + 2 * i for i in range(ndim))
    return a.reshape(lead + tuple(split)).sum(axis=summed)


def _reference_layer(X, filt, k, phi, k_low, kind, cos, sin, ndim):
    """The layer written with plain numpy: (s, U, z) in the backend's conventions."""
    axes = tuple(range(-ndim, 0))
    z = np.fft.ifftn(_alias_sum(X[:, None] * filt[None], k, ndim), axes=axes)
    zt = z / k ** ndim
    if kind == "relu":
        view = (1, 1, -1) + (1,) * ndim
        a = zt.real[:, :, None] * cos.reshape(view) + zt.imag[:, :, None] * sin.reshape(view)
        u = np.maximum(a, 0).reshape((z.shape[0], -1) + z.shape[2:])
    else:
        u = np.abs(zt)
    U = np.fft.fftn(u, axes=axes)
    s = np.fft.ifftn(_alias_sum(U * phi, k_low, ndim) / k_low ** ndim, axes=axes).real
    return s, U, z


def _gradients(X, layer, seed=1, with_g_U=True):
    rng = np.random.default_rng(seed)
    s, U = BACKEND.fused_wavelet_layer(X, spectra=True, **layer)
    g_s = rng.standard_normal(s.shape)
    g_U = rng.standard_normal(U.shape) + 1j * rng.standard_normal(U.shape) if with_g_U else None
    return g_s, g_U


CASES = [(ndim, kind, k, k_low) for ndim in (1, 2) for kind in ("modulus", "relu")
         for k in (1, 2) for k_low in (1, 2)]


@pytest.mark.parametrize("ndim, kind, k, k_low", CASES)
def test_coefficients_match_reference(ndim, kind, k, k_low):
    X, layer = _layer_inputs(ndim, k, k_low, kind)
    s, U, z = BACKEND.fused_wavelet_layer(X, spectra=True, coefficients=True, **layer)
    s_ref, U_ref, z_ref = _reference_layer(X, **layer)
    n_filt = layer["filt"].shape[0]
    assert z.shape == (X.shape[0], n_filt) + tuple(n // k for n in X.shape[1:])
    np.testing.assert_allclose(z, z_ref, rtol=0, atol=1e-12 * np.abs(z_ref).max())
    np.testing.assert_allclose(s, s_ref, rtol=0, atol=1e-12 * np.abs(s_ref).max())
    np.testing.assert_allclose(U, U_ref, rtol=0, atol=1e-12 * np.abs(U_ref).max())
    # a given buffer receives the same z
    buffer = np.full_like(z, np.nan)
    assert BACKEND.fused_wavelet_layer(X, spectra=True, coefficients=True, z_out=buffer, **layer)[2] is buffer
    np.testing.assert_array_equal(buffer, z)
    with pytest.raises(ValueError, match="z_out"):
        BACKEND.fused_wavelet_layer(X, spectra=True, coefficients=True, z_out=buffer[:, 1:], **layer)
    # asking for z changes nothing else
    s0, U0 = BACKEND.fused_wavelet_layer(X, spectra=True, **layer)
    np.testing.assert_array_equal(s, s0)
    np.testing.assert_array_equal(U, U0)


def _check_adjoint(X, layer, g_s, g_U, seed=2, n_directions=3, eps=1e-6):
    _, _, z = BACKEND.fused_wavelet_layer(X, spectra=False, coefficients=True, **layer)
    gX = BACKEND.fused_wavelet_layer_adjoint(g_s, z, g_U=g_U, **layer)
    assert gX.shape == X.shape and gX.dtype == X.dtype

    def loss(Xv):
        s, U = BACKEND.fused_wavelet_layer(Xv, spectra=True, **layer)
        return np.sum(g_s * s) + (0.0 if g_U is None else np.real(np.vdot(g_U, U)))

    rng = np.random.default_rng(seed)
    for _ in range(n_directions):
        d = rng.standard_normal(X.shape) + 1j * rng.standard_normal(X.shape)
        fd = (loss(X + eps * d) - loss(X - eps * d)) / (2 * eps)
        analytic = np.real(np.vdot(gX, d))
        assert abs(fd - analytic) <= 1e-6 * abs(analytic), (fd, analytic)
    return gX


@pytest.mark.parametrize("with_g_U", [True, False])
@pytest.mark.parametrize("ndim, kind, k, k_low", CASES)
def test_adjoint_matches_finite_differences(ndim, kind, k, k_low, with_g_U):
    X, layer = _layer_inputs(ndim, k, k_low, kind)
    g_s, g_U = _gradients(X, layer, with_g_U=with_g_U)
    _check_adjoint(X, layer, g_s, g_U)


@pytest.mark.parametrize("kind", ["modulus", "relu"])
def test_adjoint_with_real_filters(kind):
    # the filters the transforms actually use are real in Fourier (another compiled variant)
    X, layer = _layer_inputs(2, 2, 2, kind, real_filters=True)
    g_s, g_U = _gradients(X, layer)
    _check_adjoint(X, layer, g_s, g_U)


def test_adjoint_of_large_maps_split_over_threads():
    # Large maps: one filter per chunk, and one sample split into groups of chunks that
    # accumulate separately and are summed; any number of groups gives the same gradient,
    # and accumulating into ``out`` adds that same gradient.
    X, layer = _layer_inputs(1, 1, 2, "modulus", n_batch=1, n_filt=3, spatial=(8192,))
    g_s, g_U = _gradients(X, layer)
    _, _, z = BACKEND.fused_wavelet_layer(X, spectra=False, coefficients=True, **layer)
    base = np.random.default_rng(3).standard_normal(X.shape) + 0j
    results, accumulated = [], []
    for threads in (1, 2, 3):
        with kernel_threads(threads):
            results.append(_check_adjoint(X, layer, g_s, g_U, n_directions=1))
            out = base.copy()
            assert BACKEND.fused_wavelet_layer_adjoint(g_s, z, g_U=g_U, out=out, **layer) is out
        accumulated.append(out - base)
    scale = np.abs(results[0]).max()
    for gX in results[1:] + accumulated:
        np.testing.assert_allclose(gX, results[0], rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("kind", ["modulus", "relu"])
def test_float32_agrees_with_float64(kind):
    X, layer = _layer_inputs(2, 2, 2, kind, real_filters=True)
    g_s, g_U = _gradients(X, layer)
    _, _, z = BACKEND.fused_wavelet_layer(X, spectra=False, coefficients=True, **layer)
    g64 = BACKEND.fused_wavelet_layer_adjoint(g_s, z, g_U=g_U, **layer)
    layer32 = dict(layer, filt=layer["filt"].astype(np.float32), phi=layer["phi"].astype(np.float32),
                   cos=layer["cos"].astype(np.float32), sin=layer["sin"].astype(np.float32))
    _, _, z32 = BACKEND.fused_wavelet_layer(X.astype(np.complex64), spectra=False, coefficients=True,
                                            **layer32)
    assert z32.dtype == np.complex64
    g32 = BACKEND.fused_wavelet_layer_adjoint(g_s.astype(np.float32), z32, g_U=g_U.astype(np.complex64),
                                              **layer32)
    assert g32.dtype == np.complex64
    assert np.linalg.norm(g32 - g64) <= 1e-4 * np.linalg.norm(g64)


def test_adjoint_refuses_mismatched_shapes():
    X, layer = _layer_inputs(2, 2, 2, "relu")
    g_s, g_U = _gradients(X, layer)
    _, _, z = BACKEND.fused_wavelet_layer(X, spectra=False, coefficients=True, **layer)
    with pytest.raises(ValueError, match="g_s"):
        BACKEND.fused_wavelet_layer_adjoint(g_s[:, 1:], z, **layer)
    with pytest.raises(ValueError, match="g_U"):
        BACKEND.fused_wavelet_layer_adjoint(g_s, z, g_U=g_U[..., 1:], **layer)
    with pytest.raises(ValueError, match="z"):
        BACKEND.fused_wavelet_layer_adjoint(g_s, z[:, :2], **layer)
    with pytest.raises(ValueError, match="out"):
        BACKEND.fused_wavelet_layer_adjoint(g_s, z, out=np.zeros(X.shape, dtype=np.complex64), **layer)


@pytest.mark.parametrize("kind", ["modulus", "relu"])
def test_adjoint_accumulates_into_out(kind):
    X, layer = _layer_inputs(2, 2, 1, kind)
    g_s, g_U = _gradients(X, layer)
    _, _, z = BACKEND.fused_wavelet_layer(X, spectra=False, coefficients=True, **layer)
    gX = BACKEND.fused_wavelet_layer_adjoint(g_s, z, g_U=g_U, **layer)
    base = np.random.default_rng(3).standard_normal(X.shape) + 0j
    out = base.copy()
    BACKEND.fused_wavelet_layer_adjoint(g_s, z, g_U=g_U, out=out, **layer)
    np.testing.assert_allclose(out, base + gX, rtol=0, atol=1e-12 * np.abs(gX).max())


@pytest.mark.parametrize("kind, k, k_low", [("modulus", 2, 2), ("relu", 1, 2)])
def test_adjoint_recomputes_z_from_the_input(kind, k, k_low):
    X, layer = _layer_inputs(2, k, k_low, kind)
    g_s, g_U = _gradients(X, layer)
    _, _, z = BACKEND.fused_wavelet_layer(X, spectra=False, coefficients=True, **layer)
    expected = BACKEND.fused_wavelet_layer_adjoint(g_s, z, g_U=g_U, **layer)
    gX = BACKEND.fused_wavelet_layer_adjoint(g_s, None, g_U=g_U, X=X, **layer)
    np.testing.assert_allclose(gX, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
    with pytest.raises(ValueError, match="neither"):
        BACKEND.fused_wavelet_layer_adjoint(g_s, None, **layer)
    with pytest.raises(ValueError, match="X has shape"):
        BACKEND.fused_wavelet_layer_adjoint(g_s, None, X=X[:, 1:], **layer)
