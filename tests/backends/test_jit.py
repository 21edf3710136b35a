"""The ``SKPHASE_JIT`` switch: the numpy twins equal the numba kernels, and the switch itself."""


import numpy as np
import pytest

from skphase import PhaseHarmonicTransform, ScatteringAverager
from skphase.backends import _jit, _kernels, _reference


@pytest.fixture
def jit_state():
    yield _jit
    _jit._reset(None)


def _complex(rng, shape, dtype):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("height, width, kh, kw", [(16, 24, 2, 4), (1, 64, 1, 8), (8, 8, 1, 1)])
def test_reference_twins_equal_kernels(rng, jit_state, dtype, height, width, kh, kw):
    _jit._reset(True)
    tol = 1e-5 if dtype == np.complex64 else 1e-12
    real = np.float32 if dtype == np.complex64 else np.float64
    B, F = 3, 5
    x = _complex(rng, (B, height, width), dtype)
    filt = _complex(rng, (F, height, width), dtype)
    grad = _complex(rng, (B, F, height // kh, width // kw), dtype)
    n_half = width // 2 + 1
    half = _complex(rng, (B, height, n_half), dtype)
    phi = rng.standard_normal((height, width)).astype(real)
    z = _complex(rng, (B, F, 40), dtype)
    cos, sin = np.cos([0.3, 1.9]).astype(real), np.sin([0.3, 1.9]).astype(real)
    cases = [
        ("mul_periodize_2d", (x, filt, kh, kw), np.empty((B, F, height // kh, width // kw), dtype)),
        ("mul_periodize_adjoint_2d", (grad, filt, kh, kw), np.empty((B, height, width), dtype)),
        ("hermitian_fill_2d", (half, width), np.empty((B, height, width), dtype)),
        ("relu_phases", (z, cos, sin), np.empty((B, F, 2, 40), real)),
        ("low_pass_half_2d", (half, width, phi, kh, kw),
         np.zeros((B, height // kh, (width // kw) // 2 + 1), dtype)),
    ]
    for name, args, out in cases:
        want, got = out.copy(), out.copy()
        getattr(_kernels, name)(*args, want)  # kernels write into their last argument
        getattr(_reference, name)(*args, got)
        scale = np.abs(want).max()
        assert np.abs(got - want).max() <= tol * scale, name


def _outputs(x):
    results = []
    # 1D: J=3, the smallest J with a second-order path
    for est in (ScatteringAverager(J=2 if x.ndim == 3 else 3, max_order=2), ScatteringAverager(J=2, nonlinearity="modulus"),
                PhaseHarmonicTransform(J=2), PhaseHarmonicTransform(J=2, harmonics=(0, 1, -2))):
        est.fit(x)
        y = est.transform(x)
        g = np.random.default_rng(1).standard_normal(y.shape)
        results.append((y, est.transform_vjp(x, g)))
    return results


@pytest.mark.parametrize("shape", [(2, 32, 32), (2, 256)])
def test_transforms_while_compiling_equal_the_kernels(rng, jit_state, monkeypatch, shape):
    x = rng.standard_normal(shape)
    _jit._reset(True)
    fast = _outputs(x)
    _jit._reset(False)

    def must_not_run(*args):
        raise AssertionError("a numba kernel ran while the kernels were not ready")

    for name in ("wavelet_layer_2d", "wavelet_layer_adjoint_2d"):
        monkeypatch.setattr("skphase.backends._numpy." + name, must_not_run)
    slow = _outputs(x)
    for (y_fast, g_fast), (y_slow, g_slow) in zip(fast, slow):
        np.testing.assert_allclose(y_slow, y_fast, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(g_slow, g_fast, rtol=1e-10, atol=1e-12)


def test_not_ready_never_calls_numba(jit_state, monkeypatch):
    def kernel_called(kernel):  # every dispatch to a numba kernel passes here first
        raise AssertionError(f"numba kernel {kernel.py_func.__name__} ran while not ready")

    monkeypatch.setattr(_kernels, "_announce_compiling", kernel_called)
    _jit._reset(False)
    x = np.random.default_rng(0).standard_normal((2, 32, 32))
    # 1D: J=3, the smallest J with a second-order path
    for est in (ScatteringAverager(J=2 if x.ndim == 3 else 3, max_order=2), PhaseHarmonicTransform(J=2, harmonics=(0, 2))):
        y = est.fit(x).transform(x)
        est.transform_vjp(x, np.ones_like(y))
    _jit._reset(True)
    with pytest.raises(AssertionError, match="ran while not ready"):
        ScatteringAverager(J=2).fit(x).transform(x)


def test_mode_off_and_bad_mode(jit_state, monkeypatch):
    monkeypatch.delenv("SKPHASE_JIT", raising=False)
    _jit._reset(None)
    assert _jit.ready() is True  # the default: the kernels, compiled at first use
    monkeypatch.setenv("SKPHASE_JIT", "background")  # the background process is gone
    _jit._reset(None)
    with pytest.raises(ValueError, match="SKPHASE_JIT.*'background'"):
        _jit.ready()
    monkeypatch.setenv("SKPHASE_JIT", "off")
    _jit._reset(None)
    assert _jit.ready() is False
    monkeypatch.setenv("SKPHASE_JIT", "later")
    _jit._reset(None)
    with pytest.raises(ValueError, match="SKPHASE_JIT.*'later'"):
        _jit.ready()
