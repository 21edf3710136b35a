"""The differentiable operators: forward, pullback, finite differences, backends against each other."""

import numpy as np
import pytest

from skphase import PhaseHarmonicTransform, ScatteringAverager
from skphase.backends import get_backend
from skphase.filters import filter_bank, padding_geometry
from skphase.operators import (
    ChannelwiseOperator,
    PhaseHarmonicOperator,
    ScatteringOperator,
    make_plan,
)

NUMPY = get_backend("numpy", workers=1)


def _scattering_op(shape, J, *, L=4, nonlinearity="modulus", max_order=2, mode="periodic", backend=NUMPY,
                   n_phases=4):
    spec = padding_geometry(shape, J, mode=mode)
    bank = filter_bank(spec.padded_shape, J, L=L if len(shape) == 2 else 1)
    P = n_phases if nonlinearity == "relu" else 1
    plan = make_plan(bank, max_order=max_order, nonlinearity=nonlinearity, n_phases=P)
    return ScatteringOperator(bank, spec, plan, backend)


def _phase_harmonic_op(shape, J, harmonics=None, backend=NUMPY, n_phases=4):
    bank = filter_bank(shape, J, L=4 if len(shape) == 2 else 1)
    return PhaseHarmonicOperator(bank, backend, n_phases=n_phases, harmonics=harmonics)


SCATTERING_FORMS = [
    ((64,), 3, "modulus", 2, "reflect"),
    ((64,), 3, "relu", 2, "periodic"),
    ((16, 16), 2, "modulus", 2, "periodic"),
    ((16, 16), 2, "relu", 1, "reflect"),
    ((18, 20), 2, "modulus", 2, "reflect"),
]
HARMONIC_FORMS = [None, (0,), (1,), (0, 1, 2), (-1, 3), (-2, 0, 4)]


def _check_against_finite_differences(op, x, seed=0, rtol=1e-6):
    rng = np.random.default_rng(seed)
    y, pullback = op.vjp(x)
    np.testing.assert_allclose(y, op.forward(x), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(y.shape)
    grad = pullback(g)
    assert grad.shape == x.shape
    # the pullback is reusable, as jax.vjp's is
    np.testing.assert_array_equal(pullback(g), grad)
    for _ in range(3):
        d = rng.standard_normal(x.shape)
        eps = 1e-6
        fd = (np.sum(g * op.forward(x + eps * d)) - np.sum(g * op.forward(x - eps * d))) / (2 * eps)
        np.testing.assert_allclose(np.sum(grad * d), fd, rtol=rtol, atol=1e-8 * np.abs(fd).max())


@pytest.mark.filterwarnings("ignore:Signal support")
@pytest.mark.parametrize("shape, J, nonlinearity, max_order, mode", SCATTERING_FORMS)
def test_scattering_pullback_matches_finite_differences(shape, J, nonlinearity, max_order, mode):
    op = _scattering_op(shape, J, nonlinearity=nonlinearity, max_order=max_order, mode=mode)
    x = np.random.default_rng(1).standard_normal((2,) + shape)
    _check_against_finite_differences(op, x)


@pytest.mark.parametrize("harmonics", HARMONIC_FORMS)
@pytest.mark.parametrize("shape, J", [((32,), 3), ((16, 16), 2)])
def test_phase_harmonic_pullback_matches_finite_differences(shape, J, harmonics):
    op = _phase_harmonic_op(shape, J, harmonics)
    x = np.random.default_rng(2).standard_normal((2,) + shape)
    _check_against_finite_differences(op, x)


def test_harmonic_pullback_is_finite_where_coefficients_vanish():
    op = _phase_harmonic_op((32,), 3, harmonics=(-3, -1, 0, 2))
    x = np.zeros((1, 32))
    U, pullback = op.vjp(x)
    grad = pullback(np.ones_like(U))
    assert np.all(np.isfinite(U)) and np.all(np.isfinite(grad))


def test_pullback_refuses_a_gradient_of_the_wrong_shape():
    op = _phase_harmonic_op((32,), 3)
    x = np.random.default_rng(0).standard_normal((2, 32))
    U, pullback = op.vjp(x)
    with pytest.raises(ValueError, match="output's shape"):
        pullback(np.ones(U.shape[:-1] + (U.shape[-1] + 1,)))
    with pytest.raises(ValueError, match="expects inputs of shape"):
        op.forward(np.zeros((2, 31)))


def test_channelwise_operator_is_the_operator_per_channel():
    inner = _phase_harmonic_op((16, 16), 2, n_phases=2)
    op = ChannelwiseOperator(inner, 3)
    x = np.random.default_rng(3).standard_normal((2, 3, 16, 16))
    y = op.forward(x)
    K = inner.output_shape[0]
    assert y.shape == (2, 3 * K, 16, 16)
    for c in range(3):
        np.testing.assert_allclose(y[:, c * K:(c + 1) * K], inner.forward(x[:, c]), rtol=1e-12)
    np.testing.assert_allclose(op.inverse(y), x, atol=1e-8)
    _check_against_finite_differences(op, x)


torch_cases = [
    ("scattering modulus 2D", lambda b: _scattering_op((16, 16), 2, backend=b, mode="reflect")),
    ("scattering relu 1D", lambda b: _scattering_op((64,), 3, nonlinearity="relu", backend=b)),
    ("phase harmonics", lambda b: _phase_harmonic_op((16, 16), 2, (-1, 0, 2), backend=b)),
    ("rectified", lambda b: _phase_harmonic_op((32,), 3, backend=b)),
]


@pytest.mark.filterwarnings("ignore:Signal support")
@pytest.mark.parametrize("name, make", torch_cases, ids=[c[0] for c in torch_cases])
def test_numpy_analytic_and_torch_autograd_pullbacks_agree(name, make):
    pytest.importorskip("torch")
    op_np, op_t = make(NUMPY), make(get_backend("torch"))
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2,) + op_np.input_shape)
    y_np, pb_np = op_np.vjp(x)
    y_t, pb_t = op_t.vjp(op_t.backend.asarray(x))
    np.testing.assert_allclose(op_t.backend.to_numpy(y_t), y_np, rtol=1e-9, atol=1e-10)
    g = rng.standard_normal(y_np.shape)
    np.testing.assert_allclose(op_t.backend.to_numpy(pb_t(g)), pb_np(g), rtol=1e-8, atol=1e-9)


def test_float32_pullback_close_to_float64():
    op = _scattering_op((32, 32), 2, nonlinearity="modulus")
    x = np.random.default_rng(5).standard_normal((2, 32, 32))
    g = np.random.default_rng(6).standard_normal((2,) + op.output_shape)
    ref = op.vjp(x)[1](g)
    y32, pb32 = op.vjp(x.astype(np.float32))
    out = pb32(g.astype(np.float32))
    assert y32.dtype == np.float32 and out.dtype == np.float32
    assert np.linalg.norm(out - ref) / np.linalg.norm(ref) < 1e-4


def test_memory_estimates_grow_with_the_pullback():
    op = _scattering_op((32, 32), 2)
    assert op.bytes_per_sample(8, pullback=True) > op.bytes_per_sample(8) > op.bytes_per_sample(4) > 0
    ph = _phase_harmonic_op((32, 32), 2)
    assert ph.bytes_per_sample(8, pullback=True) > ph.bytes_per_sample(8) > 0


@pytest.mark.parametrize("shape, padding", [((32, 32), "periodic"), ((24, 40), "reflect"), ((128,), "reflect")])
def test_scattering_operator_from_parameters_equals_the_estimators(shape, padding):
    from skphase.backends import get_backend
    from skphase.operators import scattering_operator

    x = np.random.default_rng(0).standard_normal((2,) + shape)
    est = ScatteringAverager(J=2, L=4, Q=2, max_order=2, nonlinearity="modulus", padding=padding,
                             flatten=False).fit(x)
    for budget in (None, 1):  # 1 byte: first-order filters one at a time, same numbers
        op = scattering_operator(shape, 2, get_backend("numpy"), L=4, Q=2, padding=padding,
                                 memory_budget=budget)
        np.testing.assert_allclose(op.forward(x), est.transform(x), rtol=1e-12, atol=1e-12)


def test_phase_harmonic_operator_from_parameters_equals_the_estimators():
    from skphase.backends import get_backend
    from skphase.operators import phase_harmonic_operator

    x = np.random.default_rng(1).standard_normal((2, 16, 16))
    est = PhaseHarmonicTransform(J=2, L=4, n_phases=2, flatten=False).fit(x)
    op = phase_harmonic_operator((16, 16), 2, get_backend("numpy"), L=4, n_phases=2)
    np.testing.assert_allclose(op.forward(x), est.transform(x), rtol=1e-12, atol=1e-12)
