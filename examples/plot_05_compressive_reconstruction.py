"""
Compressive reconstruction from phase-harmonic moments
======================================================

A piecewise-linear signal of d = 1024 samples is recovered, up to a translation, from
m ≪ d of its own phase-harmonic means and covariances, with a PSNR that grows with m/d;
a piecewise-constant signal is recovered less well by these small models and its curve
levels off, far below the best m-term wavelet approximation; the series defaults (lagged
cross moments, coarse to fine) recover a 10-jump staircase to a few percent.

This is slides 15–16 of the seed ("Compressive reconstructions"):
:math:`\\tilde x = \\arg\\min_y \\|Cx - Cy\\|^2 + \\|Mx - My\\|^2`, whose error the slides
report decaying like :math:`m^{-2}` (slide 15) and :math:`m^{-1}` (slide 16), "optimal for
total variation signals".
"""

# %%
# Moments of growing size
# -----------------------
# ``PhaseHarmonicSynthesizer(...).fit(x)`` builds the moment model of x; its
# ``inverse_transform`` runs L-BFGS-B from white noise towards a signal with the same
# moments (``n_restarts`` starts, the best moment match kept). The model is at full
# resolution (``subsample=False``: exactly translation invariant) with J = log2(d) − 1, so
# that the coarsest wavelets see the whole signal; m grows with the scale pairs
# (``delta_j``) and the shifts (``n_shifts``). The moments cannot see translations, so the
# reconstruction is circularly aligned on x before measuring
# PSNR = 10 log10(range(x)² / MSE). Baseline: the best m-term approximation in an
# orthogonal wavelet basis (PyWavelets, db4), which is told where the large coefficients
# are. (A small budget keeps this example fast: 2 direct starts × 300 iterations, without
# the lagged cross moments, ``cross_shifts=0``; ``benchmarks/bench_reconstruction.py`` runs
# 4 × 500 and more models. The series defaults are the last section.)
import time

import matplotlib.pyplot as plt
import numpy as np
import pywt

from skphase import PhaseHarmonicSynthesizer
from skphase.datasets import make_piecewise_constant

d = 1024
step = make_piecewise_constant(1, d, n_jumps=6, random_state=0)[0]
ramp = np.cumsum(make_piecewise_constant(1, d, n_jumps=6, random_state=1)[0])
ramp = (ramp - ramp.mean()) / ramp.std()
MODELS = [{"n_shifts": 0, "delta_j": 0}, {"n_shifts": 0, "delta_j": 1},
          {"n_shifts": 0, "delta_j": 2}, {"n_shifts": 4, "delta_j": None}]
EXACT_DB = 100.0  # an m-term approximation above this is exact up to rounding


def align(x, y):
    """y circularly shifted to best match x."""
    corr = np.fft.ifft(np.fft.fft(x) * np.conj(np.fft.fft(y))).real
    return np.roll(y, np.argmax(corr))


def psnr(x, y):
    return float(10 * np.log10(np.ptp(x) ** 2 / np.mean((x - y) ** 2)))


def best_m_term(x, m):
    coeffs, slices = pywt.coeffs_to_array(pywt.wavedec(x, "db4", mode="periodization"))
    keep = np.argsort(np.abs(coeffs))[::-1][:m]
    sparse = np.zeros_like(coeffs)
    sparse[keep] = coeffs[keep]
    return pywt.waverec(pywt.array_to_coeffs(sparse, slices, output_format="wavedec"), "db4",
                        mode="periodization")


results, reconstructions = {}, {}
start = time.perf_counter()
for name, x in [("piecewise linear", ramp), ("piecewise constant", step)]:
    rows = []
    for params in MODELS:
        model = PhaseHarmonicSynthesizer(J=int(np.log2(d)) - 1, subsample=False, cross_shifts=0,
                                         max_iter=300, random_state=0, **params).fit(x[None])
        rec = align(x, model.inverse_transform(model.transform(x[None]), n_restarts=2,
                                               strategy="direct")[0])
        m = model.n_moments_
        rows.append((m, psnr(x, rec), min(psnr(x, best_m_term(x, m)), EXACT_DB),
                     model.relative_errors_[0]))
        reconstructions[name] = rec  # the largest model's, drawn below
        print(f"{name}: m = {m} (m/d = {m / d:.3f}): PSNR {rows[-1][1]:.1f} dB, best m-term "
              f"{rows[-1][2]:.1f} dB, relative moment error {rows[-1][3]:.1e}")
    results[name] = np.array(rows)
print(f"{len(MODELS) * 2} reconstructions in {time.perf_counter() - start:.1f} s")

# %%
# Decay rates
# -----------
# PSNR grows by 10 log10(m₂/m₁)·α dB when the MSE decays like :math:`m^{-\alpha}`; the slides'
# rates :math:`\|x - \tilde x\| \sim m^{-2}` and :math:`m^{-1}` are α = 4 and α = 2. The
# piecewise-constant curve is limited by the optimisation, not by the moments: started
# from x plus 1 % noise, L-BFGS-B returns to x (``benchmarks/RESULTS.md``); from white noise
# it ends in local minima where a jump is split or misplaced.
for name, rows in results.items():
    alpha = np.polyfit(np.log10(rows[:, 0]), rows[:, 1] / 10, 1)[0]
    print(f"{name}: MSE ~ m^-{alpha:.1f} over m/d = {rows[0, 0] / d:.3f} .. {rows[-1, 0] / d:.3f}")

# %%
# PSNR against m/d, and the reconstructions
# -----------------------------------------
fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), layout="constrained")
for col, (name, x) in enumerate([("piecewise linear", ramp), ("piecewise constant", step)]):
    rows = results[name]
    ax = axes[0, col]
    ax.plot(rows[:, 0] / d, rows[:, 1], "o-", label="phase-harmonic moments")
    ax.plot(rows[:, 0] / d, rows[:, 2], "s--", label=f"best m-term db4 (exact drawn at {EXACT_DB:.0f})")
    ax.set_xscale("log")
    ax.set_xlabel("m / d")
    ax.set_ylabel("PSNR (dB)")
    ax.set_title(name)
    ax.legend(fontsize=8)
    ax = axes[1, col]
    ax.plot(x, lw=2, color="grey", label="x")
    ax.plot(reconstructions[name], lw=1, color="C3",
            label=f"from m = {int(rows[-1, 0])} moments ({rows[-1, 1]:.1f} dB)")
    ax.set_xlabel("sample")
    ax.legend(fontsize=8)
plt.show()

# %%
# With the defaults
# -----------------
# The series defaults add what the curves above lack: the cross moments at shifts
# (``cross_shifts=1``: where a jump sits relative to the others), full resolution, and four
# coarse-to-fine starts (``strategy="multiscale"``: the coarse layout first). A staircase
# with 10 jumps, from m = 410 moments (m/d = 0.4): on 8 such signals the median relative
# error is 0.09 (``benchmarks/RESULTS.md``).
stairs = make_piecewise_constant(1, d, n_jumps=10, random_state=101)[0]
start = time.perf_counter()
default = PhaseHarmonicSynthesizer(random_state=0).fit(stairs[None])
back = align(stairs, default.inverse_transform(default.transform(stairs[None]))[0])
error = np.linalg.norm(back - stairs) / np.linalg.norm(stairs)
print(f"defaults: m = {default.n_moments_}, relative error {error:.3f}, "
      f"{time.perf_counter() - start:.1f} s")
fig, ax = plt.subplots(figsize=(10, 2.6), layout="constrained")
ax.plot(stairs, lw=2, color="grey", label="x (10 jumps)")
ax.plot(back, lw=1, color="C3", label=f"defaults, m = {default.n_moments_} (relative error {error:.2f})")
ax.set_xlabel("sample")
ax.legend(fontsize=8)
plt.show()
