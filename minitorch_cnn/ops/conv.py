r"""2-D convolution as one matrix product over a strided window view (im2col).

``y[n, f, oh, ow] = b[f] + sum_{c, i, j} w[f, c, i, j] * x_pad[n, c, oh*SH + i*DH, ow*SW + j*DW]``

(a cross-correlation, as in every deep-learning library). Lay each output pixel's window
out as one column of a matrix ``X`` (C*KH*KW, OH*OW*N) and the filters as the rows of
``Wm`` (F, C*KH*KW); then the whole convolution is ``Y = Wm @ X``, one GEMM -- the fastest
routine NumPy has. ``windows.im2col`` gives ``X`` as a view; the reshape before the product
is the only copy.

The columns are ordered with the batch innermost (a *memory format*, ``ops/speed.py``), so
the output is an (N, F, OH, OW) view of an (F, OH, OW, N) buffer: the same values, stored in
another order, which every later op reads as it reads any array.

Read next: ``ops/pool.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .speed import batch_innermost_columns, pad_batch_innermost
from .windows import im2col, windows_adjoint


def _group_blocks(groups: int, F: int, rows: int) -> list[tuple[slice, slice]]:
    """For each group: its filters (rows of Y and Wm) and its rows of the column matrix X.

    ``rows`` is C/G*KH*KW, the column-matrix rows one group's filters read.
    """
    F_group = F // groups
    return [
        (slice(g * F_group, (g + 1) * F_group), slice(g * rows, (g + 1) * rows))
        for g in range(groups)
    ]


class Conv2d(Function):
    r"""Convolution of x (N, C, H, W) with weight (F, C/G, KH, KW) and an optional bias (F,).

    Inputs are ``(x, weight)`` or ``(x, weight, bias)``; ``stride``, ``padding``,
    ``dilation`` (pairs) and ``groups`` (int) are keyword settings. With G groups, channels
    and filters are split into G equal blocks and block g of the filters sees only block g of
    the channels: the same product, done once per group on a block of rows.

    Backward, with ``Y = Wm @ X`` per group (Y (F, OH*OW*N), Wm (F, C*KH*KW), X the columns):

        dL/db  = sum over n, oh, ow of dL/dY                      (F,)
        dL/dWm = dL/dY @ X^T        (F, OH*OW*N) @ (OH*OW*N, C*KH*KW) -> (F, C*KH*KW)
        dL/dX  = Wm^T @ dL/dY       (C*KH*KW, F) @ (F, OH*OW*N)       -> (C*KH*KW, OH*OW*N)
        dL/dx_pad = windows_adjoint(dL/dX): each column entry goes back to the pixel it was
                    copied from, overlapping windows add up; then crop the padding.

    The last two lines are a transposed convolution in disguise; one GEMM followed by KH*KW
    slice-adds is the same code for every stride and dilation, and needs no column matrix
    F*KH*KW rows tall. ``forward`` keeps the column matrix ``X`` for dL/dWm (when the weight
    needs a gradient) instead of building it again in backward; dL/dX has X's shape and is
    computed after dL/dWm, so it is written into X's memory: one column matrix at a time.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        *,
        stride: tuple[int, int] = (1, 1),
        padding: tuple[int, int] = (0, 0),
        dilation: tuple[int, int] = (1, 1),
        groups: int = 1,
    ) -> np.ndarray:
        N, C, H, W = x.shape
        F, C_group, KH, KW = weight.shape
        x_pad = pad_batch_innermost(x, padding)  # (N, C, H+2PH, W+2PW)  copy (or x itself)
        columns = batch_innermost_columns(im2col(x_pad, (KH, KW), stride, dilation))
        # (C, KH, KW, OH, OW, N)  view, no copy
        OH, OW = columns.shape[3:5]
        columns = columns.reshape(C * KH * KW, OH * OW * N)  # X  copy happens here
        weight_rows = weight.reshape(F, C_group * KH * KW)  # Wm (F, C/G*KH*KW)  view
        out = np.empty((F, OH * OW * N), dtype=x.dtype)
        for f, r in _group_blocks(groups, F, C_group * KH * KW):
            np.matmul(weight_rows[f], columns[r], out=out[f])  # Y = Wm @ X  (F/G, OH*OW*N)
        if bias is not None:
            out += bias[:, None]  # (F, 1) broadcast over every pixel
        ctx.save_for_backward(columns if ctx.needs_input_grad[1] else None, weight_rows)
        ctx.x_pad_shape, ctx.x_shape, ctx.kernel_size = x_pad.shape, x.shape, (KH, KW)
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        return out.reshape(F, OH, OW, N).transpose(3, 0, 1, 2)  # (N, F, OH, OW)  view

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        columns, weight_rows = ctx.saved
        N, F, OH, OW = grad_out.shape
        N, C, H, W = ctx.x_shape
        KH, KW = ctx.kernel_size
        PH, PW = ctx.padding
        blocks = _group_blocks(ctx.groups, F, weight_rows.shape[1])
        grad_rows = grad_out.transpose(1, 2, 3, 0).reshape(F, OH * OW * N)
        # dL/dY (F, OH*OW*N)  view when grad_out is stored as forward returned it, else copy
        grad_x = grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = np.empty(weight_rows.shape, dtype=grad_out.dtype)  # (F, C/G*KH*KW)
            for f, r in blocks:
                np.matmul(grad_rows[f], columns[r].T, out=grad_w[f])  # dY @ X^T
            grad_w = grad_w.reshape(F, C // ctx.groups, KH, KW)  # (F, C/G, KH, KW)  view
        if ctx.needs_input_grad[0]:
            if columns is not None and columns.flags.writeable:
                grad_columns = columns  # X is dead once dL/dWm exists: dL/dX reuses its memory
            else:
                grad_columns = np.empty((C * KH * KW, OH * OW * N), dtype=grad_out.dtype)
            for f, r in blocks:
                np.matmul(weight_rows[f].T, grad_rows[f], out=grad_columns[r])  # Wm^T @ dY
            grad_windows = grad_columns.reshape(C, KH, KW, OH, OW, N).transpose(5, 0, 3, 4, 1, 2)
            # (N, C, OH, OW, KH, KW)  view, no copy
            grad_x_pad = windows_adjoint(grad_windows, ctx.x_pad_shape, ctx.stride, ctx.dilation)
            grad_x = grad_x_pad[:, :, PH : PH + H, PW : PW + W]  # (N, C, H, W)  view, unpadded
        if len(ctx.needs_input_grad) == 2:
            return grad_x, grad_w
        grad_b = grad_rows.sum(axis=1) if ctx.needs_input_grad[2] else None  # (F,)
        return grad_x, grad_w, grad_b
