"""allocator.keep_freed_memory: freed activations are reused instead of faulted in again.

The project's machines run Linux with glibc, where the page-fault test applies. Page faults
are counted, not timed: the count of a fixed loop in a fresh process is
deterministic for a given C library, where a time would depend on the machine's load.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from minitorch_cnn import allocator

_GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

# Twenty evaluation passes (no graph) of the first conv block of the MNIST CNN on a batch,
# after three warm-up passes; prints the minor page faults per pass.
_LOOP = """
import resource
import numpy as np
import sys
import minitorch_cnn as mt
from minitorch_cnn import allocator, functional

if sys.argv[1] == "keep":
    allocator.keep_freed_memory()

rng = np.random.default_rng(0)
x = mt.Tensor(rng.standard_normal((64, 1, 28, 28), dtype=np.float32))
weight = mt.Tensor(rng.standard_normal((32, 1, 3, 3), dtype=np.float32))
def step():
    with mt.no_grad():
        functional.max_pool2d(functional.conv2d(x, weight, padding=1).relu(), 2)
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def _faults_per_pass(mode: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", _LOOP, mode], capture_output=True, text=True, check=True
    )
    return float(result.stdout)


def test_import_changes_nothing_and_the_explicit_call_stops_page_faults() -> None:
    kept, returned = _faults_per_pass("keep"), _faults_per_pass("import-only")
    # Each 64x32x28x28 activation is 6.4 MB, 1,568 pages: handed back, they fault again.
    # glibc's own threshold adjustment leaves 650-1,700 faults per pass here, varying from
    # process to process; with the setting the count stays below one.
    assert returned > 100, f"without the setting the loop faulted only {returned} pages per pass"
    assert kept < 20, f"with freed memory kept the loop still faulted {kept} pages per pass"


def test_keep_freed_memory_is_accepted_by_glibc_and_only_there() -> None:
    assert allocator.keep_freed_memory() is _GLIBC


@pytest.mark.parametrize("bad", [-1, 2**31, 1.5, "32M"])
def test_keep_freed_memory_rejects_a_threshold_that_is_not_a_c_int(bad: object) -> None:
    with pytest.raises(
        ValueError, match=r"mmap_threshold must be an int in \[0, 2\*\*31\) bytes, got"
    ):
        allocator.keep_freed_memory(mmap_threshold=bad)  # type: ignore[arg-type]


_SPY = """
import ctypes
calls = []
class _Spy:
    def __init__(self, *args, **kwargs):
        calls.append(args)
    def __getattr__(self, name):
        raise AttributeError(name)
ctypes.CDLL = _Spy
import minitorch_cnn
print(len(calls))
"""


def test_importing_the_package_loads_no_c_library_and_sets_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _SPY], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0"
