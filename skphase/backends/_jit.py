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
import stat
import threading
import time

try:
    import fcntl
except ImportError:  # Windows: no flock, no coordination between processes
    fcntl = None

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


def _lock_dir() -> str | None:
    """This user's private folder for the compile lock, or None where there is none.

    Never the shared temporary folder, where anyone can plant a file or a symlink with a
    predictable name. The folder is created with mode 0700 and used only if it is a real
    folder (not a symlink) owned by this user that nobody else can write.
    """
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("XDG_CACHE_HOME") \
        or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "skphase")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022
    return path if private else None


def _lock_path() -> str | None:
    """One lock per (sources, interpreter, numba cache): the processes that would compile the same."""
    folder = _lock_dir()
    if folder is None:
        return None
    key = "|".join((_package_root(), sys.executable, os.environ.get("NUMBA_CACHE_DIR", "")))
    return os.path.join(folder, f"jit-{hashlib.sha1(key.encode()).hexdigest()[:16]}.lock")


def _open_lock(path: str) -> int | None:
    """A descriptor on the lock file (never following a symlink), or None."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return None


def _try_lock(fd: int, how: int) -> bool:
    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
        return True
    except OSError:  # held by another open of the file: a compile in progress
        return False


def _compiling_elsewhere(path: str) -> bool:
    """Whether some process holds the compile lock now (the kernel drops it when that
    process ends, however it ends: no stale locks, no pids that could be recycled)."""
    fd = _open_lock(path)
    if fd is None:
        return False
    try:
        return not _try_lock(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)  # closing releases a lock we took


class _Compile:
    """A background compile in progress: ours (a child process) or another process's (the lock)."""

    def __init__(self, lock: str | None, process=None):
        self.lock, self.process = lock, process

    def done(self) -> bool:
        if self.process is not None:
            return self.process.poll() is not None
        return self.lock is None or not _compiling_elsewhere(self.lock)

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


def _spawn():
    """Start the background compile, or join one that another process runs.

    Returns a :class:`_Compile`, or None if no process could be started. An exclusive
    ``flock`` on a file in this user's private folder makes processes that start at once
    (joblib or dask workers) compile once, not once each: this process takes it and hands
    its descriptor to the child, which holds it until it exits. Where there is no such
    folder (or no ``flock``: Windows) each process compiles for itself.
    """
    lock = _lock_path() if fcntl is not None else None
    fd = None if lock is None else _open_lock(lock)
    if fd is not None and not _try_lock(fd, fcntl.LOCK_EX):
        os.close(fd)
        return _Compile(lock)
    env = dict(os.environ)
    # the child must compile *these* sources: numba's cache is keyed by the source file
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH")) if p)
    env["SKPHASE_JIT"] = "foreground"
    try:
        # -P: the current folder does not go first on the child's sys.path, so a file
        # planted there (numpy.py, skphase/) is not imported in its place
        process = subprocess.Popen([sys.executable, "-P", "-m", "skphase._warmup"], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True,
                                   pass_fds=() if fd is None else (fd,))
    except OSError:
        process = None
    finally:
        if fd is not None:
            os.close(fd)  # the child's copy keeps the lock while it runs
    return None if process is None else _Compile(lock, process)


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
