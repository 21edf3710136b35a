"""skphase's torch backend vs Kymatio 0.3's torch frontend on identical inputs, in one run.

2D scattering, J=4 L=8 order 2, modulus, float32, a batch of 8 images of 256x256, on CPU with
``torch.set_num_threads(2)`` (or ``--device cuda``). Prints medians of ``--repeats`` runs of the
forward pass and of forward + backward (gradient of the sum of squares of the output in the input),
their ratios (Kymatio / skphase: > 1 means skphase is faster), and the agreement of the outputs.

    python benchmarks/bench_torch.py [--repeats 5] [--threads 2] [--device cpu]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

# this checkout's skphase, not an installed copy
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import machine_line


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch-size", default="auto",
                        help="skphase's batch_size ('auto' splits the batch under its memory budget)")
    parser.add_argument("--profile", choices=["ours", "kymatio"], default=None,
                        help="print a torch.profiler table of one forward + backward and exit")
    args = parser.parse_args()

    import torch
    # kymatio.torch also imports the 3D frontend, which fails on recent scipy (sph_harm)
    from kymatio.scattering2d.frontend.torch_frontend import ScatteringTorch2D as Scattering2D

    from skphase import ScatteringAverager

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    shape = (args.size, args.size)
    J, L = 4, 8
    x_np = np.random.default_rng(0).standard_normal((args.batch,) + shape).astype(np.float32)
    x = torch.from_numpy(x_np).to(device)

    ky = Scattering2D(J=J, shape=shape, L=L, max_order=2).to(device)
    ours = ScatteringAverager(J=J, L=L, max_order=2, nonlinearity="modulus", padding="reflect",
                              backend="torch", device=args.device, flatten=False,
                              batch_size=args.batch_size if args.batch_size == "auto"
                              else int(args.batch_size)).fit(x_np)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def forward(f):
        def run():
            with torch.no_grad():
                f(x)
            sync()
        return run

    def backward(f):
        def run():
            xg = x.clone().requires_grad_(True)
            (f(xg) ** 2).sum().backward()
            sync()
        return run

    if args.profile:
        f = ours.transform if args.profile == "ours" else ky
        backward(f)()
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            backward(f)()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))
        return

    print(machine_line())
    print(f"skphase from {os.path.dirname(__import__('skphase').__file__)}")
    print(f"torch {torch.__version__}, {args.threads} threads, device {device}, float32, "
          f"{args.batch} x {shape}, J={J} L={L} order 2, modulus; medians of {args.repeats}; "
          f"skphase batch_size={args.batch_size}")
    with torch.no_grad():
        a = ky(x).cpu().numpy().reshape(args.batch, -1)
        b = ours.transform(x).cpu().numpy().reshape(args.batch, -1)
    err = float(np.linalg.norm(a - b) / np.linalg.norm(a))
    rows = []
    for label, make in (("forward", forward), ("forward+backward", backward)):
        # alternate the two, one run each per round, so that a change of machine load hits both
        runs = {"ky": make(ky), "us": make(ours.transform)}
        times = {"ky": [], "us": []}
        for name, run in runs.items():
            run()  # warm-up
        for _ in range(args.repeats):
            for name, run in runs.items():
                t = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - t)
        t_ky, t_us = statistics.median(times["ky"]), statistics.median(times["us"])
        rows.append((label, t_ky, t_us))
        print(f"  {label:17s}: kymatio {t_ky:7.3f} s | skphase {t_us:7.3f} s | "
              f"kymatio / skphase {t_ky / t_us:5.2f}x")
    print(f"  agreement        : relative L2 difference {err:.1e}")
    print("\n| pass | Kymatio torch (s) | skphase torch (s) | Kymatio / skphase |")
    print("|---|---|---|---|")
    for label, t_ky, t_us in rows:
        print(f"| {label} | {t_ky:.3f} | {t_us:.3f} | {t_ky / t_us:.2f}x |")


if __name__ == "__main__":
    main()
