"""Whether the numba kernels are called: compiled at first use, in this process.

Every kernel is compiled once per machine, the first time a call needs it (numba's own
behaviour), and loaded from numba's on-disk cache afterwards. The kernels are small and
serial (:func:`skphase.utils._numba.part_kernel`), and their FFTs are rocket-fft's low-level
transforms, so the first transform after installation spends about 1 to 3 s compiling what
it uses; ``skphase warmup`` compiles all of the transforms' kernels at once (about 15 CPU s
on a quiet 2-core machine) and says how long it took. No process is started behind the
user's back, and nothing runs slower meanwhile.

``SKPHASE_JIT`` (environment variable) chooses the behaviour:

``"foreground"`` (default)
    as above;
``"off"``
    never call numba kernels through the backend: the pure-numpy twins of
    :mod:`._reference` and the operators' generic (unfused) path, several times slower,
    with the same results (for debugging, and for the tests of that path).
"""

from __future__ import annotations

import os

#: the numba dispatchers of the backend's kernels (filled by ._kernels), for ``skphase warmup``
DISPATCHERS: list = []

_state = {"ready": None}
_MODES = ("foreground", "off")


def mode() -> str:
    value = os.environ.get("SKPHASE_JIT", "foreground").strip().lower() or "foreground"
    if value not in _MODES:
        raise ValueError(f"SKPHASE_JIT must be one of {_MODES}; got {value!r}.")
    return value


def ready() -> bool:
    """True when the numba kernels are to be called (``SKPHASE_JIT`` is not ``"off"``)."""
    if _state["ready"] is None:
        _state["ready"] = mode() != "off"
    return bool(_state["ready"])


def _reset(value=None) -> None:
    """Forget the decision (tests): None decides again at the next call; True/False forces it."""
    _state["ready"] = value
