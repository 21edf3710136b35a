"""Time to first result: the first call of each public transform in a fresh process, cold and warm.

Cold: a new process with an empty numba cache (``NUMBA_CACHE_DIR`` set to a fresh temporary
folder), as after ``pip install``; warm: a new process on the cache a cold one filled. Each
child runs one case and prints its import time and the wall time of its first and second
calls (the first includes numba compiling, or loading from the cache, what the call uses).
Then ``skphase warmup`` on an empty cache: wall and CPU seconds (the process's user + system
time), and a fresh process transforming after it. Kymatio has nothing to compile: its
constructor is its time to first result (see bench_scattering.py).

    python benchmarks/bench_first_call.py [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from _common import machine_line

CASES = {
    "ScatteringAverager 2D float32": "ScatteringAverager(J=3).fit_transform(rng.standard_normal((8, 64, 64)).astype(np.float32))",
    "ScatteringAverager 2D float64 order 2": "ScatteringAverager(J=3, max_order=2, nonlinearity='modulus').fit_transform(rng.standard_normal((8, 64, 64)))",
    "ScatteringAverager 1D float64 Q=8 order 2": "ScatteringAverager(J=6, Q=8, max_order=2, nonlinearity='modulus').fit_transform(rng.standard_normal((8, 4096)))",
    "PhaseHarmonicTransform 2D float64 + vjp": "(lambda e, x: e.transform_vjp(x, e.transform(x)))(PhaseHarmonicTransform(J=3).fit(rng.standard_normal((8, 64, 64))), rng.standard_normal((8, 64, 64)))",
    "PhaseHarmonicSynthesizer 64², 5 iterations": "PhaseHarmonicSynthesizer(J=3, max_iter=5).fit(rng.standard_normal((1, 64, 64))).sample(1)",
    "SparseDictionaryCoder cd": "SparseDictionaryCoder(n_components=32, n_epochs=1).fit_transform(rng.standard_normal((500, 64)))",
    "SparseDictionaryCoder lista (1,200 training steps)": "SparseDictionaryCoder(n_components=32, n_epochs=1, transform_algorithm='lista').fit_transform(rng.standard_normal((500, 64)))",
}

_CHILD = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
from skphase import PhaseHarmonicSynthesizer, PhaseHarmonicTransform, ScatteringAverager
from skphase.sparse_coding import SparseDictionaryCoder
t_import = time.perf_counter() - t0
rng = np.random.default_rng(0)
t = time.perf_counter(); {case}; first = time.perf_counter() - t
t = time.perf_counter(); {case}; second = time.perf_counter() - t
print(json.dumps(dict(import_s=t_import, first_s=first, second_s=second)))
"""


def _run(code: str, cache_dir: str) -> tuple[dict, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    env.pop("SKPHASE_JIT", None)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True,
                         check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    print(machine_line())
    for _ in range(args.repeats):
        for name, case in CASES.items():
            cache = tempfile.mkdtemp()
            row = []
            for label in ("cold", "warm"):
                out, cpu = _run(_CHILD.format(case=case), cache)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                row.append(f"{label}: first {r['first_s']:.2f} s, second {r['second_s']:.3f} s "
                           f"(import {r['import_s']:.2f} s, process CPU {cpu:.1f} s)")
            print(f"  {name}: " + " | ".join(row))
        cache = tempfile.mkdtemp()
        t = time.perf_counter()
        out, cpu = _run("from skphase._warmup import main; main()", cache)
        wall = time.perf_counter() - t
        print(f"  skphase warmup, empty cache: {wall:.1f} s wall, {cpu:.1f} CPU s (process total); "
              f"{out.stdout.strip().splitlines()[-1]}")
        out, _ = _run(_CHILD.format(case=CASES["ScatteringAverager 2D float32"]), cache)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  after warmup, ScatteringAverager 2D float32: first {r['first_s']:.2f} s")


if __name__ == "__main__":
    main()
