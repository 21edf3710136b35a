"""Cost per image as the batch grows: skphase vs Kymatio 0.3 (numpy frontend), one run.

Issue 16 §2: where does skphase lose on many small images? For each image size and
batch size, the median transform time per image of both, their ratio and the
agreement of the outputs (float32 unless ``--dtype float64``; 2D order 2 modulus
scattering, Kymatio's definition).

    python benchmarks/bench_batch_sweep.py [--repeats 5] [--dtype float32]
"""

from __future__ import annotations

import argparse

import numpy as np

from _common import machine_line, median_time
from skphase import ScatteringAverager

# image side, J, batches (the largest images stop at 64 so one call stays under ~10 s)
SIZES = [(32, 2, (1, 8, 64, 512)), (64, 3, (1, 8, 64, 512)), (256, 4, (1, 8, 64))]
SERIES = [(2**14, 8, 8, (1, 4, 16))]  # 1D: N, J, Q, batches


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    parser.add_argument("--only", choices=("2d", "1d"), default=None)
    args = parser.parse_args()
    import kymatio

    dtype = np.dtype(args.dtype)
    print(machine_line(), f"| {dtype}")
    print("| input | batch | Kymatio (ms/image) | skphase (ms/image) | ratio | rel. diff |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    if args.only != "1d":
        for side, J, batches in SIZES:
            ky = kymatio.Scattering2D(J=J, shape=(side, side), L=8, max_order=2)
            ours = ScatteringAverager(J=J, L=8, max_order=2, nonlinearity="modulus", padding="reflect",
                                      flatten=False)
            for B in batches:
                x = rng.standard_normal((B, side, side)).astype(dtype)
                est = ours.fit(x)
                reps = args.repeats if B * side * side <= 64 * 64 * 64 else max(3, args.repeats // 2)
                tk = median_time(lambda: ky(x), repeats=reps)
                to = median_time(lambda: est.transform(x), repeats=reps)
                err = np.linalg.norm(est.transform(x) - ky(x)) / np.linalg.norm(ky(x))
                print(f"| {side}x{side} J={J} | {B} | {1e3 * tk / B:.3f} | {1e3 * to / B:.3f} | "
                      f"{tk / to:.2f}x | {err:.1e} |", flush=True)
    if args.only != "2d":
        for N, J, Q, batches in SERIES:
            ky = kymatio.Scattering1D(J=J, shape=N, Q=Q, max_order=2)
            ours = ScatteringAverager(J=J, Q=Q, max_order=2, nonlinearity="modulus", padding="reflect",
                                      flatten=False)
            for B in batches:
                x = rng.standard_normal((B, N)).astype(dtype)
                est = ours.fit(x)
                tk = median_time(lambda: ky(x), repeats=args.repeats)
                to = median_time(lambda: est.transform(x), repeats=args.repeats)
                err = np.linalg.norm(est.transform(x) - ky(x)) / np.linalg.norm(ky(x))
                print(f"| 1D N={N} J={J} Q={Q} | {B} | {1e3 * tk / B:.3f} | {1e3 * to / B:.3f} | "
                      f"{tk / to:.2f}x | {err:.1e} |", flush=True)


if __name__ == "__main__":
    main()
