"""The moment table: one row per real moment, built from the filter bank and the model parameters.

Moments are written over the *harmonic channels* of each wavelet lambda = (j, theta):
the Fourier series over the P phases of its rectified coefficients,

    h_k = (1/P) sum_p rho(Re(e^{-i alpha_p} x * psi_lambda)) e^{i k alpha_p},  k = 0..P/2,

so that h_1 = (x * psi) / 4 exactly (P = 4), h_0 ~ |x * psi| / pi is the envelope and
h_2 carries the second harmonic [x * psi]^2 (seed, slides 10-13). Families (``kind``):

* ``low_mean``, ``low_var``: mean and variance of x * phi_J;
* ``marginal``: central moments E (x - E x)^k of the values, k = 3, 4 (``k1``): the
  histogram's skewness and tails, which the wavelet moments see only through their mix
  of scales (and, for series of returns, the flatness at the smallest lag);
* ``mean``: E h_0, the mean envelope (sparsity);
* ``auto``: autocovariance E h_k(u + tau) conj(h_k(u)) - |E h_k|^2, at tau = 0 for every k
  and at shifts |tau| = 2^(j + n), n < n_shifts, for k = 0 (envelope) and k = 1 (spectrum);
* ``cross_env``: E h_0(lambda1) h_0(lambda2) (centred), j1 < j2 or (j1 = j2, theta1 < theta2);
* ``cross_env_wave``: E h_0(lambda1) conj(h_1(lambda2)) (centred), j1 < j2: how an envelope
  lines up with a coarser wave (skewness, time asymmetry); at shifts (below), also
  lambda1 = lambda2;
* ``cross_phase``: E h_k(lambda1) conj(h_1(lambda2)) (centred) with k = 2^(j2 - j1) <= P/2,
  theta1 = theta2: frequency transposition k lambda1 = lambda2, the phase alignment of edges.

With ``cross_shifts`` = n > 0 the cross families are also taken at shifts,
E h(lambda1)(u + tau) conj(h(lambda2)(u)), for tau = +-2^(j2 + n') (n' < n, in 4 directions
for images, both signs: a cross-covariance is not symmetric in tau): how a fine envelope
follows or precedes a coarser wave (the lags of the leverage effect, where a jump sits
between two others).

Complex moments give two rows (``part`` 0 real, 1 imaginary).
"""

from __future__ import annotations

import dataclasses

import numpy as np

FAMILIES = ("low", "marginal", "mean", "auto", "cross_env", "cross_env_wave", "cross_phase")
FIELDS = ("kind", "j1", "theta1", "k1", "j2", "theta2", "k2", "shift", "part")


def wavelet_scales(bank) -> np.ndarray:
    """Octave index of each wavelet, 0 for the finest (from its centre frequency)."""
    xi = np.asarray(bank.psi1.xi, dtype=np.float64)
    return np.rint(np.log2(xi.max() / xi)).astype(np.int64)


def _shift_vectors(j: int, n_shifts: int, shape: tuple) -> list[tuple]:
    """Half-space shifts of lengths 2^(j+n) that fit in the grid (|tau| < size / 2)."""
    out = []
    for n in range(n_shifts):
        m = 2 ** (j + n)
        if len(shape) == 1:
            cands = [(m,)]
        else:
            r = max(1, int(round(m / np.sqrt(2))))
            cands = [(0, m), (m, 0), (r, r), (r, -r)]
        for tau in cands:
            # rounding can give the same diagonal shift twice
            if tau not in out and all(2 * abs(t) < s for t, s in zip(tau, shape)):
                out.append(tau)
    return out


@dataclasses.dataclass(frozen=True)
class Level:
    """Wavelets whose coefficients live on one grid: the signal's, subsampled by ``step`` per axis."""

    step: int
    wavelets: np.ndarray  # bank indices, in bank order
    shape: tuple  # the grid

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


@dataclasses.dataclass(frozen=True)
class _Source:
    """Moments computed together as ``n_values`` real values, of which ``pick`` are table ``rows``.

    Channels are level-local, ``k * W + w`` for the level's w-th wavelet (of W) and harmonic k:
    one harmonic of a level's wavelets is a contiguous block.
    """

    name: str  # "low", "marginal", "mean", "auto" or a cross kind
    pick: np.ndarray
    rows: np.ndarray
    n_values: int
    level: int = -1  # mean, auto: the channels' level; cross: the second factor's
    channels: np.ndarray = None  # mean, auto
    taus: np.ndarray = None  # auto: (n_taus, ndim) shifts in samples of the signal's grid; shifted cross: per column
    has_im: bool = False  # auto, cross: imaginary parts are computed (after the real ones)
    level_a: int = -1  # cross: the first factor's level (never coarser than ``level``)
    a: np.ndarray = None  # cross: first factor's channels
    b: np.ndarray = None  # cross: second factor's channels (conjugated)
    freq_a: np.ndarray = None  # cross across levels: frequencies of level_a's grid (flat) ...
    freq_b: np.ndarray = None  # ... matched to these of the coarser grid, its Nyquist dropped
    b_owner: np.ndarray = None  # shifted cross: each column's channel in ``b`` (columns grouped by it)


@dataclasses.dataclass(frozen=True)
class MomentPlan:
    """Everything the statistics need besides the signal: table, levels, sources, harmonics."""

    table: dict
    sources: tuple
    levels: tuple
    n_wavelets: int
    n_phases: int
    n_harmonics: int
    ndim: int
    order: np.ndarray  # table row r is value order[r] of the sources' picked values, concatenated

    @property
    def n_moments(self) -> int:
        return len(self.table["kind"])

    @property
    def steps(self) -> np.ndarray:
        """Subsampling step of each wavelet's coefficients (bank order)."""
        out = np.empty(self.n_wavelets, dtype=np.int64)
        for lev in self.levels:
            out[lev.wavelets] = lev.step
        return out


def wavelet_steps(bank, subsample: bool = True) -> np.ndarray:
    """Per wavelet, the subsampling step of its coefficients: 2^max(j - 1, 0), or 1 everywhere.

    One octave finer than the critical step (the bank's ``psi1.j``), so that the second
    harmonic (twice the wavelet's frequency) stays below the coarse grid's Nyquist
    frequency; never more than the bank allows, and a power of two dividing every axis.
    """
    js = wavelet_scales(bank)
    if not subsample:
        return np.ones(len(js), dtype=np.int64)
    fits = min((int(n) & -int(n)).bit_length() - 1 for n in bank.shape)
    e = np.minimum(np.minimum(np.maximum(js - 1, 0), np.asarray(bank.psi1.j)), fits)
    return (2 ** e).astype(np.int64)


def _cross_shift_vectors(j: int, n_shifts: int, shape: tuple) -> list[tuple]:
    """The shifts of the cross moments whose coarser wavelet has octave j: +-tau for each
    half-space shift of :func:`_shift_vectors`."""
    return [s for tau in _shift_vectors(j, n_shifts, shape) for s in (tau, tuple(-t for t in tau))]


def _signed(m: int) -> np.ndarray:
    """DFT frequency indices of a grid of m points, signed (Nyquist negative)."""
    return np.rint(np.fft.fftfreq(m) * m).astype(np.int64)


def _matched_frequencies(fine: tuple, coarse: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices of the coarse grid's frequencies (Nyquist dropped) and of the same in the fine grid."""
    idx_c, idx_f = [], []
    for mf, mc in zip(fine, coarse):
        q = np.arange(mc)
        if mc % 2 == 0 and mc < mf:
            q = q[q != mc // 2]  # ambiguous on the coarse grid: dropped on both sides
        idx_c.append(q)
        idx_f.append(_signed(mc)[q] % mf)
    grid_c = np.meshgrid(*idx_c, indexing="ij")
    grid_f = np.meshgrid(*idx_f, indexing="ij")
    return (np.ravel_multi_index(tuple(grid_f), fine).ravel(),
            np.ravel_multi_index(tuple(grid_c), coarse).ravel())


def _make_sources(table, bank, steps):
    """Group the table's rows into sources (see :class:`_Source`); rows are not reordered."""
    shape = tuple(bank.shape)
    js = wavelet_scales(bank)
    thetas = np.asarray(bank.psi1.theta, dtype=np.int64)
    levels = []
    for s in sorted(set(steps.tolist())):
        levels.append(Level(int(s), np.flatnonzero(steps == s), tuple(n // s for n in shape)))
    level_of = {lev.step: i for i, lev in enumerate(levels)}
    local = np.empty(len(js), dtype=np.int64)
    for lev in levels:
        local[lev.wavelets] = np.arange(len(lev.wavelets))
    where = {(int(js[w]), int(thetas[w])): w for w in range(len(js))}

    def chan(j, t, k):
        w = where[(int(j), int(t))]
        lev = level_of[int(steps[w])]
        return lev, int(k * len(levels[lev].wavelets) + local[w])

    low, marginal, means, autos, crosses = [], [], {}, {}, {}
    for r, kind in enumerate(table["kind"]):
        part = int(table["part"][r])
        if kind in ("low_mean", "low_var"):
            low.append((r, 0 if kind == "low_mean" else 1))
            continue
        if kind == "marginal":
            marginal.append((r, int(table["k1"][r]) - 3))
            continue
        lev, c = chan(table["j1"][r], table["theta1"][r], table["k1"][r])
        if kind == "mean":
            means.setdefault(lev, []).append((r, c))
        elif kind == "auto":
            autos.setdefault((lev, c), []).append((r, tuple(int(t) for t in table["shift"][r]), part))
        else:
            lev_b, c_b = chan(table["j2"][r], table["theta2"][r], table["k2"][r])
            tau = tuple(int(t) for t in table["shift"][r])
            crosses.setdefault((kind, lev, lev_b), []).append((r, c, c_b, part, tau))

    sources = []
    if low:
        sources.append(_Source("low", np.array([p for _, p in low]), np.array([r for r, _ in low]), 2))
    if marginal:
        sources.append(_Source("marginal", np.array([p for _, p in marginal]),
                               np.array([r for r, _ in marginal]), 2))
    for lev, items in sorted(means.items()):
        sources.append(_Source("mean", np.arange(len(items)), np.array([r for r, _ in items]), len(items),
                               level=lev, channels=np.array([c for _, c in items])))
    # autocorrelations: channels of a level that share their shifts are one product
    groups = {}
    for (lev, c), items in sorted(autos.items()):
        taus = tuple(sorted({t for _, t, _ in items}))
        has_im = any(p for _, _, p in items)
        groups.setdefault((lev, taus, has_im), []).append((c, items))
    for (lev, taus, has_im), members in groups.items():
        nc, nt = len(members), len(taus)
        tau_at = {t: i for i, t in enumerate(taus)}
        pick, rows = [], []
        for slot, (c, items) in enumerate(members):
            for r, t, p in items:
                pick.append(p * nc * nt + slot * nt + tau_at[t])
                rows.append(r)
        sources.append(_Source("auto", np.array(pick), np.array(rows), nc * nt * (2 if has_im else 1),
                               level=lev, channels=np.array([c for c, _ in members]),
                               taus=np.array(taus, dtype=np.int64).reshape(nt, len(shape)), has_im=has_im))
    zero = (0,) * len(shape)
    for (kind, lev_a, lev_b), items in crosses.items():
        a = np.unique([it[1] for it in items])
        # the second factor's channels, each at the shifts of its rows (zero first): a shifted
        # b(u - tau) is one more column of the product, so that each shift costs only its pairs
        at = sorted({(it[2], it[4]) for it in items} | {(it[2], zero) for it in items},
                    key=lambda ct: (ct[0], ct[1] != zero, ct[1]))
        b = np.unique([c for c, _ in at])
        col = {ct: i for i, ct in enumerate(at)}
        ia = np.searchsorted(a, [it[1] for it in items])
        ib = np.array([col[(it[2], it[4])] for it in items])
        parts = np.array([it[3] for it in items])
        has_im = bool(parts.any())
        n_ab = len(a) * len(at)
        freq_a = freq_b = None
        if lev_a != lev_b:
            freq_a, freq_b = _matched_frequencies(levels[lev_a].shape, levels[lev_b].shape)
        shifted = len(at) > len(b)
        sources.append(_Source(kind, parts * n_ab + ia * len(at) + ib,
                               np.array([it[0] for it in items]), n_ab * (2 if has_im else 1),
                               level=lev_b, has_im=has_im, level_a=lev_a, a=a, b=b,
                               freq_a=freq_a, freq_b=freq_b,
                               taus=np.array([t for _, t in at], dtype=np.int64).reshape(len(at), len(shape))
                               if shifted else None,
                               b_owner=np.searchsorted(b, [c for c, _ in at]) if shifted else None))
    rows = np.concatenate([s.rows for s in sources])
    if not np.array_equal(np.sort(rows), np.arange(len(table["kind"]))):  # pragma: no cover
        raise AssertionError("moment sources do not cover the table exactly once")
    return tuple(levels), tuple(sources), np.argsort(rows)


def build_plan(bank, *, n_phases: int = 4, n_shifts: int = 2, delta_j=None, delta_theta=None,
               families=FAMILIES, subsample: bool = True, cross_shifts: int = 0) -> MomentPlan:
    """The moment table and the plan computing it, for ``bank`` and the model parameters.

    With ``subsample``, the coefficients of scale j are kept on the signal's grid
    subsampled by 2^max(j - 1, 0) (see :func:`wavelet_steps`): moments are then averages
    over that grid, and pairs across grids are products of spectra on the coarser one.
    The moments are exactly invariant to translations by multiples of the largest step,
    and to the others up to the wavelets' aliasing; without it they are exactly invariant
    and cost about twice as much (images). ``cross_shifts``: the cross families at shifts
    too (see the module's docstring).
    """
    shape = tuple(bank.shape)
    ndim = len(shape)
    n_w = len(bank.psi1)
    P = n_phases
    K = P // 2 + 1
    js = wavelet_scales(bank)
    thetas = np.asarray(bank.psi1.theta, dtype=np.int64)
    L = int(bank.L) if ndim == 2 else 1
    zero = (0,) * ndim
    rows: list[tuple] = []

    def theta_ok(t1, t2):
        if delta_theta is None:
            return True
        d = abs(int(t1) - int(t2)) % L
        return min(d, L - d) <= delta_theta

    def j_ok(j1, j2):
        return delta_j is None or j2 - j1 <= delta_j

    if "low" in families:
        rows += [("low_mean", -1, -1, -1, -1, -1, -1, zero, 0),
                 ("low_var", -1, -1, -1, -1, -1, -1, zero, 0)]
    if "marginal" in families:
        rows += [("marginal", -1, -1, k, -1, -1, -1, zero, 0) for k in (3, 4)]
    if "mean" in families:
        rows += [("mean", js[w], thetas[w], 0, -1, -1, -1, zero, 0) for w in range(n_w)]
    if "auto" in families:
        # tau = 0, every harmonic: E|h_k - E h_k|^2 (real)
        rows += [("auto", js[w], thetas[w], k, js[w], thetas[w], k, zero, 0)
                 for w in range(n_w) for k in range(K)]
        # shifts, k = 0 (real covariance) and k = 1 (complex); imaginary parts after all real ones
        re_rows, im_rows = [], []
        for k in (0, 1):
            for w in range(n_w):
                for tau in _shift_vectors(int(js[w]), n_shifts, shape):
                    re_rows.append(("auto", js[w], thetas[w], k, js[w], thetas[w], k, tau, 0))
                    if k == 1:
                        im_rows.append(("auto", js[w], thetas[w], k, js[w], thetas[w], k, tau, 1))
        rows += re_rows + im_rows

    def cross(name, pairs, complex_, shifted_only=()):
        # shift 0 first, so that cross_shifts=0 gives the table it always gave
        at = [(m, zero) for m in pairs] + [(m, tau) for m in list(pairs) + list(shifted_only)
                                          for tau in _cross_shift_vectors(int(m[3]), cross_shifts, shape)]
        rows.extend((name, *m, tau, 0) for m, tau in at)
        if complex_:
            rows.extend((name, *m, tau, 1) for m, tau in at)

    if "cross_env" in families:
        cross("cross_env", [(js[w1], thetas[w1], 0, js[w2], thetas[w2], 0)
                            for w1 in range(n_w) for w2 in range(n_w)
                            if ((js[w1] < js[w2] and j_ok(js[w1], js[w2])) or
                                (js[w1] == js[w2] and thetas[w1] < thetas[w2]))
                            and theta_ok(thetas[w1], thetas[w2])], False)
    if "cross_env_wave" in families:
        # at shifts, also a wavelet's envelope against its own wave: E |z(u + tau)| z(u) is
        # what makes volatility follow a move (leverage); at tau = 0 it carries no information
        cross("cross_env_wave", [(js[w1], thetas[w1], 0, js[w2], thetas[w2], 1)
                                 for w1 in range(n_w) for w2 in range(n_w)
                                 if js[w1] < js[w2] and j_ok(js[w1], js[w2])
                                 and theta_ok(thetas[w1], thetas[w2])], True,
              [(js[w], thetas[w], 0, js[w], thetas[w], 1) for w in range(n_w)])
    if "cross_phase" in families:
        pairs = []
        for w1 in range(n_w):
            for w2 in range(n_w):
                dj = int(js[w2] - js[w1])
                if dj >= 1 and 2 ** dj <= P // 2 and thetas[w1] == thetas[w2] and j_ok(js[w1], js[w2]):
                    pairs.append((js[w1], thetas[w1], 2 ** dj, js[w2], thetas[w2], 1))
        cross("cross_phase", pairs, True)

    if not rows:
        raise ValueError(f"families={tuple(families)!r} selects no moment; choose among {FAMILIES}.")
    table = {}
    for i, f in enumerate(FIELDS):
        col = [r[i] for r in rows]
        table[f] = np.asarray(col, dtype=object if f == "kind" else np.int64)
    table["kind"] = table["kind"].astype(str)
    for v in table.values():
        v.setflags(write=False)
    levels, sources, order = _make_sources(table, bank, wavelet_steps(bank, subsample))
    return MomentPlan(table=table, sources=sources, levels=levels, n_wavelets=n_w, n_phases=P,
                      n_harmonics=K, ndim=ndim, order=order)


def coarse_to_fine(table: dict) -> list[np.ndarray]:
    """Moment masks of a coarse-to-fine reconstruction, one per stage, from the coarsest
    octave j_max of the table: stage s keeps the low pass and the moments whose wavelets all
    have j >= j_max - 1 - s (the two coarsest octaves first: one alone has too few moments to
    place anything); the last stage keeps every moment.

    The marginal moments (values' skewness and tails) involve every frequency: they enter
    at the last stage only. The gradient of a moment of x * psi_j lies in psi_j's band, so a
    start without fine frequencies stays coarse until the fine moments enter.
    """
    kind = np.asarray(table["kind"])
    j1, j2 = np.asarray(table["j1"]), np.asarray(table["j2"])
    low = (kind == "low_mean") | (kind == "low_var")
    # a row's finest wavelet (-1 marks an absent factor: low pass, marginal)
    finest = np.where(j2 >= 0, np.minimum(j1, j2), j1)
    j_max = int(j1.max())
    stages = [low | ((finest >= j0) & (kind != "marginal")) for j0 in range(j_max - 1, 0, -1)]
    return stages + [np.ones(len(kind), dtype=bool)]


def harmonic_matrices(n_phases: int) -> tuple[np.ndarray, np.ndarray]:
    """Real and imaginary parts of h_k = (1/P) sum_p U_p e^{i k alpha_p}, k = 0..P/2: (K, P) each."""
    alphas = 2.0 * np.pi * np.arange(n_phases) / n_phases
    k = np.arange(n_phases // 2 + 1)[:, None]
    cr, ci = np.cos(k * alphas) / n_phases, np.sin(k * alphas) / n_phases
    # exact zeros (cos(pi/2) is 6e-17) so that real channels have an imaginary part of exactly 0
    cr[np.abs(cr) < 1e-12] = 0.0
    ci[np.abs(ci) < 1e-12] = 0.0
    return cr, ci


def moment_names(table: dict) -> np.ndarray:
    """Readable names, e.g. ``cross_phase_j0_t1_k2_j1_t1_k1_re``."""
    names = []
    for i in range(len(table["kind"])):
        kind = table["kind"][i]
        if kind in ("operator_mean", "operator_moment"):  # an operator's channel or output
            names.append(f"{kind}_c{table['channel'][i]}")
            continue
        if "j3" in table:  # scattering covariance
            if kind == "mean":
                names.append("mean")
                continue
            ws = [f"_j{table['j' + n][i]}_t{table['theta' + n][i]}" for n in "123" if table["j" + n][i] >= 0
                  or table["theta" + n][i] >= 0]
            part = ("_re", "_im")[table["part"][i]] if kind in ("c3", "c4") else ""
            names.append(kind + "".join(ws) + part)
            continue
        if kind.startswith("low"):
            names.append(kind)
            continue
        if kind == "marginal":
            names.append(f"marginal_k{table['k1'][i]}")
            continue
        s = f"{kind}_j{table['j1'][i]}_t{table['theta1'][i]}_k{table['k1'][i]}"
        if kind != "mean":
            s += f"_j{table['j2'][i]}_t{table['theta2'][i]}_k{table['k2'][i]}"
        tau = table["shift"][i]
        if np.any(tau != 0):
            s += "_tau" + "_".join(str(int(t)) for t in tau)
        if kind != "mean" and kind != "low_mean":
            s += ("_re", "_im")[table["part"][i]]
        names.append(s)
    return np.asarray(names, dtype=object)
