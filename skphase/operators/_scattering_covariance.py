"""Scattering covariance (scattering spectra): low-order moments of wavelet coefficients and their moduli.

For z_l = x * psi_l and u_l = |z_l| (full resolution, periodic), the moments are

* ``mean``: E x;
* ``s1``: E |z_l| (sparsity of each band);
* ``s2``: E |z_l|^2 (the wavelet power spectrum);
* ``c3``: E z_a conj(|z_b| * psi_a), for j_b <= j_a (phase-modulus: the sign asymmetries and
  the leverage of a series), real and imaginary parts;
* ``c4``: E (u_a * psi_c) conj(u_b * psi_c) centred, for j_a <= j_b < j_c and theta_a = theta_b
  (modulus-modulus: the intermittency across scales), real and imaginary parts,

as in Morel et al. (2022) for series and Cheng, Morel, Allys, Menard and Mallat (2024) for
fields. Every moment is a sum over frequencies (Parseval): ``c3 = sum_w X psi_a^2
conj(U_b) / N^2`` and ``c4 = sum_w U_a conj(U_b) psi_c^2 / N^2`` with X, U the spectra of
x and u, one gathered product per family. ``reduction`` averages moments that a rotation
(``"isotropic"``: the same orientation differences) or a dilation (``"scale_invariant"``:
the same scale differences) maps onto each other; ``"both"`` does both. The pullback is
analytic on numpy (autograd on torch).
"""

from __future__ import annotations

import numpy as np

from ._operator import Operator

REDUCTIONS = (None, "isotropic", "scale_invariant", "both")
_NEGLIGIBLE = 1e-16


def _octaves(bank) -> np.ndarray:
    xi = np.asarray(bank.psi1.xi, dtype=np.float64)
    return np.rint(np.log2(xi.max() / xi)).astype(np.int64)


def _table(js, thetas):
    """Rows of every moment before reduction, and the gathered indices of each family."""
    W = len(js)
    rows = {"kind": ["mean"], "j1": [0], "theta1": [0], "j2": [0], "theta2": [0], "j3": [0], "theta3": [0],
            "part": [0]}

    def add(kind, a, b=None, c=None, part=0):
        rows["kind"].append(kind)
        for key, w in (("1", a), ("2", b), ("3", c)):
            rows["j" + key].append(-1 if w is None else int(js[w]))
            rows["theta" + key].append(-1 if w is None else int(thetas[w]))
        rows["part"].append(part)

    for kind in ("s1", "s2"):
        for w in range(W):
            add(kind, w)
    c3 = [(a, b) for a in range(W) for b in range(W) if js[b] <= js[a]]
    c4 = [(a, b, c) for a in range(W) for b in range(W) for c in range(W)
          if js[a] <= js[b] < js[c] and thetas[a] == thetas[b] and (js[a] < js[b] or a <= b)]
    for part in (0, 1):
        for a, b in c3:
            add("c3", a, b, part=part)
    for part in (0, 1):
        for a, b, c in c4:
            add("c4", a, b, c, part=part)
    table = {k: np.asarray(v, dtype=object if k == "kind" else np.int64) for k, v in rows.items()}
    return table, np.asarray(c3, np.int64).reshape(-1, 2), np.asarray(c4, np.int64).reshape(-1, 3)


def _reduction_matrix(table, how, L):
    """(n_reduced, n_full) averaging matrix and the reduced table (the first row of each group)."""
    t = table
    j = np.stack([t["j1"], t["j2"], t["j3"]], axis=1)
    th = np.stack([t["theta1"], t["theta2"], t["theta3"]], axis=1)
    if how in ("isotropic", "both"):  # orientations relative to the first one
        th = np.where(th >= 0, (th - th[:, :1]) % max(L, 1), -1)
    if how in ("scale_invariant", "both"):  # scales relative to the first one
        j = np.where(j >= 0, j - j[:, :1], -1)
    kinds = {k: i for i, k in enumerate(dict.fromkeys(t["kind"]))}
    key = np.column_stack([[kinds[k] for k in t["kind"]], j, th, t["part"]])
    _, first, group = np.unique(key, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)  # groups in the order of their first moment
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group = rank[group.ravel()]
    R = np.zeros((len(order), len(group)))
    R[group, np.arange(len(group))] = 1.0
    R /= R.sum(axis=1, keepdims=True)
    reduced = {k: v[first[order]] for k, v in t.items()}
    if how in ("isotropic", "both"):
        reduced.update(theta1=th[first[order], 0], theta2=th[first[order], 1], theta3=th[first[order], 2])
    if how in ("scale_invariant", "both"):
        reduced.update(j1=j[first[order], 0], j2=j[first[order], 1], j3=j[first[order], 2])
    return R, reduced


class ScatteringCovariance(Operator):
    """Scattering-covariance moments of signals on ``bank``'s grid: ``(B, *s) -> (B, n_moments)``.

    Parameters
    ----------
    bank : FilterBank
        Wavelets (1D or 2D) on the signals' grid (:func:`skphase.filters.filter_bank`).
    backend : Backend
    reduction : {None, "isotropic", "scale_invariant", "both"}, default=None
        Average the moments over rotations and/or dilations (fewer, smoother moments for
        isotropic or self-similar processes).

    Attributes
    ----------
    table : dict of ndarray
        One row per moment: ``kind``, ``j1``, ``theta1``, ``j2``, ``theta2``, ``j3``, ``theta3``
        (-1 where unused; differences after a reduction) and ``part`` (0 real, 1 imaginary).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.backends import get_backend
    >>> from skphase.filters import filter_bank
    >>> from skphase.operators import ScatteringCovariance
    >>> op = ScatteringCovariance(filter_bank((256,), 4), get_backend("numpy"))
    >>> x = np.random.default_rng(0).standard_normal((2, 256))
    >>> op.forward(x).shape == (2, op.output_shape[0])
    True
    """

    def __init__(self, bank, backend, reduction=None) -> None:
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}; got {reduction!r}.")
        self.bank, self.backend, self.reduction = bank, backend, reduction
        self.input_shape = tuple(bank.shape)
        self.ndim = len(self.input_shape)
        self.n_pos = int(np.prod(self.input_shape))
        psi = np.asarray(bank.psi1.hat[0], dtype=np.float64).reshape((-1, self.n_pos))
        if np.iscomplexobj(bank.psi1.hat[0]):  # pragma: no cover - the banks' wavelets are real in Fourier
            raise ValueError("ScatteringCovariance needs wavelets real in Fourier.")
        self._psi, self._psi2 = psi, psi ** 2
        js, thetas = _octaves(bank), np.asarray(bank.psi1.theta, dtype=np.int64)
        L = int(thetas.max()) + 1
        self.full_table, self._c3, self._c4 = _table(js, thetas)
        W = len(js)
        self._c3_flat = self._c3[:, 0] * W + self._c3[:, 1]
        self._c4_wavelets, slot = np.unique(self._c4[:, 2], return_inverse=True)
        self._c4_slot = slot.ravel()
        self._c4_flat = (self._c4_slot * W + self._c4[:, 0]) * W + self._c4[:, 1]
        # c4 weighs the products by psi_c^2, which is negligible outside psi_c's band: the sums
        # (and their gradients) run over the frequencies where psi_c^2 exceeds 1e-16 of its
        # peak (a contribution below the float64 rounding of the sum), 2% of them for the
        # coarsest wavelets of a 256^2 bank; None where that would keep nearly all
        self._c4_support = []
        for c in self._c4_wavelets:
            keep = np.flatnonzero(self._psi2[c] > _NEGLIGIBLE * self._psi2[c].max())
            self._c4_support.append(keep if keep.size < 0.9 * self.n_pos else None)
        self._R = None
        self.table = self.full_table
        if reduction is not None:
            self._R, self.table = _reduction_matrix(self.full_table, reduction, L)
        self.output_shape = (len(self.table["kind"]),)
        self._consts: dict = {}

    def _c(self, name, make, dtype):
        key = (name, str(dtype))
        if key not in self._consts:
            self._consts[key] = self.backend.asarray(make(), dtype)
        return self._consts[key]

    def _spectra(self, x):
        b = self.backend
        B, W, N = x.shape[0], self._psi.shape[0], self.n_pos
        X = b.fft(x, self.ndim).reshape((B, 1, N))
        psi = self._c("psi", lambda: self._psi, x.dtype)
        z = b.ifft((X * psi).reshape((B, W) + self.input_shape), self.ndim)
        u = b.modulus(z)
        U = b.fft(u, self.ndim).reshape((B, W, N))
        return X, z, u, U

    def _values(self, X, U):
        """Every moment from the spectra: c3 from one product (W x N)(N x W), c4 from one per
        wavelet psi_c, each read off the products' entries."""
        b = self.backend
        B, W, N = U.shape
        psi2 = self._c("psi2", lambda: self._psi2, U.real.dtype)
        mean = X[:, 0, :1].real / N
        s1 = U[:, :, 0].real / N
        s2 = ((X.real ** 2 + X.imag ** 2) * psi2).sum(axis=-1) / N ** 2
        Uh = U.conj().swapaxes(-1, -2)
        c3 = b.take(((X * psi2) @ Uh).reshape((B, W * W)), self._c3_flat, axis=1) / N ** 2
        c4 = b.stack([self._c4_products(U, Uh, psi2, k, c) for k, c in enumerate(self._c4_wavelets)], axis=1)
        c4 = b.take(c4.reshape((B, -1)), self._c4_flat, axis=1) / N ** 2
        return b.concatenate([mean, s1, s2, c3.real, c3.imag, c4.real, c4.imag], axis=1)

    def _c4_products(self, U, Uh, psi2, k, c):
        """(U psi_c^2) U^H over psi_c's band (every frequency where it has no small one)."""
        keep = self._c4_support[k]
        if keep is None:
            return (U * psi2[c]) @ Uh
        Us = self.backend.take(U, keep, axis=2)
        return (Us * self._psi2_band(k, c, psi2.dtype)) @ Us.conj().swapaxes(-1, -2)

    def _psi2_band(self, k, c, dtype):
        """psi_c^2 on its band (``_c4_support[k]``), kept as a backend constant."""
        return self._c(f"psi2_band_{k}", lambda: self._psi2[c, self._c4_support[k]], dtype)

    def _reduce(self, v):
        if self._R is None:
            return v
        return v @ self._c("R", lambda: self._R.T, v.dtype)

    def forward(self, x):
        """Moments (B, n_moments) of x ``(B, *input_shape)``."""
        self._check_input(x)
        X, _, _, U = self._spectra(x)
        return self._reduce(self._values(X, U))

    def moment_scale(self, x) -> np.ndarray:
        """Per-moment normalisation from realisations x ``(B, *s)``, numpy: 1 for the mean,
        sqrt(E|z|^2) for s1, E|z|^2 for s2, and for c3 and c4 the square root of the product
        of their two operands' variances (a correlation coefficient)."""
        b = self.backend
        X, _, _, U = self._spectra(x)
        N = self.n_pos
        X, U = np.asarray(b.to_numpy(X)), np.asarray(b.to_numpy(U))
        U = U.copy()
        U[:, :, 0] = 0  # the centred moduli
        p2 = (np.abs(X) ** 2 * self._psi2).sum(axis=-1).mean(axis=0) / N ** 2  # E|z_l|^2
        # var(u_b * psi_a) = sum_w |U_b|^2 psi_a^2 / N^2, per (b, a)
        vu = np.einsum("bwn,an->wa", np.abs(U) ** 2, self._psi2) / (N ** 2 * X.shape[0])
        a, bb = self._c3[:, 0], self._c3[:, 1]
        c3 = np.sqrt(p2[a] * vu[bb, a])
        a4, b4, c4i = self._c4.T
        c4 = np.sqrt(vu[a4, c4i] * vu[b4, c4i])
        scale = np.concatenate([[1.0], np.sqrt(p2), p2, c3, c3, c4, c4])
        if self._R is not None:  # a reduced moment is an average: its operands' typical size
            scale = self._R @ scale
        return scale

    def _analytic_vjp(self, x):
        self._check_input(x)
        b = self.backend
        X, z, u, U = self._spectra(x)
        out = self._reduce(self._values(X, U))
        B, W, N = X.shape[0], self._psi.shape[0], self.n_pos

        def pullback(g):
            self._check_output_gradient(g, B)
            g = np.asarray(g, dtype=u.dtype)
            if self._R is not None:
                g = g @ self._R
            n3, n4 = len(self._c3), len(self._c4)
            parts = np.cumsum([1, W, W, n3, n3, n4])
            g_mean, g1, g2, g3r, g3i, g4r, g4i = np.split(g, parts, axis=1)
            G3 = (g3r + 1j * g3i) / N ** 2
            G4 = (g4r + 1j * g4i) / N ** 2
            # gradients d/dRe + i d/dIm; for C = sum P conj(Q) with C's parts weighted by G:
            # on P, G Q; on Q, conj(G) P
            gX = (2.0 / N ** 2) * (g2[:, :, None] * self._psi2).sum(axis=1) * X[:, 0]
            gX[:, 0] += g_mean[:, 0] / N
            # c3 = (A U^H)[a, b] / N^2 with A = X psi^2: dense gradient matrices over the pairs
            G = np.zeros((B, W * W), dtype=X.dtype)
            G[:, self._c3_flat] = G3
            G = G.reshape((B, W, W))
            gX += ((G @ U) * self._psi2[None]).sum(axis=1)
            gU = G.conj().swapaxes(-1, -2) @ (X * self._psi2[None])
            G = np.zeros((B, len(self._c4_wavelets) * W * W), dtype=X.dtype)
            G[:, self._c4_flat] = G4
            G = G.reshape((B, len(self._c4_wavelets), W, W))
            for k, c in enumerate(self._c4_wavelets):  # c4 = ((U psi_c^2) U^H)[a, b] / N^2
                # on U: (G_c + G_c^H) U psi_c^2, over psi_c's band
                H = G[:, k] + G[:, k].conj().swapaxes(-1, -2)
                keep = self._c4_support[k]
                if keep is None:
                    gU += (H @ U) * self._psi2[c]
                else:
                    gU[:, :, keep] += (H @ U[:, :, keep]) * self._psi2_band(k, c, self._psi2.dtype)
            gU[:, :, 0] += g1 / N
            # U = fft(u), u real: on u, Re(N ifft(gU)); u = |z|: on z, gu z / |z|
            gu = (b.ifft(gU.reshape((B, W) + self.input_shape), self.ndim).real * N)
            gz = gu * np.where(u > 0, z / np.where(u > 0, u, 1.0), 0.0)
            # z = ifft(X psi): on X psi, fft(gz) / N; on X, psi times that
            gXpsi = b.fft(gz, self.ndim).reshape((B, W, N)) / N
            gX += (gXpsi * self._psi[None]).sum(axis=1)
            # X = fft(x), x real: on x, Re(N ifft(gX))
            return np.ascontiguousarray(b.ifft(gX.reshape((B,) + self.input_shape), self.ndim).real * N)

        return out, pullback

    def bytes_per_sample(self, itemsize: int = 8, *, pullback: bool = False) -> int:
        W = self._psi.shape[0]
        rows = 4 * W + 2 * max(len(self._c3), len(self._c4))
        return 2 * itemsize * self.n_pos * rows * (2 if pullback else 1)
