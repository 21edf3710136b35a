"""Moment-matching synthesis: textures (256x256) and multifractal series (2^14), vs the Gaussian model.

Per texture: seconds per L-BFGS iteration (median over the run), peak Python-visible memory,
relative moment error, log radial-spectrum error (decades) and W1 histogram distance / std of
the synthesis and of the Gaussian baseline (:func:`skphase.metrics.compare`), and the copy score.
Series: an MRW (lambda=0.2, H=0.5, 2^14 points) -- zeta(q), q = 1..4, of the synthesis against the
spread (min..max) of 8 independent MRW realisations, and the flatness at lags 1..64 -- and a
skewed MRW whose negative leverage (time asymmetry) must be reproduced.
Figures go to ``--output-dir``. plenoptic is not installed here; its figures measured on this
machine are in /work/shared/ANCHORS.md.

    python benchmarks/bench_synthesis.py [--size 256] [--iters 200] [--quick] [--backend numpy|torch]
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np

from _common import machine_line
from skphase.datasets import load_texture, make_mrw, make_skewed_mrw
from skphase.metrics import compare, leverage_correlation, plot_comparison, scaling_exponents
from skphase.synthesis import GaussianSynthesizer, PhaseHarmonicSynthesizer


def _timed_synthesis(model, X):
    model.fit(X)
    stamps = []
    model.set_params(callback=lambda i, loss, x: stamps.append(time.perf_counter()) and False)
    tracemalloc.start()
    t0 = time.perf_counter()
    y = model.sample(1)
    total = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    per_iter = float(np.median(np.diff([t0] + stamps))) if stamps else float("nan")
    return y, per_iter, total, peak


def textures(args):
    rows = []
    for name in args.textures:
        img = load_texture(name, size=args.size)
        model = PhaseHarmonicSynthesizer(max_iter=args.iters, random_state=0, backend=args.backend,
                                         device=args.device)
        y, per_iter, total, peak = _timed_synthesis(model, img[None])
        g = GaussianSynthesizer(random_state=0).fit(img[None]).sample(1)
        rep = compare(img, y, g)
        s, b = rep["scalars"]["samples"], rep["scalars"]["baseline"]
        rows.append((name, model.n_moments_, model.n_iter_[0], per_iter, total, peak,
                     model.relative_errors_[0], s["spectrum_error"], b["spectrum_error"],
                     s["wasserstein_relative"], b["wasserstein_relative"], s["copy_score"]))
        print(rows[-1], flush=True)
        fig = plot_comparison(img, y, g, labels=("target", "phase harmonics", "Gaussian"))
        fig.savefig(os.path.join(args.output_dir, f"synthesis_{name}_{args.size}.png"), dpi=80)
    print(f"\n| texture {args.size}² ({args.backend}) | moments | iterations | s / iteration | total s | "
          "peak MiB | rel. moment error | log-spectrum error (Gaussian) | W1/std (Gaussian) | copy score |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.3f} | {r[4]:.0f} | {r[5]:.0f} | {r[6]:.2e} | "
              f"{r[7]:.3f} ({r[8]:.3f}) | {r[9]:.3f} ({r[10]:.3f}) | {r[11]:.2f} |")


def series(args):
    n = 2**12 if args.quick else 2**14
    target = make_mrw(1, n, intermittency=0.2, increments=True, random_state=0)
    model = PhaseHarmonicSynthesizer(max_iter=args.iters, random_state=0)
    y, per_iter, total, peak = _timed_synthesis(model, target)
    g = GaussianSynthesizer(random_state=0).fit(target).sample(1)
    refs = make_mrw(8, n, intermittency=0.2, random_state=1)
    q = np.arange(1, 5)
    lags = 2 ** np.arange(0, 7)
    z_ref = np.array([scaling_exponents(r, q, lags, ndim=1)[0] for r in refs])
    z = {k: scaling_exponents(np.cumsum(v, axis=-1), q, lags, ndim=1)[0]
         for k, v in (("target", target), ("synthesis", y), ("gaussian", g))}
    print(f"\nMRW 2^{int(np.log2(n))}: {model.n_moments_} moments (J={model.J_}), "
          f"{model.n_iter_[0]} iterations, {per_iter:.3f} s/iteration, {total:.0f} s, peak {peak:.0f} MiB, rel. moment error "
          f"{model.relative_errors_[0]:.2e}")
    print("| q | independent MRWs min..max | target | synthesis | Gaussian |")
    print("|---|---|---|---|---|")
    for i, qq in enumerate(q):
        print(f"| {qq} | {z_ref[:, i].min():.3f}..{z_ref[:, i].max():.3f} | {z['target'][i]:.3f} | "
              f"{z['synthesis'][i]:.3f} | {z['gaussian'][i]:.3f} |")
    rep = compare(*(np.cumsum(v, axis=-1) for v in (target, y, g)), ndim=1, lags=lags)
    fl = rep["curves"]["flatness"]
    print("flatness at lags " + " ".join(str(int(v)) for v in fl["x"]))
    for role in ("target", "samples", "baseline"):
        print(f"  {role:9s} " + " ".join(f"{v:.2f}" for v in fl[role]))
    fig = plot_comparison(*(np.cumsum(v, axis=-1) for v in (target, y, g)), ndim=1,
                          labels=("target", "phase harmonics", "Gaussian"))
    fig.savefig(os.path.join(args.output_dir, "synthesis_mrw.png"), dpi=80)

    skew = make_skewed_mrw(1, n, leverage=0.1, increments=True, random_state=0)
    model = PhaseHarmonicSynthesizer(max_iter=args.iters, random_state=0).fit(skew)
    ys = model.sample(1)
    gs = GaussianSynthesizer(random_state=0).fit(skew).sample(1)
    print(f"\nskewed MRW 2^{int(np.log2(n))}: leverage L(tau) = E[r(t+tau)^2 r(t)] / E[r^2]^2, "
          f"mean over tau = 1..20 (and tau = -20..-1); rel. moment error {model.relative_errors_[0]:.2e}")
    for role, r in (("target", skew), ("synthesis", ys), ("Gaussian", gs)):
        taus, lev = leverage_correlation(r, 20)
        print(f"  {role:9s} future {lev[taus > 0].mean():+.3f}   past {lev[taus < 0].mean():+.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--textures", nargs="+", default=["gravel", "grass"])
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--device", default=None)
    parser.add_argument("--output-dir", default="bench_synthesis_output")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-series", action="store_true")
    parser.add_argument("--skip-textures", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.iters, args.textures = 64, 30, ["gravel"]
    os.makedirs(args.output_dir, exist_ok=True)
    print(machine_line())
    if not args.skip_textures:
        textures(args)
    if not args.skip_series:
        series(args)


if __name__ == "__main__":
    main()
