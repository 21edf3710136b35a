"""Compile and cache every numba kernel the transforms call (``skphase warmup``).

Run by ``skphase warmup`` (or ``python -m skphase._warmup``), only when asked: otherwise each
kernel compiles at its first use. It sits above the estimators (it runs them) so that
``backends`` imports nothing upward.
"""

from __future__ import annotations

import os
import time


def warm_up() -> dict:
    """Compile every kernel the transforms call, for float32 and float64, 1D and 2D.

    Small real transforms and pullbacks are run so that the compiled signatures are
    exactly those real calls use (numba specialises on argument types, not sizes). One
    build serves every thread (:func:`skphase.utils._numba.part_kernel`).

    Returns
    -------
    report : dict
        ``seconds`` spent and ``uncompiled``, the kernels no call reached.
    """
    import numpy as np

    from .backends import _jit
    from .representations import PhaseHarmonicTransform, ScatteringAverager

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    # sizes and banks as small as reach every kernel (k > 1 subsampling, order 2)
    signals = (rng.standard_normal((2, 32, 32)), rng.standard_normal((2, 256)))

    def work():
        for dtype in (np.float32, np.float64):
            for x in signals:
                x = x.astype(dtype)
                estimators = (
                    ScatteringAverager(J=2, L=2, max_order=2, n_phases=2),
                    ScatteringAverager(J=2, L=2, max_order=2, nonlinearity="modulus"),
                    PhaseHarmonicTransform(J=2, L=2, n_phases=2),
                    PhaseHarmonicTransform(J=2, L=2, harmonics=(0, 1, 2)),
                )
                for est in estimators:
                    y = est.fit(x).transform(x)
                    est.transform_vjp(x, np.ones_like(y))

    work()
    uncompiled = sorted({d.py_func.__name__ for d in _jit.DISPATCHERS if not d.signatures})
    return {"seconds": time.perf_counter() - start, "uncompiled": uncompiled}


def main() -> int:
    os.environ["SKPHASE_JIT"] = "foreground"
    report = warm_up()
    missed = f" (not reached: {', '.join(report['uncompiled'])})" if report["uncompiled"] else ""
    print(f"skphase: numba kernels compiled and cached in {report['seconds']:.1f} s{missed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
