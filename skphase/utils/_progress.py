"""Progress bars for long work (batches, optimisation, training): tqdm when asked and installed."""

from __future__ import annotations


def _tqdm(verbose):
    if not verbose:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is a nicety: fall back to silence
        return None
    return tqdm


def progress(iterable, total: int | None, verbose, desc: str):
    """``iterable`` wrapped in a tqdm bar when ``verbose`` (silently plain without tqdm)."""
    tqdm = _tqdm(verbose)
    return iterable if tqdm is None else tqdm(iterable, total=total, desc=desc)


def progress_bar(total: int | None, verbose, desc: str, *, leave: bool = True):
    """A tqdm bar of ``total`` steps, updated by hand, when ``verbose``; else None."""
    tqdm = _tqdm(verbose)
    return None if tqdm is None else tqdm(total=total, desc=desc, leave=leave)
