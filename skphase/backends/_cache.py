"""Working-precision copies of the (cached, read-only, float64) filters, shared by the backends."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np


def working_dtype(arr: np.ndarray, dtype) -> np.dtype:
    """The dtype a filter takes in a transform of real ``dtype`` data (complex stays complex)."""
    dtype = np.dtype(dtype)
    if np.iscomplexobj(arr):
        return np.dtype(np.complex64 if dtype == np.float32 else np.complex128)
    return dtype


class FilterCache:
    """A bounded LRU of conversions of filter arrays, keyed by the array's identity.

    The filter banks are cached and never mutated, so identity is a safe key as long
    as the source array is kept alive with the entry (it is, and re-checked on a hit).
    Bounded like the filter-bank cache above it, so memory (host or device) does not
    grow with every new input shape.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def get(self, arr: np.ndarray, tag, make):
        key = (id(arr), tag)
        hit = self._entries.get(key)
        if hit is not None and hit[0] is arr:
            self._entries.move_to_end(key)
            return hit[1]
        value = make()
        self._entries[key] = (arr, value)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value
