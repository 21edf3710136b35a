"""Tests for skphase.metrics: known answers on synthetic processes, and input validation.

Every input is built here with numpy (white noise, random walks, Gaussian
fields filtered in Fourier, a toy leverage series) so these tests depend on
nothing but the metrics themselves. Tolerances come either from exact
identities or from the sampling spread of the estimator (stated next to
each check).
"""

import doctest
import importlib
import io
import sys

import numpy as np
import pytest
from tests.conftest import bad_param
from scipy.stats import linregress

from skphase.metrics import (
    compare,
    flatness,
    leverage_correlation,
    marginal_moments,
    marginal_wasserstein,
    max_cross_correlation,
    power_spectrum,
    scaling_exponents,
    spectrum_error,
    structure_functions,
    volatility_autocorrelation,
)
from skphase.plotting import plot_comparison


# --------------------------------------------------------------------------- inputs


def _white(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


def _walk(seed, n, length):
    return np.cumsum(_white(seed, (n, length)), axis=1)


def _gaussian_field(seed, n, size, slope):
    """Periodic Gaussian field with radial power spectrum ~ |k|^-slope."""
    ky = np.fft.fftfreq(size)[:, None]
    kx = np.fft.fftfreq(size)[None, :]
    k = np.sqrt(kx**2 + ky**2)
    k[0, 0] = 1.0
    amplitude = k ** (-slope / 2)
    amplitude[0, 0] = 0.0
    noise = _white(seed, (n, size, size))
    field = np.fft.ifft2(np.fft.fft2(noise) * amplitude).real
    return field / field.std()


def _ar1(seed, n, length, phi=0.99):
    """Stationary, strongly correlated 1-D Gaussian process."""
    eps = _white(seed, (n, length))
    x = np.empty_like(eps)
    x[:, 0] = eps[:, 0] / np.sqrt(1 - phi**2)
    for t in range(1, length):
        x[:, t] = phi * x[:, t - 1] + eps[:, t]
    return x


def _leverage_series(seed, n, length, a=0.15, b=0.9, burn=200):
    """r_t = exp(h_t) eps_t with h_t = b h_{t-1} - a eps_{t-1}.

    A negative shock raises future log-volatility, so E[r(t + tau)^2 r(t)] < 0
    for tau > 0, while eps_t is independent of the past so the same
    expectation vanishes for tau < 0 (exactly, not only approximately).
    """
    eps = _white(seed, (n, length + burn))
    h = np.zeros_like(eps)
    for t in range(1, length + burn):
        h[:, t] = b * h[:, t - 1] - a * eps[:, t - 1]
    return (np.exp(h) * eps)[:, burn:]


def _leverage_stderr(r, taus):
    """Naive standard error of each L(tau), valid when products are uncorrelated in t.

    That holds for white noise and, for tau < 0, for the toy series above: the
    products r(t - s)^2 r(t) are martingale differences because E[r(t) | past] = 0.
    """
    n = r.shape[1]
    denom = np.mean(r**2) ** 2
    out = []
    for tau in taus:
        if tau >= 0:
            prod = r[:, tau:] ** 2 * r[:, : n - tau]
        else:
            prod = r[:, : n + tau] ** 2 * r[:, -tau:]
        out.append(prod.std() / np.sqrt(prod.size) / denom)
    return np.array(out)


# --------------------------------------------------------------------------- spectrum


def test_white_noise_spectrum_is_flat_at_variance_1d_and_2d():
    freqs, power = power_spectrum(_white(0, (16, 512)), ndim=1)
    assert freqs.shape == power.shape == (256,)
    np.testing.assert_allclose(freqs, np.arange(1, 257) / 512)
    # Each value is a mean of 16 chi2_2 / 2 variables: relative spread 1/4.
    assert abs(power.mean() - 1.0) < 0.03
    assert np.all(np.abs(power - 1.0) < 5 * 0.25)

    freqs2, power2 = power_spectrum(_white(1, (4, 64, 48)))
    assert freqs2.shape == (24,)
    np.testing.assert_allclose(freqs2, np.arange(1, 25) / 48)
    assert abs(power2.mean() - 1.0) < 0.05


def test_radial_spectrum_recovers_power_law_slope():
    field = _gaussian_field(0, 4, 128, slope=3.0)
    freqs, power = power_spectrum(field, ndim=2)
    fit = np.polyfit(np.log(freqs[2:48]), np.log(power[2:48]), 1)
    assert fit[0] == pytest.approx(-3.0, abs=0.1)


def test_spectrum_error_known_answers():
    x = _white(2, (4, 32, 32))
    assert spectrum_error(x, x) == 0.0
    # A shifted copy has the same periodogram.
    assert spectrum_error(x, np.roll(x, (3, 5), axis=(1, 2))) < 1e-12
    # A factor c in amplitude shifts every log10 power by 2 log10 c.
    assert spectrum_error(x, 3 * x) == pytest.approx(2 * np.log10(3), rel=1e-12)
    signals = _white(3, (8, 256))
    assert spectrum_error(signals[:4], 0.5 * signals[:4], ndim=1) == pytest.approx(
        np.log10(4), rel=1e-12
    )


def test_spectrum_error_separates_independent_from_different_spectra():
    target = _gaussian_field(4, 4, 64, slope=2.0)
    same_law = _gaussian_field(5, 4, 64, slope=2.0)
    other_law = _gaussian_field(6, 4, 64, slope=3.0)
    close = spectrum_error(target, same_law)
    far = spectrum_error(target, other_law)
    # Averaged periodograms of 4 fields over ~ 2 pi r points per bin: ~0.1 decade noise.
    assert close < 0.15
    assert far > 3 * close


def test_spectrum_error_of_zero_signal_is_large_but_finite():
    x = _white(7, 64)
    err = spectrum_error(x, np.zeros(64))
    assert np.isfinite(err) and err > 100


# --------------------------------------------------------------------------- marginals


def test_wasserstein_known_answers():
    x = _white(8, (3, 40, 40))
    assert marginal_wasserstein(x, x) == 0.0
    assert marginal_wasserstein(x, x + 0.25) == pytest.approx(0.25, rel=1e-9)
    # Values are pooled: permuting positions and samples changes nothing.
    shuffled = np.random.default_rng(0).permutation(x.ravel()).reshape(x.shape)
    assert marginal_wasserstein(x, shuffled) == pytest.approx(0.0, abs=1e-12)
    assert marginal_wasserstein(x, 2 * x) == pytest.approx(np.mean(np.abs(x)), rel=1e-9)


def test_gaussian_moments_have_zero_skewness_and_excess_kurtosis():
    n = 4 * 50_000
    m = marginal_moments(2.0 + 3.0 * _white(9, (4, 50_000)), ndim=1)
    assert set(m) == {"mean", "std", "skewness", "excess_kurtosis"}
    assert all(type(v) is float for v in m.values())
    assert m["mean"] == pytest.approx(2.0, abs=4 * 3.0 / np.sqrt(n))
    assert m["std"] == pytest.approx(3.0, rel=0.01)
    # Sampling standard errors of skewness and kurtosis: sqrt(6/n), sqrt(24/n).
    assert abs(m["skewness"]) < 4 * np.sqrt(6 / n)
    assert abs(m["excess_kurtosis"]) < 4 * np.sqrt(24 / n)


def test_non_gaussian_moments_known_answers():
    rng = np.random.default_rng(10)
    uniform = marginal_moments(rng.uniform(-1, 1, 200_000))
    assert uniform["excess_kurtosis"] == pytest.approx(-1.2, abs=0.02)
    assert uniform["std"] == pytest.approx(1 / np.sqrt(3), rel=0.01)
    expo = marginal_moments(rng.exponential(1.0, 400_000))
    assert expo["skewness"] == pytest.approx(2.0, abs=0.1)
    # issue 6: a constant input raises (as scaling_exponents does) instead of returning NaN
    with pytest.raises(ValueError, match="x is constant"):
        marginal_moments(np.ones(10))


# --------------------------------------------------------------------------- structure functions


def test_structure_functions_by_hand():
    lags, s = structure_functions(np.array([0.0, 1.0, 3.0, 6.0]), lags=[1, 2], q=[1, 2])
    np.testing.assert_array_equal(lags, [1, 2])
    # lag 1 increments 1, 2, 3; lag 2 increments 3, 5.
    np.testing.assert_allclose(s, [[2.0, 4.0], [14 / 3, 17.0]])

    # Images: vertical and horizontal increments, averaged with equal weight.
    img = np.array(
        [[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0], [2.0, 3.0, 4.0, 5.0]]
    )
    _, s2 = structure_functions(img, lags=[1], q=[1], ndim=2)
    vertical = np.mean(np.abs(np.diff(img, axis=0)))
    horizontal = np.mean(np.abs(np.diff(img, axis=1)))
    assert s2[0, 0] == pytest.approx(0.5 * (vertical + horizontal))


def test_structure_functions_of_random_walk_and_white_noise():
    lags, s = structure_functions(_walk(11, 8, 4096), lags=[1, 4, 16, 64], q=[2], ndim=1)
    # S_2(l) = l for unit steps; relative spread ~ sqrt(2 / (8 * 4096 / l)).
    np.testing.assert_allclose(s[0] / lags, 1.0, rtol=0.15)
    _, s_white = structure_functions(_white(12, (8, 4096)), lags=[1, 8, 64], q=[2], ndim=1)
    np.testing.assert_allclose(s_white[0], 2.0, rtol=0.03)


def test_default_lags_are_dyadic_up_to_size_over_8():
    lags, _ = structure_functions(_white(13, 256), q=[2])
    np.testing.assert_array_equal(lags, [1, 2, 4, 8, 16, 32])
    lags2, _ = structure_functions(_white(13, (40, 96)), q=[2], ndim=2)
    np.testing.assert_array_equal(lags2, [1, 2, 4])


def test_brownian_zeta_is_q_over_2_within_estimator_spread():
    q = np.arange(1, 7)
    zetas = np.array([scaling_exponents(_walk(seed, 4, 4096), q=q, ndim=1)[0] for seed in range(8)])
    spread = zetas.std(axis=0, ddof=1)
    # The mean over 8 seeds must sit within 4 standard errors of the truth.
    assert np.all(np.abs(zetas.mean(axis=0) - q / 2) < 4 * spread / np.sqrt(len(zetas)))
    # ... and the estimator is informative: q/3 (a wrong law) is far outside.
    assert np.all(np.abs(zetas.mean(axis=0) - q / 3) > 4 * spread / np.sqrt(len(zetas)))


def test_white_noise_zeta_is_zero():
    zeta, _ = scaling_exponents(_white(14, (4, 4096)), q=[1, 2, 4], ndim=1)
    np.testing.assert_allclose(zeta, 0.0, atol=0.02)


def test_gaussian_field_zeta_2_matches_spectral_slope():
    # P(k) ~ k^-(2H + 2) in 2-D gives S_2(l) ~ l^(2H); slope 3 -> H = 1/2.
    field = _gaussian_field(15, 4, 256, slope=3.0)
    zeta, _ = scaling_exponents(field, q=[2], lags=[2, 4, 8, 16], ndim=2)
    assert zeta[0] == pytest.approx(1.0, abs=0.1)


def test_regression_stderr_matches_scipy_linregress():
    x = _walk(16, 3, 2048)
    lags = np.array([1, 2, 4, 8, 16, 32])
    zeta, stderr = scaling_exponents(x, q=[1.5, 3.0], lags=lags, ndim=1)
    _, s = structure_functions(x, lags=lags, q=[1.5, 3.0], ndim=1)
    for i in range(2):
        fit = linregress(np.log2(lags), np.log2(s[i]))
        assert zeta[i] == pytest.approx(fit.slope, rel=1e-10)
        assert stderr[i] == pytest.approx(fit.stderr, rel=1e-8)


def test_samples_stderr_is_per_sample_spread_and_is_calibrated():
    x = _walk(17, 5, 2048)
    lags = [1, 2, 4, 8, 16]
    zeta_s, stderr_s = scaling_exponents(x, q=[2], lags=lags, error="samples", ndim=1)
    zeta_r, _ = scaling_exponents(x, q=[2], lags=lags, ndim=1)
    assert zeta_s[0] == zeta_r[0]
    slopes = [scaling_exponents(xi, q=[2], lags=lags)[0][0] for xi in x]
    assert stderr_s[0] == pytest.approx(np.std(slopes, ddof=1) / np.sqrt(5), rel=1e-10)

    # Calibration: the reported error should match the spread across seeds.
    runs = [
        scaling_exponents(_walk(100 + s, 8, 2048), q=[2], error="samples", ndim=1)
        for s in range(16)
    ]
    zetas = np.array([z[0] for z, _ in runs])
    reported = np.mean([e[0] for _, e in runs])
    assert 0.5 < reported / zetas.std(ddof=1) < 2.0


def test_flatness_gaussian_is_3_and_laplace_sum_is_3_plus_3_over_l():
    _, f = flatness(_walk(18, 8, 4096), lags=[1, 4, 16], ndim=1)
    np.testing.assert_allclose(f, 3.0, atol=0.15)
    _, f2 = flatness(_gaussian_field(19, 4, 128, slope=3.0), lags=[1, 2, 4])
    np.testing.assert_allclose(f2, 3.0, atol=0.2)
    # Sum of l iid Laplace steps: excess kurtosis 3 / l.
    laplace_walk = np.cumsum(np.random.default_rng(20).laplace(size=(8, 8192)), axis=1)
    lags, f3 = flatness(laplace_walk, lags=[1, 2, 4, 8], ndim=1)
    np.testing.assert_allclose(f3, 3 + 3 / lags, rtol=0.1)


# --------------------------------------------------------------------------- leverage


def test_white_noise_has_no_leverage():
    r = _white(21, (4, 20_000))
    taus, lev = leverage_correlation(r, max_lag=10)
    np.testing.assert_array_equal(taus, np.arange(-10, 11))
    assert np.all(np.abs(lev) < 4 * _leverage_stderr(r, taus))


def test_toy_leverage_is_negative_after_and_zero_before():
    r = _leverage_series(22, 4, 20_000)
    taus, lev = leverage_correlation(r, max_lag=8)
    se = _leverage_stderr(r, taus)
    past = taus < 0
    future = taus > 0
    assert np.all(np.abs(lev[past]) < 4 * se[past])
    assert np.all(lev[future] < -4 * se[future])
    # The response decays with tau like b^(tau - 1).
    assert lev[taus == 1][0] < lev[taus == 8][0]


def test_leverage_identities_sign_flip_and_time_reversal():
    r = _leverage_series(23, 2, 3000)
    taus, lev = leverage_correlation(r, max_lag=5)
    # L is odd in r: a sign-flipped series has the opposite leverage.
    np.testing.assert_allclose(leverage_correlation(-r, max_lag=5)[1], -lev, rtol=1e-12)
    # Reversing time swaps tau and -tau.
    reversed_lev = leverage_correlation(r[:, ::-1], max_lag=5)[1]
    np.testing.assert_allclose(reversed_lev, lev[::-1], rtol=1e-12)


def test_volatility_autocorrelation_white_and_clustered():
    r = _white(24, (4, 20_000))
    taus, acf = volatility_autocorrelation(r, max_lag=10)
    np.testing.assert_array_equal(taus, np.arange(11))
    assert acf[0] == pytest.approx(1.0)
    assert np.all(np.abs(acf[1:]) < 4 / np.sqrt(r.size))
    _, acf_toy = volatility_autocorrelation(_leverage_series(25, 4, 20_000), max_lag=10)
    assert np.all(acf_toy[1:] > 10 / np.sqrt(r.size))
    assert acf_toy[1] > acf_toy[10]


# --------------------------------------------------------------------------- copy check


def test_copy_check_catches_shifted_and_sign_flipped_copies_1d():
    x = _white(26, 2048)
    independent = _white(27, (3, 2048))
    samples = np.vstack([np.roll(x, 300), -np.roll(x, -7), independent])
    for whiten in (True, False):
        scores = max_cross_correlation(x, samples, whiten=whiten)
        assert scores.shape == (5,)
        np.testing.assert_allclose(scores[:2], 1.0, atol=1e-9)
        # Max over 2048 shifts of a N(0, 1/2048) correlation: about sqrt(2 log N / N) ~ 0.08.
        assert np.all(scores[2:] < 0.15)


def test_copy_check_catches_copy_shifted_in_both_axes_2d():
    fields = _gaussian_field(28, 4, 64, slope=3.0)
    target = fields[0]
    samples = np.stack([np.roll(target, (17, -30), axis=(0, 1)), -target, *fields[1:]])
    scores = max_cross_correlation(target, samples)
    np.testing.assert_allclose(scores[:2], 1.0, atol=1e-9)
    assert np.all(scores[2:] < 0.1)


def test_whitening_removes_false_alarms_on_red_spectra():
    field = _gaussian_field(29, 5, 64, slope=3.0)
    raw = max_cross_correlation(field[0], field[1:], whiten=False)
    white = max_cross_correlation(field[0], field[1:], whiten=True)
    assert np.all(raw > 0.2)  # a few large-scale modes dominate
    assert np.all(white < 0.1)
    series = _ar1(30, 4, 2048)
    assert np.all(max_cross_correlation(series[0], series[1:]) < 0.15)


def test_copy_check_searches_every_target_and_handles_constants():
    targets = _white(31, (3, 32, 32))
    samples = np.stack([np.roll(targets[2], 4, axis=1), np.zeros((32, 32))])
    scores = max_cross_correlation(targets, samples)
    assert scores[0] == pytest.approx(1.0)
    assert scores[1] == 0.0


# --------------------------------------------------------------------------- report and figure


def test_compare_report_matches_individual_metrics_1d():
    target = _leverage_series(32, 1, 4096)[0]
    samples = _leverage_series(33, 3, 4096)
    baseline = _white(34, (2, 4096))
    report = compare(target, samples, baseline, q=[1, 2, 3], max_lag=6)
    assert set(report) == {"info", "scalars", "curves"}
    assert report["info"] == {
        "ndim": 1,
        "signal_shape": (4096,),
        "n_target": 1,
        "n_samples": 3,
        "n_baseline": 2,
    }
    scalars = report["scalars"]
    assert set(scalars) == {"target", "samples", "baseline"}
    assert set(scalars["target"]) == {"mean", "std", "skewness", "excess_kurtosis"}
    for role in ("samples", "baseline"):
        assert set(scalars[role]) == {
            "mean", "std", "skewness", "excess_kurtosis",
            "spectrum_error", "wasserstein", "wasserstein_relative", "copy_score",
        }
    assert all(type(v) is float for role in scalars.values() for v in role.values())

    assert scalars["samples"]["spectrum_error"] == pytest.approx(spectrum_error(target, samples))
    assert scalars["baseline"]["wasserstein"] == pytest.approx(
        marginal_wasserstein(target, baseline)
    )
    assert scalars["samples"]["copy_score"] == pytest.approx(
        max_cross_correlation(target, samples).max()
    )
    assert scalars["samples"]["excess_kurtosis"] == pytest.approx(
        marginal_moments(samples, ndim=1)["excess_kurtosis"]
    )

    curves = report["curves"]
    assert set(curves) == {
        "spectrum", "histogram", "zeta", "zeta_stderr", "flatness", "leverage", "volatility_acf",
    }
    zeta, stderr = scaling_exponents(samples, q=[1, 2, 3], ndim=1)
    np.testing.assert_allclose(curves["zeta"]["samples"], zeta)
    np.testing.assert_allclose(curves["zeta_stderr"]["samples"], stderr)
    np.testing.assert_allclose(curves["flatness"]["target"], flatness(target)[1])
    # 1D inputs are paths: leverage is measured on their returns
    np.testing.assert_allclose(curves["leverage"]["baseline"],
                               leverage_correlation(np.diff(baseline, axis=-1), 6)[1])
    np.testing.assert_allclose(curves["volatility_acf"]["x"], np.arange(7))
    widths = np.diff(curves["histogram"]["x"])
    for role in ("target", "samples", "baseline"):
        assert np.sum(curves["histogram"][role] * widths[0]) == pytest.approx(1.0)


def test_compare_on_a_copy_and_on_images():
    fields = _gaussian_field(35, 3, 64, slope=2.0)
    copy_report = compare(fields[0], np.roll(fields[:1], 9, axis=2))
    s = copy_report["scalars"]["samples"]
    assert s["spectrum_error"] < 1e-12 and s["wasserstein"] < 1e-12
    assert s["copy_score"] == pytest.approx(1.0)

    report = compare(fields[0], fields[1:], ndim=2)
    assert "baseline" not in report["scalars"] and report["info"]["n_baseline"] == 0
    assert "leverage" not in report["curves"]
    assert report["scalars"]["samples"]["copy_score"] < 0.2
    np.testing.assert_array_equal(report["curves"]["flatness"]["x"], [1, 2, 4, 8])


def test_plot_comparison_axes_count():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fig = plot_comparison(_white(36, 256), _white(37, (2, 256)), _white(38, (2, 256)), max_lag=5)
    assert len(fig.axes) == 3 + 4  # three fields; spectrum, histogram, zeta, leverage
    fig.savefig(io.BytesIO(), format="png")
    fig2 = plot_comparison(_white(39, (32, 32)), _white(40, (2, 32, 32)), labels=("a", "b", "c"))
    assert len(fig2.axes) == 2 + 3
    assert [ax.get_title() for ax in fig2.axes[:2]] == ["a", "b"]
    fig2.savefig(io.BytesIO(), format="png")


def test_plot_comparison_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install skphase\[plot\]"):
        plot_comparison(_white(41, 64), _white(42, (2, 64)))


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_are_rejected(bad):
    x = _white(43, (2, 64))
    y = x.copy()
    y[1, 5] = bad
    with pytest.raises(ValueError, match="samples contains NaN or infinite"):
        spectrum_error(x, y, ndim=1)
    with pytest.raises(ValueError, match="target contains NaN or infinite"):
        compare(y, x, ndim=1)
    with pytest.raises(ValueError, match="x contains NaN or infinite"):
        structure_functions(y, ndim=1)
    with pytest.raises(ValueError, match="r contains NaN or infinite"):
        leverage_correlation(y)
    with pytest.raises(ValueError, match="baseline contains NaN or infinite"):
        compare(x, x, y, ndim=1)


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match=r"same signal shape, got \(64,\) and \(32,\)"):
        spectrum_error(_white(0, 64), _white(1, (2, 32)))
    with pytest.raises(ValueError, match=r"same signal shape, got \(16, 16\) and \(16, 8\)"):
        max_cross_correlation(_white(0, (16, 16)), _white(1, (2, 16, 8)))
    with pytest.raises(ValueError, match="target and baseline must have the same signal shape"):
        compare(_white(0, 64), _white(1, (2, 64)), _white(2, (2, 65)))
    with pytest.raises(ValueError, match="target and samples"):
        marginal_wasserstein(_white(0, 64), _white(1, (2, 60)))


def test_dimension_ambiguity_and_bad_ndim():
    with pytest.raises(ValueError, match="pass ndim=1 for signals or ndim=2 for images"):
        power_spectrum(_white(0, (8, 64)))
    with pytest.raises(ValueError, match="disagree on the signal dimension"):
        spectrum_error(_white(0, 64), _white(1, (2, 8, 8)))
    with pytest.raises(ValueError, match=bad_param("ndim", r"1 \(signals\) or 2", "3")):
        power_spectrum(_white(0, 64), ndim=3)
    with pytest.raises(ValueError, match=r"with 4 dimensions of shape \(1, 2, 8, 8\)"):
        power_spectrum(_white(0, (1, 2, 8, 8)))
    expected = r"x must have shape \(N,\) or \(n, N\) for ndim=1, got shape \(2, 8, 8\)"
    with pytest.raises(ValueError, match=expected):
        power_spectrum(_white(0, (2, 8, 8)), ndim=1)
    with pytest.raises(ValueError, match=r"r must have shape \(N,\) or \(n, N\)"):
        leverage_correlation(_white(0, (2, 8, 8)))


def test_bad_dtypes_and_empty_inputs():
    with pytest.raises(TypeError, match="must be real-valued, got complex"):
        power_spectrum(_white(0, 64) + 1j)
    with pytest.raises(TypeError, match="must be a numeric array"):
        power_spectrum(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="x is empty"):
        marginal_moments(np.zeros((0, 8)), ndim=1)


def test_lags_too_large_or_malformed():
    x = _white(0, (2, 64))
    with pytest.raises(ValueError, match=r"lags must be <= size // 2 = 32 .* largest lag of 40"):
        structure_functions(x, lags=[1, 40], ndim=1)
    with pytest.raises(ValueError, match=r"lags must be <= size // 2 = 8"):
        flatness(_white(0, (16, 64)), lags=[1, 10], ndim=2)  # image of height 16
    with pytest.raises(ValueError, match="strictly increasing"):
        structure_functions(x, lags=[4, 2], ndim=1)
    with pytest.raises(ValueError, match=r"positive integers, got \[0, 2\]"):
        structure_functions(x, lags=[0, 2], ndim=1)
    with pytest.raises(TypeError, match="lags must contain integers"):
        structure_functions(x, lags=[1.5, 2], ndim=1)
    with pytest.raises(ValueError, match=r"at least 3 lags, got \[1, 2\]"):
        scaling_exponents(x, lags=[1, 2], ndim=1)
    with pytest.raises(ValueError, match="too small for the default dyadic lags"):
        scaling_exponents(_white(0, 16))
    with pytest.raises(ValueError, match="too small for the default dyadic lags"):
        compare(_white(0, (16, 16)), _white(1, (2, 16, 16)))
    with pytest.raises(ValueError, match="each signal axis needs at least 2 points"):
        power_spectrum(np.ones(1))


def test_bad_q_and_error_mode():
    x = _white(0, 256)
    with pytest.raises(ValueError, match=r"q must contain finite moments q > 0, got \[2.0, 0.0\]"):
        scaling_exponents(x, q=[2, 0])
    with pytest.raises(ValueError, match=r"q > 0, got \[-1.0\]"):
        structure_functions(x, q=-1)
    with pytest.raises(ValueError, match="q > 0"):
        compare(x, x, q=[np.nan])
    with pytest.raises(TypeError, match="q must be a positive number"):
        structure_functions(x, q="2")
    with pytest.raises(ValueError, match=bad_param("error", "'regression' or 'samples'", "'bootstrap'")):
        scaling_exponents(x, error="bootstrap")
    with pytest.raises(ValueError, match="error='samples' needs at least 2 samples"):
        scaling_exponents(x, error="samples")
    with pytest.raises(ValueError, match="Structure functions vanish"):
        scaling_exponents(np.zeros(256))


def test_bad_max_lag_and_options():
    r = _white(0, 100)
    with pytest.raises(ValueError, match=r"max_lag must be between 1 and N // 2 = 50 .* got 60"):
        leverage_correlation(r, max_lag=60)
    with pytest.raises(ValueError, match="got 0"):
        volatility_autocorrelation(r, max_lag=0)
    with pytest.raises(TypeError, match=bad_param("max_lag", "an int", r"2\.5")):
        volatility_autocorrelation(r, max_lag=2.5)
    with pytest.raises(ValueError, match="too short for the default max_lag"):
        leverage_correlation(np.ones(3))
    with pytest.raises(ValueError, match="max_lag must be between"):
        compare(_white(0, 64), _white(1, (2, 64)), max_lag=40)
    with pytest.raises(ValueError, match=bad_param("bins", "a positive integer", "0")):
        compare(_white(0, 64), _white(1, (2, 64)), bins=0)
    with pytest.raises(TypeError, match=bad_param("whiten", "an instance of 'bool'", "'yes'")):
        max_cross_correlation(r, r, whiten="yes")
    pytest.importorskip("matplotlib")
    with pytest.raises(TypeError, match=bad_param("labels", "a tuple of 3 strings")):
        plot_comparison(_white(0, 64), _white(1, (2, 64)), labels=("a", "b"))


# --------------------------------------------------------------------------- docstrings


@pytest.mark.parametrize(
    "module", ["_spectrum", "_marginals", "_structure", "_leverage", "_copy", "_report"]
)
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"skphase.metrics.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------- constant inputs


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: marginal_moments(np.full(64, 2.0)), r"x is constant \(every value is 2\.0\)"),
        (lambda: flatness(np.zeros((2, 64)), ndim=1), "Structure functions vanish at some lag for x"),
        (lambda: flatness(np.ones((16, 16))[None]), r"for x: .* at lag\(s\) \[1, 2\]"),
        (lambda: scaling_exponents(np.zeros(256)), "Structure functions vanish at some lag for x"),
        (lambda: volatility_autocorrelation(np.full(64, -0.5)), r"\|r\| is constant"),
        (lambda: volatility_autocorrelation(np.zeros(64)), r"\|r\| is constant"),
        (lambda: leverage_correlation(np.zeros((2, 64))), "r is identically 0"),
        (lambda: compare(np.ones(64), _white(1, (2, 64))), "target is constant"),
        (lambda: compare(_white(0, 64), np.zeros((2, 64))), "samples is constant"),
        (
            lambda: compare(_white(0, (32, 32)), _white(1, (2, 32, 32)), np.ones((1, 32, 32))),
            "baseline is constant",
        ),
        # a straight line: non-constant, but its returns have a constant magnitude
        (lambda: compare(_white(0, 64), np.arange(64.0)), r"\|np\.diff\(samples\)\| is constant"),
    ],
)
def test_constant_inputs_raise_a_clear_error(call, match):
    # issue 6: these returned NaN silently while scaling_exponents raised
    with pytest.raises(ValueError, match=match):
        call()


def test_non_constant_inputs_never_give_nan():
    x = _white(2, (2, 64))
    x[:, 10:] = 0.0  # mostly constant, not constant
    assert all(np.isfinite(v) for v in marginal_moments(x, ndim=1).values())
    assert np.all(np.isfinite(flatness(x, lags=[1, 2], ndim=1)[1]))
    assert np.all(np.isfinite(volatility_autocorrelation(x, max_lag=4)[1]))
    report = compare(np.cumsum(_white(3, 256)), np.cumsum(x, axis=1).repeat(4, axis=1), lags=[1, 2, 4])
    for curves in report["curves"].values():
        assert all(np.all(np.isfinite(v)) for v in curves.values())


def test_every_metric_declares_its_parameters():
    import skphase.metrics

    from skphase.plotting import plot_comparison

    functions = [getattr(skphase.metrics, n) for n in skphase.metrics.__all__] + [plot_comparison]
    assert all(callable(f) for f in functions)
    for f in functions:
        assert hasattr(f, "__skphase_constraints__"), f.__name__
