"""Phase-harmonic moments of a batch of signals, and their adjoint, written once over a backend.

``x (B, *s)`` -> spectrum X -> per *level* (the wavelets sharing one subsampling step, see
:func:`._table.wavelet_steps`): coefficients z = x * psi on the level's grid (one periodised
product and one inverse FFT), rectified phases rho(Re(e^{-i alpha_p} z)), harmonic channels
h_k (a fixed linear map over the phases), and their spectra H_k = FFT(h_k).

Every moment is then read from the spectra: means from the zero frequency, and every
second-order moment (centred) as a sum over frequencies of products of spectra,

* autocovariances at shifts tau: sum_w |H(w)|^2 e^{i w tau} / M^2 (all shifts at once, one
  product with cos/sin tables per group of channels; a shift need not be a multiple of
  the level's step);
* covariances of two channels: sum_w H_a(w) conj(H_b(w)) / (M_a M_b), one complex matrix
  product per family and pair of levels; across levels, over the coarser grid's
  frequencies (Parseval for the finer channel low-passed onto the coarser grid).

The adjoint follows the same steps backwards (complex gradients are ``d/dRe + i d/dIm``):
gradients on the spectra, one inverse FFT per channel, the harmonic map's transpose, the
rectifier's pullback, one FFT and a periodisation adjoint per level, one final inverse
FFT: one forward, one backward, no finite differences.
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..operators._common import nonlinearity, nonlinearity_vjp
from ..operators._operator import Operator
from ..utils._threads import one_blas_thread
from . import _kernels
from ._table import MomentPlan, _signed, harmonic_matrices

__all__ = ["PhaseHarmonicMoments", "harmonic_matrices"]


def _rows(x, index, backend):
    """``x[:, index]``: a view when ``index`` is a contiguous range, else a gathered copy."""
    index = np.asarray(index)
    if len(index) and np.array_equal(index, np.arange(index[0], index[0] + len(index))):
        return x[:, int(index[0]):int(index[0]) + len(index)]
    return backend.take(x, index, axis=1)


def _one_blas_thread(backend):
    """BLAS on one thread during the numpy products (thin: see :func:`one_blas_thread`);
    the FFTs and numba kernels keep their own threads."""
    return one_blas_thread() if backend.name == "numpy" else contextlib.nullcontext()


def _add_rows(target, index, values, freq=None):
    """``target[:, index(, freq)] += values`` in place, through a view when index is a range."""
    index = np.asarray(index)
    if len(index) and np.array_equal(index, np.arange(index[0], index[0] + len(index))):
        view = target[:, int(index[0]):int(index[0]) + len(index)]
        if freq is None:
            view += values
        else:
            view[:, :, freq] += values
    elif freq is None:
        target[:, index] += values
    else:
        target[:, index[:, None], freq[None, :]] += values


def _low_moments(ls):
    """Mean and variance of x * phi_J from its spectrum ``ls`` (B, N): Re ls(0) / N and
    sum_{w != 0} |ls(w)|^2 / N^2 (Parseval)."""
    N = ls.shape[-1]
    m = ls[:, 0].real / N
    v = ((ls.real ** 2 + ls.imag ** 2).sum(axis=-1) - ls[:, 0].real ** 2 - ls[:, 0].imag ** 2) / N ** 2
    return m, v


class PhaseHarmonicMoments(Operator):
    """Moments Phi(x) of a :class:`MomentPlan` for signals on ``bank``'s grid, an :class:`Operator`.

    ``forward(x)`` returns (B, n_moments); ``vjp(x)`` returns ``(Phi, pullback)`` where
    ``pullback(g)`` is the gradient in x ``(B, *s)`` of <g, Phi(x)> (analytic on numpy, autograd
    on torch).
    """

    def __init__(self, bank, backend, plan: MomentPlan) -> None:
        self.bank = bank
        self.backend = backend
        self.plan = plan
        self.spatial = tuple(bank.shape)
        self.input_shape = self.spatial
        self.output_shape = (plan.n_moments,)
        self.n_pos = int(np.prod(self.spatial))
        self._cr, self._ci = harmonic_matrices(plan.n_phases)
        # the filters of each level, kept here so that the backend's cast cache sees one array
        self._psi = [np.ascontiguousarray(bank.psi1.hat[0][lev.wavelets]) for lev in plan.levels]
        for f in self._psi:
            f.setflags(write=False)
        self._tables: dict = {}
        self._rows_all = np.concatenate([s.rows for s in plan.sources])
        # closed forms of the harmonics for 4 phases, on numpy (torch differentiates the general form)
        self._fast = backend.name == "numpy" and plan.n_phases == 4

    def _constant(self, key, make, dtype):
        """Small arrays (tables, masks) on the backend, made once per dtype."""
        key = (key, str(dtype))
        if key not in self._tables:
            self._tables[key] = self.backend.asarray(make(), dtype)
        return self._tables[key]

    def _frequencies(self, level):
        """The level's DFT frequencies, (M, ndim), in cycles per sample of the signal's grid."""
        lev = self.plan.levels[level]
        grids = np.meshgrid(*[_signed(m) / n for m, n in zip(lev.shape, self.spatial)], indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1)

    def _shift_tables(self, src, level, dtype):
        """cos(w . tau) and sin(w . tau) over the level's frequencies, (M, n_taus) each."""

        def phase():
            w = self._frequencies(level)
            return 2 * np.pi * sum(w[:, d, None] * src.taus[None, :, d] for d in range(w.shape[1]))

        key = ("tau", level, src.taus.tobytes())
        return (self._constant(key + ("cos",), lambda: np.cos(phase()), dtype),
                self._constant(key + ("sin",), lambda: np.sin(phase()), dtype))

    # --- forward ----------------------------------------------------------------------
    def _level_spectra(self, X, li, dtype, cache):
        """Centred spectra (B, W K, M) of a level's harmonic channels, and their means (B, W K)."""
        b, p = self.backend, self.plan
        lev = p.levels[li]
        B, W, K, M = X.shape[0], len(lev.wavelets), p.n_harmonics, lev.size
        psi = b.from_filter(self._psi[li], dtype)
        with _kernels.threads_for(B * W * M):
            Z = b.mul_periodize(X, psi, lev.step, p.ndim)  # spectra of z on the level's grid
            z = b.ifft(Z, p.ndim)  # (B, W, *m)
            if self._fast:
                S = self._fast_spectra(Z, z, lev)
        if not self._fast:
            U = nonlinearity(z, "relu", p.n_phases, b).reshape((B, W, p.n_phases, M))
            cr = self._constant("cr", lambda: self._cr, U.dtype)
            ci = self._constant("ci", lambda: self._ci, U.dtype)
            H = ((cr @ U) + 1j * (ci @ U)).swapaxes(1, 2)  # (B, K, W, M)
            S = b.fft(H.reshape((B, K, W) + lev.shape), p.ndim).reshape((B, K * W, M))
        mean = S[:, :, 0].real / M  # a new array: zeroing S below leaves it alone
        # centring = dropping the zero frequency
        if self._fast:
            S[:, :, 0] = 0
        else:
            S = S * self._constant(("centre", li), lambda: (np.arange(M) > 0).astype(float), mean.dtype)
        if cache is not None:
            cache[li] = (z, S)
        return S, mean

    def _reversed(self, lev):
        """Flat index of -w for each frequency w of the level's grid."""
        key = ("rev", lev.shape)
        if key not in self._tables:
            grids = np.meshgrid(*[(-np.arange(m)) % m for m in lev.shape], indexing="ij")
            self._tables[key] = np.ravel_multi_index(tuple(grids), lev.shape).ravel()
        return self._tables[key]

    def _fast_spectra(self, Z, z, lev):
        """P = 4 on numpy: h_1 = z / 4, so its spectrum is Z / 4, and h_0 = (|Re z| + |Im z|) / 4,
        h_2 = (|Re z| - |Im z|) / 4 are real, so one FFT of h_0 + i h_2 gives both spectra."""
        b, nd = self.backend, self.plan.ndim
        B, W, M = z.shape[0], z.shape[1], lev.size
        g = np.empty((B * W, M), dtype=z.dtype)
        _kernels.pack_abs(z.reshape((B * W, M)), g)
        F = b.fft(g.reshape(z.shape), nd).reshape((B, W, M))
        S = np.empty((B, 3, W, M), dtype=z.dtype)
        _kernels.split_spectra(F, np.ascontiguousarray(Z).reshape((B, W, M)), self._reversed(lev), S)
        return S.reshape((B, 3 * W, M))

    def _power(self, spectra, li, powers):
        """|S|^2 of every channel of level li, computed once per forward."""
        if li not in powers:
            S = spectra[li]
            if self.backend.name == "numpy":
                v = S.view(S.real.dtype).reshape(S.shape + (2,))
                powers[li] = np.einsum("...i,...i->...", v, v)
            else:
                powers[li] = S.real ** 2 + S.imag ** 2
        return powers[li]

    def _source_values(self, src, x, X, spectra, means, low, powers, cache=None):
        """The source's real values (B, n_values); a cross family's operands go to ``cache``."""
        b, p = self.backend, self.plan
        B = X.shape[0]
        if src.name == "low":
            return b.stack(_low_moments(low.reshape((B, self.n_pos))), axis=1)
        if src.name == "marginal":
            c = x.reshape((B, -1))
            c = c - c.mean(axis=-1, keepdims=True)
            c2 = c * c
            return b.stack([(c2 * c).mean(axis=-1), (c2 * c2).mean(axis=-1)], axis=1)
        if src.name == "mean":
            return _rows(means[src.level], src.channels, b)
        if src.name == "auto":
            M = p.levels[src.level].size
            power = _rows(self._power(spectra, src.level, powers), src.channels, b)
            cos, sin = self._shift_tables(src, src.level, power.dtype)
            parts = [(power @ cos).reshape((B, -1)) / M ** 2]
            if src.has_im:
                parts.append((power @ sin).reshape((B, -1)) / M ** 2)
            return parts[0] if len(parts) == 1 else b.concatenate(parts, axis=1)
        A, Bm = self._cross_operands(src, spectra)
        if src.taus is not None:
            # E a(u + tau) conj b(u) = E a(u) conj b(u - tau): the column (b, tau) is B(w) e^{-i w tau}
            Bm = b.take(Bm, src.b_owner, axis=1) * self._cross_phases(src, Bm.dtype)[None]
        if cache is not None:  # the pullback multiplies by the same gathered (shifted) operands
            cache[("cross", id(src))] = (A, Bm)
        G = (A @ Bm.conj().swapaxes(-1, -2)).reshape((B, -1))
        G = G / (p.levels[src.level_a].size * p.levels[src.level].size)
        return b.concatenate([G.real, G.imag], axis=1) if src.has_im else G.real

    def _cross_phases(self, src, dtype):
        """e^{-i w . tau} (columns, M) over the frequencies of a shifted cross source's operands."""

        def phases():
            w = self._frequencies(src.level)
            if src.freq_b is not None:
                w = w[src.freq_b]
            return np.exp(-2j * np.pi * (src.taus @ w.T))

        return self._constant(("cross_tau", id(src)), phases, dtype)

    def _cross_operands(self, src, spectra):
        b = self.backend
        A = _rows(spectra[src.level_a], src.a, b)
        Bm = _rows(spectra[src.level], src.b, b)
        if src.freq_a is not None:
            A = b.take(A, src.freq_a, axis=2)
            Bm = b.take(Bm, src.freq_b, axis=2)
        return A, Bm

    def _forward(self, x, cache=None):
        b, p = self.backend, self.plan
        nd = p.ndim
        X = b.hermitian_full(b.rfft(x, nd), nd, self.spatial)
        spectra, means = [], []
        for li in range(len(p.levels)):
            S, m = self._level_spectra(X, li, x.dtype, cache)
            spectra.append(S)
            means.append(m)
        low = None
        if any(s.name == "low" for s in p.sources):
            low = X * b.from_filter(self.bank.phi.hat[0], x.dtype)
        powers: dict = {}
        parts = [b.take(self._source_values(src, x, X, spectra, means, low, powers, cache), src.pick, axis=1)
                 for src in p.sources]
        if cache is not None:
            cache.update(x=x, X=X, spectra=spectra, low=low)
        return b.take(b.concatenate(parts, axis=1), p.order, axis=1)

    def forward(self, x):
        """Moments of ``x``: shape ``(B, *s)`` to ``(B, n_moments)``."""
        with _one_blas_thread(self.backend):
            return self._forward(x)

    def channel_variances(self, x):
        """Per signal: variance of x * phi_J (B,), E|h - E h|^2 (B, W K) and E|h|^2 (B, W K).

        Channels are numbered ``k * n_wavelets + w`` (bank order); numpy arrays, whatever
        the backend (they set the loss's normalisation at fit).
        """
        b, p = self.backend, self.plan
        nd = p.ndim
        X = b.hermitian_full(b.rfft(x, nd), nd, self.spatial)
        B, N = x.shape[0], self.n_pos
        var = np.zeros((B, p.n_harmonics * p.n_wavelets))
        power = np.zeros_like(var)
        for li, lev in enumerate(p.levels):
            with _one_blas_thread(b):
                S, m = self._level_spectra(X, li, x.dtype, None)
            v = b.to_numpy((S.real ** 2 + S.imag ** 2).sum(axis=-1)) / lev.size ** 2
            m = b.to_numpy(m)
            W = len(lev.wavelets)
            for k in range(p.n_harmonics):
                cols = k * p.n_wavelets + lev.wavelets
                var[:, cols] = v[:, k * W:(k + 1) * W]
                power[:, cols] = var[:, cols] + m[:, k * W:(k + 1) * W] ** 2
        low_var = _low_moments(b.to_numpy(X * b.from_filter(self.bank.phi.hat[0], x.dtype)).reshape((B, N)))[1]
        return low_var, var, power

    def _analytic_vjp(self, x):
        b = self.backend
        cache: dict = {}
        with _one_blas_thread(b):
            Phi = self._forward(x, cache)

        def pullback(g):
            with _one_blas_thread(b):
                return self._adjoint(b.asarray(g, Phi.dtype), cache)

        return Phi, pullback

    # --- adjoint (numpy) --------------------------------------------------------------
    def _adjoint(self, g, cache):
        b, p = self.backend, self.plan
        nd, N = p.ndim, self.n_pos
        X, spectra, low = cache["X"], cache["spectra"], cache["low"]
        B = X.shape[0]
        gv_all = g[:, self._rows_all]
        g_spec = [np.zeros_like(S) for S in spectra]
        g_mean = [np.zeros(S.shape[:2], dtype=g.dtype) for S in spectra]
        gX = np.zeros(X.shape, dtype=X.dtype)
        g_x = None  # gradients found directly on x
        pos = 0
        for src in p.sources:
            n = len(src.pick)
            gv = np.zeros((B, src.n_values), dtype=g.dtype)
            gv[:, src.pick] = gv_all[:, pos:pos + n]
            pos += n
            if src.name == "low":
                phi = b.from_filter(self.bank.phi.hat[0], X.dtype)
                # m = Re ls(0) / N and v = sum_{w != 0} |ls|^2 / N^2 with ls = X phi
                gl = (2.0 * gv[:, 1] / N ** 2)[:, None] * low.reshape((B, N))
                gl[:, 0] = gv[:, 0] / N
                gX += (gl * np.conj(phi).reshape(-1)).reshape(X.shape)
            elif src.name == "marginal":
                # d/dx_i E c^k = k (c_i^(k-1) - E c^(k-1)) / n, c = x - E x
                c = cache["x"].reshape((B, -1))
                c = c - c.mean(axis=-1, keepdims=True)
                c2 = c * c
                c3 = c2 * c
                n = c.shape[-1]
                g_x = ((3.0 * gv[:, :1]) * (c2 - c2.mean(axis=-1, keepdims=True))
                       + (4.0 * gv[:, 1:]) * (c3 - c3.mean(axis=-1, keepdims=True))) / n
            elif src.name == "mean":
                _add_rows(g_mean[src.level], src.channels, gv)
            elif src.name == "auto":
                M = p.levels[src.level].size
                nc, nt = len(src.channels), len(src.taus)
                cos, sin = self._shift_tables(src, src.level, gv.dtype)
                kernel = gv[:, :nc * nt].reshape((B, nc, nt)) @ cos.T
                if src.has_im:
                    kernel += gv[:, nc * nt:].reshape((B, nc, nt)) @ sin.T
                kernel *= 2.0 / M ** 2
                _add_rows(g_spec[src.level], src.channels, kernel * _rows(spectra[src.level], src.channels, b))
            else:
                self._cross_adjoint(src, gv, cache[("cross", id(src))], g_spec)
        for li, lev in enumerate(p.levels):
            gS = g_spec[li]
            gS[:, :, 0] = g_mean[li] / lev.size  # centring drops the zero frequency's other terms
            with _kernels.threads_for(gS.shape[0] * len(lev.wavelets) * lev.size):
                gX += self._level_adjoint(gS, li, cache[li][0])
        out = np.ascontiguousarray(b.ifft(gX, nd).real * N)
        if g_x is not None:
            out += g_x.reshape(out.shape)
        return out

    def _cross_adjoint(self, src, gv, operands, g_spec):
        """G = A B^H / (M_a M_b): gA = gG B / (M_a M_b), gB = gG^H A / (M_a M_b)."""
        p = self.plan
        B = gv.shape[0]
        na = len(src.a)
        nb = len(src.b) if src.taus is None else len(src.taus)  # columns
        c = 1.0 / (p.levels[src.level_a].size * p.levels[src.level].size)
        gG = gv[:, :na * nb].reshape((B, na, nb)) * c
        if src.has_im:
            gG = gG + 1j * (gv[:, na * nb:].reshape((B, na, nb)) * c)
        A, Bm = operands  # Bm: the shifted columns, when there are shifts
        gA = gG @ Bm
        gB = gG.conj().swapaxes(-1, -2) @ A
        if src.taus is not None:  # back through the phases, and each channel's columns summed
            gB *= np.conj(self._cross_phases(src, gB.dtype))[None]
            starts = np.flatnonzero(np.r_[True, np.diff(src.b_owner) != 0])
            gB = np.add.reduceat(gB, starts, axis=1)
        _add_rows(g_spec[src.level_a], src.a, gA, src.freq_a)
        _add_rows(g_spec[src.level], src.b, gB, src.freq_b)

    def _level_adjoint(self, gS, li, z):
        """Gradient on the level's spectra (B, W K, M) -> gradient on X, scaled by N (see _adjoint)."""
        b, p = self.backend, self.plan
        lev = p.levels[li]
        B, W, K, M = gS.shape[0], len(lev.wavelets), p.n_harmonics, lev.size
        psi = b.from_filter(self._psi[li], z.real.dtype)
        if self._fast:
            gS = gS.reshape((B, 3, W, M))
            # h_0, h_2 are real: their gradients are Re(M ifft(gS_k)), both from one inverse FFT
            # of the Hermitian parts (R + conj(T(-w))) / 2, R = gS_0 + i gS_2, T = gS_0 - i gS_2;
            # M / 4 from the adjoint of the FFT and the 1/4 of h_0 and h_2
            packed = np.empty((B, W, M), dtype=gS.dtype)
            _kernels.pack_gradients(gS, self._reversed(lev), 0.5 * M / 4.0, packed)
            gh = b.ifft(packed.reshape((B, W) + lev.shape), p.ndim)
            gz = np.empty((B * W, M), dtype=z.dtype)
            _kernels.rectifier_adjoint(np.ascontiguousarray(z).reshape((B * W, M)), gh.reshape((B * W, M)), gz)
            gZ = np.ascontiguousarray(b.fft(gz.reshape(z.shape), p.ndim)).reshape((B, W, M))
            _kernels.add_linear_gradient(gZ, gS, 1.0 / M)
            gZ = gZ.reshape(z.shape)
            return b.mul_periodize_adjoint(gZ, psi, lev.step, p.ndim)
        gh = b.ifft(gS.reshape((B, K, W) + lev.shape), p.ndim).reshape((B, K, W, M)).swapaxes(1, 2) * M
        gU = self._cr.T @ gh.real + self._ci.T @ gh.imag  # (B, W, P, M)
        gz = nonlinearity_vjp(z, gU.reshape((B, W * p.n_phases) + lev.shape), "relu", p.n_phases, b)
        # z = ifft_m(periodise(X psi)): its adjoint is fft_m / M then the periodisation's adjoint;
        # the final x = N ifft(gX) brings the N back
        return b.mul_periodize_adjoint(b.fft(gz, p.ndim), psi, lev.step, p.ndim) / M
