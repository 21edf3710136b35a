"""numba's ``njit`` as skphase uses it: cached when a cache can be written, parallel by parts.

``cache=True`` makes numba look for a writable cache folder when the function is
*decorated*, that is when skphase is imported; where none exists (a read-only
installation, a read-only home, no ``NUMBA_CACHE_DIR``) it raises ``RuntimeError: cannot
cache function ...: no locator available`` and ``import skphase`` fails, whatever
``SKPHASE_JIT`` says. :func:`njit` then compiles the function uncached instead (it
compiles again in every new process) and says so once.

:func:`part_kernel` compiles a kernel once, serial and without the GIL, and runs its outer
loop in parts on skphase's own thread pool: no ``parallel=True`` (its compile time), no
second build for worker threads, and no use of numba's threading layers, whose
``workqueue`` aborts the process when two threads launch parallel regions at once
("Concurrent access"). Worker threads (joblib ``n_jobs``, a user's thread pool) are
already parallel: a kernel called from one runs on that thread alone.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager

import numba

_logger = logging.getLogger("skphase")
_UNCACHED: list[str] = []


def njit(*args, **options):
    """``numba.njit``, falling back to ``cache=False`` where no cache folder is writable.

    Used as ``@njit`` or ``@njit(**options)``, like numba's.
    """
    if args and callable(args[0]) and not options:
        return njit()(args[0])

    def decorate(func):
        try:
            return numba.njit(**options)(func)
        except RuntimeError as exc:
            if not options.get("cache") or "no locator available" not in str(exc):
                raise
            if not _UNCACHED:
                _logger.warning("skphase: numba finds no writable cache folder (set NUMBA_CACHE_DIR "
                                "to one), so its kernels compile again in every new process.")
            _UNCACHED.append(func.__name__)
            return numba.njit(**{**options, "cache": False})(func)

    return decorate


# ---------------------------------------------------------------- kernels split into parts
# numba's ``parallel=True`` costs compile time that its parallelism does not need here: its
# parfor pass outlines each parallel loop into a gufunc and compiles it again, 1.5 s to 4 s
# per kernel and dtype on a quiet 2-core machine, twice as long as the serial kernel, and a
# serial twin per kernel for worker threads on top. A *part kernel* is compiled once, serial
# and without the GIL; its outer loop runs ``range(*part_range(n, part, n_parts))``, and
# calling it runs its parts on skphase's thread pool and the calling thread, each thread
# taking the next part when it ends one (:func:`run_parts`).
_LOCAL = threading.local()
_POOL: dict = {"executor": None, "size": 0, "pid": None}
_POOL_LOCK = threading.Lock()


@njit(cache=True, inline="always")
def part_range(n, part, n_parts):
    """The tasks ``[lo, hi)`` of ``part`` among ``n_parts`` contiguous, near-equal parts of ``n``."""
    return n * part // n_parts, n * (part + 1) // n_parts


@contextmanager
def kernel_threads(n: int):
    """Run the part kernels called in this thread, inside the block, on ``n`` threads."""
    previous = getattr(_LOCAL, "n", None)
    _LOCAL.n = max(1, int(n))
    try:
        yield
    finally:
        _LOCAL.n = previous


def n_kernel_threads() -> int:
    """Threads a part kernel called now uses: :func:`kernel_threads`'s, else every core from
    the main thread and one from any other (a joblib worker thread is already parallel)."""
    n = getattr(_LOCAL, "n", None)
    if n is not None:
        return n
    if threading.current_thread() is not threading.main_thread():
        return 1
    return max(1, numba.config.NUMBA_NUM_THREADS)


def _executor(n_workers: int) -> ThreadPoolExecutor:
    with _POOL_LOCK:
        # a forked child inherits the pool object but none of its threads: make a new one
        if _POOL["executor"] is None or _POOL["size"] < n_workers or _POOL["pid"] != os.getpid():
            if _POOL["executor"] is not None and _POOL["pid"] == os.getpid():
                # a larger pool replaces this one: its threads end once their queued parts are done
                _POOL["executor"].shutdown(wait=False)
            _POOL.update(executor=ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="skphase"),
                         size=n_workers, pid=os.getpid())
        return _POOL["executor"]


#: pieces per thread that a part kernel's tasks are cut into. Each thread takes the next piece
#: when it ends one, so a core slowed by another process (a shared machine) delays the call by
#: about one piece rather than by its whole share: with one contiguous share per thread, 256
#: small-image transforms on a 2-core machine left 16 % of the threads' time waiting. A piece
#: costs one kernel dispatch (~2 us).
PIECES_PER_THREAD = 8


class PerThread(tuple):
    """An argument of a part kernel that differs between the threads running it: the thread
    numbered t (0 is the calling one) receives item t, e.g. the index of its own work maps."""


def run_parts(kernel, args, n_threads: int) -> None:
    """``kernel(*args, part, n_parts)`` for every part, on ``n_threads`` threads (this one and
    the pool's), which take the parts in turn; a :class:`PerThread` argument is resolved per thread."""
    if n_threads <= 1:
        kernel(*_for_thread(args, 0), 0, 1)
        return
    n_parts = n_threads * PIECES_PER_THREAD
    counter = itertools.count()  # next() on it is atomic under the GIL
    failed = threading.Event()  # a part raised (or Ctrl-C in this thread): hand out no more parts

    def work(thread: int) -> None:
        own = _for_thread(args, thread)
        try:
            part = next(counter)
            while part < n_parts and not failed.is_set():
                kernel(*own, part, n_parts)
                part = next(counter)
        except BaseException:
            failed.set()
            raise

    pool = _executor(n_threads - 1)
    futures = []
    try:
        for thread in range(1, n_threads):
            futures.append(pool.submit(work, thread))
        work(0)
    except BaseException:
        # this thread's error (or Ctrl-C) is the one raised, once no thread writes any more
        failed.set()
        wait(futures)
        raise
    wait(futures)
    for future in futures:
        future.result()  # a worker's error


def _for_thread(args: tuple, thread: int) -> tuple:
    return tuple(a[thread] if isinstance(a, PerThread) else a for a in args)


def part_kernel(func=None, **options):
    """Decorator: ``func(*args, part, n_parts)`` compiled once (serial, ``nogil``), called as
    ``func(*args)`` on :func:`n_kernel_threads` threads; it writes into its arguments.

    The returned function keeps the compiled kernel as ``.kernel``.
    """
    if func is None:
        return lambda f: part_kernel(f, **options)
    kernel = njit(**{**options, "nogil": True})(func)

    def run(*args) -> None:
        run_parts(kernel, args, n_kernel_threads())

    run.__name__, run.__qualname__ = func.__name__, func.__qualname__
    run.__doc__ = func.__doc__
    run.kernel = kernel
    return run
