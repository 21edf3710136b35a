"""Phase-harmonic moments of one 256x256 image: skphase vs pywph 1.1.3, statistics and loss+gradient.

Same image (scikit-image's gravel, standardised) for both, in one run, alternated case by
case so that a change of machine load hits both; medians of ``--repeats`` calls after one
warm-up, wall-clock seconds and CPU seconds (all threads). skphase: numpy backend (analytic
gradient) in float64 and float32, with the coarse scales subsampled (the default) and at
full resolution, and torch CPU (autograd, float64). pywph: its default single precision, the loss summed
over its chunks with one backward per chunk (its documented synthesis loop). pywph counts
complex coefficients, skphase real ones: compare at ``real`` counts (2 per complex).
pywph is optional (``pip install pywph==1.1.3``, the ``[bench]`` extra).

    python benchmarks/bench_moments.py [--repeats 5] [--quick] [--no-torch]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from _common import machine_line, median_time, peak_memory_mb, pywph_loss_and_grad
from skphase.datasets import load_texture
from skphase.synthesis._loss import MomentLoss
from skphase.synthesis._model import MomentModel

CASES = [(5, 4, 2), (5, 8, 2)]  # J, L, shifts (pywph dn)


def cpu_time(func, repeats: int) -> float:
    """Median CPU seconds (all threads) of one call: the work done, less sensitive to machine load."""
    func()
    times = []
    for _ in range(repeats):
        t = time.process_time()
        func()
        times.append(time.process_time() - t)
    return float(np.median(times))


def _ours(img, J, L, n_shifts, backend, subsample, dtype=np.float64):
    model = MomentModel(shape=img.shape, J=J, L=L, wavelet="morlet", n_phases=4, n_shifts=n_shifts,
                        delta_j=None, delta_theta=None, backend=backend, subsample=subsample)
    engine = model.moments()
    b = engine.backend
    x = b.asarray(img[None], dtype)
    target = np.asarray(b.to_numpy(engine.forward(x)), dtype=np.float64)[0]
    loss = MomentLoss(engine, target, np.maximum(np.abs(target), 1e-3), dtype=dtype)
    y = (img + 0.1 * np.random.default_rng(0).standard_normal(img.shape)).ravel()
    return engine.plan.n_moments, (lambda: engine.forward(x)), (lambda: loss.value_and_grad(y))


def _pywph(img, J, L, dn):
    import pywph

    t = time.perf_counter()
    op = pywph.WPHOp(img.shape[0], img.shape[1], J, L=L, dn=dn, device="cpu")
    build = time.perf_counter() - t
    target = op.apply(img, norm="auto")
    n = int(target.numel())
    y = img + 0.1 * np.random.default_rng(0).standard_normal(img.shape)

    def stats():
        return op.apply(img, norm="auto")

    def loss_grad():
        total, grad = pywph_loss_and_grad(op, target, y)
        return total, grad.ravel()

    return n, build, stats, loss_grad


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="128x128, J=4, L=4 only")
    parser.add_argument("--no-torch", action="store_true", help="skip skphase's torch backend")
    parser.add_argument("--no-pywph", action="store_true", help="skip pywph")
    args = parser.parse_args(argv)
    size = 128 if args.quick else 256
    cases = [(4, 4, 2)] if args.quick else CASES
    img = load_texture("gravel", size=size)
    print(machine_line())
    print(f"image gravel {size}x{size}; skphase dtype as named, pywph float32 (its default)")
    have_pywph = not args.no_pywph
    if have_pywph:
        try:
            import pywph  # noqa: F401
        except ImportError:
            have_pywph = False
            print("pywph not installed: skipped (pip install pywph==1.1.3)")
    variants = [("numpy", True, np.float64), ("numpy", True, np.float32), ("numpy", False, np.float64)]
    variants += [] if args.no_torch else [("torch", True, np.float64)]
    rows = []
    for J, L, dn in cases:
        for backend, subsample, dtype in variants:
            try:
                n, stats, lg = _ours(img, J, L, dn, backend, subsample, dtype)
            except ImportError:
                continue
            ts, tl = median_time(stats, args.repeats), median_time(lg, args.repeats)
            cs, cl = cpu_time(stats, args.repeats), cpu_time(lg, args.repeats)
            mem = peak_memory_mb(lg) if backend == "numpy" else float("nan")
            name = (f"skphase {backend} {np.dtype(dtype).name}"
                    + (" subsampled" if subsample else " full-res"))
            rows.append((name, J, L, dn, f"{n} real", ts, tl, cs, cl, mem))
            print(rows[-1], flush=True)
        if have_pywph:
            n, build, stats, lg = _pywph(img, J, L, dn)
            ts, tl = median_time(stats, args.repeats), median_time(lg, args.repeats)
            cs, cl = cpu_time(stats, args.repeats), cpu_time(lg, args.repeats)
            mem = float("nan")  # torch's allocations are not traced
            rows.append((f"pywph (build {build:.1f} s)", J, L, dn, f"{n} complex = {2 * n} real",
                         ts, tl, cs, cl, mem))
            print(rows[-1], flush=True)
    print(machine_line())
    print()
    print("| code | J | L | shifts (dn) | moments | statistics s (CPU s) | loss+gradient s (CPU s) | "
          "peak MiB (numpy, traced) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, J, L, dn, n, ts, tl, cs, cl, mem in rows:
        print(f"| {name} | {J} | {L} | {dn} | {n} | {ts:.3f} ({cs:.2f}) | {tl:.3f} ({cl:.2f}) | {mem:.0f} |")


if __name__ == "__main__":
    main()
