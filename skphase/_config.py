"""Global settings read at run time, changed with :func:`config_context` (as scikit-learn's)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from numbers import Integral

_DEFAULTS = {
    # Intermediate coefficients of one batch are kept under this many bytes: it sets
    # batch_size="auto" and splits the filters of a sample too large for it.
    "memory_budget": 64 * 2**20,
    # The same on an accelerator (torch on CUDA), where large batches are what keep it
    # busy and memory is its own: None means a quarter of the device's memory.
    "device_memory_budget": None,
}

# thread-local like scikit-learn's: a context entered in one thread does not leak into
# joblib worker threads started by another
_local = threading.local()


def _settings() -> dict:
    if not hasattr(_local, "settings"):
        _local.settings = dict(_DEFAULTS)
    return _local.settings


def get_config() -> dict:
    """The current values of skphase's global settings.

    Returns
    -------
    config : dict
        ``memory_budget`` (bytes): the working memory that one batch of a transform
        may use for its intermediate coefficients (CPU backends);
        ``device_memory_budget`` (bytes or None): the same on an accelerator (torch
        on CUDA); None: a quarter of the device's memory.

    Examples
    --------
    >>> import skphase
    >>> skphase.get_config()["memory_budget"] // 2**20
    64
    """
    return dict(_settings())


def _check_budget(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int (bytes), got {value!r}.")
    if value < 2**20:
        raise ValueError(f"{name} must be at least 1 MiB (1048576 bytes), got {value}.")
    return int(value)


def set_config(memory_budget: int | None = None, device_memory_budget: int | None = None) -> None:
    """Change skphase's global settings (prefer :func:`config_context`).

    Parameters
    ----------
    memory_budget : int or None
        Bytes of intermediate coefficients one batch may hold on CPU backends (at
        least 1 MiB). None leaves it unchanged.
    device_memory_budget : int or None
        The same for batches on an accelerator (torch on CUDA). None leaves it
        unchanged (its default, None, is a quarter of the device's memory).
    """
    if memory_budget is not None:
        _settings()["memory_budget"] = _check_budget("memory_budget", memory_budget)
    if device_memory_budget is not None:
        _settings()["device_memory_budget"] = _check_budget("device_memory_budget", device_memory_budget)


@contextmanager
def config_context(*, memory_budget: int | None = None, device_memory_budget: int | None = None):
    """Change skphase's settings inside a ``with`` block only.

    Parameters
    ----------
    memory_budget : int or None
        Bytes of intermediate coefficients one batch may hold (CPU backends).
    device_memory_budget : int or None
        The same on an accelerator (torch on CUDA).

    Examples
    --------
    >>> import numpy as np
    >>> import skphase
    >>> x = np.zeros((2, 64))
    >>> with skphase.config_context(memory_budget=256 * 2**20):
    ...     S = skphase.ScatteringAverager(J=2).fit(x).transform(x)
    >>> skphase.get_config()["memory_budget"] // 2**20
    64
    """
    old = get_config()
    set_config(memory_budget=memory_budget, device_memory_budget=device_memory_budget)
    try:
        yield
    finally:
        _settings().update(old)
