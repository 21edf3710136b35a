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

import logging
import os
import subprocess
import sys
import threading

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


def _spawn():
    """Start the background compile; return the process, or None if it cannot start."""
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    # the child must compile *these* sources: numba's cache is keyed by the source file
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["SKPHASE_JIT"] = "foreground"
    try:
        return subprocess.Popen([sys.executable, "-m", "skphase._warmup"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return None


def ready() -> bool:
    """True when the numba kernels can be called; False while they compile elsewhere.

    Cheap once True (a module-level flag); while the background process runs, one
    non-blocking ``poll`` per call.
    """
    if _state["ready"]:
        return True
    with _lock:
        if _state["ready"] is None:
            _decide()
        process = _state["process"]
        if process is not None and process.poll() is not None:
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
    process = _spawn()
    if process is None:
        _state["ready"] = True
        return
    _state["ready"], _state["process"] = False, process
    _logger.warning("skphase: compiling numba kernels in a background process (once per installation, "
                    "one to three minutes on 2 cores); meanwhile the same results come from a slower numpy "
                    "path, and calls switch to the kernels as soon as they are ready.")


def wait(timeout: float | None = None) -> bool:
    """Block until a background compile has finished (``timeout`` seconds at most); return ready()."""
    ready()
    process = _state["process"]
    if process is not None:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    return ready()


def _reset(value=None) -> None:
    """Forget the decision (tests): None decides again at the next call; True/False forces it."""
    with _lock:
        _state["ready"], _state["process"] = value, None
