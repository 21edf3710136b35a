"""Phase-harmonic moments as math: gradients, invariances, backends, the table."""

import numpy as np
import pytest

from skphase.backends import get_backend
from skphase.filters import filter_bank
from skphase.synthesis import FAMILIES, PhaseHarmonicMoments, build_plan, moment_names

CASES = [((256,), 4, 1), ((32, 32), 3, 4)]


def _engine(shape, J, L, backend="numpy", **kw):
    bank = filter_bank(shape, J, L=L)
    return PhaseHarmonicMoments(bank, get_backend(backend), build_plan(bank, **kw))


def _signal(shape, seed=0, batch=2):
    x = np.random.default_rng(seed).standard_normal((batch,) + shape)
    return np.cumsum(x, axis=-1) * 0.3 + x  # some large scales, not white


@pytest.mark.parametrize("subsample", [True, False])
@pytest.mark.parametrize("shape,J,L", CASES)
@pytest.mark.parametrize("family", FAMILIES)
def test_gradient_matches_finite_differences(shape, J, L, family, subsample):
    engine = _engine(shape, J, L, families=(family,), subsample=subsample)
    x = _signal(shape)
    rng = np.random.default_rng(1)
    phi, pullback = engine.vjp(x)
    g = rng.standard_normal(phi.shape)
    grad = pullback(g)
    d = rng.standard_normal(x.shape)
    eps = 1e-6
    fd = (np.sum(engine.forward(x + eps * d) * g) - np.sum(engine.forward(x - eps * d) * g)) / (2 * eps)
    analytic = np.sum(grad * d)
    assert abs(fd - analytic) <= 1e-6 * abs(analytic)


CROSS = ("cross_env", "cross_env_wave", "cross_phase")


@pytest.mark.parametrize("subsample", [True, False])
@pytest.mark.parametrize("shape,J,L", CASES)
@pytest.mark.parametrize("family", CROSS)
def test_shifted_cross_gradient_matches_finite_differences(shape, J, L, family, subsample):
    engine = _engine(shape, J, L, families=(family,), subsample=subsample, cross_shifts=2)
    assert np.any(engine.plan.table["shift"] != 0)
    x = _signal(shape)
    rng = np.random.default_rng(1)
    phi, pullback = engine.vjp(x)
    g = rng.standard_normal(phi.shape)
    d = rng.standard_normal(x.shape)
    eps = 1e-6
    fd = (np.sum(engine.forward(x + eps * d) * g) - np.sum(engine.forward(x - eps * d) * g)) / (2 * eps)
    analytic = np.sum(pullback(g) * d)
    assert abs(fd - analytic) <= 1e-6 * abs(analytic)


def _spatial_harmonics(x, bank):
    """h_0, h_1, h_2 (P = 4) of every wavelet at full resolution, from their definitions."""
    axes = tuple(range(-len(bank.shape), 0))
    z = np.fft.ifftn(np.fft.fftn(x, axes=axes)[:, None] * bank.psi1.hat[0][None], axes=axes)
    return {0: (np.abs(z.real) + np.abs(z.imag)) / 4, 1: z / 4, 2: (np.abs(z.real) - np.abs(z.imag)) / 4}


@pytest.mark.parametrize("shape,J,L", CASES)
def test_shifted_cross_moments_are_lagged_spatial_averages(shape, J, L):
    """Each shifted row is E (h_a(u + tau) - E h_a) conj(h_b(u) - E h_b), computed in space;
    the unshifted rows are those of the model without shifts."""
    from skphase.synthesis._table import wavelet_scales

    bank = filter_bank(shape, J, L=L)
    plan = build_plan(bank, subsample=False, cross_shifts=2)
    x = _signal(shape)
    phi = PhaseHarmonicMoments(bank, get_backend("numpy"), plan).forward(x)
    h = _spatial_harmonics(x, bank)
    js, thetas = wavelet_scales(bank), np.asarray(bank.psi1.theta)
    where = {(int(js[w]), int(thetas[w])): w for w in range(len(js))}
    axes = tuple(range(-len(shape), 0))
    t = plan.table
    shifted = [i for i in range(len(t["kind"])) if t["kind"][i].startswith("cross") and np.any(t["shift"][i])]
    kinds = {t["kind"][i] for i in shifted}
    assert kinds == set(CROSS)
    # both signs of a shift, and a wavelet's envelope against its own wave
    assert any(t["j1"][i] == t["j2"][i] and t["kind"][i] == "cross_env_wave" for i in shifted)
    for i in shifted:
        a = h[int(t["k1"][i])][:, where[(t["j1"][i], t["theta1"][i])]]
        b = h[int(t["k2"][i])][:, where[(t["j2"][i], t["theta2"][i])]]
        a = a - a.mean(axis=axes, keepdims=True)
        b = b - b.mean(axis=axes, keepdims=True)
        lagged = np.roll(a, tuple(-int(v) for v in t["shift"][i]), axis=axes)  # a(u + tau)
        value = (lagged * np.conj(b)).mean(axis=axes)
        value = value.imag if t["part"][i] else value.real
        np.testing.assert_allclose(phi[:, i], value, rtol=0, atol=1e-12 * np.abs(phi).max())
    plain = build_plan(bank, subsample=False)
    key = lambda tab, i: (tab["kind"][i], *(int(tab[f][i]) for f in ("j1", "theta1", "k1", "j2", "theta2",  # noqa: E731
                                                                      "k2", "part")), tuple(tab["shift"][i]))
    at = {key(t, i): i for i in range(len(t["kind"]))}
    rows = [at[key(plain.table, i)] for i in range(plain.n_moments)]
    base = PhaseHarmonicMoments(bank, get_backend("numpy"), plain).forward(x)
    np.testing.assert_allclose(phi[:, rows], base, rtol=0, atol=1e-13 * np.abs(base).max())


@pytest.mark.parametrize("shape,J,L", CASES)
@pytest.mark.parametrize("cross_shifts", [0, 1])
def test_moments_are_translation_invariant(shape, J, L, cross_shifts):
    engine = _engine(shape, J, L, subsample=False, cross_shifts=cross_shifts)
    x = _signal(shape, batch=1)
    shift = (5,) if len(shape) == 1 else (3, -7)
    moved = np.roll(x, shift, axis=tuple(range(1, x.ndim)))
    a, b = engine.forward(x), engine.forward(moved)
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-12 * np.abs(a).max())
    # and they do see other changes
    assert np.abs(engine.forward(np.flip(x, axis=-1)) - a).max() > 1e-6 * np.abs(a).max()


def _relative(a, b, scale):
    return np.linalg.norm((a - b) / scale) / np.linalg.norm(b / scale)


def _stationary(shape):
    from skphase.datasets import load_texture, make_mrw

    if len(shape) == 1:
        return make_mrw(1, shape[0], intermittency=0.3, increments=True, random_state=0)
    return load_texture("gravel", size=shape[0])[None]


@pytest.mark.parametrize("shape,J,L", [((1024,), 6, 1), ((64, 64), 4, 4)])
def test_subsampled_moments_are_translation_invariant_on_their_grid(shape, J, L):
    """Exactly for shifts by the largest step; up to the aliasing of the rectified channels
    for the others (measured 1-2 % of the moments' norm on these small signals)."""
    engine = _engine(shape, J, L)
    x = _stationary(shape)
    steps = engine.plan.steps
    assert steps.max() > 1
    axes = tuple(range(1, x.ndim))
    a = engine.forward(x)
    on_grid = engine.forward(np.roll(x, (int(steps.max()) * 3,) * len(shape), axis=axes))
    np.testing.assert_allclose(on_grid, a, rtol=0, atol=1e-12 * np.abs(a).max())
    scale = _normaliser(engine, x)
    for shift in ((1,), (5,)) if len(shape) == 1 else ((1, 0), (3, -7)):
        moved = engine.forward(np.roll(x, shift, axis=axes))
        assert 1e-8 < _relative(moved[0], a[0], scale) < 4e-2


def _normaliser(engine, x):
    """sqrt(var_a var_b) of each moment's channels (std^k for the marginal ones, 1 for the low-pass
    rows): a correlation scale."""
    _, var, power = (np.asarray(v)[0] for v in engine.channel_variances(x))
    t, p = engine.plan.table, engine.plan
    js = np.rint(np.log2(engine.bank.psi1.xi.max() / engine.bank.psi1.xi)).astype(int)
    lookup = {(int(js[w]), int(engine.bank.psi1.theta[w]), k): k * p.n_wavelets + w
              for w in range(p.n_wavelets) for k in range(p.n_harmonics)}
    out = np.ones(p.n_moments)
    std = float(np.std(x))
    for i, kind in enumerate(t["kind"]):
        if kind.startswith("low"):
            continue
        if kind == "marginal":
            out[i] = std ** t["k1"][i]
            continue
        a = lookup[(t["j1"][i], t["theta1"][i], t["k1"][i])]
        if kind == "mean":
            out[i] = np.sqrt(power[a])
        else:
            out[i] = np.sqrt(var[a] * var[lookup[(t["j2"][i], t["theta2"][i], t["k2"][i])]])
    return out


@pytest.mark.parametrize("shape,J,L", [((1024,), 6, 1), ((64, 64), 4, 4)])
def test_subsampled_moments_estimate_the_full_resolution_ones(shape, J, L):
    x = _stationary(shape)
    sub, full = _engine(shape, J, L), _engine(shape, J, L, subsample=False)
    a, b = sub.forward(x)[0], full.forward(x)[0]
    assert _relative(a, b, _normaliser(full, x)) < 3e-2
    # same table, cheaper grids
    assert all(np.array_equal(sub.plan.table[k], full.plan.table[k]) for k in full.plan.table)
    assert sum(lev.size * len(lev.wavelets) for lev in sub.plan.levels) < \
        0.6 * sum(lev.size * len(lev.wavelets) for lev in full.plan.levels)


@pytest.mark.parametrize("subsample", [True, False])
def test_harmonic_one_is_the_wavelet_coefficient(subsample):
    """h_1 = (x * psi) / 4 for 4 phases: its energy is the band's power spectrum / 16.

    Subsampled, it is that of x * psi on the wavelet's grid (every step-th sample)."""
    shape, J = (128,), 4
    bank = filter_bank(shape, J)
    plan = build_plan(bank, families=("auto",), subsample=subsample)
    engine = PhaseHarmonicMoments(bank, get_backend("numpy"), plan)
    x = _signal(shape, batch=1)
    table = engine.plan.table
    rows = np.flatnonzero((table["k1"] == 1) & (table["shift"][:, 0] == 0) & (table["part"] == 0))
    z = np.fft.ifft(np.fft.fft(x[0]) * bank.psi1.hat[0], axis=-1)
    steps = plan.steps
    assert (steps.max() > 1) == subsample
    expected = np.array([np.var(z[w, ::steps[w]]) for w in range(len(z))]) / 16  # centred
    got = engine.forward(x)[0, rows]
    order = np.argsort(table["j1"][rows])
    np.testing.assert_allclose(got[order], expected[np.argsort(-bank.psi1.xi)], rtol=1e-10)


def test_cross_phase_pairs_follow_frequency_transposition():
    bank = filter_bank((64, 64), 4, L=4)
    for P in (4, 8):
        t = build_plan(bank, n_phases=P, families=("cross_phase",)).table
        assert len(t["kind"]) > 0
        np.testing.assert_array_equal(t["k1"], 2 ** (t["j2"] - t["j1"]))
        assert np.all(t["k1"] <= P // 2) and np.all(t["theta1"] == t["theta2"])
    assert set(t["k1"]) == {2, 4}


def test_table_is_consistent_and_filterable():
    bank = filter_bank((64, 64), 4, L=4)
    full = build_plan(bank)
    names = moment_names(full.table)
    assert len(names) == full.n_moments == len(set(names))
    assert all(len(v) == full.n_moments for v in full.table.values())
    assert set(full.table["kind"]) == {"low_mean", "low_var", "marginal", "mean", "auto", "cross_env",
                                       "cross_env_wave", "cross_phase"}
    fewer = build_plan(bank, n_shifts=1, delta_j=1, delta_theta=0)
    assert fewer.n_moments < full.n_moments
    t = fewer.table
    cross = np.char.startswith(t["kind"].astype(str), "cross")
    assert np.all(t["j2"][cross] - t["j1"][cross] <= 1) and np.all(t["theta1"][cross] == t["theta2"][cross])
    engine = PhaseHarmonicMoments(bank, get_backend("numpy"), fewer)
    assert engine.forward(_signal((64, 64), batch=1)).shape == (1, fewer.n_moments)
    with pytest.raises(ValueError, match="families"):
        build_plan(bank, families=())


@pytest.mark.parametrize("subsample,cross_shifts", [(True, 0), (False, 0), (True, 1)])
@pytest.mark.parametrize("shape,J,L", CASES)
def test_torch_agrees_with_numpy(shape, J, L, subsample, cross_shifts):
    """Also checks numpy's closed-form harmonics against torch's general form."""
    torch = pytest.importorskip("torch")
    x = _signal(shape)
    num = _engine(shape, J, L, subsample=subsample, cross_shifts=cross_shifts)
    tor = _engine(shape, J, L, backend="torch", subsample=subsample, cross_shifts=cross_shifts)
    phi, pullback = num.vjp(x)
    g = np.random.default_rng(2).standard_normal(phi.shape)
    xt = torch.tensor(x, requires_grad=True)
    phit = tor.forward(xt)
    np.testing.assert_allclose(phit.detach().numpy(), phi, rtol=1e-10, atol=1e-12 * np.abs(phi).max())
    (phit * torch.tensor(g)).sum().backward()
    grad = pullback(g)
    np.testing.assert_allclose(xt.grad.numpy(), grad, rtol=1e-8, atol=1e-10 * np.abs(grad).max())


@pytest.mark.parametrize("shape,J,L", CASES)
def test_float32_moments_and_gradient_follow_float64(shape, J, L):
    engine = _engine(shape, J, L)
    x = _signal(shape)
    phi64, pull64 = engine.vjp(x)
    phi32, pull32 = engine.vjp(x.astype(np.float32))
    assert phi32.dtype == np.float32
    np.testing.assert_allclose(phi32, phi64, rtol=0, atol=1e-5 * np.abs(phi64).max())
    g = np.random.default_rng(3).standard_normal(phi64.shape)
    g64, g32 = pull64(g), pull32(g)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=0, atol=1e-4 * np.abs(g64).max())
