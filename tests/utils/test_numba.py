"""Kernels run by parts on skphase's thread pool (skphase.utils._numba): every task once, the
same result whatever the number of threads, one thread from worker threads, no numba parallel
builds, and a forked child that still computes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from skphase import ScatteringAverager
from skphase.backends import _jit
from skphase.sparse_coding import _lista_tied, _solvers
from skphase.synthesis import _kernels as synthesis_kernels
from skphase.utils import _numba
from skphase.utils._numba import kernel_threads, n_kernel_threads, part_range

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("n", [0, 1, 5, 17, 64])
@pytest.mark.parametrize("n_parts", [1, 2, 3, 8])
def test_parts_cover_every_task_once(n, n_parts):
    covered = []
    for part in range(n_parts):
        lo, hi = part_range(n, part, n_parts)
        assert 0 <= lo <= hi <= n
        covered.extend(range(lo, hi))
    assert covered == list(range(n))


def test_the_result_does_not_depend_on_the_threads_and_workers_run_one_part(monkeypatch):
    x = np.random.default_rng(0).standard_normal((5, 32, 32))
    est = ScatteringAverager(J=2, max_order=2, nonlinearity="modulus").fit(x)
    parts = []
    run = _numba.run_parts
    monkeypatch.setattr(_numba, "run_parts", lambda k, a, n: parts.append(n) or run(k, a, n))
    outputs = []
    for n in (1, 2, 3):
        with kernel_threads(n):
            outputs.append(est.transform(x))
    assert set(parts) == {1, 2, 3}
    for y in outputs[1:]:
        np.testing.assert_array_equal(y, outputs[0])  # tasks are split, never their sums
    parts.clear()
    seen = []
    worker = threading.Thread(target=lambda: (seen.append(n_kernel_threads()), est.transform(x)))
    worker.start()
    worker.join()
    assert seen == [1] and set(parts) == {1}  # a worker thread is already parallel


def test_threads_take_the_parts_in_turn_each_once_with_their_own_per_thread_arguments():
    calls = []

    def kernel(tag, slot, part, n_parts):
        calls.append((tag, slot, threading.get_ident(), part, n_parts))

    _numba.run_parts(kernel, ("x", _numba.PerThread(("a", "b", "c"))), 3)
    n_parts = 3 * _numba.PIECES_PER_THREAD
    assert sorted(c[3] for c in calls) == list(range(n_parts))
    assert {c[4] for c in calls} == {n_parts} and {c[0] for c in calls} == {"x"}
    for slot in {c[1] for c in calls}:  # a slot's argument goes to one thread only
        assert len({c[2] for c in calls if c[1] == slot}) == 1
    assert {c[2] for c in calls if c[1] == "a"} == {threading.get_ident()}  # the caller is thread 0
    calls.clear()
    _numba.run_parts(kernel, ("y", _numba.PerThread(("a",))), 1)
    assert calls == [("y", "a", threading.get_ident(), 0, 1)]


def test_a_slow_thread_holds_one_part_not_a_share():
    # thread 1 stalls in its first part (a core taken by another process): the caller does the rest
    done = {0: 0, 1: 0}
    started = threading.Event()

    def kernel(slot, part, n_parts):
        if slot == 1:
            started.set()
            time.sleep(0.3)
        else:
            started.wait(10)
        done[slot] += 1

    _numba.run_parts(kernel, (_numba.PerThread((0, 1)),), 2)
    assert done == {0: 2 * _numba.PIECES_PER_THREAD - 1, 1: 1}


def test_an_error_in_a_worker_thread_reaches_the_caller():
    started = threading.Event()

    def kernel(slot, part, n_parts):
        if slot == 1:
            started.set()
            raise ValueError("part failed")
        started.wait(10)

    with pytest.raises(ValueError, match="part failed"):
        _numba.run_parts(kernel, (_numba.PerThread((0, 1)),), 2)


@pytest.mark.parametrize("worker_fails", [False, True])
def test_after_ctrl_c_no_more_parts_are_handed_out_and_every_thread_stops_first(worker_fails):
    # Ctrl-C in the calling thread: the others end their current part, take no other, and the
    # caller raises its KeyboardInterrupt (not a worker's error) once none of them writes any more
    done = []
    started, ended = threading.Event(), threading.Event()

    def kernel(slot, part, n_parts):
        if slot == 0:
            started.wait(10)
            raise KeyboardInterrupt
        started.set()
        time.sleep(0.1)
        done.append(part)
        ended.set()
        if worker_fails:
            raise ValueError("worker failed too")

    with pytest.raises(KeyboardInterrupt):
        _numba.run_parts(kernel, (_numba.PerThread((0, 1)),), 2)
    assert ended.is_set() and len(done) <= 2 < 2 * _numba.PIECES_PER_THREAD - 1


def test_no_kernel_is_a_numba_parallel_build():
    kernels = list(_jit.DISPATCHERS) + [k.kernel for k in (
        _solvers._cd_batch, _lista_tied._tied_layers, synthesis_kernels.pack_abs,
        synthesis_kernels.split_spectra, synthesis_kernels.pack_gradients,
        synthesis_kernels.rectifier_adjoint, synthesis_kernels.add_linear_gradient)]
    assert len(kernels) >= 14
    for kernel in kernels:
        assert not kernel.targetoptions.get("parallel") and kernel.targetoptions.get("nogil"), kernel


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_computes_with_a_pool_of_its_own():
    code = textwrap.dedent("""
        import os, numpy as np
        from skphase import ScatteringAverager
        from skphase.utils._numba import kernel_threads
        x = np.random.default_rng(0).standard_normal((4, 32, 32))
        est = ScatteringAverager(J=2).fit(x)
        with kernel_threads(2):
            ref = est.transform(x)  # the parent's pool is started
            pid = os.fork()
            if pid == 0:
                ok = np.array_equal(est.transform(x), ref)
                os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        print("child", os.waitstatus_to_exitcode(status))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "child 0"


def test_a_larger_pool_replaces_the_smaller_one_and_its_threads_end():
    n = _numba._POOL["size"] + 2  # larger than any pool earlier tests started
    _numba.run_parts(_solvers._cd_batch.kernel, _cd_args(), n)
    small = _numba._POOL["executor"]
    _numba.run_parts(_solvers._cd_batch.kernel, _cd_args(), n)
    assert _numba._POOL["executor"] is small  # a pool large enough is reused
    _numba.run_parts(_solvers._cd_batch.kernel, _cd_args(), n + 1)
    assert _numba._POOL["executor"] is not small and small._shutdown


def _cd_args():
    rng = np.random.default_rng(0)
    D = rng.standard_normal((6, 4))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    X = rng.standard_normal((5, 4))
    return (X @ D.T, np.einsum("ij,ij->i", X, X), D @ D.T, 0.1, False, 100, 1e-6, np.zeros((5, 6)),
            np.zeros(5, dtype=np.int64))
