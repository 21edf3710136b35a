"""Time to first result: the first float32 transform in a fresh process, cold and warm.

Cold: a new process with an empty numba cache (``NUMBA_CACHE_DIR`` set to a fresh temporary
folder), as after ``pip install``; warm: a new process on the cache a cold one filled.
Each child prints its import time, the time of its first and second transforms (float32,
ScatteringAverager J=3 L=8 order 2 on 4 x 64x64) and, per numba kernel, the time of
its first call (compilation or cache load included).

Three cases per repeat: ``background`` (the default ``SKPHASE_JIT``: numpy twins while a
background process compiles; the child also waits for that process and times a transform
after it), ``foreground`` (compile at first use, numba's own behaviour, skphase <= 0.2), and
``warm`` (the cache filled).

    python benchmarks/bench_first_call.py [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from _common import machine_line

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import skphase
from skphase.backends import _numpy
t_import = time.perf_counter() - t0
first_calls = {}

def timed(name, kernel):
    def call(*args):
        t = time.perf_counter()
        out = kernel(*args)
        first_calls.setdefault(name, time.perf_counter() - t)
        return out
    return call

for name in ("hermitian_fill_2d", "low_pass_half_2d", "mul_periodize_2d", "mul_periodize_adjoint_2d",
             "relu_phases", "wavelet_layer_2d"):
    setattr(_numpy, name, timed(name, getattr(_numpy, name)))
x = np.random.default_rng(0).standard_normal((4, 64, 64)).astype(np.float32)
est = skphase.ScatteringAverager(J=3, L=8).fit(x)
t = time.perf_counter(); est.transform(x); first = time.perf_counter() - t
t = time.perf_counter(); est.transform(x); second = time.perf_counter() - t
from skphase.backends import _jit
t = time.perf_counter(); compiled = not _jit.ready(); _jit.wait(); wait = time.perf_counter() - t
t = time.perf_counter(); est.transform(x); after_load = time.perf_counter() - t
t = time.perf_counter(); est.transform(x); after = time.perf_counter() - t
print(json.dumps(dict(import_s=t_import, first_s=first, second_s=second, kernels=first_calls,
                      wait_s=wait if compiled else 0.0, after_load_s=after_load, after_s=after)))
"""


def _child(cache_dir: str, jit: str) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, SKPHASE_JIT=jit)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, cwd=root, capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["stderr"] = out.stderr.strip()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=1, help="cold/warm pairs to run")
    args = parser.parse_args()
    print(machine_line())
    print("float32, ScatteringAverager(J=3, L=8) on 4 x 64x64, fresh process each time")
    for _ in range(args.repeats):
        for label, jit in (("cold, background compile", "background"), ("cold, foreground compile",
                                                                         "foreground"), ("warm", "background")):
            cache = tempfile.mkdtemp() if label.startswith("cold") else warm_cache
            r = _child(cache, jit)
            if jit == "background" and label.startswith("cold"):
                warm_cache = cache  # filled by the background process the child waited for
            kernels = ", ".join(f"{k} {v:.2f}" for k, v in r["kernels"].items())
            print(f"  {label}: import {r['import_s']:.2f} s | first transform {r['first_s']:.2f} s | "
                  f"second {r['second_s']:.3f} s | background compile finished {r['wait_s']:.1f} s later | "
                  f"next transforms {r['after_load_s']:.3f} s (loads kernels), {r['after_s']:.3f} s")
            print(f"        first call per kernel (s): {kernels}")
            if r["stderr"]:
                print(f"        said: {r['stderr']}")


if __name__ == "__main__":
    main()
