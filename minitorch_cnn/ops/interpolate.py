"""Resampling an image to another size is linear in its pixels, one axis at a time.

Nearest and (bi)linear interpolation both compute each output row from at most two input
rows with fixed weights, and likewise for columns. With ``A_H`` (OH, H) holding the row
weights and ``A_W`` (OW, W) the column weights, every (n, c) plane is
``y = A_H @ x @ A_W^T``. ``functional/interpolate.py`` builds the matrices; this op applies
one matrix per trailing axis, whatever the mode.

Read next: ``ops/pad.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


def _along(x: np.ndarray, matrix: np.ndarray, axis: int) -> np.ndarray:
    """``matrix`` (M, x.shape[axis]) applied along ``axis``: that axis becomes length M."""
    return np.moveaxis(np.tensordot(matrix, x, axes=([1], [axis])), 0, axis)  # copy


class Resample(Function):
    """``y = x`` with trailing axis k multiplied by ``matrices[k]``:
    ``y = A_H @ x @ A_W^T`` per (n, c) plane for two matrices.

    Backward: y is linear in x, so dL/dx is its adjoint applied to dL/dy, each matrix
    transposed: dL/dx = A_H^T @ dL/dy @ A_W   ((H, OH) @ (OH, OW) @ (OW, W)).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, matrices: tuple = ()) -> np.ndarray:
        ctx.matrices = matrices
        first = x.ndim - len(matrices)
        for k, matrix in enumerate(matrices):
            x = _along(x, matrix.astype(x.dtype, copy=False), first + k)
        return x

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        first = grad_out.ndim - len(ctx.matrices)
        for k, matrix in enumerate(ctx.matrices):
            grad_out = _along(grad_out, matrix.T.astype(grad_out.dtype, copy=False), first + k)
        return (grad_out,)
