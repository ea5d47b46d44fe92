"""The speed tricks that earned their place, in one file (``docs/performance.md`` measures
each and says how to reproduce the figure).

1. *Memory format* (PyTorch's word for a non-standard axis order): convolution orders its
   column matrix with the batch innermost, so its output is an (N, C, H, W) view of a
   (C, H, W, N) buffer. Elementwise ops and pooling keep whatever layout they are given
   (``np.empty_like`` and ``copy(order="K")`` follow the input), so the layout flows from one
   convolution to the next; every op reads any layout correctly, only the speed differs.
   Where a gradient arrives in another layout (max pooling's, from a flatten), one copy
   brings it to the saved layout (``in_layout_of``).

Nothing here changes a value: each function returns what its one-line definition says.

Read next: ``functional/__init__.py`` (the public functions); ``docs/performance.md`` has
the figures.
"""

from __future__ import annotations

import numpy as np

BATCH_INNERMOST = (0, 1, 2, 4, 5, 3)  # (C, KH, KW, N, OH, OW) -> (C, KH, KW, OH, OW, N)


def in_layout_of(array: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``array`` (``like``'s shape) copied into ``like``'s memory layout, unless it already
    is: a gradient arriving batch-major (from a flatten) meets the layout its op saved, and
    everything computed from the two then keeps that layout."""
    if array.strides == like.strides and array.dtype.itemsize == like.dtype.itemsize:
        return array
    copy = np.empty_like(like, dtype=array.dtype)  # order="K": like's axis order
    np.copyto(copy, array)
    return copy


def pad_batch_innermost(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """``windows.pad2d(x, padding)`` stored (C, H, W, N) whatever ``x``'s layout, so that the
    column copy after it reads whole rows of the batch (``x`` itself when nothing is padded)."""
    PH, PW = padding
    if PH == 0 and PW == 0:
        return x
    N, C, H, W = x.shape
    x_pad = np.zeros((C, H + 2 * PH, W + 2 * PW, N), dtype=x.dtype).transpose(3, 0, 1, 2)
    x_pad[:, :, PH : PH + H, PW : PW + W] = x  # (N, C, Hp, Wp) view of (C, Hp, Wp, N)
    return x_pad


def batch_innermost_columns(columns: np.ndarray) -> np.ndarray:
    """``im2col``'s (C, KH, KW, N, OH, OW) view with N moved innermost: a window row of the
    whole batch is then one contiguous run when the columns are copied into a matrix."""
    return columns.transpose(BATCH_INNERMOST)  # (C, KH, KW, OH, OW, N)  view, no copy
