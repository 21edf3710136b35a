"""Financial series: S&P 500 daily log-returns, skphase's synthesis against the data's stylised facts.

The data are scattering_spectra's packaged S&P 500 closes (``snp_WSJ_08_02_2024.pkl``, 6,063 days
from 2000-01-03 to 2024-02-07, 6,062 log-returns). Its repository is not on PyPI: clone it and
pass ``--scatspectra PATH`` (the checkout; ``pip install "setuptools<81" "pandas<3" && pip install
PATH`` also runs its own synthesis side by side, ``--anchor``). Without the data the benchmark
runs on a generated skewed MRW of the same length.

Per model (``--variants``), over ``--samples`` syntheses: excess kurtosis (pooled), leverage
L(tau) = E[r(t+tau)^2 r(t)] / E[r^2]^2 averaged over tau = 1..20, the autocorrelation of |r|
averaged over lags 1..20 and 50..100, zeta(q) for q = 1..4 (lags 1..64), and the order
statistics: the five largest |moves| of each sample in units of the target's std, whether
any sample reproduces the target's sorted extremes, and their spread across the ensemble.

    python benchmarks/bench_series.py --scatspectra /tmp/scatspectra [--samples 3] [--iters 500]
        [--variants default hist0 ...] [--anchor]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from _common import machine_line
from skphase.datasets import make_skewed_mrw
from skphase.metrics import (leverage_correlation, marginal_moments, scaling_exponents,
                             volatility_autocorrelation)
from skphase.synthesis import PhaseHarmonicSynthesizer

#: name -> PhaseHarmonicSynthesizer parameters tried (besides max_iter and random_state)
VARIANTS = {
    "default": {},
    "before_cross_shifts": {"cross_shifts": 0, "subsample": True},  # the series defaults until 2026-12-07
    "it1000": {"max_iter": 1000},
    "it2000": {"max_iter": 2000},
    "hist0": {"histogram_weight": 0.0},
    "hist0.03": {"histogram_weight": 0.03},
    "ns3": {"histogram_weight": 0.0, "n_shifts": 3},
    "ns4": {"histogram_weight": 0.0, "n_shifts": 4},
    "ns5": {"histogram_weight": 0.0, "n_shifts": 5},
    "J10": {"histogram_weight": 0.0, "J": 10},
    "J11": {"histogram_weight": 0.0, "J": 11},
    "J12": {"histogram_weight": 0.0, "J": 12},
    "J11ns4": {"histogram_weight": 0.0, "J": 11, "n_shifts": 4},
    "J12ns4it1000": {"histogram_weight": 0.0, "J": 12, "n_shifts": 4, "max_iter": 1000},
    "J11ns4it1000": {"histogram_weight": 0.0, "J": 11, "n_shifts": 4, "max_iter": 1000},
    "ns7": {"histogram_weight": 0.0, "n_shifts": 7},
    "bump": {"histogram_weight": 0.0, "wavelet": "bump"},
    "P8": {"histogram_weight": 0.0, "n_phases": 8},
    "nosub": {"histogram_weight": 0.0, "subsample": False},
    "xs1": {"cross_shifts": 1},
    "xs2": {"cross_shifts": 2},
    "xs3": {"cross_shifts": 3},
    "xs2nosub": {"cross_shifts": 2, "subsample": False},
    "xs1it2000": {"cross_shifts": 1, "max_iter": 2000},
    "xs1nosub": {"cross_shifts": 1, "subsample": False},
}


def load_snp(checkout: str) -> np.ndarray:
    """Daily log-returns of the S&P 500 closes packaged with scattering_spectra (oldest first)."""
    import pandas as pd

    df = pd.read_pickle(os.path.join(checkout, "scatspectra", "data", "snp_WSJ_08_02_2024.pkl"))
    close = df.sort_index()["Close"].to_numpy(dtype=np.float64)
    return np.diff(np.log(close))


def stats(r: np.ndarray, sigma: float) -> dict:
    """The stylised facts of a set of return series r (n, N); extremes in units of ``sigma``."""
    r = np.atleast_2d(r)
    # on standardised returns (pooled mean and std), so L is unit-free: E[z(t+tau)^2 z(t)]
    taus, lev = leverage_correlation((r - r.mean()) / r.std(), 20)
    _, vol = volatility_autocorrelation(r, 100)
    z, _ = scaling_exponents(np.cumsum(r, axis=-1), np.arange(1, 5), 2 ** np.arange(0, 7), ndim=1)
    top = -np.sort(-np.abs(r), axis=1)[:, :5] / sigma
    per = [marginal_moments(s, ndim=1)["excess_kurtosis"] for s in r]
    each_lev = [float(leverage_correlation((s - s.mean()) / s.std(), 20)[1][21:].mean()) for s in r]
    each_vol = [float(volatility_autocorrelation(s, 20)[1][1:].mean()) for s in r]
    return dict(kurtosis=marginal_moments(r, ndim=1)["excess_kurtosis"], kurtosis_each=per,
                leverage=float(lev[taus > 0].mean()), leverage_past=float(lev[taus < 0].mean()),
                vol_short=float(vol[1:21].mean()), vol_long=float(vol[50:101].mean()), zeta=z, top=top,
                skewness=marginal_moments(r, ndim=1)["skewness"], leverage_each=each_lev, vol_each=each_vol)


def run_skphase(x, params, n_samples, iters, seed=0):
    model = PhaseHarmonicSynthesizer(**{"max_iter": iters, "random_state": seed, **params})
    t0 = time.perf_counter()
    model.fit(x[None])
    y = model.sample(n_samples)
    return y, time.perf_counter() - t0, model


def report(name, s, target, seconds=None, extra=""):
    t = target
    sec = f"{seconds:.0f} s" if seconds is not None else ""
    print(f"\n{name} {sec} {extra}")
    print(f"  kurtosis {s['kurtosis']:.2f} (each {', '.join(f'{k:.2f}' for k in s['kurtosis_each'])}) "
          f"target {t['kurtosis']:.2f};  skewness {s['skewness']:.3f} target {t['skewness']:.3f}")
    print(f"  leverage 1..20 {s['leverage']:+.3f} ({100 * s['leverage'] / t['leverage']:.0f} %) "
          f"target {t['leverage']:+.3f} (each {', '.join(f'{v:+.3f}' for v in s['leverage_each'])});  past {s['leverage_past']:+.3f} target {t['leverage_past']:+.3f}")
    print(f"  |r| acf 1..20 {s['vol_short']:.3f} ({100 * s['vol_short'] / t['vol_short']:.0f} %) "
          f"target {t['vol_short']:.3f} (each {', '.join(f'{v:.3f}' for v in s['vol_each'])});  50..100 {s['vol_long']:.3f} target {t['vol_long']:.3f}")
    print("  zeta(1..4) " + " ".join(f"{v:.3f}" for v in s["zeta"]) + "  target "
          + " ".join(f"{v:.3f}" for v in t["zeta"]))
    tt = t["top"][0]
    for i, row in enumerate(s["top"]):
        same = np.allclose(row, tt, rtol=1e-6)
        print(f"  sample {i}: 5 largest |r| / sigma " + " ".join(f"{v:.2f}" for v in row)
              + ("  == target's" if same else ""))
    print("  target  : 5 largest |r| / sigma " + " ".join(f"{v:.2f}" for v in tt))
    print(f"  largest move across samples: {s['top'][:, 0].min():.2f}..{s['top'][:, 0].max():.2f}, "
          f"std {s['top'][:, 0].std():.2f}")


def run_anchor(n_samples, seed=0):
    """scattering_spectra's own synthesis of its S&P 500 data, its tutorial recipe (scattering spectra
    model, tol_optim 6e-3, CPU); log-returns (n_samples, 6062), seconds, and its statistics count."""
    import torch
    from scatspectra.data_source import SPDaily
    from scatspectra.frontend import analyze, generate

    torch.manual_seed(seed)
    np.random.seed(seed)
    data = SPDaily()
    t0 = time.perf_counter()
    gen = generate(x=data, R=n_samples, model_type="scat_spectra", tol_optim=6e-3, cache_path=None,
                   cuda=False, seed=seed, verbose=False)
    seconds = time.perf_counter() - t0
    n_stats = int(analyze(data.dlnx, model_type="scat_spectra").y.shape[1])
    return np.asarray(gen.dlnx, dtype=np.float64).reshape(n_samples, -1), seconds, n_stats


def _pixel_stats(imgs, mean, std):
    """Per image: min, 0.1 %, 99.9 % quantiles, max, skewness, excess kurtosis (standardised by the target)."""
    z = (np.asarray(imgs, dtype=np.float64).reshape(len(imgs), -1) - mean) / std
    c = z - z.mean(axis=1, keepdims=True)
    v = (c ** 2).mean(axis=1)
    return np.column_stack([z.min(axis=1), np.quantile(z, 0.001, axis=1), np.quantile(z, 0.999, axis=1),
                            z.max(axis=1), (c ** 3).mean(axis=1) / v ** 1.5, (c ** 4).mean(axis=1) / v ** 2 - 3])


def textures(names, size, n_samples, iters):
    """Ensemble spread of pixel statistics: syntheses of one crop against disjoint crops of the image."""
    from skphase.datasets import load_texture

    cols = ("min", "q0.1%", "q99.9%", "max", "skewness", "excess kurtosis")
    for name in names:
        full = load_texture(name)
        k = full.shape[0] // size
        crops = np.stack([full[i * size:(i + 1) * size, j * size:(j + 1) * size]
                          for i in range(k) for j in range(k)])
        target = load_texture(name, size=size)
        mean, std = float(target.mean()), float(target.std())
        rows = [(f"{len(crops)} disjoint crops of the {full.shape[0]}² image", _pixel_stats(crops, mean, std))]
        for w in (0.03, 0.0):
            model = PhaseHarmonicSynthesizer(max_iter=iters, random_state=0, histogram_weight=w)
            t0 = time.perf_counter()
            y = model.fit(target[None]).sample(n_samples)
            rows.append((f"{n_samples} syntheses, histogram_weight={w} ({time.perf_counter() - t0:.0f} s, "
                         f"rel. errors {', '.join(f'{e:.1e}' for e in model.relative_errors_)})",
                         _pixel_stats(y, mean, std)))
        t = _pixel_stats(target[None], mean, std)[0]
        print(f"\n{name} {size}², pixel statistics in target std: mean (std across the ensemble)")
        print("| ensemble | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        print("| target crop | " + " | ".join(f"{v:.3f}" for v in t) + " |")
        for label, st in rows:
            print(f"| {label} | " + " | ".join(f"{m:.3f} ({s:.3f})" for m, s in zip(st.mean(0), st.std(0)))
                  + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scatspectra", default=None, help="path of a scattering_spectra checkout")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--iters", type=int, default=500)
    parser.add_argument("--variants", nargs="+", default=["default", "hist0"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--textures", nargs="*", default=None,
                        help="also measure the ensemble spread of pixel statistics on these textures")
    parser.add_argument("--texture-size", type=int, default=128)
    parser.add_argument("--texture-iters", type=int, default=200)
    parser.add_argument("--skip-series", action="store_true")
    parser.add_argument("--anchor", action="store_true",
                        help="also run scattering_spectra's synthesis (needs it installed, see above)")
    args = parser.parse_args(argv)
    print(machine_line())
    if args.textures:
        textures(args.textures, args.texture_size, args.samples, args.texture_iters)
    if args.skip_series:
        return
    if args.scatspectra:
        x = load_snp(args.scatspectra)
        label = f"S&P 500 daily log-returns ({x.size} days)"
    else:
        x = make_skewed_mrw(1, 6062, leverage=0.1, increments=True, random_state=0)[0]
        label = "skewed MRW (6,062 points; no --scatspectra checkout)"
    sigma = float(x.std())
    target = stats(x, sigma)
    print(label)
    for name in args.variants:
        params = VARIANTS[name]
        y, seconds, model = run_skphase(x, params, args.samples, args.iters, args.seed)
        report(f"skphase {name} {params}", stats(y, sigma), target, seconds,
               f"J={model.J_}, {model.n_moments_} moments, iterations {[int(i) for i in model.n_iter_]}, "
               f"rel. errors {', '.join(f'{e:.1e}' for e in model.relative_errors_)}")
    if args.anchor:
        try:
            import scatspectra  # noqa: F401
        except ImportError:
            print("\nscattering_spectra not installed: skipped (git clone "
                  "https://github.com/RudyMorel/scattering_spectra; pip install 'setuptools<81' "
                  "'pandas<3' termcolor; pip install --no-deps ./scattering_spectra)")
            return
        y, seconds, n_stats = run_anchor(args.samples, args.seed)
        report(f"scattering_spectra {scatspectra.__version__ if hasattr(scatspectra, '__version__') else ''}"
               f" ({n_stats} statistics, tol_optim 6e-3, CPU)", stats(y, sigma), target, seconds)


if __name__ == "__main__":
    main()
