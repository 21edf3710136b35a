"""The synthesis part of ``skphase demo``: a texture and a multifractal series, vs the Gaussian model."""

from __future__ import annotations

import os
import time

import numpy as np


def _report_line(report) -> str:
    t, s, g = (report["scalars"][r] for r in ("target", "samples", "baseline"))
    return (f"spectrum error {s['spectrum_error']:.3f} (Gaussian {g['spectrum_error']:.3f}), "
            f"excess kurtosis {s['excess_kurtosis']:.2f} (target {t['excess_kurtosis']:.2f}, "
            f"Gaussian {g['excess_kurtosis']:.2f}), W1/std {s['wasserstein_relative']:.3f} "
            f"(Gaussian {g['wasserstein_relative']:.3f}), copy score {s['copy_score']:.2f}")


def _save(report_args, path, figures):
    try:
        from ..plotting import plot_comparison
    except ImportError:  # pragma: no cover
        return
    try:
        fig = plot_comparison(*report_args[:3], labels=("target", "phase harmonics", "Gaussian"),
                              **report_args[3])
    except ImportError as exc:  # matplotlib missing
        print(f"      figure skipped: {exc}")
        return
    fig.savefig(path, dpi=80)
    figures.append(path)
    print(f"      figure: {path}")


def demo_synthesis(output_dir: str = "skphase_demo_output", quick: bool = False) -> dict:
    """Synthesize a packaged texture and a multifractal random walk; compare with the Gaussian model.

    Prints one line per step, saves a target vs synthesis vs Gaussian figure per example
    in ``output_dir`` and returns the figures measured.

    Parameters
    ----------
    output_dir : str
        Where the figures go (created if needed).
    quick : bool
        Small sizes and few iterations (for tests).

    Returns
    -------
    report : dict
        ``texture`` and ``series``: n_moments, seconds, relative moment error, and the
        metrics of :func:`skphase.metrics.compare`; ``figures``: the saved paths.
    """
    from ..datasets import load_texture, make_mrw
    from ..metrics import compare
    from . import GaussianSynthesizer, PhaseHarmonicSynthesizer

    os.makedirs(output_dir, exist_ok=True)
    out: dict = {"figures": []}

    size = 64 if quick else 128
    iters = 40 if quick else 300
    try:
        image = load_texture("gravel", size=size)
        name = "scikit-image gravel"
    except ImportError:  # scikit-image missing: a multifractal field stands in
        from ..datasets import make_multifractal_field

        image = make_multifractal_field(1, size, random_state=0)[0]
        name = "multifractal field"
    t = time.perf_counter()
    model = PhaseHarmonicSynthesizer(max_iter=iters, random_state=0).fit(image[None])
    synth = model.sample(1)
    seconds = time.perf_counter() - t
    gauss = GaussianSynthesizer(random_state=0).fit(image[None]).sample(1)
    rep = compare(image, synth, gauss)
    print(f"[synthesis 1/2] texture: {name} {size}x{size}, {model.n_moments_} moments (J={model.J_}), "
          f"{model.n_iter_[0]} L-BFGS iterations in {seconds:.1f} s, relative moment error "
          f"{model.relative_errors_[0]:.2e}")
    print("      " + _report_line(rep))
    out["texture"] = {"n_moments": model.n_moments_, "seconds": seconds,
                      "relative_error": float(model.relative_errors_[0]), **rep["scalars"]["samples"],
                      "gaussian": rep["scalars"]["baseline"]}
    _save((image, synth, gauss, {}), os.path.join(output_dir, "synthesis_texture.png"), out["figures"])

    n = 1024 if quick else 4096
    iters = 60 if quick else 300
    returns = make_mrw(1, n, intermittency=0.2, increments=True, random_state=0)
    t = time.perf_counter()
    model = PhaseHarmonicSynthesizer(max_iter=iters, random_state=0).fit(returns)
    synth = model.sample(1)
    seconds = time.perf_counter() - t
    gauss = GaussianSynthesizer(random_state=0).fit(returns).sample(1)
    paths = [np.cumsum(r, axis=-1) for r in (returns, synth, gauss)]
    rep = compare(*paths, ndim=1)
    print(f"[synthesis 2/2] series: multifractal random walk, {n} returns, {model.n_moments_} moments "
          f"(J={model.J_}), {model.n_iter_[0]} iterations in {seconds:.1f} s, relative moment error "
          f"{model.relative_errors_[0]:.2e}")
    z = rep["curves"]["zeta"]
    print("      zeta(q), q=1..4: target " + " ".join(f"{v:.2f}" for v in z["target"][:4])
          + " | synthesis " + " ".join(f"{v:.2f}" for v in z["samples"][:4])
          + " | Gaussian " + " ".join(f"{v:.2f}" for v in z["baseline"][:4]))
    flat = rep["curves"]["flatness"]
    k = {role: float(flat[role][0]) for role in ("target", "samples", "baseline")}
    print(f"      flatness at the smallest lag: target {k['target']:.2f}, synthesis {k['samples']:.2f}, "
          f"Gaussian {k['baseline']:.2f}")
    out["series"] = {"n_moments": model.n_moments_, "seconds": seconds,
                     "relative_error": float(model.relative_errors_[0]),
                     "zeta": {r: z[r][:4].tolist() for r in ("target", "samples", "baseline")},
                     "flatness_smallest_lag": k}
    _save((*paths, {"ndim": 1}), os.path.join(output_dir, "synthesis_series.png"), out["figures"])
    return out
