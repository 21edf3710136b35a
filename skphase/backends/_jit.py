"""When the numba kernels may be called: compiled in the background, numpy meanwhile.

numba compiles skphase's kernels once per installation (about two CPU-minutes for
all of them) and loads them from its on-disk cache afterwards.  Rather than make the
first transform wait, the first call that needs a kernel checks the cache; when a
kernel is missing it starts one background *process* that compiles them all (a
process, not a thread: compilation holds the GIL, and a separate process cannot
disturb the numba threading layer of this one), and until that process exits the
numpy backend runs the pure-numpy twins of :mod:`._reference` and the operators
take their generic (unfused) path.  The answer is the same; only the speed differs.

``SKPHASE_JIT`` (environment variable) chooses the behaviour:

``"background"`` (default)
    as above;
``"foreground"``
    compile at the first call that needs a kernel, in this process (what numba does
    by default; the test suite uses it so that every test runs the kernels);
``"off"``
    never call numba kernels through the backend: the numpy twins only.

The background process runs ``python -m skphase._warmup`` (``skphase warmup`` runs
the same in the foreground and says how long it took).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time

_logger = logging.getLogger("skphase")

#: the numba dispatchers whose on-disk cache decides "ready" (filled by ._kernels)
DISPATCHERS: list = []

_lock = threading.Lock()
_state = {"ready": None, "process": None}
_MODES = ("background", "foreground", "off")


def mode() -> str:
    value = os.environ.get("SKPHASE_JIT", "background").strip().lower() or "background"
    if value not in _MODES:
        raise ValueError(f"SKPHASE_JIT must be one of {_MODES}; got {value!r}.")
    return value


def _cached(dispatcher) -> bool:
    """Whether numba's on-disk cache holds a compiled version of ``dispatcher`` for this CPU."""
    try:
        index = dispatcher._cache._cache_file._load_index()
        magic = dispatcher.targetctx.codegen().magic_tuple()
    except Exception:  # another numba's cache layout: assume nothing is cached
        return False
    return any(key[1] == magic for key in index)


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _lock_path() -> str:
    """One lock per (sources, interpreter, numba cache): the processes that would compile the same."""
    key = "|".join((_package_root(), sys.executable, os.environ.get("NUMBA_CACHE_DIR", "")))
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"skphase-jit-{digest}.pid")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    try:  # Linux: a process that ended but was not yet reaped by its parent is a zombie
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _lock_owner(path: str) -> int | None:
    """The pid compiling for this installation now, or None (no lock, or a stale one)."""
    try:
        with open(path) as f:
            pid = int(f.read().strip() or 0)
    except (OSError, ValueError):
        return None
    return pid if pid > 0 and _alive(pid) else None


class _Compile:
    """A background compile in progress: ours (a child process) or another process's (the lock)."""

    def __init__(self, lock: str, process=None):
        self.lock, self.process = lock, process

    def done(self) -> bool:
        if self.process is not None:
            return self.process.poll() is not None
        return _lock_owner(self.lock) is None

    def wait(self, timeout: float | None) -> None:
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done() and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.2)


def _pid_file(path: str, pid: int) -> str:
    """A file beside ``path``, private to this process, holding ``pid``: its name."""
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(str(pid))
    return tmp


def _write_pid(path: str, pid: int) -> None:
    os.replace(_pid_file(path, pid), path)


def _claim(lock: str) -> bool:
    """Atomically create ``lock`` holding this pid; False if a live process holds it."""
    tmp = _pid_file(lock, os.getpid())
    try:
        os.link(tmp, lock)  # fails if the lock exists: no two processes both win
        return True
    except FileExistsError:
        if _lock_owner(lock) is not None:
            return False
        os.replace(tmp, lock)  # a stale lock, left by a process that died
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _spawn():
    """Start the background compile, or join one that another process runs.

    Returns a :class:`_Compile`, or None if no process could be started. A lock file
    holding the compiling process's pid makes processes that start at once (joblib or
    dask workers) compile once, not once each.
    """
    lock = _lock_path()
    try:
        if not _claim(lock):
            return _Compile(lock)
    except OSError:  # no writable temporary folder: compile without coordination
        lock = None
    env = dict(os.environ)
    # the child must compile *these* sources: numba's cache is keyed by the source file
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH")) if p)
    env["SKPHASE_JIT"] = "foreground"
    env["SKPHASE_JIT_LOCK"] = lock or ""
    try:
        process = subprocess.Popen([sys.executable, "-m", "skphase._warmup"], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        process = None
    if lock is not None:
        if process is None:
            os.unlink(lock)
        else:
            _write_pid(lock, process.pid)
    return None if process is None else _Compile(lock, process)


def release_lock() -> None:
    """Remove this process's compile lock (the background child calls it when it ends)."""
    lock = os.environ.get("SKPHASE_JIT_LOCK")
    if lock and _lock_owner(lock) == os.getpid():
        try:
            os.unlink(lock)
        except OSError:
            pass


def ready() -> bool:
    """True when the numba kernels can be called; False while they compile elsewhere.

    Cheap once True (a module-level flag); while the background compile runs, one
    non-blocking check per call.
    """
    if _state["ready"]:
        return True
    with _lock:
        if _state["ready"] is None:
            _decide()
        compile_ = _state["process"]
        if compile_ is not None and compile_.done():
            # finished (or failed: the kernels then compile here at first use, as numba does)
            _state["ready"], _state["process"] = True, None
        return bool(_state["ready"])


def _decide() -> None:
    how = mode()
    if how == "off":
        _state["ready"] = False
        return
    if how == "foreground" or all(_cached(d) for d in DISPATCHERS):
        _state["ready"] = True
        return
    compile_ = _spawn()
    if compile_ is None:
        _state["ready"] = True
        return
    _state["ready"], _state["process"] = False, compile_
    _logger.warning("skphase: compiling numba kernels in a background process (once per installation, "
                    "one to three minutes on 2 cores); meanwhile the same results come from a slower numpy "
                    "path, and calls switch to the kernels as soon as they are ready.")


def wait(timeout: float | None = None) -> bool:
    """Block until a background compile has finished (``timeout`` seconds at most); return ready()."""
    ready()
    compile_ = _state["process"]
    if compile_ is not None:
        compile_.wait(timeout)
    return ready()


def _reset(value=None) -> None:
    """Forget the decision (tests): None decides again at the next call; True/False forces it."""
    with _lock:
        _state["ready"], _state["process"] = value, None
