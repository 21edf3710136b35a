"""The phase-harmonic operator the moments are written over: ``forward`` and ``vjp``.

This adapter is the only place in :mod:`skphase.synthesis` that touches the
transform algorithm; it follows the interface of the core's operator objects
(``forward(x) -> U``; ``vjp(x) -> (U, pullback)``), so switching to them is one edit.
U has shape (B, 1 + n_wavelets * n_phases, *spatial): channel 0 is x * phi_J, then
per wavelet its rectified phases rho(Re(e^{-i alpha_p} x * psi)).
"""

from __future__ import annotations

from ..transforms._common import nonlinearity, nonlinearity_vjp


class _RectifiedOperator:
    """U x at full resolution, with a pullback that reuses the forward's wavelet coefficients."""

    def __init__(self, bank, backend, *, n_phases: int = 4) -> None:
        self.bank = bank
        self.backend = backend
        self.n_phases = n_phases
        self.n_channels = 1 + len(bank.psi1) * n_phases

    def _filters(self, dtype):
        b = self.backend
        return b.from_filter(self.bank.phi.hat[0], dtype), b.from_filter(self.bank.psi1.hat[0], dtype)

    def _coefficients(self, x):
        b, ndim = self.backend, self.bank.ndim
        phi, psi = self._filters(x.dtype)
        X = b.fft(x, ndim)
        low = b.real(b.ifft(X * phi, ndim))[:, None]
        z = b.ifft(b.mul_periodize(X, psi, 1, ndim), ndim)
        return low, z

    def forward(self, x):
        low, z = self._coefficients(x)
        return self.backend.concatenate([low, nonlinearity(z, "relu", self.n_phases, self.backend)], axis=1)

    def vjp(self, x):
        """``(U, pullback)``: ``pullback(gU)`` is the gradient in x of <gU, U>."""
        b, ndim = self.backend, self.bank.ndim
        low, z = self._coefficients(x)
        U = b.concatenate([low, nonlinearity(z, "relu", self.n_phases, b)], axis=1)

        def pullback(gU):
            phi, psi = self._filters(x.dtype)
            g_z = nonlinearity_vjp(z, gU[:, 1:], "relu", self.n_phases, b)
            gX = b.mul_periodize_adjoint(b.fft(g_z, ndim), psi, 1, ndim)
            gX = gX + b.fft(gU[:, 0], ndim) * phi
            return b.real(b.ifft(gX, ndim))

        return U, pullback
