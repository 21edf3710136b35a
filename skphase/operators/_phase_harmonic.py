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
from ._operator import Operator


def _channels_per_filter(n_phases: int, harmonics) -> int:
    if harmonics is None:
        return n_phases
    return sum(1 if k == 0 else 2 for k in harmonics)


def _unit_power(unit, m: int):
    # unit**m on the unit circle, with conj for negative m (unit is 0 where z is, and
    # 0**-1 would be inf); m = 0 gives 1 everywhere, which the derivative needs.
    if m == 0:
        return unit * 0 + 1
    return unit ** m if m > 0 else unit.conj() ** (-m)


def harmonic_channels(z, harmonics, backend):
    """Real channels of the phase harmonics |z| e^{i k phase(z)}: (B, F, *s) -> (B, F * C, *s)."""
    mod = backend.modulus(z)
    unit = z / (mod + (mod == 0))
    chans = []
    for k in harmonics:
        if k == 0:
            chans.append(mod)
            continue
        h = mod * _unit_power(unit, k)
        chans += [h.real, h.imag]
    u = backend.stack(chans, axis=2)
    return u.reshape((u.shape[0], u.shape[1] * u.shape[2]) + tuple(u.shape[3:]))


def harmonic_channels_vjp(z, grad, harmonics, backend):
    """Gradient in z of <grad, harmonic_channels(z)> as d/dRe z + i d/dIm z.

    With h = |z| e^{i k phase z} = z^{(k+1)/2} conj(z)^{(1-k)/2} and G the gradient on
    (Re h, Im h), Wirtinger calculus gives
    (1 - k)/2 conj(G) e^{i(k+1) phase z} + (1 + k)/2 G e^{i(1-k) phase z}: bounded, no
    division by |z| (0 at z = 0 except for the linear harmonics k = +-1).
    """
    mod = backend.modulus(z)
    unit = z / (mod + (mod == 0))
    per = _channels_per_filter(0, harmonics)
    g = grad.reshape((z.shape[0], z.shape[1], per) + tuple(z.shape[2:]))
    out = None
    c = 0
    for k in harmonics:
        if k == 0:
            term = g[:, :, c] * unit
            c += 1
        else:
            G = g[:, :, c] + 1j * g[:, :, c + 1]
            c += 2
            term = (1 + k) / 2 * G * _unit_power(unit, 1 - k)
            if k != 1:
                term = term + (1 - k) / 2 * G.conj() * _unit_power(unit, k + 1)
        out = term if out is None else out + term
    return out


def _low_and_wavelets(x, bank, backend):
    """x * phi_J (B, 1, *s) and the complex wavelet coefficients z = x * psi (B, F, *s)."""
    ndim = bank.ndim
    phi = backend.from_filter(bank.phi.hat[0], x.dtype)
    psi = backend.from_filter(bank.psi1.hat[0], x.dtype)
    X = backend.hermitian_full(backend.rfft(x, ndim), ndim, tuple(bank.shape))
    low = backend.real(backend.ifft(X * phi, ndim))[:, None]
    z = backend.ifft(backend.mul_periodize(X, psi, 1, ndim), ndim)
    return low, z


def _rho(z, n_phases, harmonics, backend):
    if harmonics is None:
        return nonlinearity(z, "relu", n_phases, backend)
    return harmonic_channels(z, harmonics, backend)


def phase_harmonic_transform(x, *, bank, backend, n_phases: int = 4, harmonics=None):
    """U x for a batch of real signals/images.

    Parameters
    ----------
    x : backend array, shape ``(B, *spatial)``
        Real input; its spatial shape must be ``bank.shape``.
    bank : FilterBank
    backend : NumpyBackend or TorchBackend
    n_phases : int
        Number of phases of the rectified form (used when ``harmonics`` is None).
    harmonics : tuple of int or None
        Which harmonics k to return instead of the rectified form.

    Returns
    -------
    U : backend array, shape ``(B, 1 + n_filters * C, *spatial)``
        Channel 0 is x * phi_J; then for each wavelet (bank order) its C channels:
        phases p = 0..P-1, or per harmonic k: (modulus) for k = 0, (real, imag) otherwise.
    """
    low, z = _low_and_wavelets(x, bank, backend)
    return backend.concatenate([low, _rho(z, n_phases, harmonics, backend)], axis=1)


class PhaseHarmonicOperator(Operator):
    """U x = (x * phi_J, rho(x * psi_{alpha, lambda})) as a differentiable operator.

    Parameters
    ----------
    bank : FilterBank
        Its ``shape`` is the input's spatial shape (periodic convolutions).
    backend : NumpyBackend or TorchBackend
    n_phases : int, default=4
        Phases of the rectified form.
    harmonics : tuple of int or None, default=None
        Phase harmonics k instead of the rectified form (any sign).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.backends import get_backend
    >>> from skphase.filters import filter_bank
    >>> from skphase.operators import PhaseHarmonicOperator
    >>> op = PhaseHarmonicOperator(filter_bank((32,), 3), get_backend("numpy"))
    >>> x = np.random.default_rng(0).standard_normal((2, 32))
    >>> U, pullback = op.vjp(x)
    >>> U.shape, pullback(np.ones_like(U)).shape
    ((2, 17, 32), (2, 32))
    """

    def __init__(self, bank, backend, *, n_phases: int = 4, harmonics=None):
        self.bank = bank
        self.backend = backend
        self.n_phases = int(n_phases)
        self.harmonics = None if harmonics is None else tuple(int(k) for k in harmonics)
        self.input_shape = tuple(bank.shape)
        per = _channels_per_filter(self.n_phases, self.harmonics)
        self.output_shape = (1 + len(bank.psi1) * per,) + self.input_shape

    def forward(self, x):
        self._check_input(x)
        return phase_harmonic_transform(x, bank=self.bank, backend=self.backend,
                                        n_phases=self.n_phases, harmonics=self.harmonics)

    def _analytic_vjp(self, x):
        self._check_input(x)
        backend, bank, ndim = self.backend, self.bank, self.bank.ndim
        low, z = _low_and_wavelets(x, bank, backend)
        U = backend.concatenate([low, _rho(z, self.n_phases, self.harmonics, backend)], axis=1)
        n_batch = x.shape[0]

        def pullback(g):
            g = backend.asarray(g, U.dtype)
            self._check_output_gradient(g, n_batch)
            phi = backend.from_filter(bank.phi.hat[0], x.dtype)
            psi = backend.from_filter(bank.psi1.hat[0], x.dtype)
            if self.harmonics is None:
                g_z = nonlinearity_vjp(z, g[:, 1:], "relu", self.n_phases, backend)
            else:
                g_z = harmonic_channels_vjp(z, g[:, 1:], self.harmonics, backend)
            # z = ifft(X psi) and low = Re(ifft(X phi)): adjoints are fft / N, and X = fft(x)
            # brings the N back, so the 1/N and N cancel.
            gX = backend.mul_periodize_adjoint(backend.fft(g_z, ndim), psi, 1, ndim)
            gX = gX + backend.fft(g[:, 0], ndim) * phi.conj()
            return backend.real(backend.ifft(gX, ndim))

        return U, pullback

    def inverse(self, U):
        """x from U x (linear least squares, exact up to rounding)."""
        return inverse_phase_harmonic_transform(U, bank=self.bank, backend=self.backend,
                                                n_phases=self.n_phases, harmonics=self.harmonics)

    def bytes_per_sample(self, itemsize: int = 8, *, pullback: bool = False) -> int:
        n = int(np.prod(self.input_shape))
        complex_maps = len(self.bank.psi1) * (3 if pullback else 2)
        return 2 * itemsize * n * complex_maps + itemsize * n * self.output_shape[0] * (2 if pullback else 1)


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
    """(min, max) over frequencies of ``|phi|^2 + sum |g|^2``, the frame that the inverse uses."""
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
