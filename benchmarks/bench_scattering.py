"""skphase vs Kymatio 0.3 (numpy frontend) on identical inputs, in one run.

Prints, per case: Kymatio's constructor time against skphase's first ``fit`` in a fresh process
(median of 3 processes), transform times (medians), their ratios,
the relative difference of the outputs, peak memory, and the transform time over the time of the
bare FFTs the transform cannot avoid (one forward FFT per image, one inverse FFT per filter path at
its resolution).

    python benchmarks/bench_scattering.py [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
import numpy as np
import scipy.fft

from _common import machine_line, median_time, peak_memory_mb
from skphase import ScatteringAverager
from skphase.backends import get_backend
from skphase.operators import group_size

CASES = [
    # name, spatial shape, batch, J, L or Q
    ("2D J=4 L=8 order 2, 8 x 256x256", (256, 256), 8, 4, 8),
    ("2D J=2 L=8 order 2, 256 x 32x32", (32, 32), 256, 2, 8),
    ("1D J=8 Q=8 order 2, 16 x 2^14", (2**14,), 16, 8, 8),
]


def _kymatio(shape, J, LQ):
    import kymatio

    if len(shape) == 2:
        return kymatio.Scattering2D(J=J, shape=shape, L=LQ, max_order=2)
    return kymatio.Scattering1D(J=J, shape=shape[0], Q=LQ, max_order=2)


def _ours(shape, J, LQ):
    kw = dict(L=LQ) if len(shape) == 2 else dict(Q=LQ)
    return ScatteringAverager(J=J, max_order=2, nonlinearity="modulus", padding="reflect", flatten=False,
                              **kw)


def _fft_floor(est, x, workers):
    """Time of the unavoidable FFTs: forward FFT of the padded batch, one inverse FFT per path."""
    config = est.config_
    bank, plan = config.bank, config.plan
    ndim = bank.ndim
    axes = tuple(range(-ndim, 0))
    B = x.shape[0]
    cdtype = np.complex64 if x.dtype == np.float32 else np.complex128
    shapes = []
    for j1, k1, idx1 in plan.groups1:
        s1 = tuple(n // 2**k1 for n in bank.shape)
        shapes.append((B * group_size(idx1),) + s1)
        for j2, k2, idx2 in plan.groups2.get(j1, []):
            s2 = tuple(n // 2**k2 for n in s1)
            shapes.append((B * group_size(idx1) * group_size(idx2),) + s2)
    arrays = [np.ones(s, dtype=cdtype) for s in shapes]
    xp = np.ones((B,) + tuple(bank.shape), dtype=x.dtype)

    def run():
        scipy.fft.fftn(xp, axes=axes, workers=workers)
        for a in arrays:
            scipy.fft.ifftn(a, axes=axes, workers=workers)

    return run


_FIRST_FIT = """
import sys, time
import numpy as np
sys.path[:0] = {path!r}
from bench_scattering import _ours
x = np.random.default_rng(0).standard_normal({batch_shape!r}).astype(np.float32)
est = _ours({shape!r}, {J!r}, {LQ!r})
t = time.perf_counter()
est.fit(x)
print(time.perf_counter() - t)
"""


def _first_fit(shape, J, LQ, batch_shape, processes=3):
    """Median time of the first ``fit`` in a fresh Python process (imports excluded).

    A fresh process is what a user's first fit is: no filter bank cached and no
    memory to reuse. Rebuilding in one process instead keeps earlier banks alive in
    the caches and measures the allocator more than the construction.
    """
    import os
    import subprocess
    import sys

    code = _FIRST_FIT.format(path=[os.path.dirname(os.path.abspath(__file__))] + sys.path,
                             batch_shape=batch_shape, shape=shape, J=J, LQ=LQ)
    times = []
    for _ in range(processes):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"the first-fit process failed:\n{proc.stderr}")
        times.append(float(proc.stdout.split()[-1]))
    return float(np.median(times))


def _in_thread(func):
    import threading

    t = threading.Thread(target=func)
    t.start()
    t.join()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="first case only, 3 repeats")
    args = parser.parse_args()
    cases = CASES[:1] if args.quick else CASES
    repeats = 3 if args.quick else args.repeats
    print(machine_line())
    rows = []
    for name, shape, B, J, LQ in cases:
        x = np.random.default_rng(0).standard_normal((B,) + shape).astype(np.float32)
        ky_ctor = median_time(lambda: _kymatio(shape, J, LQ), repeats=1, warmup=0)
        ky = _kymatio(shape, J, LQ)
        ky_time = median_time(lambda: ky(x), repeats=repeats)
        ky_out = ky(x)
        ky_mem = peak_memory_mb(lambda: ky(x))

        our_ctor = _first_fit(shape, J, LQ, x.shape)
        est = _ours(shape, J, LQ).fit(x)
        our_time = median_time(lambda: est.transform(x), repeats=repeats)
        out = est.transform(x)
        our_mem = peak_memory_mb(lambda: est.transform(x))
        op1 = est.config_.make_operator(get_backend("numpy", workers=1))
        # numba kernels follow the thread that calls them: a worker thread runs them serially
        one_thread = median_time(lambda: _in_thread(lambda: op1.forward(x)), repeats=repeats)
        workers = est._workers()[1]
        op = est.get_operator()
        fwd = median_time(lambda: op.forward(x), repeats=repeats)
        g = np.ones_like(out)

        def forward_and_pullback():
            _, pullback = op.vjp(x)
            return pullback(g)

        fb = median_time(forward_and_pullback, repeats=repeats)
        floor = median_time(_fft_floor(est, x, workers), repeats=repeats)
        err = float(np.linalg.norm(out - ky_out) / np.linalg.norm(ky_out))
        rows.append((name, ky_ctor, our_ctor, ky_time, our_time, one_thread, floor, err, ky_mem, our_mem))
        print(f"\n{name}: operator forward {fwd:.4f} s, forward + pullback {fb:.4f} s "
              f"(pullback / forward {(fb - fwd) / fwd:.2f})")
        print(f"\n{name}")
        print(f"  ctor / first fit: kymatio {ky_ctor:8.3f} s | skphase {our_ctor:8.4f} s | "
              f"ratio {ky_ctor / our_ctor:7.1f}x")
        print(f"  transform       : kymatio {ky_time:8.3f} s | skphase {our_time:8.4f} s "
              f"({workers} FFT threads) | ratio {ky_time / our_time:5.2f}x")
        print(f"  1 thread        : skphase {one_thread:8.4f} s | ratio {ky_time / one_thread:5.2f}x")
        print(f"  FFT floor       : {floor:8.4f} s | transform / floor {our_time / floor:5.2f}")
        print(f"  agreement       : relative L2 difference {err:.2e}")
        print(f"  peak memory     : kymatio {ky_mem:8.1f} MiB | skphase {our_mem:8.1f} MiB")
    print("\n| case | Kymatio fit (s) | skphase fit (s) | fit ratio | Kymatio transform (s) | skphase (s) "
          "| ratio | skphase 1 thread (s) | ratio 1 thread | transform / FFT floor | rel. diff | "
          "peak MiB Kymatio / skphase |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, kc, oc, kt, ot, o1, fl, err, km, om in rows:
        print(f"| {name} | {kc:.3f} | {oc:.4f} | {kc / oc:.0f}x | {kt:.3f} | {ot:.4f} | {kt / ot:.2f}x | "
              f"{o1:.4f} | {kt / o1:.2f}x | {ot / fl:.2f} | {err:.1e} | {km:.0f} / {om:.0f} |")


if __name__ == "__main__":
    main()
