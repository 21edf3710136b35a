"""Timing helpers shared by the benchmark scripts (medians, peak memory, machine line)."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
import tracemalloc


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
