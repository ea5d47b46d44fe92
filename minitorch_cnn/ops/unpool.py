r"""Max unpooling: put each value back where its max pooling found it.

``max_pool2d(..., return_indices=True)`` reports, for each output, the flat index h*W + w
of the input pixel that won. ``MaxUnpool2d`` is the partial inverse: an output of zeros
with every value written at its index, so the maxima return to their places and everything
else is lost.

Read next: ``ops/scatter.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


class MaxUnpool2d(Function):
    r"""``y[n, c].flat[indices[n, c, h, w]] = x[n, c, h, w]``, zeros elsewhere.

    x (N, C, H, W) and indices (N, C, H, W), int64 in [0, OH*OW) -> y (N, C, OH, OW). Each
    (n, c) plane is a flat vector of OH*OW entries, written with ``np.put_along_axis``. When
    two entries share an index, one of them is kept (which one is unspecified, as in
    PyTorch).

    Backward: with distinct indices y is a scatter, linear in x, and its adjoint a gather:

        dL/dx[n, c, h, w] = dL/dy[n, c].flat[indices[n, c, h, w]]      (N, C, H, W)

    PyTorch applies this gather even where indices repeat (each entry receives the gradient
    of the position it was written to, kept or not), and so does this op.
    """

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, indices: np.ndarray, output_size: tuple[int, int]
    ) -> np.ndarray:
        N, C, H, W = x.shape
        OH, OW = output_size
        flat_indices = indices.reshape(N, C, H * W)  # (N, C, H*W)
        out = np.zeros((N, C, OH * OW), dtype=x.dtype)
        np.put_along_axis(out, flat_indices, x.reshape(N, C, H * W), axis=2)
        ctx.flat_indices, ctx.x_shape = flat_indices, x.shape
        return out.reshape(N, C, OH, OW)  # view, no copy

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        N, C, OH, OW = grad_out.shape
        grad_flat = grad_out.reshape(N, C, OH * OW)  # (N, C, OH*OW)  copy unless contiguous
        grad_x = np.take_along_axis(grad_flat, ctx.flat_indices, axis=2)  # (N, C, H*W)
        return (grad_x.reshape(ctx.x_shape),)
