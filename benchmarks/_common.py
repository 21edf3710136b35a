"""Helpers shared by the benchmark scripts (medians, peak memory, machine line, pywph's loss)."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
import tracemalloc

# Every script imports this module before skphase: measure this checkout's skphase, never an
# installed copy (a stale one in site-packages once went unnoticed through a batch of runs).
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path[0] != _ROOT:
    sys.path.insert(0, _ROOT)


def median_time(func, repeats: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_memory_mb(func) -> float:
    """Peak Python-visible allocation (numpy buffers included) during one call, in MiB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def machine_line() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return (f"{platform.node()} | {platform.processor() or platform.machine()} | "
            f"{os.cpu_count()} cores | load {load[0]:.2f} | Python {platform.python_version()} | "
            f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}")


def pywph_loss_and_grad(op, target, y):
    """pywph 1.1.3's synthesis loss sum |Phi(y) - target|^2 and its gradient in y (numpy).

    Its documented loop: the operator's chunks one at a time, one backward per chunk,
    with the normalisation ``norm="auto"`` already set by ``op.apply(target_image, norm="auto")``.
    """
    import torch

    x = torch.from_numpy(y).requires_grad_(True)
    x, n_chunks = op.preconfigure(x, requires_grad=True)
    total = 0.0
    for i in range(n_chunks):
        coeffs, idx = op.apply(x, i, norm="auto", ret_indices=True)
        loss = torch.sum(torch.abs(coeffs - target[idx]) ** 2)
        loss.backward(retain_graph=True)
        total += float(loss.detach())
    return total, x.grad.numpy()
