r"""Adaptive pooling: a fixed output size, with windows whose size varies (PyTorch's rule).

Along an axis of L pixels pooled to n outputs, output o covers the input positions
``[start(o), end(o))`` with ``start(o) = floor(o*L/n)`` and ``end(o) = ceil((o+1)*L/n)``.
The windows cover the axis; neighbours may share a pixel, and sizes may differ:

>>> import numpy as np
>>> from minitorch_cnn.ops.adaptive_pool import adaptive_windows, cover_table, tap_table
>>> start, end = adaptive_windows(5, 3)        # L = 5 pixels to n = 3 outputs
>>> start, end                                  # windows [0, 2), [1, 4), [3, 5)
(array([0, 1, 3]), array([2, 4, 5]))

No strided view has windows of different sizes, so each axis gets two small index tables
instead. The *tap table* (K, n) holds, in row k, where tap k of every window lies -- or
L, one past the end, where that window is shorter than k + 1. The input is extended by one
neutral pixel at position L (0 for a sum, -inf for a max), so gathering row k reads tap k
of every window at once, and a missing tap changes nothing:

>>> tap_table(start, end, 5)                    # K = 3, the largest window
array([[0, 1, 3],
       [1, 2, 4],
       [5, 3, 5]])

The *cover table* (R, L) is the same relation read the other way: row r holds, for each
input pixel, the r-th window that covers it -- or n where fewer windows cover it. The
backwards gather with it, so each pixel collects the gradient of every window covering it
and no two windows ever write to the same place (no scatter, no ``np.add.at``):

>>> cover_table(start, end, 5)                  # R = 2: pixels 1 and 3 lie in two windows
array([[0, 0, 1, 1, 2],
       [3, 1, 3, 2, 3]])

So every loop here runs over table rows -- kernel taps forward, covering windows backward --
and never over pixels. K, the largest window, is at most ceil(L/n) + 1; R is at most 2
when shrinking (L >= n: windows o and o + 2 never meet), ceil(n/L) + 1 when growing.

Read next: ``ops/unpool.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .pool import max_scan
from .windows import pad2d


def adaptive_windows(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, end), each (out,): window o is ``[floor(o*size/out), ceil((o+1)*size/out))``."""
    o = np.arange(out)
    return (o * size) // out, -((-(o + 1) * size) // out)  # floor, and ceil as -floor(-a)


def tap_table(start: np.ndarray, end: np.ndarray, size: int) -> np.ndarray:
    """(K, n): row k holds tap k of every window ``start + k``, or ``size`` past its end."""
    K = int((end - start).max(initial=0))
    taps = start + np.arange(K)[:, None]  # (K, n)
    return np.where(taps < end, taps, size)


def cover_table(start: np.ndarray, end: np.ndarray, size: int) -> np.ndarray:
    """(R, size): row r holds the r-th window covering each pixel, or n (the window count)
    where fewer cover it. Starts and ends never decrease, so the windows covering pixel p
    are the run from the first that ends after p to the last that starts at or before p."""
    pixels = np.arange(size)
    first = np.searchsorted(end, pixels, side="right")  # (size,)
    last = np.searchsorted(start, pixels, side="right") - 1  # (size,)
    R = int((last - first + 1).max(initial=0))
    cover = first + np.arange(R)[:, None]  # (R, size)
    return np.where(cover <= last, cover, len(start))


def _sum_along(a_ext: np.ndarray, table: np.ndarray, axis: int) -> np.ndarray:
    """Sum over the rows k of ``table`` of ``a_ext`` gathered at ``table[k]`` along ``axis``:
    the axis' length becomes the table's width. One gather (a copy) per row."""
    shape = list(a_ext.shape)
    shape[axis] = table.shape[1]
    total = np.zeros(shape, dtype=a_ext.dtype)
    for positions in table:
        total += np.take(a_ext, positions, axis=axis)
    return total


class AdaptiveAvgPool2d(Function):
    r"""``y[n, c, oh, ow] = mean of x[n, c, start_h(oh):end_h(oh), start_w(ow):end_w(ow)]``.

    x (N, C, H, W) -> y (N, C, OH, OW). A rectangle's sum is the sum over its rows of each
    row's sum, so the axes are reduced one at a time: gather the height taps and add them
    (N, C, OH, W), then the width taps (N, C, OH, OW); divide by the area
    a[oh, ow] = (end_h - start_h)[oh] * (end_w - start_w)[ow]. Loops: over the taps of the
    largest window, KH + KW gathers in all.

    Backward: y is linear in x, each pixel of window (oh, ow) weighted 1 / a[oh, ow], so

        dL/dx[h, w] = sum over windows (oh, ow) covering (h, w) of dL/dy[oh, ow] / a[oh, ow]

    -- separable in the same way: the same gather-and-add along the width, then the height,
    with the cover tables. The gradient never meets a zero weight, so an infinite gradient
    stays in the windows it belongs to.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, output_size: tuple[int, int]) -> np.ndarray:
        (H, W), (OH, OW) = x.shape[2:], output_size
        (start_h, end_h), (start_w, end_w) = adaptive_windows(H, OH), adaptive_windows(W, OW)
        area = ((end_h - start_h)[:, None] * (end_w - start_w)[None, :]).astype(x.dtype)
        x_ext = pad2d(x, (0, 0), 0.0, (1, 1))  # (N, C, H+1, W+1)  copy: a zero row and column
        rows = _sum_along(x_ext, tap_table(start_h, end_h, H), axis=2)  # (N, C, OH, W+1)
        out = _sum_along(rows, tap_table(start_w, end_w, W), axis=3)  # (N, C, OH, OW)
        out /= area  # (OH, OW) broadcast
        ctx.area = area
        ctx.cover = cover_table(start_h, end_h, H), cover_table(start_w, end_w, W)
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        cover_h, cover_w = ctx.cover
        share = pad2d(grad_out / ctx.area, (0, 0), 0.0, (1, 1))  # (N, C, OH+1, OW+1)
        cols = _sum_along(share, cover_w, axis=3)  # (N, C, OH+1, W)
        return (_sum_along(cols, cover_h, axis=2),)  # (N, C, H, W)


class AdaptiveMaxPool2d(Function):
    r"""``y[n, c, oh, ow] = max of x[n, c, start_h(oh):end_h(oh), start_w(ow):end_w(ow)]``.

    x (N, C, H, W) -> y (N, C, OH, OW). Forward scans the KH*KW taps of the largest window
    (``pool.max_scan``, PyTorch's winner rules: first maximum on ties, the last NaN wins), one
    gather per tap; a tap past a window's end reads the -inf row/column added at the end,
    and never takes the lead. The winner's flat index h*W + w is saved (and written to
    ``indices`` when given: ``return_indices``).

    Backward: the max is locally a selection, y[oh, ow] = x[index[oh, ow]], so

        dL/dx[h, w] = sum over windows (oh, ow) covering (h, w) and won by (h, w) of dL/dy[oh, ow]

    -- gathered with the cover tables: for each pair (r, s), the r-th covering row window and
    s-th covering column window of every pixel, keeping the gradient where that window's
    index is the pixel's own. Overlapping windows won by the same pixel add up.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        output_size: tuple[int, int],
        indices: np.ndarray | None = None,
    ) -> np.ndarray:
        N, C, H, W = x.shape
        OH, OW = output_size
        (start_h, end_h), (start_w, end_w) = adaptive_windows(H, OH), adaptive_windows(W, OW)
        rows, cols = tap_table(start_h, end_h, H), tap_table(start_w, end_w, W)
        KW = len(cols)
        x_ext = pad2d(x, (0, 0), -np.inf, (1, 1))  # (N, C, H+1, W+1)  copy: -inf never wins

        def tap(t: int) -> np.ndarray:  # tap t = (i, j) of every window: (N, C, OH, OW) copy
            return x_ext[:, :, rows[t // KW][:, None], cols[t % KW][None, :]]

        out = np.full((N, C, OH, OW), -np.inf, dtype=x.dtype)
        winner = np.zeros(out.shape, dtype=np.min_scalar_type(max(len(rows) * KW - 1, 0)))
        max_scan(tap, len(rows) * KW, out, winner)  # from -inf: tap 0 takes the lead
        i, j = np.divmod(winner.astype(np.int64), max(KW, 1))  # (N, C, OH, OW) each
        flat = (start_h[:, None] + i) * W + start_w[None, :] + j  # (N, C, OH, OW)
        if indices is not None:
            np.copyto(indices, flat)
        ctx.save_for_backward(flat)
        ctx.cover = cover_table(start_h, end_h, H), cover_table(start_w, end_w, W)
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (flat,) = ctx.saved
        cover_h, cover_w = ctx.cover
        N, C, OH, OW = grad_out.shape
        H, W = cover_h.shape[1], cover_w.shape[1]
        own = np.arange(H * W).reshape(H, W)  # each pixel's flat index
        grad_ext = pad2d(grad_out, (0, 0), 0.0, (1, 1))  # (N, C, OH+1, OW+1)
        flat_ext = pad2d(flat, (0, 0), -1, (1, 1))  # -1: the added window is won by no pixel
        grad_x = np.zeros((N, C, H, W), dtype=grad_out.dtype)
        for rows in cover_h:
            for cols in cover_w:
                cell = (slice(None), slice(None), rows[:, None], cols[None, :])
                won = flat_ext[cell] == own  # (N, C, H, W): this covering window is ours
                grad_x += np.where(won, grad_ext[cell], 0)
        return (grad_x,)
