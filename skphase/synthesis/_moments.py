"""Phase-harmonic moments of a batch of signals, and their adjoint, written once over a backend.

``x (B, *s)`` -> operator U (B, 1 + W P, *s) -> harmonic channels H (B, W K, N) (a fixed
linear map over phases, see :mod:`._table`), kept as real and imaginary parts -> centred
channels -> moments (B, n_moments), grouped in *sources* that are each computed by one
product: a mean, a sum of squares, one real matrix product for all the pairs of a cross
family, or one FFT per autocorrelated channel whose power spectrum is then read at the few
chosen shifts by a product with cos/sin tables (one per scale).

The adjoint follows the same sources backwards (complex gradients are
``d/dRe + i d/dIm``), then the harmonic map's transpose, then the operator's pullback:
one forward, one backward, no finite differences.
"""

from __future__ import annotations

import numpy as np

from ..operators import PhaseHarmonicOperator
from ._table import MomentPlan


def harmonic_matrices(n_phases: int) -> tuple[np.ndarray, np.ndarray]:
    """Real and imaginary parts of h_k = (1/P) sum_p U_p e^{i k alpha_p}, k = 0..P/2: (K, P) each."""
    alphas = 2.0 * np.pi * np.arange(n_phases) / n_phases
    k = np.arange(n_phases // 2 + 1)[:, None]
    cr, ci = np.cos(k * alphas) / n_phases, np.sin(k * alphas) / n_phases
    # exact zeros (cos(pi/2) is 6e-17) so that real channels have an imaginary part of exactly 0
    cr[np.abs(cr) < 1e-12] = 0.0
    ci[np.abs(ci) < 1e-12] = 0.0
    return cr, ci


def _combine(coef, parts):
    """sum_i coef[i] * parts[i], skipping zero coefficients (None if all are zero)."""
    out = None
    for c, part in zip(coef, parts):
        if c != 0.0:
            out = c * part if out is None else out + c * part
    return out


def _rows(x, index, backend):
    """``x[:, index]``: a view when ``index`` is a contiguous range, else a gathered copy."""
    index = np.asarray(index)
    if len(index) and np.array_equal(index, np.arange(index[0], index[0] + len(index))):
        return x[:, int(index[0]):int(index[0]) + len(index)]
    return backend.take(x, index, axis=1)


class _ChannelGrads:
    """Per-channel gradient accumulator: adds rows in place of a scatter (no full-size copies)."""

    def __init__(self, n):
        self.rows = [None] * n

    def add(self, values, channels):
        for i, c in enumerate(np.asarray(channels).tolist()):
            v = values[:, i]
            self.rows[c] = v if self.rows[c] is None else self.rows[c] + v

    def add_all(self, values):
        self.add(values, np.arange(len(self.rows)))

    def stack(self, like, backend):
        zero = None
        out = []
        for r in self.rows:
            if r is None:
                zero = like[:, 0] * 0 if zero is None else zero
                r = zero
            out.append(r)
        return backend.stack(out, axis=1)


class PhaseHarmonicMoments:
    """Moments Phi(x) of a :class:`MomentPlan` for signals on ``bank``'s grid.

    ``forward(x)`` returns (B, n_moments); ``vjp(x)`` returns ``(Phi, pullback)`` where
    ``pullback(g)`` is the gradient in x (B, *s) of <g, Phi(x)>.
    """

    def __init__(self, bank, backend, plan: MomentPlan) -> None:
        self.bank = bank
        self.backend = backend
        self.plan = plan
        self.operator = PhaseHarmonicOperator(bank, backend, n_phases=plan.n_phases)
        self.spatial = tuple(bank.shape)
        self.n_pos = int(np.prod(self.spatial))
        self._cr, self._ci = harmonic_matrices(plan.n_phases)
        K = plan.n_harmonics
        self._tables: dict = {}
        self._real_harmonic = np.array([not np.any(self._ci[k]) for k in range(K)])

    def _is_real(self, channels) -> bool:
        return bool(np.all(self._real_harmonic[np.asarray(channels) // self.plan.n_wavelets]))

    # --- harmonic channels ----------------------------------------------------------
    def _harmonics(self, U):
        """(x * phi_J (B, N), Re H (B, W K, N), Im H (B, W K, N))."""
        b, p = self.backend, self.plan
        B, N = U.shape[0], self.n_pos
        low = U[:, 0].reshape((B, N))
        Uw = U[:, 1:].reshape((B, p.n_wavelets, p.n_phases, N))
        phases = [Uw[:, :, q] for q in range(p.n_phases)]
        zeros = Uw[:, :, 0] * 0
        re, im = [], []
        for k in range(p.n_harmonics):
            r = _combine(self._cr[k], phases)
            i = _combine(self._ci[k], phases)
            re.append(zeros if r is None else r)
            im.append(zeros if i is None else i)
        shape = (B, p.n_wavelets * p.n_harmonics, N)
        return low, b.stack(re, axis=1).reshape(shape), b.stack(im, axis=1).reshape(shape)

    def _harmonics_adjoint(self, g_low, g_re, g_im):
        b, p = self.backend, self.plan
        B, N = g_re.shape[0], self.n_pos
        gr = g_re.reshape((B, p.n_harmonics, p.n_wavelets, N))
        gi = g_im.reshape((B, p.n_harmonics, p.n_wavelets, N))
        parts = [gr[:, k] for k in range(p.n_harmonics)] + [gi[:, k] for k in range(p.n_harmonics)]
        zeros = gr[:, 0] * 0
        gU = []
        for q in range(p.n_phases):
            g = _combine(np.concatenate([self._cr[:, q], self._ci[:, q]]), parts)
            gU.append(zeros if g is None else g)
        gUw = b.stack(gU, axis=2).reshape((B, p.n_wavelets * p.n_phases, N))
        return b.concatenate([g_low[:, None], gUw], axis=1).reshape((B, -1) + self.spatial)

    def channel_variances(self, x):
        """Per signal: variance of x * phi_J (B,), E|h - E h|^2 (B, W K) and E|h|^2 (B, W K)."""
        low, hr, hi = self._harmonics(self.operator.forward(x))
        power = (hr ** 2 + hi ** 2).mean(axis=-1)
        mean2 = hr.mean(axis=-1) ** 2 + hi.mean(axis=-1) ** 2
        low_var = (low ** 2).mean(axis=-1) - low.mean(axis=-1) ** 2
        return low_var, power - mean2, power

    def _shift_tables(self, src, dtype):
        """cos(w . tau) and sin(w . tau) over the DFT grid, (n_taus, N) each, for the source's shifts."""
        key = (src.taus.tobytes(), str(dtype))
        if key not in self._tables:
            grids = np.meshgrid(*[np.arange(n) / n for n in self.spatial], indexing="ij")
            phase = 2 * np.pi * sum(g.ravel()[None] * src.taus[:, d:d + 1] for d, g in enumerate(grids))
            b = self.backend
            self._tables[key] = (b.asarray(np.cos(phase), dtype), b.asarray(np.sin(phase), dtype))
        return self._tables[key]

    # --- forward ----------------------------------------------------------------------
    def _cross_parts(self, hr, hi, channels):
        b = self.backend
        re = _rows(hr, channels, b)
        im = None if self._is_real(channels) else _rows(hi, channels, b)
        return re, im

    def _source_values(self, src, low, mu_re, hr, hi, cache):
        """The complex (or real) flat vector (B, size) that the source's rows index."""
        b, N = self.backend, self.n_pos
        B = hr.shape[0]
        if src.name == "low":
            m = low.mean(axis=-1)
            v = ((low - m[:, None]) ** 2).mean(axis=-1)
            return b.stack([m, v], axis=1)
        if src.name == "mean":
            return mu_re
        if src.name == "diag":
            return (hr ** 2 + hi ** 2).mean(axis=-1)
        if src.name == "auto":
            # c(tau) = (1/N) sum_u a(u + tau) conj(a(u)) = (1/N^2) sum_w |A(w)|^2 e^{i w tau}: one FFT
            # per channel, then the few shifts wanted as a product with cos/sin tables
            nc = len(src.channels)
            a = _rows(hr, src.channels, b) + 1j * _rows(hi, src.channels, b)
            A = b.fft(a.reshape((B, nc) + self.spatial), self.plan.ndim)
            cache["auto"] = A
            power = (A.real ** 2 + A.imag ** 2).reshape((B, nc, N))
            cos, sin = self._shift_tables(src, power.dtype)
            parts = []
            for start, stop, taus in src.groups:
                p = power[:, start:stop]
                c, s = b.take(cos, taus, axis=0), b.take(sin, taus, axis=0)
                g = (p @ c.swapaxes(-1, -2)) + 1j * (p @ s.swapaxes(-1, -2))
                parts.append(g.reshape((B, -1)))
            return b.concatenate(parts, axis=1) / N ** 2
        # cross family: G = a conj(b)^T / N for all its pairs, in real matrix products
        a_re, a_im = self._cross_parts(hr, hi, src.a)
        b_re, b_im = self._cross_parts(hr, hi, src.b)
        cache[src.name] = (a_re, a_im, b_re, b_im)
        gr = a_re @ b_re.swapaxes(-1, -2)
        if a_im is not None and b_im is not None:
            gr = gr + a_im @ b_im.swapaxes(-1, -2)
        gi = None
        if a_im is not None:
            gi = a_im @ b_re.swapaxes(-1, -2)
        if b_im is not None:
            t = a_re @ b_im.swapaxes(-1, -2)
            gi = -t if gi is None else gi - t
        G = gr if gi is None else gr + 1j * gi
        return G.reshape((B, -1)) / N

    def _forward_from(self, U, cache=None):
        b = self.backend
        cache = {} if cache is None else cache
        low, hr, hi = self._harmonics(U)
        mu_re = hr.mean(axis=-1)
        hr = hr - mu_re[..., None]
        hi = hi - hi.mean(axis=-1, keepdims=True)
        cache.update(low=low, hr=hr, hi=hi)
        parts = []
        for src in self.plan.sources:
            v = self._source_values(src, low, mu_re, hr, hi, cache)
            parts.append(b.take(v.real, src.index_re, axis=1))
            if len(src.index_im):
                parts.append(b.take(v.imag, src.index_im, axis=1))
        return b.concatenate(parts, axis=1)

    def forward(self, x):
        """Moments of x (B, *s): (B, n_moments)."""
        return self._forward_from(self.operator.forward(x))

    def vjp(self, x):
        """``(Phi, pullback)``; ``pullback(g)`` (g of shape (B, n_moments)) -> gradient in x."""
        U, op_pullback = self.operator.vjp(x)
        cache: dict = {}
        Phi = self._forward_from(U, cache)

        def pullback(g):
            return op_pullback(self._adjoint(self.backend.asarray(g, Phi.dtype), cache))

        return Phi, pullback

    # --- adjoint ------------------------------------------------------------------------
    def _adjoint(self, g, cache):
        b, N = self.backend, self.n_pos
        low, hr, hi = cache["low"], cache["hr"], cache["hi"]
        B, C = hr.shape[:2]
        g_low = low * 0
        g_re, g_im = _ChannelGrads(C), _ChannelGrads(C)
        g_mu = None
        row = 0
        for src in self.plan.sources:
            n_re, n_im = len(src.index_re), len(src.index_im)
            size = self._source_size(src)
            gv_re = b.index_add((B, size), src.index_re, g[:, row:row + n_re], axis=1)
            gv_im = b.index_add((B, size), src.index_im, g[:, row + n_re:row + n_re + n_im], axis=1) \
                if n_im else None
            row += n_re + n_im
            if src.name == "low":
                m = low.mean(axis=-1, keepdims=True)
                g_low = g_low + gv_re[:, :1] / N + gv_re[:, 1:2] * 2.0 * (low - m) / N
            elif src.name == "mean":
                g_mu = gv_re if g_mu is None else g_mu + gv_re
            elif src.name == "diag":
                scale = 2.0 * gv_re[..., None] / N
                g_re.add_all(scale * hr)
                g_im.add_all(scale * hi)
            elif src.name == "auto":
                # ga = (a conv K) / N with K(s) = gc(s) + conj(gc(-s)), whose transform is
                # 2 Re(sum_tau gc(tau) e^{-i w tau}): again a product with the cos/sin tables
                nc = len(src.channels)
                cos, sin = self._shift_tables(src, gv_re.dtype)
                kernels, e0 = [], 0
                for start, stop, taus in src.groups:
                    e1 = e0 + (stop - start) * len(taus)
                    shape = (B, stop - start, len(taus))
                    k = gv_re[:, e0:e1].reshape(shape) @ b.take(cos, taus, axis=0)
                    if gv_im is not None:
                        k = k + gv_im[:, e0:e1].reshape(shape) @ b.take(sin, taus, axis=0)
                    kernels.append(k)
                    e0 = e1
                kernel = 2.0 * b.concatenate(kernels, axis=1).reshape((B, nc) + self.spatial)
                ga = b.ifft(cache["auto"] * kernel, self.plan.ndim).reshape((B, nc, N)) / N
                g_re.add(ga.real, src.channels)
                g_im.add(ga.imag, src.channels)
            else:
                self._cross_adjoint(src, gv_re, gv_im, cache[src.name], g_re, g_im)
        g_re, g_im = g_re.stack(hr, b), g_im.stack(hi, b)
        # centring is a projection (self-adjoint); the means enter once more through g_mu
        g_re = g_re - g_re.mean(axis=-1, keepdims=True)
        g_im = g_im - g_im.mean(axis=-1, keepdims=True)
        if g_mu is not None:
            g_re = g_re + g_mu[..., None] / N
        return self._harmonics_adjoint(g_low, g_re, g_im)

    def _cross_adjoint(self, src, gv_re, gv_im, parts, g_re, g_im):
        """G = a conj(b)^T / N: ga = gG b / N and gb = conj(gG)^T a / N, in real parts."""
        N = self.n_pos
        a_re, a_im, b_re, b_im = parts
        B = a_re.shape[0]
        shape = (B, len(src.a), len(src.b))
        gr = gv_re.reshape(shape) / N
        gi = None if gv_im is None else gv_im.reshape(shape) / N
        ga_re = gr @ b_re
        if gi is not None and b_im is not None:
            ga_re = ga_re - gi @ b_im
        gb_re = gr.swapaxes(-1, -2) @ a_re
        if gi is not None and a_im is not None:
            gb_re = gb_re + gi.swapaxes(-1, -2) @ a_im
        g_re.add(ga_re, src.a)
        g_re.add(gb_re, src.b)
        if a_im is not None:
            ga_im = (gr @ b_im if b_im is not None else 0) + (gi @ b_re if gi is not None else 0)
            g_im.add(ga_im, src.a)
        if b_im is not None:
            gb_im = gr.swapaxes(-1, -2) @ (a_im if a_im is not None else a_re * 0)
            if gi is not None:
                gb_im = gb_im - gi.swapaxes(-1, -2) @ a_re
            g_im.add(gb_im, src.b)

    def _source_size(self, src) -> int:
        p = self.plan
        if src.name == "low":
            return 2
        if src.name in ("mean", "diag"):
            return p.n_wavelets * p.n_harmonics
        if src.name == "auto":
            return len(src.shifts)  # the gathered values
        return len(src.a) * len(src.b)
