"""PhaseHarmonicTransform as mathematics: inversion, phase harmonics, gradients."""

import numpy as np
import pytest
from tests.conftest import camera, random_walk

from skphase import PhaseHarmonicTransform
from skphase.filters import filter_bank


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize("n_phases", [2, 4, 6])
def test_inverse_on_real_image(n_phases):
    x = camera(64)[None]
    pht = PhaseHarmonicTransform(J=3, L=8, n_phases=n_phases).fit(x)
    rec = pht.inverse_transform(pht.transform(x))
    assert rec.shape == x.shape
    assert _rel(rec, x) < 1e-6


@pytest.mark.parametrize("Q", [1, 2])
def test_inverse_on_1d_signals(Q):
    x = random_walk(3, 256)
    pht = PhaseHarmonicTransform(J=5, Q=Q).fit(x)
    rec = pht.inverse_transform(pht.transform(x))
    assert _rel(rec, x) < 1e-6


def test_inverse_from_harmonics():
    x = camera(32)[None]
    pht = PhaseHarmonicTransform(J=2, L=4, harmonics=(0, 1, 2)).fit(x)
    assert _rel(pht.inverse_transform(pht.transform(x)), x) < 1e-6


def test_inverse_needs_even_phases_or_k1():
    x = random_walk(1, 64)
    pht = PhaseHarmonicTransform(J=2, n_phases=3).fit(x)
    U = pht.transform(x)
    with pytest.raises(ValueError, match="even n_phases"):
        pht.inverse_transform(U)
    pht = PhaseHarmonicTransform(J=2, harmonics=(0, 2)).fit(x)
    U = pht.transform(x)
    with pytest.raises(ValueError, match="k=1"):
        pht.inverse_transform(U)


@pytest.mark.parametrize("J,Q", [(2, 1), (3, 2), (5, 4), (6, 8)])
def test_inverse_exact_or_refused_across_J_and_Q(J, Q):
    # exact where the frame covers every frequency; otherwise a clear refusal, never garbage
    x = random_walk(2, 256)
    pht = PhaseHarmonicTransform(J=J, Q=Q).fit(x)
    low, high = pht.frame_bounds_
    U = pht.transform(x)
    if low >= 1e-8 * high:
        assert _rel(pht.inverse_transform(U), x) < 1e-6
    else:
        with pytest.raises(ValueError, match="ill-conditioned"):
            pht.inverse_transform(U)


def test_ill_conditioned_bank_is_refused():
    x = random_walk(2, 256)
    pht = PhaseHarmonicTransform(J=2, Q=8).fit(x)
    assert pht.frame_bounds_[0] < 1e-8 * pht.frame_bounds_[1]
    with pytest.raises(ValueError, match=r"ill-conditioned.*J=2, Q=8"):
        pht.inverse_transform(pht.transform(x))


def test_inverse_transform_validates_its_input():
    x = random_walk(2, 64)
    pht = PhaseHarmonicTransform(J=2).fit(x)
    U = pht.transform(x)
    with pytest.raises(ValueError, match="NaN"):
        pht.inverse_transform(np.where(U > 0.5, np.nan, U))
    with pytest.raises(ValueError, match="Complex data not supported"):
        pht.inverse_transform(U + 0j)
    with pytest.raises(ValueError, match="shaped like transform's output"):
        pht.inverse_transform(U[:, :-1])


def _wavelet_coefficients(x, bank):
    """x * psi_lambda computed directly with numpy FFTs (periodic)."""
    axes = tuple(range(-bank.ndim, 0))
    X = np.fft.fftn(x, axes=axes)
    return np.fft.ifftn(X[:, None] * bank.psi1.hat[0][None], axes=axes)


def test_rectified_channels_are_relu_of_phase_shifted_real_parts():
    x = camera(32)[None]
    pht = PhaseHarmonicTransform(J=2, L=4, n_phases=4, flatten=False).fit(x)
    U = pht.transform(x)
    z = _wavelet_coefficients(x, filter_bank((32, 32), 2, L=4))
    for p, alpha in enumerate(2 * np.pi * np.arange(4) / 4):
        expected = np.maximum((np.exp(-1j * alpha) * z).real, 0)
        np.testing.assert_allclose(U[:, 1 + p::4], expected, atol=1e-10)


@pytest.mark.parametrize("n_phases", [4, 6, 8])
def test_relu_first_phase_harmonic_is_z(n_phases):
    # sum_p rho(Re(e^{-i a_p} z)) e^{i a_p} = (P / 4) z exactly for even P >= 4:
    # the ReLU's phase Fourier series has no aliasing onto k = 1 for even P.
    x = random_walk(2, 128)
    pht = PhaseHarmonicTransform(J=4, n_phases=n_phases, flatten=False).fit(x)
    U = pht.transform(x)[:, 1:].reshape(2, -1, n_phases, 128)
    alphas = 2 * np.pi * np.arange(n_phases) / n_phases
    first = np.einsum("bfpt,p->bft", U, np.exp(1j * alphas))
    z = _wavelet_coefficients(x, filter_bank((128,), 4))
    np.testing.assert_allclose(first, n_phases / 4 * z, atol=1e-9 * np.abs(z).max())


def test_harmonics_definition():
    x = random_walk(2, 128)
    pht = PhaseHarmonicTransform(J=3, harmonics=(0, 1, 2, -1), flatten=False).fit(x)
    U = pht.transform(x)[:, 1:].reshape(2, -1, 7, 128)
    z = _wavelet_coefficients(x, filter_bank((128,), 3))
    mod, phase = np.abs(z), np.angle(z)
    np.testing.assert_allclose(U[:, :, 0], mod, atol=1e-10)
    for pos, k in [(1, 1), (3, 2), (5, -1)]:
        h = mod * np.exp(1j * k * phase)
        np.testing.assert_allclose(U[:, :, pos] + 1j * U[:, :, pos + 1], h, atol=1e-10)


def test_negative_harmonics_on_constant_input_are_finite():
    # where x * psi = 0 (a constant signal), |z| e^{-i phase} is 0, not inf * 0
    x = np.ones((2, 64))
    U = PhaseHarmonicTransform(J=2, harmonics=(-1, 0, 1, 2)).fit(x).transform(x)
    assert np.all(np.isfinite(U))
    np.testing.assert_allclose(U.reshape(2, -1, 64)[:, 1:], 0, atol=1e-12)


def test_vjp_matches_finite_differences(rng):
    x = random_walk(2, 64)
    pht = PhaseHarmonicTransform(J=3, n_phases=4).fit(x)
    G = rng.standard_normal(pht.transform(x).shape)
    grad = pht.transform_vjp(x, G)
    v = rng.standard_normal(x.shape)
    eps = 1e-6
    fd = (np.sum(G * pht.transform(x + eps * v)) - np.sum(G * pht.transform(x - eps * v))) / (2 * eps)
    assert abs(np.sum(grad * v) - fd) < 1e-6 * max(1.0, abs(fd))


def test_translation_equivariance_2d():
    x = camera(32)[None]
    pht = PhaseHarmonicTransform(J=2, L=4, flatten=False).fit(x)
    shifted = np.roll(x, (3, -5), axis=(1, 2))
    np.testing.assert_allclose(pht.transform(shifted), np.roll(pht.transform(x), (3, -5), axis=(2, 3)),
                               atol=1e-10)


def test_inverse_function_refuses_what_it_cannot_invert():
    from skphase.backends import get_backend
    from skphase.operators import inverse_phase_harmonic_transform

    bank = filter_bank((64,), 2)
    backend = get_backend("numpy")
    U = np.zeros((1, 1 + 3 * len(bank.psi1), 64))
    with pytest.raises(ValueError, match="even n_phases"):
        inverse_phase_harmonic_transform(U, bank=bank, backend=backend, n_phases=3)
    with pytest.raises(ValueError, match="k=1"):
        inverse_phase_harmonic_transform(U, bank=bank, backend=backend, harmonics=(0, 2))
    with pytest.raises(ValueError, match="U must have shape"):
        inverse_phase_harmonic_transform(U, bank=bank, backend=backend, n_phases=4)
