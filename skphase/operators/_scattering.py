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
from ._common import crop_adjoint, pad, pad_adjoint
from ._layer import low_pass_adjoint, wavelet_layer, wavelet_layer_adjoint
from ._operator import Operator


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
    max_order, nonlinearity, n_phases
        The parameters the plan was made for (carried so that an operator cannot be
        given a mismatched pair).
    """

    groups1: list
    groups2: dict
    table: dict
    canonical_position: np.ndarray
    max_order: int = 1
    nonlinearity: str = "modulus"
    n_phases: int = 1

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
    return ScatteringPlan(groups1, groups2, table, position, int(max_order), nonlinearity, int(P))


def plan_memory(plan: ScatteringPlan, padded_shape) -> tuple[int, int]:
    """Bytes of the largest step of one sample, and of one first-order filter of it."""
    n0 = int(np.prod(padded_shape))
    ndim = len(padded_shape)
    P = plan.n_phases
    per_filter = 0
    biggest = 4 * n0
    for j1, k1, idx1 in plan.groups1:
        one = P * n0 // 2 ** (k1 * ndim)
        for j2, k2, idx2 in plan.groups2.get(j1, []):
            one = max(one, P * group_size(idx2) * P * n0 // 2 ** ((k1 + k2) * ndim))
        per_filter = max(per_filter, one)
        biggest = max(biggest, one * group_size(idx1))
    # complex spectra (16 bytes) and about three live temporaries per step
    return 48 * biggest, 48 * per_filter


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
    """Wavelets of both orders at every resolution, and the Hermitian low-pass, in ``dtype``."""
    psi1, psi2 = ([backend.from_filter(h, dtype) for h in _coarse_levels(bank, fset)]
                  for fset in (bank.psi1, bank.psi2))
    phi = [backend.from_filter(h, dtype) for h in _hermitian_low_pass(bank)]
    return psi1, psi2, phi


class ScatteringOperator(Operator):
    """Scattering averages S_J x as a differentiable operator.

    Filters with the same dyadic subsampling exponent are processed together as one
    stack, so each stage is a handful of large vectorised calls; each layer (product
    with a filter group, subsampling, inverse FFT, nonlinearity, FFT, low-pass) is
    one call of :func:`~skphase.operators._layer.wavelet_layer` (a fused kernel on
    numpy). The pullback (numpy) keeps each layer's wavelet coefficients from the
    forward pass and runs the layers' adjoints in reverse.

    Parameters
    ----------
    bank : FilterBank
        Built for ``pad_spec.padded_shape``.
    pad_spec : PadSpec
        Padding geometry.
    plan : ScatteringPlan
        From :func:`make_plan` on ``bank``.
    backend : NumpyBackend or TorchBackend

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.backends import get_backend
    >>> from skphase.filters import filter_bank, padding_geometry
    >>> from skphase.operators import ScatteringOperator, make_plan
    >>> spec = padding_geometry((64,), 3, mode="periodic")
    >>> bank = filter_bank(spec.padded_shape, 3)
    >>> plan = make_plan(bank, max_order=2, nonlinearity="modulus", n_phases=1)
    >>> op = ScatteringOperator(bank, spec, plan, get_backend("numpy"))
    >>> S, pullback = op.vjp(np.random.default_rng(0).standard_normal((2, 64)))
    >>> S.shape, pullback(np.ones_like(S)).shape
    ((2, 8, 8), (2, 64))
    """

    def __init__(self, bank, pad_spec, plan: ScatteringPlan, backend):
        self.bank = bank
        self.pad_spec = pad_spec
        self.plan = plan
        self.backend = backend
        J = bank.J
        self.input_shape = tuple(pad_spec.input_shape)
        coarse = tuple(n // 2 ** J for n in pad_spec.padded_shape)
        out = tuple(len(range(*c.indices(n))) for c, n in zip(pad_spec.crop(J), coarse))
        self.output_shape = (plan.n_channels,) + out

    def bytes_per_sample(self, itemsize: int = 8, *, pullback: bool = False) -> int:
        total, _ = plan_memory(self.plan, self.pad_spec.padded_shape)
        total = total * itemsize // 8
        if pullback:  # the kept coefficients of every layer, and the adjoint's temporaries
            total = 2 * total + self._kept_bytes(itemsize)
        return total

    def _kept_bytes(self, itemsize):
        n0 = int(np.prod(self.pad_spec.padded_shape))
        ndim = self.bank.ndim
        kept = 0
        for j1, k1, idx1 in self.plan.groups1:
            c1 = group_size(idx1)
            kept += c1 * (1 + self.plan.n_phases) * n0 // 2 ** (k1 * ndim)
            for j2, k2, idx2 in self.plan.groups2.get(j1, []):
                kept += c1 * self.plan.n_phases * group_size(idx2) * n0 // 2 ** ((k1 + k2) * ndim)
        return 2 * itemsize * kept

    def forward(self, x):
        self._check_input(x)
        return self._run(x, record=False)[0]

    def _analytic_vjp(self, x):
        self._check_input(x)
        S, tape = self._run(x, record=True)
        n_batch = x.shape[0]

        def pullback(g):
            g = self.backend.asarray(g, S.dtype)
            self._check_output_gradient(g, n_batch)
            return self._pullback(g, tape, x.dtype)

        return S, pullback

    def _run(self, x, record: bool):
        backend, bank, plan, spec = self.backend, self.bank, self.plan, self.pad_spec
        ndim, J = bank.ndim, bank.J
        psi1, psi2, phi = _filters(bank, backend, x.dtype)
        crop0 = (slice(None),) + spec.crop(J)  # (B, *coarse)
        crop = (slice(None),) + crop0  # (B, C, *coarse)
        spatial0 = tuple(spec.padded_shape)
        n_batch = x.shape[0]
        layer = dict(kind=plan.nonlinearity, n_phases=plan.n_phases, ndim=ndim, record=record)
        # The input is real: its half spectrum (rfft) gives S0 directly and, by Hermitian
        # symmetry, the full spectrum the wavelets need.
        Xh = backend.rfft(pad(x, spec, backend), ndim)
        pieces = [backend.low_pass_half(Xh, phi[0], 2 ** J, ndim, spatial0)[crop0][:, None]]
        X = backend.hermitian_full(Xh, ndim, spatial0)
        tape = []
        for j1, k1, idx1 in plan.groups1:
            spatial1 = tuple(n // 2 ** k1 for n in spatial0)
            order2 = plan.max_order >= 2 and bool(plan.groups2[j1])
            s1, U1, rec1 = wavelet_layer(backend, X, psi1[0][idx1], 2 ** k1, phi[k1], 2 ** (J - k1),
                                         spectra=order2, **layer)
            pieces.append(s1[crop])
            recs2 = []
            if order2:
                U1 = U1.reshape((-1,) + spatial1)
                for j2, k2, idx2 in plan.groups2[j1]:
                    s2, _, rec2 = wavelet_layer(backend, U1, psi2[k1][idx2], 2 ** k2, phi[k1 + k2],
                                                2 ** (J - k1 - k2), spectra=False, **layer)
                    s2 = s2[crop]
                    pieces.append(s2.reshape((n_batch, -1) + tuple(s2.shape[2:])))
                    recs2.append(rec2)
            tape.append((rec1, recs2))
        out = backend.concatenate(pieces, axis=1)
        return backend.take(out, np.argsort(plan.canonical_position), axis=1), tape

    def _pullback(self, g, tape, dtype):
        backend, bank, plan, spec = self.backend, self.bank, self.plan, self.pad_spec
        ndim, J = bank.ndim, bank.J
        psi1, psi2, phi = _filters(bank, backend, dtype)
        crop = spec.crop(J)
        spatial0 = tuple(spec.padded_shape)
        n_batch = g.shape[0]
        layer = dict(kind=plan.nonlinearity, n_phases=plan.n_phases, ndim=ndim)
        g = backend.take(g, plan.canonical_position, axis=1)  # computation order
        gX = low_pass_adjoint(backend, _uncrop(backend, g[:, :1], spatial0, J, crop), phi[0], 2 ** J,
                              ndim)[:, 0]
        pos = 1
        for (j1, k1, idx1), (rec1, recs2) in zip(plan.groups1, tape):
            spatial1 = tuple(n // 2 ** k1 for n in spatial0)
            c1 = group_size(idx1) * plan.n_phases
            g_s1 = _uncrop(backend, g[:, pos:pos + c1], spatial1, J - k1, crop)
            pos += c1
            g_U1 = None
            for (j2, k2, idx2), rec2 in zip(plan.groups2.get(j1, []) if recs2 else [], recs2):
                spatial2 = tuple(n // 2 ** k2 for n in spatial1)
                c2 = group_size(idx2) * plan.n_phases
                g2 = g[:, pos:pos + c1 * c2]
                pos += c1 * c2
                g2 = g2.reshape((n_batch * c1, c2) + tuple(g2.shape[2:]))
                g2 = _uncrop(backend, g2, spatial2, J - k1 - k2, crop)
                # the order-2 groups of one first-order group add into one g_U1
                g_U1 = wavelet_layer_adjoint(backend, rec2, g2, None, psi2[k1][idx2], 2 ** k2,
                                             phi[k1 + k2], 2 ** (J - k1 - k2), out=g_U1, **layer)
            if g_U1 is not None:
                g_U1 = g_U1.reshape((n_batch, c1) + spatial1)
            gX = wavelet_layer_adjoint(backend, rec1, g_s1, g_U1, psi1[0][idx1], 2 ** k1, phi[k1],
                                       2 ** (J - k1), out=gX, **layer)
        g_xp = backend.real(backend.ifft(gX, ndim)) * int(np.prod(spatial0))
        return pad_adjoint(g_xp, spec, backend)


def _uncrop(backend, g, spatial, levels, crop):
    """Zero-embed a cropped gradient into the coarse grid of ``spatial`` subsampled 2**levels."""
    coarse = tuple(n // 2 ** levels for n in spatial)
    return crop_adjoint(g, coarse, crop, backend)


def scattering(x, *, bank, pad_spec, plan: ScatteringPlan, backend):
    """Scattering coefficients of a batch: ``ScatteringOperator(...).forward(x)``.

    Returns
    -------
    S : backend array, shape ``(B, n_channels, *out_spatial)``
        Channels in the canonical order of ``plan.table``.
    """
    return ScatteringOperator(bank, pad_spec, plan, backend).forward(x)
