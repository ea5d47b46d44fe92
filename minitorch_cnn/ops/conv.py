r"""2-D convolution as one matrix product over a strided window view (im2col).

``y[n, f, oh, ow] = b[f] + sum_{c, i, j} w[f, c, i, j] * x_pad[n, c, oh*SH + i*DH, ow*SW + j*DW]``

(a cross-correlation, as in every deep-learning library). Lay each output pixel's window
out as one column of a matrix ``X`` (C*KH*KW, OH*OW*N) and the filters as the rows of
``Wm`` (F, C*KH*KW); then the whole convolution is ``Y = Wm @ X``, one GEMM -- the fastest
routine NumPy has. ``windows.im2col`` gives ``X`` as a view; the reshape before the product
is the only copy.

The columns are ordered with the batch innermost, and every array this op creates is stored
batch-innermost, (C, H, W, N) behind an (N, C, H, W) view. The reason is NumPy's cost per
contiguous run, not memory: with stride 1, a window row of the whole batch (OW*N values) is
one run, where the usual (N, C, H, W) order cuts it into N runs of OW. For 32->64 channels
at 14x14, batch 64, the column copy took 0.8 ms instead of 1.8 and the input-gradient
slice-adds (``windows_adjoint``) 3.3 instead of 5.6 on a busy machine; one MNISTConvNet
training step went from a median of 39 to 31 ms over 5 alternating runs. The price: a
gradient handed to backward in the usual batch-major order (by a caller, not by the ReLU or
pooling after this op, which keep the layout) costs one transposing copy, about 1 ms for the
64x32x28x28 output of conv 1->32 (``benchmarks/bench_conv.py`` times both). Elementwise ops
meeting such an output and an ordinary array first bring the ordinary one to this layout
(``elementwise.common_layout``): NumPy runs the mixed pair up to 20x slower. Copying *out*
of this layout into C order (``np.ascontiguousarray(y.data)``) is a slow direction for
NumPy's copy: about 9 ms for that same output.

Read next: ``ops/pool.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .windows import im2col, pad2d, windows_adjoint

_BATCH_INNERMOST = [1, 2, 3, 0]  # memory order (C, H, W, N) of an (N, C, H, W) array


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

    The last two lines are a transposed convolution in disguise. Computing it instead as a
    real one (dilate dL/dY by the stride, pad, take windows, contract with the flipped kernel)
    measured 2.4x slower for 32->64 channels at 14x14 and needs a column matrix F*KH*KW rows
    tall (294 GiB for the ViT patch embedding); one GEMM followed by KH*KW slice-adds is both
    faster and the same code for every stride. A GEMM per kernel tap, each followed by its
    slice-add, measured the same as the single GEMM, so the simpler form stays.

    ``forward`` keeps the column matrix ``X`` for dL/dWm (when the weight needs a gradient):
    building it again in backward would cost a second copy (2 ms of ~20 for 32->64 at
    14x14), at the price of holding KH*KW times the input's bytes until backward. Once
    dL/dWm is computed, ``X`` is dead and dL/dX has its shape, so dL/dX is written into
    ``X``'s buffer (unless ``X`` is a read-only view of x, e.g. for a 1x1 kernel). A
    fresh 14 MiB buffer for 32->64 at 14x14 cost ~2400 page faults per step (glibc hands
    freed big blocks back to the kernel): fwd+bwd went from 20 to 15 ms.
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
        x_pad = pad2d(x, padding, order=_BATCH_INNERMOST)
        # (N, C, H+2PH, W+2PW)  copy stored (C, H, W, N) (x itself when no padding)
        columns = im2col(x_pad, (KH, KW), stride, dilation).transpose(0, 1, 2, 4, 5, 3)
        # (C, KH, KW, OH, OW, N)  view, no copy
        OH, OW = columns.shape[3:5]
        columns = columns.reshape(C * KH * KW, OH * OW * N)
        # (C*KH*KW, OH*OW*N)  copy happens here
        weight_rows = weight.reshape(F, C_group * KH * KW)  # (F, C/G*KH*KW)  view, no copy
        out = np.empty((F, OH * OW * N), dtype=x.dtype)
        for f, r in _group_blocks(groups, F, C_group * KH * KW):
            np.matmul(weight_rows[f], columns[r], out=out[f])  # (F/G, OH*OW*N)
        if bias is not None:
            out += bias[:, None]  # (F, 1) broadcast over every pixel
        ctx.save_for_backward(columns if ctx.needs_input_grad[1] else None, weight_rows)
        ctx.x_pad_shape, ctx.x_shape, ctx.kernel_size = x_pad.shape, x.shape, (KH, KW)
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        # The GEMM produced (F, OH, OW, N); hand it out as an (N, F, OH, OW) view instead of
        # paying a transposing copy. The next conv's padding copy then moves whole rows of
        # the batch, and backward gets its gradient back in the same layout, where the
        # reshape to (F, OH*OW*N) is free.
        return out.reshape(F, OH, OW, N).transpose(3, 0, 1, 2)  # (N, F, OH, OW)  view, no copy

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        columns, weight_rows = ctx.saved
        N, F, OH, OW = grad_out.shape
        N, C, H, W = ctx.x_shape
        KH, KW = ctx.kernel_size
        PH, PW = ctx.padding
        groups = ctx.groups
        blocks = _group_blocks(groups, F, weight_rows.shape[1])
        grad_rows = grad_out.transpose(1, 2, 3, 0).reshape(F, OH * OW * N)
        # (F, OH*OW*N)  view when grad_out is batch-innermost (as forward returned it), else copy
        grad_x = grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = np.empty(weight_rows.shape, dtype=grad_out.dtype)
            # This GEMM contracts over the long OH*OW*N axis into a small output. OpenBLAS's
            # 2-thread GEMM does that well only when the output is at least as tall as wide:
            # the other orientation measured 3x slower for 32->64 (288 x 64) and 100x slower
            # for 1->32 (9 x 32) on a busy machine. Transposing the result is a tiny copy.
            tall = weight_rows.shape[1] >= F // groups  # C/G*KH*KW >= F/G
            for f, r in blocks:
                if tall:
                    grad_w[f] = (columns[r] @ grad_rows[f].T).T  # (C/G*KH*KW, F/G) transposed
                else:
                    np.matmul(grad_rows[f], columns[r].T, out=grad_w[f])  # (F/G, C/G*KH*KW)
            grad_w = grad_w.reshape(F, C // groups, KH, KW)  # (F, C/G, KH, KW)  view
        if ctx.needs_input_grad[0]:
            if columns is not None and columns.flags.writeable:
                grad_columns = columns  # a private copy, dead once dL/dWm exists: reuse it
            else:
                grad_columns = np.empty((C * KH * KW, OH * OW * N), dtype=grad_out.dtype)
            for f, r in blocks:
                np.matmul(weight_rows[f].T, grad_rows[f], out=grad_columns[r])
                # (C/G*KH*KW, OH*OW*N)
            grad_windows = grad_columns.reshape(C, KH, KW, OH, OW, N).transpose(5, 0, 3, 4, 1, 2)
            # (N, C, OH, OW, KH, KW)  view, no copy; grad_x comes out batch-innermost too
            grad_x_pad = windows_adjoint(grad_windows, ctx.x_pad_shape, ctx.stride, ctx.dilation)
            grad_x = grad_x_pad[:, :, PH : PH + H, PW : PW + W]  # (N, C, H, W)  view, unpadded
        if len(ctx.needs_input_grad) == 2:
            return grad_x, grad_w
        grad_b = grad_rows.sum(axis=1) if ctx.needs_input_grad[2] else None  # (F,)
        return grad_x, grad_w, grad_b
