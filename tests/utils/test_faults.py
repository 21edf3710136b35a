"""Faults of the shared machinery: read-only caches, process-wide settings, planted files.

Each test reproduces one failure of issue 18 that the shared modules (utils, backends) must
prevent; the families' own fault tests live beside their other tests.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code, **env):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})


# BLAS thread counts as threadpoolctl reads them; run in a fresh process each time, since
# OpenBLAS 0.3.30 ignores counts set from a worker thread once the main thread set one
_BLAS = """
import threading
import numpy as np
from threadpoolctl import ThreadpoolController
def blas():
    return sorted({lib.num_threads for lib in ThreadpoolController().lib_controllers
                   if lib.user_api == "blas"})
before = blas()
"""


def _blas_run(code):
    proc = _run(_BLAS + textwrap.dedent(code) + "\nprint('before', before, 'after', blas())\n",
                OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = proc.stdout.strip().splitlines()[-1]
    if line.startswith("before [] ") or line.startswith("before [1] "):
        pytest.skip("BLAS runs one thread here: nothing to restore")
    return line


def test_scopes_closed_out_of_order_restore_the_process_settings():
    # two worker threads each open a one-thread scope; the first to open closes first
    # (on the old save-and-restore scopes this left the process on one BLAS thread)
    line = _blas_run("""
        from skphase.utils import _threads
        a_open, b_open, a_closed = threading.Event(), threading.Event(), threading.Event()
        def a():
            with _threads.scoped_threads(1):
                a_open.set()
                b_open.wait(10)
            a_closed.set()
        def b():
            a_open.wait(10)
            with _threads.one_blas_thread():
                b_open.set()
                a_closed.wait(10)
        threads = [threading.Thread(target=a), threading.Thread(target=b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    """)
    before, after = line.split(" after ")
    assert before.removeprefix("before ") == after, line


def test_nested_scopes_in_one_thread_keep_the_smallest_and_restore():
    line = _blas_run("""
        from skphase.utils import _threads
        with _threads.scoped_threads(2):
            outer = blas()
            with _threads.one_blas_thread():
                assert blas() == [1], blas()
            assert blas() == outer, (blas(), outer)
        try:
            with _threads.one_blas_thread():
                raise RuntimeError("inside")
        except RuntimeError:
            pass
    """)
    before, after = line.split(" after ")
    assert before.removeprefix("before ") == after, line


def test_parallel_sample_leaves_blas_as_it_found_it():
    line = _blas_run("""
        from skphase import PhaseHarmonicSynthesizer
        x = np.random.default_rng(0).standard_normal((1, 32, 32))
        synth = PhaseHarmonicSynthesizer(J=2, L=2, max_iter=3, n_jobs=2, random_state=0).fit(x)
        synth.sample(2)
    """)
    before, after = line.split(" after ")
    assert before.removeprefix("before ") == after, line


@pytest.mark.parametrize("jit", ["off", "foreground"])
def test_import_and_transform_without_a_writable_numba_cache(jit):
    # numba raises at decoration (import) time when no cache folder is writable; running as
    # root makes every folder writable, so the locators are removed instead
    proc = _run("""
        import numba.core.caching as caching
        caching.CacheImpl._locator_classes = []
        import numpy as np
        import skphase
        import skphase.synthesis._kernels, skphase.sparse_coding._solvers
        import skphase.sparse_coding._lista_tied, skphase.datasets._ising
        from skphase import ScatteringAverager
        print(ScatteringAverager(J=2, L=2).fit_transform(np.ones((1, 16, 16))).shape)
    """, SKPHASE_JIT=jit)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "(1, " in proc.stdout
    assert "no writable cache folder" in proc.stderr  # said once, not silently slow
    assert proc.stderr.count("no writable cache folder") == 1
