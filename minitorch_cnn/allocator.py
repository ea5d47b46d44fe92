"""Why a NumPy framework should care about ``malloc``: freed activations should be reused.

Every training step allocates the same large arrays again: one 64x32x28x28 float32
activation is 6.4 MB, and a forward and backward pass make dozens of such arrays and free
them. glibc's ``malloc`` gives blocks that large back to the kernel when they are freed
(it unmaps blocks above ``M_MMAP_THRESHOLD`` and trims free memory above
``M_TRIM_THRESHOLD`` off the top of the heap), so the next array of the same size starts on
fresh pages, and the first write to each 4 KiB page is a page fault. glibc adjusts both
thresholds on its own as it sees large blocks freed, yet in a training loop it can still hand
memory back on every pass (``docs/performance.md`` has the measurement).

``keep_freed_memory`` raises them: arrays up to 32 MiB come from the heap, and up to
128 MiB of freed heap is kept for the next arrays rather than handed back. The price is that
after a large peak the process keeps up to those 128 MiB. It changes the whole process, so
the package never calls it on its own: importing ``minitorch_cnn`` changes nothing. A
program that wants it calls it once, as the training program does (and says so in its
output). ``keep_freed_memory(0, 0)`` is not a reset (glibc has none). Elsewhere than glibc
(macOS, musl) nothing is changed.

Read it when measuring speed (``benchmarks/``).

Read next: ``png.py`` (the pictures of ``examples/visualize.py``).
"""

from __future__ import annotations

import ctypes
import sys

# The parameter numbers of glibc's mallopt, from <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_threshold: int = 32 * 2**20, trim_threshold: int = 128 * 2**20) -> bool:
    """Ask glibc's ``malloc`` to keep freed memory for reuse instead of returning it.

    Parameters
    ----------
    mmap_threshold : int
        Blocks smaller than this many bytes come from the heap (reusable) rather than from
        a private mapping that is unmapped on free.
    trim_threshold : int
        Free memory at the top of the heap is given back to the kernel only above this many
        bytes.

    Returns
    -------
    bool
        True when both settings were accepted, False where the C library is not glibc.

    Raises
    ------
    ValueError
        If a threshold is negative or does not fit in a C int.
    """
    for name, value in (("mmap_threshold", mmap_threshold), ("trim_threshold", trim_threshold)):
        if not isinstance(value, int) or not 0 <= value < 2**31:
            raise ValueError(f"{name} must be an int in [0, 2**31) bytes, got {value!r}")
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the running process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # glibc answers 1 for an accepted setting; musl's stub answers 0 and changes nothing.
    return (
        mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1
        and mallopt(_M_TRIM_THRESHOLD, trim_threshold) == 1
    )
