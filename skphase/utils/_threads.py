"""Thread counts scoped to one call: BLAS (numpy's matrix products) and torch's intra-op pool.

The families' small matrix products (the classifier's network, the generator's training,
L-BFGS-B's vector updates) lose more to waking and synchronising BLAS threads than they gain,
badly so on a loaded machine, so ``n_jobs=None`` means one thread, as in scikit-learn.

Both settings are process-wide, while the scopes that change them may be entered from
several threads at once (``n_jobs=2`` runs a synthesis in each of two worker threads, each
in its own scope). Saving the value at entry and putting it back at exit, as
``threadpool_limits`` does, is right only when scopes end in the reverse order they
began; across threads they do not, and the last one out left the whole process on one
thread. Worse, OpenBLAS (0.3.30) ignores a count set from a worker thread once the main
thread has set one, so a worker cannot reliably put anything back. Hence two rules: only
scopes opened in the main thread change the settings (a caller that fans out to worker
threads opens its scope first, around the fan-out; the workers' scopes then change
nothing), and while several are open the process runs with the smallest count any of
them asked for, the values found before the first one opened being put back when the
last one closes, whatever the order.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from joblib import effective_n_jobs

_LOCK = threading.Lock()
_OPEN: dict[int, tuple[int, bool]] = {}  # scope token -> (threads asked, torch too)
_SAVED: dict[str, object] = {}  # the values before the first open scope
_APPLIED: dict[str, int | None] = {"blas": None, "torch": None}
_CONTROLLER: list = []
_NEXT = [0]


def n_threads(n_jobs) -> int:
    """Threads for ``n_jobs`` (None -> 1, -1 -> all cores, -2 -> all but one)."""
    return max(1, int(effective_n_jobs(n_jobs)))


def _blas_libraries(rescan: bool):
    from threadpoolctl import ThreadpoolController

    if rescan or not _CONTROLLER:
        _CONTROLLER[:] = [ThreadpoolController()]
    return [lib for lib in _CONTROLLER[0].lib_controllers if lib.user_api == "blas"]


def _apply() -> None:
    """Set both pools to what the open scopes ask (called with ``_LOCK`` held)."""
    blas = min((n for n, _ in _OPEN.values()), default=None)
    torch_n = min((n for n, t in _OPEN.values() if t), default=None)
    if blas != _APPLIED["blas"]:
        for lib, original in _SAVED["blas"]:
            lib.set_num_threads(original if blas is None else blas)
        _APPLIED["blas"] = blas
    if torch_n != _APPLIED["torch"]:
        import torch

        torch.set_num_threads(_SAVED["torch"] if torch_n is None else torch_n)
        _APPLIED["torch"] = torch_n


@contextmanager
def _scope(n: int, torch_too: bool, rescan: bool):
    if threading.current_thread() is not threading.main_thread():
        yield n  # see the module's docstring: workers live inside their caller's scope
        return
    with _LOCK:
        if not _OPEN:
            # first scope: note what the process had, to put it back after the last
            _SAVED["blas"] = [(lib, lib.num_threads) for lib in _blas_libraries(rescan)]
        if torch_too and not any(t for _, t in _OPEN.values()):
            import torch

            _SAVED["torch"] = torch.get_num_threads()
        token = _NEXT[0] = _NEXT[0] + 1
        _OPEN[token] = (n, torch_too)
        _apply()
    try:
        yield n
    finally:
        with _LOCK:
            del _OPEN[token]
            _apply()


def one_blas_thread():
    """BLAS on one thread, as a context, for hot paths entered thousands of times.

    :func:`scoped_threads` rescans the loaded libraries when it opens the first scope
    (~0.5 ms), which suits a scope per fit; this one reuses the libraries found then
    (numpy's, loaded before any caller runs). The moments' thin products (a few dozen
    rows, tens of thousands of columns) ran 100x slower with two spinning OpenBLAS
    threads on a busy 2-core machine (8 s instead of 0.05 s).
    """
    return _scope(1, False, rescan=False)


def scoped_threads(n_jobs, torch_too: bool = False):
    """BLAS (and, with ``torch_too``, torch) limited to :func:`n_threads` threads inside."""
    return _scope(n_threads(n_jobs), torch_too, rescan=True)
