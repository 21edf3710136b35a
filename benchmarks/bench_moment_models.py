"""Moment models side by side: phase-harmonic, scattering covariance, scattering means.

Per model, on a 64x64 texture (gravel) and a 4096-point series (skewed MRW, lambda=0.15,
leverage 0.1): number of moments, seconds per loss + gradient evaluation (median of 10,
float64, numpy), final relative moment error after ``--iters`` L-BFGS-B iterations, and what
the synthesis keeps: log radial-spectrum error and W1/std of the marginal
(:func:`skphase.metrics.compare`) for the texture; zeta(q) (q = 1..4), the flatness of the
increments at lags 1, 4, 16 and the leverage L(tau) summed over tau = 1..20 for the series,
each against the target's.

    python benchmarks/bench_moment_models.py [--iters 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from skphase.datasets import load_texture, make_skewed_mrw
from skphase.metrics import compare, flatness, leverage_correlation, scaling_exponents
from skphase.representations import ScatteringAverager
from skphase.synthesis import PhaseHarmonicSynthesizer
from skphase.synthesis._loss import MomentLoss


def _models(X):
    scattering = ScatteringAverager(J=3 if X.ndim == 3 else 6, L=4, padding="periodic").fit(X)
    return {"phase_harmonic": "phase_harmonic", "scattering_covariance": "scattering_covariance",
            "scattering_means": scattering.get_operator()}


def _eval_seconds(model):
    loss = MomentLoss(model.model_.moments(), model.target_moments_, model.moment_scale_)
    y = np.random.default_rng(0).standard_normal(int(np.prod(model.input_shape_)))
    loss.value_and_grad(y)
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        loss.value_and_grad(y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _series_stats(x):
    path = np.cumsum(x, axis=-1)
    zeta = scaling_exponents(path, q=[1, 2, 3, 4], lags=[1, 2, 4, 8, 16, 32], ndim=1)[0]
    flat = flatness(path, lags=[1, 4, 16], ndim=1)[1]
    lags, lev = leverage_correlation(x, max_lag=20)
    return zeta, flat, float(lev[lags > 0].sum())


def main(iters):
    img = load_texture("gravel", size=64)[None]
    series = make_skewed_mrw(1, 4096, intermittency=0.15, leverage=0.1, increments=True, random_state=0)
    zt, ft, lt = _series_stats(series)
    print(f"series target: zeta {np.round(zt, 3)}, flatness {np.round(ft, 2)}, leverage sum {lt:+.3f}")
    for name, X in (("texture 64x64", img), ("series 4096", series)):
        for label, moments in _models(X).items():
            model = PhaseHarmonicSynthesizer(moments=moments, max_iter=iters, random_state=0).fit(X)
            per_eval = _eval_seconds(model)
            t0 = time.perf_counter()
            y = model.sample(1)
            total = time.perf_counter() - t0
            line = (f"{name:14s} {label:22s} moments {model.n_moments_:5d}  loss+grad {1e3 * per_eval:7.2f} ms  "
                    f"sample {total:6.1f} s  rel. moment error {model.relative_errors_[0]:.2e}")
            if X.ndim == 3:
                sc = compare(X[0], y[0], ndim=2)["scalars"]["samples"]
                line += (f"  spectrum err {sc['spectrum_error']:.3f} dec  W1/std {sc['wasserstein_relative']:.3f}"
                         f"  copy {sc['copy_score']:.2f}")
            else:
                zs, fs, ls = _series_stats(y)
                line += f"  zeta {np.round(zs, 3)}  flatness {np.round(fs, 2)}  leverage sum {ls:+.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=200)
    main(parser.parse_args().iters)
