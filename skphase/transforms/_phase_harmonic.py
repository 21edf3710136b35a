"""The phase-harmonic transform U x = (x * phi_J, rho(x * psi_{alpha, lambda})) at full resolution.

Two equivalent faces of the same object (seed, slides 10-11):

* rectified multiphase real wavelets: ``rho(Re(e^{-i alpha_p} x * psi_lambda))`` for
  ``P`` phases alpha_p = 2 pi p / P, rho(a) = max(a, 0);
* phase harmonics ``[x * psi]^k = |x * psi| e^{i k phase(x * psi)}`` for chosen k,
  returned as real channels (k = 0: the modulus; k != 0: real and imaginary parts).

Because rho(a) - rho(-a) = a, the rectified form with an even number of phases
is linearly invertible: opposite phases give Re(e^{-i alpha} x * psi) = x * g_alpha
for real filters g_alpha, and x is their least-squares (dual-frame) synthesis.
Convolutions are periodic.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..filters._bank import reflect_frequencies
from ._common import nonlinearity, nonlinearity_vjp, phase_angles


def _channels_per_filter(n_phases: int, harmonics) -> int:
    if harmonics is None:
        return n_phases
    return sum(1 if k == 0 else 2 for k in harmonics)


def harmonic_channels(z, harmonics, backend):
    """Real channels of the phase harmonics |z| e^{i k phase(z)}: (B, F, *s) -> (B, F * C, *s)."""
    mod = backend.modulus(z)
    unit = z / (mod + (mod == 0))
    chans = []
    for k in harmonics:
        if k == 0:
            chans.append(mod)
            continue
        # conj(unit)**|k| for negative k: unit is 0 where z is, and 0**-1 would be inf
        h = mod * (unit ** k if k > 0 else unit.conj() ** (-k))
        chans += [h.real, h.imag]
    u = backend.stack(chans, axis=2)
    return u.reshape((u.shape[0], u.shape[1] * u.shape[2]) + tuple(u.shape[3:]))


def phase_harmonic_transform(x, *, bank, backend, n_phases: int = 4, harmonics=None):
    """U x for a batch of real signals/images.

    Parameters
    ----------
    x : backend array, shape (B, *spatial)
        Real input; its spatial shape must be ``bank.shape``.
    bank : FilterBank
    backend : NumpyBackend or TorchBackend
    n_phases : int
        Number of phases of the rectified form (used when ``harmonics`` is None).
    harmonics : tuple of int or None
        Which harmonics k to return instead of the rectified form.

    Returns
    -------
    U : backend array, shape (B, 1 + n_filters * C, *spatial)
        Channel 0 is x * phi_J; then for each wavelet (bank order) its C channels:
        phases p = 0..P-1, or per harmonic k: (modulus) for k = 0, (real, imag) otherwise.
    """
    ndim = bank.ndim
    phi = backend.from_filter(bank.phi.hat[0], x.dtype)
    psi = backend.from_filter(bank.psi1.hat[0], x.dtype)
    X = backend.hermitian_full(backend.rfft(x, ndim), ndim, tuple(bank.shape))
    low = backend.real(backend.ifft(X * phi, ndim))[:, None]
    z = backend.ifft(backend.mul_periodize(X, psi, 1, ndim), ndim)
    if harmonics is None:
        u = nonlinearity(z, "relu", n_phases, backend)
    else:
        u = harmonic_channels(z, harmonics, backend)
    return backend.concatenate([low, u], axis=1)


def phase_harmonic_vjp(x, grad, *, bank, backend, n_phases: int = 4):
    """Gradient in x of <grad, U x> for the rectified form (analytic adjoint)."""
    ndim = bank.ndim
    n = int(np.prod(bank.shape))
    phi = backend.from_filter(bank.phi.hat[0], x.dtype)
    psi = backend.from_filter(bank.psi1.hat[0], x.dtype)
    X = backend.fft(x, ndim)
    z = backend.ifft(backend.mul_periodize(X, psi, 1, ndim), ndim)
    g_z = nonlinearity_vjp(z, grad[:, 1:], "relu", n_phases, backend)
    gX = backend.mul_periodize_adjoint(backend.fft(g_z, ndim), psi, 1, ndim)
    gX = gX + backend.fft(grad[:, 0], ndim) * phi
    return backend.real(backend.ifft(gX, ndim))


@lru_cache(maxsize=8)
def _dual_frame(bank, alphas: tuple):
    """Dual filters of the real filters g_{lambda, alpha} = Re(e^{-i alpha} psi_lambda) and phi.

    Returns ``(g / D, conj(phi) / D, D)`` with D = |phi|^2 + sum |g|^2, so that
    x_hat = conj(phi) / D * L_hat + sum_f conj(g_f) / D * l_hat_f  (least squares).
    The first is returned unconjugated because ``mul_periodize_adjoint`` conjugates.
    """
    ndim = bank.ndim
    psi = np.asarray(bank.psi1.hat[0], dtype=np.complex128)
    psi_rev = np.conj(reflect_frequencies(psi, ndim))
    a = np.asarray(alphas)[None, :, *([None] * ndim)]
    g = 0.5 * (np.exp(-1j * a) * psi[:, None] + np.exp(1j * a) * psi_rev[:, None])
    g = g.reshape((-1,) + tuple(bank.shape))
    phi = np.asarray(bank.phi.hat[0], dtype=np.complex128)
    denom = np.abs(phi) ** 2 + np.sum(np.abs(g) ** 2, axis=0)
    dual_psi = g / denom
    dual_phi = np.conj(phi) / denom
    for arr in (dual_psi, dual_phi, denom):
        arr.setflags(write=False)
    return dual_psi, dual_phi, denom


def frame_bounds(bank, n_phases: int = 4, harmonics=None) -> tuple[float, float]:
    """(min, max) over frequencies of |phi|^2 + sum |g|^2, the frame that the inverse uses."""
    alphas = _inverse_phases(n_phases, harmonics)
    _, _, denom = _dual_frame(bank, alphas)
    return float(denom.min()), float(denom.max())


def _inverse_phases(n_phases, harmonics) -> tuple:
    """The phases alpha of the real filters Re(e^{-i alpha} psi) that the inverse uses.

    Raises ValueError when U x is not linearly invertible: the rectified form needs
    pairs of opposite phases (even ``n_phases``), the harmonic form needs k = 1.
    """
    if harmonics is None:
        if n_phases % 2:
            raise ValueError(f"inverse needs an even n_phases (pairs of opposite phases "
                             f"alpha, alpha + pi); got n_phases={n_phases}.")
        return tuple(phase_angles(n_phases)[: n_phases // 2])
    if 1 not in harmonics:
        raise ValueError(f"inverse needs the harmonic k=1 among harmonics; got {tuple(harmonics)}.")
    return (0.0, np.pi / 2)


def inverse_phase_harmonic_transform(U, *, bank, backend, n_phases: int = 4, harmonics=None):
    """Reconstruct x from U x (linear; exact up to rounding).

    The rectified form needs an even ``n_phases`` (pairs of opposite phases);
    the harmonic form needs k = 1 among ``harmonics``.
    """
    ndim = bank.ndim
    alphas = _inverse_phases(n_phases, harmonics)
    n_filters = len(bank.psi1)
    spatial = tuple(U.shape[2:])
    per = _channels_per_filter(n_phases, harmonics)
    if U.shape[1] != 1 + n_filters * per or spatial != tuple(bank.shape):
        raise ValueError(f"U must have shape (B, {1 + n_filters * per}, *{tuple(bank.shape)}); "
                         f"got {tuple(U.shape)}.")
    u = U[:, 1:].reshape((U.shape[0], n_filters, per) + spatial)
    if harmonics is None:
        half = n_phases // 2
        lin = u[:, :, :half] - u[:, :, half:]
    else:
        pos = 0
        for k in harmonics:
            if k == 1:
                break
            pos += 1 if k == 0 else 2
        lin = u[:, :, pos:pos + 2]
    dual_psi, dual_phi, _ = _dual_frame(bank, alphas)
    dtype = U.dtype
    lin = lin.reshape((U.shape[0], -1) + spatial)
    lin_hat = backend.fft(lin, ndim)
    low_hat = backend.fft(U[:, 0], ndim)
    xhat = backend.mul_periodize_adjoint(lin_hat, backend.from_filter(dual_psi, dtype), 1, ndim)
    xhat = xhat + low_hat * backend.from_filter(dual_phi, dtype)
    return backend.real(backend.ifft(xhat, ndim))
