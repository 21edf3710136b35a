"""numpy/numba and torch backends give the same numbers; torch is differentiable."""

import numpy as np
import pytest
from tests.conftest import camera, random_walk

from skphase import PhaseHarmonicTransform, ScatteringAverager

torch = pytest.importorskip("torch")


def _rel(a, b):
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(np.asarray(b)))


CASES = [
    (ScatteringAverager, dict(J=2, L=4, max_order=2, nonlinearity="modulus"), 2),
    (ScatteringAverager, dict(J=2, L=4, max_order=2, nonlinearity="relu", padding="periodic"), 2),
    (ScatteringAverager, dict(J=3, Q=2, max_order=2, nonlinearity="modulus"), 1),
    (ScatteringAverager, dict(J=3, max_order=2, nonlinearity="relu"), 1),
    (PhaseHarmonicTransform, dict(J=2, L=4), 2),
    (PhaseHarmonicTransform, dict(J=3, harmonics=(0, 1, 2)), 1),
]


@pytest.mark.parametrize("cls,params,ndim", CASES)
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_numpy_and_torch_agree(cls, params, ndim, dtype, tol):
    x = (camera(32)[None] if ndim == 2 else random_walk(2, 128)).astype(dtype)
    a = cls(**params).fit(x).transform(x)
    b = cls(**params, backend="torch").fit(x).transform(x)
    assert a.dtype == b.dtype == dtype
    assert _rel(b, a) < tol


def test_torch_tensor_in_tensor_out_with_autograd():
    x = torch.tensor(random_walk(2, 64), requires_grad=True)
    sa = ScatteringAverager(J=2, nonlinearity="modulus", backend="torch").fit(x.detach().numpy())
    out = sa.transform(x)
    assert isinstance(out, torch.Tensor) and out.shape == (2, sa.n_channels_ * sa.output_shape_[0])
    out.pow(2).sum().backward()
    G = 2 * out.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), ScatteringAverager(J=2, nonlinearity="modulus").fit(
        x.detach().numpy()).transform_vjp(x.detach().numpy(), G), rtol=1e-8, atol=1e-10)


def test_torch_tensor_needs_torch_backend():
    x = torch.zeros(2, 16)
    sa = ScatteringAverager(J=2).fit(np.zeros((2, 16)))
    with pytest.raises(TypeError, match="backend='torch'"):
        sa.transform(x)


def test_numpy_backend_rejects_cuda_device():
    with pytest.raises(ValueError, match="device='cuda'"):
        ScatteringAverager(device="cuda").fit(np.zeros((2, 16)))


def test_torch_vjp_and_inverse_accept_tensors():
    x = random_walk(2, 64)
    xt = torch.tensor(x)
    pht = PhaseHarmonicTransform(J=3, backend="torch").fit(xt)
    U = pht.transform(xt)
    assert isinstance(U, torch.Tensor)
    rec = pht.inverse_transform(U)
    assert isinstance(rec, torch.Tensor) and _rel(rec.numpy(), x) < 1e-10
    G = torch.ones_like(U)
    grad = pht.transform_vjp(xt, G)
    assert isinstance(grad, torch.Tensor)
    np.testing.assert_allclose(grad.numpy(), PhaseHarmonicTransform(J=3).fit(x).transform_vjp(x, G.numpy()),
                               rtol=1e-8, atol=1e-10)
    with pytest.raises(TypeError, match="backend='torch'"):
        PhaseHarmonicTransform(J=3).fit(x).inverse_transform(U)


def test_torch_backend_vjp_with_numpy_arrays():
    x = random_walk(2, 64)
    sa = ScatteringAverager(J=2, max_order=2, nonlinearity="modulus")
    G = np.random.default_rng(1).standard_normal(sa.fit(x).transform(x).shape)
    expected = sa.transform_vjp(x, G)
    got = ScatteringAverager(J=2, max_order=2, nonlinearity="modulus", backend="torch").fit(x).transform_vjp(x, G)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-10)
    with pytest.raises(TypeError, match="grad_output is a torch.Tensor but backend='numpy'"):
        sa.transform_vjp(x, torch.tensor(G))
