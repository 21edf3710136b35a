"""Say so before allocating what cannot fit, instead of being killed by the operating system."""

from __future__ import annotations

import os


def available_bytes() -> int | None:
    """Memory the process may still allocate (Linux: MemAvailable; elsewhere physical memory), or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def check_allocation(n_bytes: int, what: str, way_out: str) -> None:
    """Raise MemoryError, before allocating, when ``n_bytes`` exceed the memory available.

    ``what`` says what would be allocated, ``way_out`` how to ask for less.
    """
    available = available_bytes()
    if available is not None and n_bytes > available:
        raise MemoryError(f"{what} would need {_gib(n_bytes)}, more than the {_gib(available)} of memory "
                          f"available; {way_out}")
