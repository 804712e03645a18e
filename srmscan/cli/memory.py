"""Process memory tuning for the `srmscan` command: fewer glibc malloc arenas.

glibc gives each new thread its own malloc arena (up to eight per core), and a scan runs dozens of
collector threads: every arena keeps its own free lists and high-water mark, so memory freed in
one thread is not reused by another, and the scan's peak RSS grows with the thread count. The
threads take turns on Python's GIL, so separate arenas buy no parallelism here. Two arenas
measured 26 MB (small bench account) and 31 MB (large) less peak RSS than glibc's default, at
the same wall time (BENCHMARKS.md).

This is the command's choice for its own process, made in `main` before any thread starts; the
library never changes the allocator of a program that imports it. A `MALLOC_ARENA_MAX` already
in the environment (glibc's own knob) is left to rule, and on a C library without `mallopt`
(musl, macOS) nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

#: glibc's M_ARENA_MAX parameter number for mallopt(3)
M_ARENA_MAX = -8
#: arenas for the scan's threads; see the module docstring for the measurement
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process; True when the cap was set."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): keep the default
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
