"""ScatteringCovariance: forward against a direct computation in space, pullback, synthesis quality."""

import importlib.util

import numpy as np
import pytest
from scipy.stats import kurtosis

from skphase.backends import get_backend
from skphase.datasets import load_texture, make_mrw
from skphase.filters import filter_bank
from skphase.metrics import max_cross_correlation
from skphase.operators import ScatteringCovariance
from skphase.synthesis import PhaseHarmonicSynthesizer


def _direct(x, bank):
    """The moments by their definitions, convolutions in space through numpy's FFT."""
    op = ScatteringCovariance(bank, get_backend("numpy"))
    axes = tuple(range(-x.ndim + 1, 0))
    psi = np.asarray(bank.psi1.hat[0])

    def conv(v, f):
        return np.fft.ifftn(np.fft.fftn(v, axes=axes) * f, axes=axes)

    out = []
    for s in x:
        z = [conv(s, f) for f in psi]
        u = [np.abs(v) for v in z]
        c3 = [np.mean(z[a] * np.conj(conv(u[b], psi[a]))) for a, b in op._c3]
        c4 = [np.mean(conv(u[a] - u[a].mean(), psi[c]) * np.conj(conv(u[b] - u[b].mean(), psi[c])))
              for a, b, c in op._c4]
        out.append(np.concatenate([[s.mean()], [v.mean() for v in u], [np.mean(np.abs(v) ** 2) for v in z],
                                   np.real(c3), np.imag(c3), np.real(c4), np.imag(c4)]))
    return np.asarray(out)


@pytest.mark.parametrize("shape, J, L", [((64,), 4, 1), ((16, 16), 2, 3)])
def test_forward_matches_the_definitions(shape, J, L):
    bank = filter_bank(shape, J, L=L)
    x = np.random.default_rng(0).standard_normal((2,) + shape)
    op = ScatteringCovariance(bank, get_backend("numpy"))
    y = op.forward(x)
    assert y.shape == (2, len(op.table["kind"]))
    np.testing.assert_allclose(y, _direct(x, bank), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("shape, J, L, reduction", [((64,), 4, 1, None), ((64,), 4, 1, "scale_invariant"),
                                                    ((16, 16), 2, 4, None), ((16, 16), 2, 4, "isotropic"),
                                                    ((16, 16), 2, 4, "both")])
def test_pullback_matches_finite_differences(shape, J, L, reduction):
    op = ScatteringCovariance(filter_bank(shape, J, L=L), get_backend("numpy"), reduction=reduction)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2,) + shape)
    y, pullback = op.vjp(x)
    g, d = rng.standard_normal(y.shape), rng.standard_normal(x.shape)
    eps = 1e-6
    fd = np.sum((op.forward(x + eps * d) - op.forward(x - eps * d)) * g) / (2 * eps)
    assert np.sum(pullback(g) * d) == pytest.approx(fd, rel=1e-7)


def test_reductions_average_rotated_and_dilated_moments():
    bank = filter_bank((16, 16), 2, L=4)
    x = np.random.default_rng(2).standard_normal((1, 16, 16))
    full = ScatteringCovariance(bank, get_backend("numpy"))
    iso = ScatteringCovariance(bank, get_backend("numpy"), reduction="isotropic")
    both = ScatteringCovariance(bank, get_backend("numpy"), reduction="both")
    assert both.output_shape[0] < iso.output_shape[0] < full.output_shape[0]
    # the isotropic power spectrum at scale j is the mean of E|z|^2 over the L orientations
    t, v, vf = iso.table, iso.forward(x)[0], full.forward(x)[0]
    for j in (0, 1):
        row = np.flatnonzero((t["kind"] == "s2") & (t["j1"] == j))
        rows = np.flatnonzero((full.table["kind"] == "s2") & (full.table["j1"] == j))
        assert len(row) == 1 and len(rows) == 4
        assert v[row[0]] == pytest.approx(vf[rows].mean(), rel=1e-12)
    with pytest.raises(ValueError, match="reduction must be one of"):
        ScatteringCovariance(bank, get_backend("numpy"), reduction="rotation")


def test_torch_matches_numpy():
    pytest.importorskip("torch")
    bank = filter_bank((64,), 4)
    x = np.random.default_rng(3).standard_normal((2, 64))
    num = ScatteringCovariance(bank, get_backend("numpy"))
    tor = ScatteringCovariance(bank, get_backend("torch"))
    yn, pn = num.vjp(x)
    yt, pt = tor.vjp(tor.backend.asarray(x))
    g = np.random.default_rng(4).standard_normal(yn.shape)
    np.testing.assert_allclose(tor.backend.to_numpy(yt), yn, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tor.backend.to_numpy(pt(g)), pn(g), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("shape, J, L", [((256,), 6, 1), ((32, 32), 3, 2)])
def test_band_limited_c4_equals_the_full_sums(shape, J, L):
    """The c4 sums and their gradients over each psi_c's band equal the sums over every frequency."""
    bank = filter_bank(shape, J, L=L)
    band = ScatteringCovariance(bank, get_backend("numpy"))
    full = ScatteringCovariance(bank, get_backend("numpy"))
    full._c4_support = [None] * len(full._c4_support)
    assert any(k is not None for k in band._c4_support)  # the band path is the one tested
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2,) + shape)
    (yb, pb), (yf, pf) = band.vjp(x), full.vjp(x)
    g = rng.standard_normal(yb.shape)
    np.testing.assert_allclose(yb, yf, rtol=1e-12, atol=1e-14 * np.abs(yf).max())
    np.testing.assert_allclose(pb(g), pf(g), rtol=1e-10, atol=1e-12 * np.abs(pf(g)).max())
    if shape == (32, 32):
        np.testing.assert_allclose(yb, _direct(x, bank), rtol=1e-10, atol=1e-13)
    if importlib.util.find_spec("torch") is not None:
        tor = ScatteringCovariance(bank, get_backend("torch"))
        yt, pt = tor.vjp(tor.backend.asarray(x))
        np.testing.assert_allclose(tor.backend.to_numpy(yt), yb, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(tor.backend.to_numpy(pt(g)), pb(g), rtol=1e-8, atol=1e-10)


def _aggregated_kurtosis(x, lag):
    path = np.cumsum(x, axis=-1)
    return kurtosis(path[:, lag:] - path[:, :-lag], axis=-1, fisher=False)


def test_series_synthesis_restores_intermittency():
    x = make_mrw(1, 1024, intermittency=0.3, increments=True, random_state=0)
    model = PhaseHarmonicSynthesizer(moments="scattering_covariance", max_iter=150, random_state=0).fit(x)
    assert "c4_j0_t0_j1_t0_j2_t0_re" in set(model.get_feature_names_out())
    y = model.sample(1)
    assert model.relative_errors_[0] < 0.05
    k_target, k_synth = float(_aggregated_kurtosis(x, 1)[0]), float(_aggregated_kurtosis(y, 1)[0])
    assert k_target > 5 and k_synth > 4.0
    assert max_cross_correlation(x[0], y, ndim=1)[0] < 0.3


def _band_kurtosis(v, bands=((0.02, 0.05), (0.05, 0.1), (0.1, 0.2), (0.2, 0.35))):
    V = np.fft.fft2(v[0] - v[0].mean())
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(v.shape[1]), np.fft.fftfreq(v.shape[2]), indexing="ij"))
    return np.array([kurtosis(np.fft.ifft2(V * ((f > lo) & (f <= hi))).real.ravel(), fisher=False)
                     for lo, hi in bands])


def test_texture_synthesis_keeps_spectrum_marginal_and_band_kurtosis():
    from skphase.synthesis import GaussianSynthesizer

    img = load_texture("gravel", size=64)[None]
    model = PhaseHarmonicSynthesizer(moments="scattering_covariance", max_iter=150, random_state=0).fit(img)
    y = model.sample(2)
    assert y.shape == (2, 64, 64) and model.relative_errors_.max() < 0.05

    def radial_power(v):
        # averaged over the images: one 64^2 image's lowest band holds ~24 frequencies, too few
        # for a 25 % tolerance on a single sample's power
        p = (np.abs(np.fft.fft2(v - v.mean(axis=(-2, -1), keepdims=True))) ** 2).mean(axis=0)
        f = np.hypot(*np.meshgrid(np.fft.fftfreq(64), np.fft.fftfreq(64), indexing="ij"))
        bands = np.digitize(f, [0.02, 0.05, 0.1, 0.2, 0.35, 0.5])  # the wavelets cover |f| <= 1/2
        return np.array([p[bands == k].mean() for k in range(1, 6)])

    rel = np.abs(np.log(radial_power(y) / radial_power(img)))
    assert rel.max() < np.log(1.25), rel
    q = np.linspace(0.05, 0.95, 10)
    assert np.max(np.abs(np.quantile(y, q) - np.quantile(img, q))) < 0.15 * img.std()
    # the band-pass kurtosis (non-Gaussian structure) closer to the texture's than a Gaussian field's
    g = GaussianSynthesizer(random_state=0).fit(img).sample(1)
    k = _band_kurtosis(img)
    assert np.mean(np.abs(_band_kurtosis(y) - k)) < 0.8 * np.mean(np.abs(_band_kurtosis(g) - k))
    assert max_cross_correlation(img[0], y, ndim=2)[0] < 0.3


def test_skewed_series_keeps_leverage_and_multifractality():
    from skphase.datasets import make_skewed_mrw
    from skphase.metrics import leverage_correlation, scaling_exponents

    x = make_skewed_mrw(1, 4096, intermittency=0.15, leverage=0.1, increments=True, random_state=0)
    model = PhaseHarmonicSynthesizer(moments="scattering_covariance", max_iter=200, random_state=0).fit(x)
    y = model.sample(1)

    def stats(v):
        zeta = scaling_exponents(np.cumsum(v, axis=-1), q=[2, 4], lags=[1, 2, 4, 8, 16, 32], ndim=1)[0]
        taus, lev = leverage_correlation(v, max_lag=20)
        return zeta[1] - 2 * zeta[0], lev[taus > 0].sum(), lev[taus < 0].sum()

    (conc_x, lev_x, past_x), (conc_y, lev_y, past_y) = stats(x), stats(y)
    # the target: concave zeta(q), and time asymmetry L(tau > 0) << L(tau < 0) (-0.72 and +0.86,
    # summed over 20 lags; one white-noise series of this length gives -0.29 and -0.32)
    assert conc_x < -0.1 and lev_x - past_x < -1.0
    # a Gaussian model has zeta(4) = 2 zeta(2) and a time-symmetric leverage; the phase-modulus
    # moments see the asymmetry
    assert conc_y < -0.05 and lev_y - past_y < -0.8


def test_gaussian_start_gives_the_poorly_seen_frequencies_the_targets_power():
    """The scattering covariance barely constrains the corners of the spectrum (past its finest
    wavelet): from white noise they keep white power; from the default (Gaussian) start they
    have the target's."""
    img = load_texture("gravel", size=64)
    f = np.fft.fftfreq(64)
    corners = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2) > 0.5

    def corner_power(start):
        model = PhaseHarmonicSynthesizer(moments="scattering_covariance", J=3, max_iter=30, start=start,
                                         random_state=0).fit(img[None])
        y = model.sample(1)[0]
        return np.mean(np.abs(np.fft.fft2(y - y.mean()))[corners] ** 2)

    target = np.mean(np.abs(np.fft.fft2(img - img.mean()))[corners] ** 2)
    noise, auto, gaussian = corner_power("noise"), corner_power("auto"), corner_power("gaussian")
    assert abs(np.log10(auto / target)) < 0.3 < abs(np.log10(noise / target))
    assert abs(np.log10(gaussian / target)) < 0.3
    assert auto == corner_power("random_phase") != gaussian  # "auto" is "random_phase" for images


def test_auto_start_of_the_covariance_is_a_gaussian_field_on_series():
    # random phase noise (the images' "auto") costs a series its multifractality (see ``start``)
    x = make_mrw(1, 512, random_state=0)

    def sample(start):
        return PhaseHarmonicSynthesizer(moments="scattering_covariance", max_iter=3, start=start,
                                        random_state=0).fit(x).sample(1)

    auto = sample("auto")
    np.testing.assert_array_equal(auto, sample("gaussian"))
    assert not np.array_equal(auto, sample("random_phase"))


def test_random_phase_start_has_the_periodogram_exactly_and_random_phases():
    from skphase.synthesis._gaussian import gaussian_fields, random_phase_fields

    rng = np.random.default_rng(0)
    img = load_texture("gravel", size=32)
    power = np.abs(np.fft.fft2(img)) ** 2 / img.size
    noise = rng.standard_normal((3, 32, 32))
    y = random_phase_fields(noise, power)
    assert y.dtype == np.float64 and y.shape == noise.shape
    np.testing.assert_allclose(np.abs(np.fft.fft2(y)) ** 2 / img.size, np.broadcast_to(power, y.shape),
                               rtol=1e-9, atol=1e-12)
    phases = np.angle(np.fft.fft2(y)) - np.angle(np.fft.fft2(noise))
    np.testing.assert_allclose(np.cos(phases[:, power > 1e-12]), 1.0, atol=1e-9)  # the noise's phases
    assert max_cross_correlation(img, y, ndim=2)[0] < 0.5  # not a shifted copy
    # a Gaussian field has the spectrum on average only
    g = gaussian_fields(noise, power)
    assert np.std(np.log(np.abs(np.fft.fft2(g))[:, power > 1e-12] ** 2 / img.size / power[power > 1e-12])) > 0.5
