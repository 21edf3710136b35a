"""numba's ``njit`` as skphase uses it: cached when a cache can be written, and in twins.

``cache=True`` makes numba look for a writable cache folder when the function is
*decorated*, that is when skphase is imported; where none exists (a read-only
installation, a read-only home, no ``NUMBA_CACHE_DIR``) it raises ``RuntimeError: cannot
cache function ...: no locator available`` and ``import skphase`` fails, whatever
``SKPHASE_JIT`` says. :func:`njit` then compiles the function uncached instead (it
compiles again in every new process) and says so once.

:func:`twins` compiles a ``parallel=True`` kernel twice: the parallel build for calls
from the main thread, a serial build for calls from any other thread. Worker threads
(joblib ``n_jobs``, a user's thread pool) are already parallel; two of them launching
parallel kernels at once aborts the whole process under numba's ``workqueue``
threading layer ("Concurrent access") and oversubscribes the cores under the others.
"""

from __future__ import annotations

import logging
import threading
import types

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


def twins(func, **options):
    """``(parallel, serial)`` builds of ``func`` (``options`` as for :func:`njit`).

    The serial build is compiled from a renamed copy of ``func``: numba's on-disk cache
    is keyed by the function's name, not by the ``parallel`` flag, so one function
    would otherwise serve both.
    """
    parallel = njit(**{**options, "parallel": True})(func)
    copy = types.FunctionType(func.__code__, func.__globals__, func.__name__ + "_serial",
                              func.__defaults__, func.__closure__)
    copy.__qualname__ = func.__qualname__ + "_serial"
    copy.__doc__ = func.__doc__
    serial = njit(**{**options, "parallel": False})(copy)
    return parallel, serial


def for_this_thread(parallel, serial):
    """The build that is safe to call from the current thread."""
    return parallel if threading.current_thread() is threading.main_thread() else serial


def parallel_kernel(func=None, **options):
    """Decorator: ``func`` compiled as :func:`twins`, called through the build for the thread.

    The returned function keeps both builds as ``.parallel`` and ``.serial`` (the
    warm-up compiles both; tests call either).
    """
    if func is None:
        return lambda f: parallel_kernel(f, **options)
    parallel, serial = twins(func, **options)

    def dispatch(*args):
        return for_this_thread(parallel, serial)(*args)

    dispatch.__name__, dispatch.__qualname__ = func.__name__, func.__qualname__
    dispatch.__doc__ = func.__doc__
    dispatch.parallel, dispatch.serial = parallel, serial
    return dispatch
