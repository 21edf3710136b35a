"""
Multifractal and financial series
=================================

Two syntheses from one 4096-step realisation of a skewed multifractal random walk, against a
Gaussian model with the same spectrum. The phase-harmonic model keeps the excess kurtosis, the
flatness that grows towards small lags and the one-sided leverage, but its leverage and
volatility clustering are weaker than the target's (about 80–90 %, printed below); the
scattering-covariance model is about as good on leverage and clustering but keeps only about
half of the excess kurtosis; the Gaussian model keeps none of these.

This is slides 18–20 of the seed ("Models of stationary processes", "Ergodic stationary
processes", multifractal models): a model estimated from a single realisation, by time
averages, and sampled by moment matching.
"""

# %%
# One realisation of a skewed multifractal random walk
# ----------------------------------------------------
# ``make_skewed_mrw`` draws returns ``xi(t) exp(omega(t))`` whose log-volatility ``omega``
# is log-correlated (multifractal) and is raised by past negative returns (leverage), so the
# series is not reversible in time. ``skewed_mrw_leverage`` gives the exact leverage of the
# law. One realisation of 4096 steps estimates it poorly: leverage is a third-order statistic
# of heavy-tailed returns, and a hundred other realisations show how far a typical estimate
# (of the mean of ``L`` over lags 1..20) falls from the law's; this one is near their median.
import time

import matplotlib.pyplot as plt
import numpy as np

from skphase import GaussianSynthesizer, PhaseHarmonicSynthesizer
from skphase.datasets import make_skewed_mrw, skewed_mrw_leverage
from skphase.metrics import (
    flatness,
    leverage_correlation,
    marginal_moments,
    scaling_exponents,
    volatility_autocorrelation,
)

N, intermittency, leverage = 4096, 0.15, 0.2
returns = make_skewed_mrw(1, N, intermittency=intermittency, leverage=leverage,
                          increments=True, random_state=1)
z = (returns - returns.mean()) / returns.std()
estimates_of_target = leverage_correlation(z, 20)[1][21:].mean()
exact = skewed_mrw_leverage(np.arange(1, 21), intermittency=intermittency, leverage=leverage,
                            integral_scale=N)
print(f"exact leverage of the law at tau = 1, 5, 10: {exact[0]:+.3f} {exact[4]:+.3f} "
      f"{exact[9]:+.3f}, mean over 1..20 {exact.mean():+.3f}")
others = make_skewed_mrw(100, N, intermittency=intermittency, leverage=leverage,
                         increments=True, random_state=2)
estimates = [leverage_correlation((r - r.mean()) / r.std(), 20)[1][21:].mean() for r in others]
low, median, high = np.percentile(estimates, [10, 50, 90])
print(f"mean L(1..20) of one realisation: this one {estimates_of_target:+.3f}; 100 others: "
      f"median {median:+.3f}, 10-90 % range {low:+.3f}..{high:+.3f}")

# %%
# Three models of the same series
# -------------------------------
# ``PhaseHarmonicSynthesizer`` with its default moments (phase-harmonic means, cross-scale
# covariances and a few autocovariances), the same estimator with
# ``moments="scattering_covariance"`` (the scattering spectra), and ``GaussianSynthesizer``
# (the power spectrum with random phases). Each draws two series from white noise.
# ``histogram_weight="auto"`` is off for series, so the extremes of the syntheses are not
# copied from the target.
samples = {}
for name, moments in [("phase harmonic", "phase_harmonic"),
                      ("scattering cov.", "scattering_covariance")]:
    start = time.perf_counter()
    model = PhaseHarmonicSynthesizer(moments=moments, max_iter=200, random_state=0)
    samples[name] = model.fit(returns).sample(2)
    print(f"{name}: J={model.J_}, {model.n_moments_} moments, iterations {[int(i) for i in model.n_iter_]}, "
          f"relative moment errors {np.round(model.relative_errors_, 4)}, "
          f"{time.perf_counter() - start:.1f} s")
samples["Gaussian"] = GaussianSynthesizer(random_state=0).fit(returns).sample(2)
series = {"target": returns, **samples}
colors = {"target": "k", "phase harmonic": "C0", "scattering cov.": "C1", "Gaussian": "C2"}

fig, axes = plt.subplots(len(series), 1, figsize=(7, 6), sharex=True, sharey=True,
                         layout="constrained")
for ax, (name, r) in zip(axes, series.items()):
    ax.plot(r[0], lw=0.4, color=colors[name])
    ax.set_ylabel(name, fontsize=8)
axes[-1].set_xlabel("t")
fig.suptitle("returns: one skewed MRW realisation and one sample of each model", fontsize=9)
plt.figure(fig)

# %%
# The stylised facts, measured
# ----------------------------
# Statistics of the two samples of each model are pooled. Excess kurtosis: heavy tails.
# Flatness ``S_4(l) / S_2(l)^2`` of the increments of the walk over ``l`` steps: 3 for a
# Gaussian, larger and growing towards small lags for a multifractal walk; the concavity
# ``zeta(4) - 2 zeta(2)`` of the scaling exponents is 0 for a monofractal walk (fitted over
# lags 1..64 of one short walk it is biased: the Gaussian's is not exactly 0, the target's is
# short of the law's ``-4 (lambda^2 + leverage^2)``). Leverage ``L(tau) = E[r(t + tau)^2 r(t)] / E[r^2]^2`` on standardised returns:
# negative for ``tau > 0``, about 0 for ``tau < 0``. Volatility clustering: the
# autocorrelation of ``|r|``.
stats = {}
for name, r in series.items():
    r = np.atleast_2d(r)
    taus, lev = leverage_correlation((r - r.mean()) / r.std(), 20)
    lags_v, vol = volatility_autocorrelation(r, 100)
    walk = np.cumsum(r, axis=-1)
    lags_f, flat = flatness(walk, 2 ** np.arange(0, 7), ndim=1)
    zeta, _ = scaling_exponents(walk, np.arange(1, 5), 2 ** np.arange(0, 7), ndim=1)
    marg = marginal_moments(r, ndim=1)
    stats[name] = {"taus": taus, "lev": lev, "lags_v": lags_v, "vol": vol,
                   "lags_f": lags_f, "flat": flat, "kurtosis": marg["excess_kurtosis"],
                   "leverage": lev[taus > 0].mean(), "clustering": vol[1:21].mean()}
    print(f"{name:16s} kurtosis {marg['excess_kurtosis']:5.2f}  skewness {marg['skewness']:+.2f}  "
          f"L(1, 5, 10) {lev[taus == 1][0]:+.3f} {lev[taus == 5][0]:+.3f} {lev[taus == 10][0]:+.3f}  "
          f"mean L(1..20) {lev[taus > 0].mean():+.3f}  mean L(-20..-1) {lev[taus < 0].mean():+.3f}")
    print(f"{'':16s} |r| acf 1..20 {vol[1:21].mean():.3f}  50..100 {vol[50:].mean():.3f}  "
          f"flatness lag 1 {flat[0]:.2f}  lag 64 {flat[-1]:.2f}  zeta(1..4) {np.round(zeta, 3)}  "
          f"zeta(4) - 2 zeta(2) {zeta[3] - 2 * zeta[1]:+.3f}")

# The same three numbers as a share of the target's.
for name in samples:
    share = {key: 100 * stats[name][key] / stats["target"][key]
             for key in ("kurtosis", "leverage", "clustering")}
    print(f"{name}: % of the target's excess kurtosis {share['kurtosis']:.0f}, "
          f"mean leverage 1..20 {share['leverage']:.0f}, |r| acf 1..20 {share['clustering']:.0f}")

fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), layout="constrained")
for name, s in stats.items():
    style = {"color": colors[name], "lw": 2 if name == "target" else 1.2}
    axes[0].semilogx(s["lags_f"], s["flat"], "o-", ms=3, label=name, **style)
    axes[1].plot(s["taus"], s["lev"], ".-", label=name, **style)
    axes[2].semilogx(s["lags_v"][1:], s["vol"][1:], label=name, **style)
axes[1].plot(np.arange(1, 21), exact, "k:", label="exact law")
axes[0].axhline(3, color="grey", lw=0.8, ls="--")
axes[0].set_xscale("log", base=2)
axes[0].set(xlabel="lag l", ylabel="flatness of the walk's increments")
axes[1].axhline(0, color="grey", lw=0.8)
axes[1].set(xlabel="tau", ylabel="leverage L(tau)")
axes[2].axhline(0, color="grey", lw=0.8)
axes[2].set(xlabel="tau", ylabel="autocorrelation of |r|")
axes[1].legend(fontsize=7)
plt.show()
