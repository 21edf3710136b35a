"""One Ctrl-C stops a whole skphase call, keeps what it found and leaves the estimator usable.

Long work (a batch of syntheses, a training loop, worker threads and child processes)
runs inside :func:`interruptible`. While the outermost such call runs in the main
thread, SIGINT only *sets a flag* (a :class:`StopRequest`) instead of raising
``KeyboardInterrupt`` wherever the interpreter happens to be: an exception raised
inside a numba dispatcher or a BLAS call becomes ``SystemError`` or worse, and one
raised in the main thread never reaches joblib's worker threads. Every loop polls
``stop.is_set()`` once per iteration (a few microseconds), ends cleanly with its best
result so far, and the call warns once, naming what was cut short. A second Ctrl-C
while the first is being honoured raises ``KeyboardInterrupt`` as usual, so a loop
that forgot to poll can still be left.

Nested calls (an estimator calling another, a worker thread of the outer call) share
the outermost call's flag: one press stops them all.
"""

from __future__ import annotations

import signal
import threading
import warnings
from contextlib import contextmanager
from typing import Iterator


class InterruptedWarning(UserWarning):
    """Work was stopped by Ctrl-C; the result holds what was computed before it."""


class StopRequest:
    """A thread-safe flag that a call's loops poll: set by Ctrl-C (or by :meth:`set`)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def __bool__(self) -> bool:  # ``if stop:`` reads as "was asked to stop"
        return self._event.is_set()


_lock = threading.Lock()
_active: list[StopRequest] = []


def _flag_handler(stop: StopRequest):
    def handler(signum, frame):
        if stop.is_set():  # second press: the usual exception, wherever we are
            raise KeyboardInterrupt
        stop.set()

    return handler


@contextmanager
def interruptible() -> Iterator[StopRequest]:
    """Run a long call so that Ctrl-C asks it to stop rather than raising where it lands.

    Yields the :class:`StopRequest` the call's loops poll. In the main thread, with
    Python's default SIGINT handler in place, the outermost call installs a handler that
    sets the flag (restored on exit); elsewhere (a user's own handler, another thread)
    the flag is shared with the outermost call in progress, and is set when a
    ``KeyboardInterrupt`` escapes the block (re-raised: a loop that wants to keep its
    partial result in that case catches it and calls ``stop.set()`` itself).

    Examples
    --------
    >>> from skphase.utils._interrupt import interruptible
    >>> with interruptible() as stop:
    ...     for step in range(3):
    ...         if stop.is_set():
    ...             break
    >>> stop.is_set()
    False
    """
    with _lock:
        owner = not _active
        stop = StopRequest() if owner else _active[0]
        if owner:
            _active.append(stop)
    previous = None
    if owner and threading.current_thread() is threading.main_thread():
        current = signal.getsignal(signal.SIGINT)
        if current is signal.default_int_handler:
            previous = current
            signal.signal(signal.SIGINT, _flag_handler(stop))
    try:
        yield stop
    except KeyboardInterrupt:
        # no handler of ours was installed, or the second press: stop the worker threads too
        stop.set()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if owner:
            with _lock:
                _active.remove(stop)


def current() -> StopRequest | None:
    """The flag of the outermost interruptible call in progress, or None."""
    with _lock:
        return _active[0] if _active else None


def warn_interrupted(what: str, stacklevel: int = 3) -> None:
    """One warning saying which work Ctrl-C cut short and that the best result so far is kept."""
    warnings.warn(f"interrupted (Ctrl-C): {what}; the best result so far is kept.", InterruptedWarning,
                  stacklevel=stacklevel)
