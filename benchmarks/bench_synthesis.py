"""Moment-matching synthesis: textures (256x256) and multifractal series (2^14), vs the Gaussian model.

Per texture: seconds per L-BFGS iteration (median over the run), peak Python-visible memory,
relative moment error, log radial-spectrum error (decades) and W1 histogram distance / std of
the synthesis and of the Gaussian baseline (:func:`skphase.metrics.compare`), and the copy score.
Series: an MRW (lambda=0.2, H=0.5, 2^14 points) -- zeta(q), q = 1..4, of the synthesis against the
spread (2.5..97.5 %, min..max) of 64 independent MRW realisations, and the flatness at lags 1..64 -- and a
skewed MRW whose negative leverage (time asymmetry) must be reproduced.
Side by side on each texture, same iteration budget: plenoptic 2.1's Portilla-Simoncelli
metamer (optional: ``pip install plenoptic``, the ``[bench]`` extra; its own recipe, float32) and,
with ``--pywph``, pywph 1.1.3's phase-harmonic synthesis (its recipe, float32; slow).
Each synthesis runs in a fresh process, so its peak resident memory is its own (printed above
the process's RSS after imports, and in total). Figures go to ``--output-dir``.

    python benchmarks/bench_synthesis.py [--size 256] [--iters 200] [--quick] [--backend numpy|torch]
        [--precision float64 [float32]] [--moments phase_harmonic [scattering_covariance]] [--no-plenoptic] [--pywph [--pywph-iters N]] [--skip-series]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
import tracemalloc

import numpy as np

from _common import machine_line, pywph_loss_and_grad
from skphase.datasets import load_texture, make_mrw, make_skewed_mrw
from skphase.metrics import compare, leverage_correlation, scaling_exponents
from skphase.plotting import plot_comparison
from skphase.synthesis import GaussianSynthesizer, PhaseHarmonicSynthesizer


def _rss_mib() -> float:
    """Peak resident memory of this process so far (Linux ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed_synthesis(model, X, cpu=False):
    """Sample once; median wall (and with ``cpu``, process CPU) seconds per L-BFGS-B iteration."""
    model.fit(X)
    stamps, cpu_stamps = [], []

    def stamp(i, loss, x):
        stamps.append(time.perf_counter())
        cpu_stamps.append(time.process_time())

    model.set_params(callback=stamp)
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    y = model.sample(1)
    total = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    per_iter = float(np.median(np.diff([t0] + stamps))) if stamps else float("nan")
    per_iter_cpu = float(np.median(np.diff([c0] + cpu_stamps))) if stamps else float("nan")
    return (y, per_iter, total, peak, per_iter_cpu) if cpu else (y, per_iter, total, peak)


def _ours_child(name, size, iters, backend, device, precision, histogram_weight, moments="phase_harmonic"):
    """One skphase synthesis in a fresh process: its peak RSS is then the synthesis's own."""
    from skphase.synthesis._loss import MomentLoss

    img = load_texture(name, size=size)
    base = _rss_mib()
    evals = [0]
    value_and_grad = MomentLoss.value_and_grad

    def counted(self, y):
        evals[0] += 1
        return value_and_grad(self, y)

    MomentLoss.value_and_grad = counted
    model = PhaseHarmonicSynthesizer(max_iter=iters, random_state=0, backend=backend, device=device,
                                     precision=precision, histogram_weight=histogram_weight,
                                     moments=moments)
    y, per_iter, total, traced, per_iter_cpu = _timed_synthesis(model, img[None], cpu=True)
    return dict(y=y[0], per_iter=per_iter, per_iter_cpu=per_iter_cpu, total=total, traced=traced,
                rss_base=base, rss=_rss_mib(), n_moments=model.n_moments_, n_iter=int(model.n_iter_[0]),
                n_evals=evals[0], rel_error=float(model.relative_errors_[0]))


def _plenoptic_child(name, size, n_evals, threads):
    """plenoptic 2.1's Portilla-Simoncelli metamer, its documented recipe (the model's docstring):
    torch L-BFGS, strong Wolfe, history 100, 10 iterations and 10 evaluations per step, range
    penalty, from uniform noise around the mean, float32, images in [0, 1]; steps until
    ``n_evals`` loss evaluations (the budget skphase used).
    torch on ``threads`` threads (1: as plenoptic's figures in the project's notes; torch's
    spinning threads make it several times slower on a shared 2-core box)."""
    import plenoptic as po
    import torch

    torch.set_num_threads(threads)
    img = load_texture(name, size=size)
    lo, hi = float(img.min()), float(img.max())
    target = torch.as_tensor((img - lo) / (hi - lo), dtype=torch.float32)[None, None]
    base = _rss_mib()
    torch.manual_seed(0)
    model = po.models.PortillaSimoncelli(target.shape[-2:])
    po.remove_grad(model)
    ps_loss = po.loss.portilla_simoncelli_loss_factory(model, target)
    evals = [0]

    def loss(a, b):
        evals[0] += 1
        return ps_loss(a, b)

    met = po.Metamer(target, model, loss_function=loss)
    met.setup((torch.rand_like(target) - 0.5) * 0.1 + target.mean(), optimizer=torch.optim.LBFGS,
              optimizer_kwargs=dict(max_iter=10, max_eval=10, line_search_fn="strong_wolfe",
                                    history_size=100, lr=1))
    t0, c0 = time.perf_counter(), time.process_time()
    steps = 0
    while evals[0] < n_evals:
        met.synthesize(max_iter=1, store_progress=False)
        steps += 1
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    y = met.metamer.detach().numpy()[0, 0].astype(np.float64) * (hi - lo) + lo
    n_stats = int(model(target).numel())
    # per evaluation (its L-BFGS iterations are not exposed): compare with skphase's evaluations
    return dict(y=y, per_iter=total / evals[0], per_iter_cpu=total_cpu / evals[0], total=total,
                traced=float("nan"), rss_base=base, rss=_rss_mib(), n_moments=n_stats, n_iter=steps,
                n_evals=evals[0], rel_error=float("nan"))


def _pywph_child(name, size, max_iter, J, L, dn):
    """pywph 1.1.3's synthesis, its documented recipe: the default model (S11, S00, S01, C01,
    Cphase, L) with ``norm="auto"`` set by the target, the loss sum |Phi(y) - Phi(x)|^2 summed over
    its chunks with one backward per chunk, scipy L-BFGS-B (maxcor 20, ftol = gtol = 1e-14) from
    white noise with the target's mean and std; float32 (its default); torch on one thread."""
    import pywph
    import torch
    from scipy.optimize import minimize

    torch.set_num_threads(1)
    img = load_texture(name, size=size)
    base = _rss_mib()
    op = pywph.WPHOp(size, size, J, L=L, dn=dn, device="cpu")
    target = op.apply(img, norm="auto")
    evals, stamps = [0], []

    def loss_grad(v):
        evals[0] += 1
        total, grad = pywph_loss_and_grad(op, target, v.reshape(img.shape))
        return total, grad.astype(np.float64).ravel()

    x0 = img.mean() + img.std() * np.random.default_rng(0).standard_normal(img.size)
    t0, c0 = time.perf_counter(), time.process_time()
    res = minimize(loss_grad, x0, jac=True, method="L-BFGS-B",
                   callback=lambda _: stamps.append(time.perf_counter()),
                   options=dict(maxiter=max_iter, maxcor=20, ftol=1e-14, gtol=1e-14))
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    per_iter = float(np.median(np.diff([t0] + stamps))) if stamps else float("nan")
    return dict(y=res.x.reshape(img.shape), per_iter=per_iter, per_iter_cpu=total_cpu / max(res.nit, 1),
                total=total, traced=float("nan"), rss_base=base, rss=_rss_mib(),
                n_moments=f"{int(target.numel())} complex", n_iter=int(res.nit), n_evals=evals[0],
                rel_error=float(np.sqrt(res.fun / float(torch.sum(torch.abs(target) ** 2)))))


def _child_main(queue, func, args):
    try:
        queue.put(func(*args))
    except BaseException as exc:  # the parent re-raises it
        queue.put(exc)


def _in_child(func, *args):
    """``func(*args)`` in a fresh (spawned, non-daemonic: pywph starts its own pool) process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child_main, args=(queue, func, args))
    proc.start()
    result = queue.get()
    proc.join()
    if isinstance(result, BaseException):
        raise result
    return result


def textures(args):
    rows = []
    for name in args.textures:
        img = load_texture(name, size=args.size)
        g = GaussianSynthesizer(random_state=0).fit(img[None]).sample(1)
        runs = [(f"skphase {moments} {args.backend} {precision}",
                 _in_child(_ours_child, name, args.size, args.iters, args.backend, args.device,
                           precision, args.histogram_weight, moments))
                for moments in args.moments for precision in args.precision]
        if not args.no_plenoptic:
            try:
                import plenoptic  # noqa: F401
            except ImportError:
                print("plenoptic not installed: skipped (pip install plenoptic)")
            else:
                runs.append(("plenoptic PS", _in_child(_plenoptic_child, name, args.size,
                                                       runs[0][1]["n_evals"], args.plenoptic_threads)))
        if args.pywph:
            try:
                import pywph  # noqa: F401
            except ImportError:
                print("pywph not installed: skipped (pip install pywph==1.1.3)")
            else:
                J = min(5, int(np.log2(args.size)) - 2)
                runs.append((f"pywph J={J} L=4 dn=2", _in_child(_pywph_child, name, args.size,
                                                                 args.pywph_iters or args.iters, J, 4, 2)))
        for code, r in runs:
            rep = compare(img, r["y"][None], g)
            s, b = rep["scalars"]["samples"], rep["scalars"]["baseline"]
            rows.append((name, code, r["n_moments"], f'{r["n_iter"]} / {r["n_evals"]}', r["per_iter"],
                         r["per_iter_cpu"], r["total"],
                         r["rss"] - r["rss_base"], r["rss"], r["traced"], r["rel_error"],
                         s["spectrum_error"], b["spectrum_error"], s["wasserstein_relative"],
                         b["wasserstein_relative"], s["copy_score"]))
            print(rows[-1][:4] + tuple(round(float(v), 4) for v in rows[-1][4:]), flush=True)
        fig = plot_comparison(img, runs[0][1]["y"], g, labels=("target", "phase harmonics", "Gaussian"))
        fig.savefig(os.path.join(args.output_dir, f"synthesis_{name}_{args.size}.png"), dpi=80)
        plen = [r for code, r in runs if code == "plenoptic PS"]
        if plen:
            fig = plot_comparison(img, plen[0]["y"], g, labels=("target", "plenoptic PS", "Gaussian"))
            fig.savefig(os.path.join(args.output_dir, f"synthesis_{name}_{args.size}_plenoptic.png"), dpi=80)
    print(machine_line())
    print(f"\n| texture {args.size}² | code | statistics | iterations (plenoptic: steps) / evaluations | "
          "s / iteration, wall (CPU) (plenoptic: per evaluation) | total s | "
          "peak RSS MiB above imports (process) | traced MiB | rel. moment error | "
          "log-spectrum error (Gaussian) | W1/std (Gaussian) | copy score |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.3f} ({r[5]:.3f}) | {r[6]:.0f} | "
              f"{r[7]:.0f} ({r[8]:.0f}) | {r[9]:.0f} | {r[10]:.2e} | {r[11]:.3f} ({r[12]:.3f}) | "
              f"{r[13]:.3f} ({r[14]:.3f}) | {r[15]:.2f} |")


def series(args):
    n = 2**12 if args.quick else 2**14
    target = make_mrw(1, n, intermittency=0.2, increments=True, random_state=0)
    model = PhaseHarmonicSynthesizer(max_iter=args.iters, random_state=0,
                                     histogram_weight=args.histogram_weight)
    y, per_iter, total, peak = _timed_synthesis(model, target)
    g = GaussianSynthesizer(random_state=0).fit(target).sample(1)
    # 64 realisations: the spread of 8 was narrower than the target's own place in it
    refs = make_mrw(64, n, intermittency=0.2, random_state=1)
    q = np.arange(1, 5)
    lags = 2 ** np.arange(0, 7)
    z_ref = np.array([scaling_exponents(r, q, lags, ndim=1)[0] for r in refs])
    z = {k: scaling_exponents(np.cumsum(v, axis=-1), q, lags, ndim=1)[0]
         for k, v in (("target", target), ("synthesis", y), ("gaussian", g))}
    print(f"\nMRW 2^{int(np.log2(n))}: {model.n_moments_} moments (J={model.J_}), "
          f"{model.n_iter_[0]} iterations, {per_iter:.3f} s/iteration, {total:.0f} s, peak {peak:.0f} MiB, rel. moment error "
          f"{model.relative_errors_[0]:.2e}")
    print("| q | 64 independent MRWs 2.5..97.5 % (min..max) | target | synthesis | Gaussian |")
    print("|---|---|---|---|---|")
    for i, qq in enumerate(q):
        lo, hi = np.percentile(z_ref[:, i], [2.5, 97.5])
        print(f"| {qq} | {lo:.3f}..{hi:.3f} ({z_ref[:, i].min():.3f}..{z_ref[:, i].max():.3f}) | "
              f"{z['target'][i]:.3f} | "
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
    model = PhaseHarmonicSynthesizer(max_iter=args.iters, random_state=0,
                                     histogram_weight=args.histogram_weight).fit(skew)
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
    parser.add_argument("--precision", nargs="+", default=["float64"], choices=["float64", "float32"])
    parser.add_argument("--moments", nargs="+", default=["phase_harmonic"],
                        choices=["phase_harmonic", "scattering_covariance"],
                        help="moment models of the skphase runs (each in every precision); plenoptic "
                             "and pywph get the evaluation budget of the first")
    parser.add_argument("--histogram-weight", type=float, default=0.03,
                        help="skphase's histogram_weight (0: moments only)")
    parser.add_argument("--no-plenoptic", action="store_true")
    parser.add_argument("--plenoptic-threads", type=int, default=1)
    parser.add_argument("--pywph", action="store_true",
                        help="also run pywph 1.1.3's synthesis (slow: seconds per iteration)")
    parser.add_argument("--pywph-iters", type=int, default=None,
                        help="L-BFGS-B iterations for pywph (default: --iters)")
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
