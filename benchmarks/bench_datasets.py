"""Time the skphase.datasets generators (median of repeats) and print a table.

Run from the repository root::

    python benchmarks/bench_datasets.py [--repeats 5]

Targets from the datasets issue (2-core machine): 64 MRW realisations of 2**16
points in under 2 s, one 256 x 256 critical Ising sample in under 5 s. Nothing is
asserted; numba compilation is excluded by a warm-up call.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time

import _common  # noqa: F401  (puts this checkout's skphase first on sys.path)
import numba
import numpy as np
import scipy

from skphase.datasets import (
    make_cartoon_image,
    make_fbm,
    make_gaussian_field,
    make_ising,
    make_mrw,
    make_multifractal_field,
    make_piecewise_constant,
    make_skewed_mrw,
)

CASES = [
    # (label, callable, target in seconds or None)
    ("make_fbm(64, 2**16, hurst=0.7)", lambda: make_fbm(64, 2**16, hurst=0.7, random_state=0), None),
    ("make_mrw(64, 2**16)  [H = 0.5]", lambda: make_mrw(64, 2**16, random_state=0), 2.0),
    ("make_mrw(64, 2**16, hurst=0.7)", lambda: make_mrw(64, 2**16, hurst=0.7, random_state=0), 2.0),
    ("make_skewed_mrw(64, 2**16)", lambda: make_skewed_mrw(64, 2**16, random_state=0), None),
    ("make_piecewise_constant(64, 2**16)", lambda: make_piecewise_constant(64, 2**16, random_state=0), None),
    ("make_gaussian_field(64, (256, 256))", lambda: make_gaussian_field(64, (256, 256), random_state=0), None),
    ("make_multifractal_field(16, 256)", lambda: make_multifractal_field(16, 256, random_state=0), None),
    ("make_cartoon_image(64, 128)", lambda: make_cartoon_image(64, 128, random_state=0), None),
    ("make_ising(1, 256)  [T_c, 100 burn-in sweeps]", lambda: make_ising(1, 256, random_state=0), 5.0),
    ("make_ising(64, 64)  [T_c, 10 sweeps apart]", lambda: make_ising(64, 64, random_state=0), None),
]


def _time(function, repeats: int) -> tuple[float, float]:
    function()  # warm-up: numba compilation, FFT plans, page faults
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def _machine() -> str:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS / Windows
        usable = os.cpu_count()
    return (
        f"{platform.platform()} | {platform.machine()} {platform.processor() or ''}".rstrip()
        + f" | {os.cpu_count()} CPUs ({usable} usable)"
        + f" | Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numba {numba.__version__}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per generator (default 5)")
    args = parser.parse_args(argv)

    print(f"skphase.datasets benchmark, {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(_machine())
    print(f"median and best of {args.repeats} calls after one warm-up call\n")
    width = max(len(label) for label, _, _ in CASES)
    print(f"{'generator'.ljust(width)}  {'median s':>9}  {'best s':>8}  {'target s':>8}")
    print("-" * (width + 32))
    for label, function, target in CASES:
        median, best = _time(function, args.repeats)
        target_text = f"< {target:g}" if target is not None else ""
        print(f"{label.ljust(width)}  {median:9.3f}  {best:8.3f}  {target_text:>8}")


if __name__ == "__main__":
    main()
