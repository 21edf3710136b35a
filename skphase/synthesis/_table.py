"""The moment table: one row per real moment, built from the filter bank and the model parameters.

Moments are written over the *harmonic channels* of each wavelet lambda = (j, theta):
the Fourier series over the P phases of its rectified coefficients,

    h_k = (1/P) sum_p rho(Re(e^{-i alpha_p} x * psi_lambda)) e^{i k alpha_p},  k = 0..P/2,

so that h_1 = (x * psi) / 4 exactly (P = 4), h_0 ~ |x * psi| / pi is the envelope and
h_2 carries the second harmonic [x * psi]^2 (seed, slides 10-13). Families (``kind``):

* ``low_mean``, ``low_var``: mean and variance of x * phi_J;
* ``mean``: E h_0, the mean envelope (sparsity);
* ``auto``: autocovariance E h_k(u + tau) conj(h_k(u)) - |E h_k|^2, at tau = 0 for every k
  and at shifts |tau| = 2^(j + n), n < n_shifts, for k = 0 (envelope) and k = 1 (spectrum);
* ``cross_env``: E h_0(lambda1) h_0(lambda2) (centred), j1 < j2 or (j1 = j2, theta1 < theta2);
* ``cross_env_wave``: E h_0(lambda1) conj(h_1(lambda2)) (centred), j1 < j2: how an envelope
  lines up with a coarser wave (skewness, time asymmetry);
* ``cross_phase``: E h_k(lambda1) conj(h_1(lambda2)) (centred) with k = 2^(j2 - j1) <= P/2,
  theta1 = theta2: frequency transposition k lambda1 = lambda2, the phase alignment of edges.

Complex moments give two rows (``part`` 0 real, 1 imaginary).
"""

from __future__ import annotations

import dataclasses

import numpy as np

KINDS = ("low_mean", "low_var", "mean", "auto", "cross_env", "cross_env_wave", "cross_phase")
FAMILIES = ("low", "mean", "auto", "cross_env", "cross_env_wave", "cross_phase")
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
class _Source:
    """One group of moments computed together; its rows index a complex vector it produces."""

    name: str
    index_re: np.ndarray  # positions in the source's flat complex output read as real parts
    index_im: np.ndarray  # ... read as imaginary parts
    channels: np.ndarray = None  # auto: the harmonic channels correlated with themselves
    shifts: np.ndarray = None  # auto: flat index (slot * n_taus + tau) of each value read
    taus: np.ndarray = None  # auto: the distinct shifts, (n_taus, ndim)
    groups: tuple = ()  # auto: (first slot, last slot + 1, shift indices) of slots sharing shifts
    a: np.ndarray = None  # cross: first-factor channels
    b: np.ndarray = None  # cross: second-factor channels (conjugated)


@dataclasses.dataclass(frozen=True)
class MomentPlan:
    """Everything the statistics need besides the signal: table, sources, harmonics."""

    table: dict
    sources: tuple
    n_wavelets: int
    n_phases: int
    n_harmonics: int
    ndim: int

    @property
    def n_moments(self) -> int:
        return len(self.table["kind"])


def check_model_fits(bank, n_shifts: int) -> None:
    """Refuse a model the signal cannot support (every wavelet must fit in the grid)."""
    shape = tuple(bank.shape)
    J = int(wavelet_scales(bank).max())
    if 2 ** (J + 1) > min(shape):
        raise ValueError(f"the model's coarsest wavelet (scale 2**{J}) needs signals of at least "
                         f"{2 ** (J + 1)} samples per axis; got spatial shape {shape}. Use a smaller J.")


def build_plan(bank, *, n_phases: int = 4, n_shifts: int = 2, delta_j=None, delta_theta=None,
               families=FAMILIES) -> MomentPlan:
    """The moment table and the plan computing it, for ``bank`` and the model parameters."""
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
    sources: list[_Source] = []
    empty = np.zeros(0, dtype=np.int64)

    def ch(w, k):  # harmonic-major, so that one harmonic of all wavelets is a contiguous block
        return k * n_w + w

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
        sources.append(_Source("low", np.arange(2), empty))
    if "mean" in families:
        rows += [("mean", js[w], thetas[w], 0, -1, -1, -1, zero, 0) for w in range(n_w)]
        sources.append(_Source("mean", np.array([ch(w, 0) for w in range(n_w)]), empty))
    if "auto" in families:
        # tau = 0, every harmonic: E|h_k - E h_k|^2 (real)
        rows += [("auto", js[w], thetas[w], k, js[w], thetas[w], k, zero, 0)
                 for w in range(n_w) for k in range(K)]
        sources.append(_Source("diag", np.array([ch(w, k) for w in range(n_w) for k in range(K)]), empty))
        # shifts, k = 0 (real covariance) and k = 1 (complex)
        chans, entries, re_rows, im_rows = [], [], [], []
        for k in (0, 1):
            for w in range(n_w):
                taus = _shift_vectors(int(js[w]), n_shifts, shape)
                if not taus:
                    continue
                slot = len(chans)
                chans.append(ch(w, k))
                for tau in taus:
                    entries.append((slot, tau))
                    re_rows.append(("auto", js[w], thetas[w], k, js[w], thetas[w], k, tau, 0))
                    if k == 1:
                        im_rows.append(("auto", js[w], thetas[w], k, js[w], thetas[w], k, tau, 1))
        if chans:
            all_taus = sorted({tau for _, tau in entries})
            where = {tau: i for i, tau in enumerate(all_taus)}
            flat = [slot * len(all_taus) + where[tau] for slot, tau in entries]
            # consecutive slots with the same shifts (one scale) form a group: their values are
            # one small product (slots x N) @ (N x shifts), laid out slot-major like `entries`
            groups, start = [], 0
            per_slot = [[where[tau] for s_, tau in entries if s_ == slot] for slot in range(len(chans))]
            for slot in range(1, len(chans) + 1):
                if slot == len(chans) or per_slot[slot] != per_slot[start]:
                    groups.append((start, slot, np.asarray(per_slot[start], dtype=np.int64)))
                    start = slot
            n_re = len(re_rows)
            rows += re_rows + im_rows
            # im rows are the k = 1 rows, which come last among the re rows
            sources.append(_Source("auto", np.arange(n_re), np.arange(n_re - len(im_rows), n_re),
                                   channels=np.asarray(chans), shifts=np.asarray(flat),
                                   groups=tuple(groups),
                                   taus=np.asarray(all_taus, dtype=np.int64).reshape(len(all_taus), ndim)))

    def cross(name, pairs, complex_):
        if not pairs:
            return
        a = np.unique([p[0] for p in pairs])
        b = np.unique([p[1] for p in pairs])
        ia = np.searchsorted(a, [p[0] for p in pairs])
        ib = np.searchsorted(b, [p[1] for p in pairs])
        idx = ia * len(b) + ib
        meta = [p[2] for p in pairs]
        rows.extend((name, *m, zero, 0) for m in meta)
        if complex_:
            rows.extend((name, *m, zero, 1) for m in meta)
        sources.append(_Source(name, idx, idx if complex_ else empty, a=a, b=b))

    if "cross_env" in families:
        pairs = [(ch(w1, 0), ch(w2, 0), (js[w1], thetas[w1], 0, js[w2], thetas[w2], 0))
                 for w1 in range(n_w) for w2 in range(n_w)
                 if ((js[w1] < js[w2] and j_ok(js[w1], js[w2])) or
                     (js[w1] == js[w2] and thetas[w1] < thetas[w2])) and theta_ok(thetas[w1], thetas[w2])]
        cross("cross_env", pairs, False)
    if "cross_env_wave" in families:
        pairs = [(ch(w1, 0), ch(w2, 1), (js[w1], thetas[w1], 0, js[w2], thetas[w2], 1))
                 for w1 in range(n_w) for w2 in range(n_w)
                 if js[w1] < js[w2] and j_ok(js[w1], js[w2]) and theta_ok(thetas[w1], thetas[w2])]
        cross("cross_env_wave", pairs, True)
    if "cross_phase" in families:
        pairs = []
        for w1 in range(n_w):
            for w2 in range(n_w):
                dj = int(js[w2] - js[w1])
                if dj >= 1 and 2 ** dj <= P // 2 and thetas[w1] == thetas[w2] and j_ok(js[w1], js[w2]):
                    k = 2 ** dj
                    pairs.append((ch(w1, k), ch(w2, 1), (js[w1], thetas[w1], k, js[w2], thetas[w2], 1)))
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
    return MomentPlan(table=table, sources=tuple(sources), n_wavelets=n_w, n_phases=P,
                      n_harmonics=K, ndim=ndim)


def moment_names(table: dict) -> np.ndarray:
    """Readable names, e.g. ``cross_phase_j0_t1_k2_j1_t1_k1_re``."""
    names = []
    for i in range(len(table["kind"])):
        kind = table["kind"][i]
        if kind.startswith("low"):
            names.append(kind)
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
