"""Progress bars for long work (batches, optimisation, training): tqdm when asked and installed."""

from __future__ import annotations


def progress(iterable, total: int | None, verbose, desc: str):
    """``iterable`` wrapped in a tqdm bar when ``verbose`` (silently plain without tqdm)."""
    if not verbose:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is a nicety: fall back to silence
        return iterable
    return tqdm(iterable, total=total, desc=desc)
