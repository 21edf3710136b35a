"""Thread counts scoped to one call: BLAS (numpy's matrix products) and torch's intra-op pool.

The families' small matrix products (the classifier's network, the generator's training,
L-BFGS-B's vector updates) lose more to waking and synchronising BLAS threads than they gain,
badly so on a loaded machine, so ``n_jobs=None`` means one thread, as in scikit-learn. Counts
are restored on exit, whatever happens inside.
"""

from __future__ import annotations

from contextlib import contextmanager

from joblib import effective_n_jobs

_CONTROLLER: list = []


def n_threads(n_jobs) -> int:
    """Threads for ``n_jobs`` (None -> 1, -1 -> all cores, -2 -> all but one)."""
    return max(1, int(effective_n_jobs(n_jobs)))


def one_blas_thread():
    """BLAS on one thread, as a context, for hot paths entered thousands of times.

    :func:`scoped_threads` rescans the loaded libraries at every entry (~0.5 ms), which
    suits a scope per fit; this one reuses a controller made at first use (~0.03 ms per
    entry), whose libraries are numpy's (loaded before any caller runs). The moments' thin
    products (a few dozen rows, tens of thousands of columns) ran 100x slower with two
    spinning OpenBLAS threads on a busy 2-core machine (8 s instead of 0.05 s).
    """
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


@contextmanager
def scoped_threads(n_jobs, torch_too: bool = False):
    """BLAS (and, with ``torch_too``, torch) limited to :func:`n_threads` threads inside."""
    from threadpoolctl import threadpool_limits

    n = n_threads(n_jobs)
    with threadpool_limits(limits=n, user_api="blas"):
        if not torch_too:
            yield n
            return
        import torch

        previous = torch.get_num_threads()
        torch.set_num_threads(n)
        try:
            yield n
        finally:
            torch.set_num_threads(previous)
