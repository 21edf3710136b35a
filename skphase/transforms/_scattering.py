"""Scattering averages S_J x = U x * phi_J, subsampled by 2**J, orders 0, 1 and 2.

The algorithm is written once over a backend.  Filters with the same dyadic
subsampling exponent ``j`` are processed together as one stack, so each stage is
a handful of large vectorised calls instead of a Python loop over filters.  With
``nonlinearity="modulus"`` it is the classic scattering transform (Kymatio's
definition and channel order); with ``"relu"`` the modulus is replaced by the
rectified multiphase real wavelets rho(Re(e^{-i alpha} x * psi)).  Rectified
coefficients are not demodulated, so in that mode intermediate layers stay at
full resolution (subsampling them would alias) and only the final average is
subsampled by 2**J.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..filters._bank import reflect_frequencies
from ._common import crop_adjoint, nonlinearity, nonlinearity_vjp, pad, pad_adjoint, phase_angles


@dataclass(frozen=True)
class ScatteringPlan:
    """Grouping of the filters and the channel layout of one scattering configuration.

    Attributes
    ----------
    groups1 : list of (j1, k1, idx1)
        First-order filter groups: scale exponent, subsampling exponent, filter
        indices (a slice when contiguous); one scale may be split into chunks.
    groups2 : dict
        ``groups2[j1]`` lists (j2, k2, idx2) second-order groups with j2 > j1.
    table : dict of numpy arrays
        One row per output channel in canonical order (order 0; order 1 by (n1, p1);
        order 2 by (n1, p1, n2, p2)): ``order, n1, j1, theta1, phase1, n2, j2, theta2, phase2``
        (-1 where not applicable).
    canonical_position : numpy array
        ``canonical_position[c]`` is where the c-th channel *in computation order* goes.
    """

    groups1: list
    groups2: dict
    table: dict
    canonical_position: np.ndarray

    @property
    def n_channels(self) -> int:
        return len(self.canonical_position)


def _as_slice(idx: np.ndarray):
    """A slice when the indices are contiguous (a view of the filter stack, not a copy)."""
    if len(idx) and np.all(np.diff(idx) == 1):
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def _indices(sel) -> np.ndarray:
    return np.arange(sel.start, sel.stop) if isinstance(sel, slice) else sel


def group_size(sel) -> int:
    """Number of filters in a group of :class:`ScatteringPlan`."""
    return len(_indices(sel))


def make_plan(bank, *, max_order: int, nonlinearity: str, n_phases: int,
              max_group: int | None = None) -> ScatteringPlan:
    """Group filters by subsampling exponent and lay out the output channels.

    ``max_group`` splits first-order groups into chunks of at most that many
    filters, which bounds the memory of one step (order 2 holds
    chunk x second-order group coefficients at once).
    """
    J = bank.J
    P = n_phases if nonlinearity == "relu" else 1
    modulus = nonlinearity == "modulus"

    def groups(fset, offset):
        out = []
        for j in np.unique(fset.j):
            idx = np.flatnonzero(fset.j == j)
            k = max(min(int(j), J) - offset, 0) if modulus else 0
            out.append((int(j), k, _as_slice(idx)))
        return out

    groups1 = []
    for j1, k1, sel in groups(bank.psi1, 0):
        idx = _indices(sel)
        step = len(idx) if max_group is None else max(1, int(max_group))
        groups1 += [(j1, k1, _as_slice(idx[i:i + step])) for i in range(0, len(idx), step)]
    groups2 = {}
    # keys in computation order; each key is sortable into the canonical order
    keys = [(0,)]
    for j1, k1, idx1 in groups1:
        keys += [(1, int(n1), p1) for n1 in _indices(idx1) for p1 in range(P)]
        if max_order < 2:
            continue
        g2 = [(j2, k2, idx2) for (j2, k2, idx2) in groups(bank.psi2, k1) if j2 > j1]
        groups2[j1] = g2
        for j2, k2, idx2 in g2:
            keys += [(2, int(n1), p1, int(n2), p2)
                     for n1 in _indices(idx1) for p1 in range(P)
                     for n2 in _indices(idx2) for p2 in range(P)]
    canonical = sorted(range(len(keys)), key=lambda i: keys[i])
    position = np.empty(len(keys), dtype=np.intp)
    position[canonical] = np.arange(len(keys))

    fields = ("order", "n1", "j1", "theta1", "phase1", "n2", "j2", "theta2", "phase2")
    table = {f: np.full(len(keys), -1, dtype=np.int64) for f in fields}
    for c, i in enumerate(canonical):
        key = keys[i]
        table["order"][c] = key[0]
        if key[0] >= 1:
            n1 = key[1]
            table["n1"][c], table["j1"][c] = n1, bank.psi1.j[n1]
            table["theta1"][c] = bank.psi1.theta[n1]
            table["phase1"][c] = key[2] if nonlinearity == "relu" else -1
        if key[0] == 2:
            n2 = key[3]
            table["n2"][c], table["j2"][c] = n2, bank.psi2.j[n2]
            table["theta2"][c] = bank.psi2.theta[n2]
            table["phase2"][c] = key[4] if nonlinearity == "relu" else -1
    return ScatteringPlan(groups1, groups2, table, position)


def _low_pass_vjp(g, phi_hat, k_done, J, ndim, spatial_k, crop, backend):
    """Adjoint of :func:`_low_pass`: (B, C, *out) real -> (B, C, *s) spectra gradient."""
    lead = g.shape[:2]
    coarse = tuple(n // 2 ** (J - k_done) for n in spatial_k)
    g = crop_adjoint(g, coarse, crop, backend)
    flat = g.reshape((lead[0] * lead[1],) + coarse)
    n_coarse = int(np.prod(coarse))
    gv = backend.fft(flat, ndim) / n_coarse
    gu = backend.mul_periodize_adjoint(gv[:, None], phi_hat[k_done][None], 2 ** (J - k_done), ndim)
    return gu.reshape(tuple(lead) + tuple(spatial_k))


def _coarse_levels(bank, fset):
    """Filters to apply to a signal already subsampled to resolution 2**r, for each r.

    The band restriction ``hat_crop`` is the filter's true frequency response on the
    coarse grid. Kymatio 0.3 uses it in 2D but the periodized mean ``hat`` in 1D (a
    2**-r factor and some aliasing); for 1D Morlet we follow Kymatio so coefficients
    match. At r = 0 both are the same array.
    """
    if bank.ndim == 1 and bank.wavelet == "morlet":
        return fset.hat
    return fset.hat_crop


@lru_cache(maxsize=32)
def _hermitian_low_pass(bank):
    """phi's coarse levels made exactly Hermitian, (phi(w) + conj(phi(-w))) / 2.

    Re(ifft(Y)) only sees the Hermitian part of Y, so this changes no coefficient,
    and it lets the numpy backend low-pass real signals with half spectra.
    """
    out = []
    for h in _coarse_levels(bank, bank.phi):
        sym = 0.5 * (h + np.conj(reflect_frequencies(h, h.ndim)))
        sym = np.ascontiguousarray(sym.real if not np.iscomplexobj(sym) or not np.any(sym.imag) else sym)
        sym.setflags(write=False)
        out.append(sym)
    return tuple(out)


def _filters(bank, backend, dtype):
    return tuple([backend.from_filter(h, dtype) for h in _coarse_levels(bank, fset)]
                 for fset in (bank.psi1, bank.psi2, bank.phi))


def scattering(x, *, bank, pad_spec, plan: ScatteringPlan, backend, max_order: int,
               nonlinearity_kind: str, n_phases: int):
    """Scattering coefficients of a batch.

    Parameters
    ----------
    x : backend array, shape (B, *spatial)
        Real signals (1D) or images (2D), float32 or float64.
    bank : FilterBank
        Built for ``pad_spec.padded_shape``.
    pad_spec : PadSpec
        Padding geometry.
    plan : ScatteringPlan
        From :func:`make_plan` with the same parameters.
    backend : NumpyBackend or TorchBackend
    max_order : {1, 2}
    nonlinearity_kind : {"modulus", "relu"}
    n_phases : int
        Number of phases for ``"relu"``.

    Returns
    -------
    S : backend array, shape (B, n_channels, *out_spatial)
        Channels in the canonical order of ``plan.table``.
    """
    ndim, J = bank.ndim, bank.J
    psi1, psi2, _ = _filters(bank, backend, x.dtype)
    phi = [backend.from_filter(h, x.dtype) for h in _hermitian_low_pass(bank)]
    crop = (slice(None),) + pad_spec.crop(J)
    spatial0 = tuple(pad_spec.padded_shape)
    n_batch = x.shape[0]
    # The input is real: its half spectrum (rfft) gives S0 directly and, by Hermitian
    # symmetry, the full spectrum the wavelets need. Each layer (product with a filter
    # group, subsampling, inverse FFT, nonlinearity, FFT, low-pass) is one backend call.
    Xh = backend.rfft(pad(x, pad_spec, backend), ndim)
    pieces = [backend.low_pass_half(Xh, phi[0], 2 ** J, ndim, spatial0)[crop][:, None]]
    X = backend.hermitian_full(Xh, ndim, spatial0)
    cos, sin = backend.cos_sin(phase_angles(n_phases), x.dtype)
    for j1, k1, idx1 in plan.groups1:
        spatial1 = tuple(n // 2 ** k1 for n in spatial0)
        order2 = max_order >= 2 and bool(plan.groups2[j1])
        s1, U1 = backend.wavelet_layer(X, psi1[0][idx1], 2 ** k1, phi[k1], 2 ** (J - k1),
                                       nonlinearity_kind, cos, sin, ndim, order2)
        pieces.append(s1[(slice(None),) + crop])
        if not order2:
            continue
        U1 = U1.reshape((-1,) + spatial1)
        for j2, k2, idx2 in plan.groups2[j1]:
            s2, _ = backend.wavelet_layer(U1, psi2[k1][idx2], 2 ** k2, phi[k1 + k2], 2 ** (J - k1 - k2),
                                          nonlinearity_kind, cos, sin, ndim, False)
            s2 = s2[(slice(None),) + crop]
            pieces.append(s2.reshape((n_batch, -1) + tuple(s2.shape[2:])))
    out = backend.concatenate(pieces, axis=1)
    return backend.take(out, np.argsort(plan.canonical_position), axis=1)


def scattering_vjp(x, grad, *, bank, pad_spec, plan: ScatteringPlan, backend, max_order: int,
                   nonlinearity_kind: str, n_phases: int):
    """Vector-Jacobian product of :func:`scattering`: the gradient of <grad, S(x)> in x.

    Computed analytically (adjoint filter bank and derivative of the
    nonlinearity), group by group, so memory stays that of the forward pass.
    """
    ndim, J = bank.ndim, bank.J
    psi1, psi2, phi = _filters(bank, backend, x.dtype)
    crop = pad_spec.crop(J)
    spatial0 = tuple(pad_spec.padded_shape)
    n0 = int(np.prod(spatial0))
    g_canon = backend.take(grad, plan.canonical_position, axis=1)  # computation order
    X = backend.fft(pad(x, pad_spec, backend), ndim)
    n_batch = x.shape[0]
    pos = 1
    gX = _low_pass_vjp(g_canon[:, :1], phi, 0, J, ndim, spatial0, crop, backend)[:, 0]
    for j1, k1, idx1 in plan.groups1:
        spatial1 = tuple(n // 2 ** k1 for n in spatial0)
        n1 = int(np.prod(spatial1))
        z1 = backend.ifft(backend.mul_periodize(X, psi1[0][idx1], 2 ** k1, ndim), ndim)
        u1hat = backend.fft(nonlinearity(z1, nonlinearity_kind, n_phases, backend), ndim)
        c1 = u1hat.shape[1]
        g_u1hat = _low_pass_vjp(g_canon[:, pos:pos + c1], phi, k1, J, ndim, spatial1, crop, backend)
        pos += c1
        if max_order >= 2:
            flat1 = u1hat.reshape((n_batch * c1,) + spatial1)
            g_flat1 = g_u1hat.reshape((n_batch * c1,) + spatial1)
            for j2, k2, idx2 in plan.groups2[j1]:
                spatial2 = tuple(n // 2 ** k2 for n in spatial1)
                n2 = int(np.prod(spatial2))
                z2 = backend.ifft(backend.mul_periodize(flat1, psi2[k1][idx2], 2 ** k2, ndim), ndim)
                c2 = z2.shape[1] * (n_phases if nonlinearity_kind == "relu" else 1)
                g2 = g_canon[:, pos:pos + c1 * c2]
                pos += c1 * c2
                g2 = g2.reshape((n_batch * c1, c2) + tuple(g2.shape[2:]))
                g_u2hat = _low_pass_vjp(g2, phi, k1 + k2, J, ndim, spatial2, crop, backend)
                g_u2 = backend.real(backend.ifft(g_u2hat, ndim)) * n2
                g_z2 = nonlinearity_vjp(z2, g_u2, nonlinearity_kind, n_phases, backend)
                g_y2 = backend.fft(g_z2, ndim) / n2
                g_flat1 = g_flat1 + backend.mul_periodize_adjoint(g_y2, psi2[k1][idx2], 2 ** k2, ndim)
            g_u1hat = g_flat1.reshape((n_batch, c1) + spatial1)
        g_u1 = backend.real(backend.ifft(g_u1hat, ndim)) * n1
        g_z1 = nonlinearity_vjp(z1, g_u1, nonlinearity_kind, n_phases, backend)
        g_y1 = backend.fft(g_z1, ndim) / n1
        gX = gX + backend.mul_periodize_adjoint(g_y1, psi1[0][idx1], 2 ** k1, ndim)
    g_xp = backend.real(backend.ifft(gX, ndim)) * n0
    return pad_adjoint(g_xp, pad_spec, backend)
