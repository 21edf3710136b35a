"""Batches that fit the backend's memory budget: how every caller runs an operator on many samples."""

from __future__ import annotations

from .._config import get_config


def memory_slices(n: int, bytes_per_sample: int, backend, batch_size: int | None = None) -> list[slice]:
    """Slices of ``n`` samples, ``batch_size`` at a time or, when None, as many as the
    backend's memory budget holds (an accelerator's budget differs from the host's)."""
    if batch_size is None:
        batch_size = int(backend.memory_budget(get_config()) // max(1, bytes_per_sample))
    size = max(1, int(batch_size))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def apply_in_batches(op, method: str, x, itemsize: int):
    """``op.method`` on the samples of x, batch by batch, concatenated on the backend."""
    fn = getattr(op, method)
    slices = memory_slices(x.shape[0], op.bytes_per_sample(itemsize), op.backend)
    return op.backend.concatenate([fn(op.backend.asarray(x[s])) for s in slices], axis=0)
