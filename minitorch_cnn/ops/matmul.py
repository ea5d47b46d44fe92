"""Matrix multiplication, including stacks of matrices (batched ``@``).

For ``Y = A @ B`` with A (M, K), B (K, N), Y (M, N):
``Y[m, n] = sum_k A[m, k] B[k, n]``, so
``dL/dA[m, k] = sum_n dL/dY[m, n] B[k, n]`` i.e. dL/dA = dL/dY @ B^T   (M, N) @ (N, K)
``dL/dB[k, n] = sum_m A[m, k] dL/dY[m, n]`` i.e. dL/dB = A^T @ dL/dY   (K, M) @ (M, N)
Stacks broadcast over their leading axes like NumPy; the engine sums the gradient of a
broadcast stack back to its shape.

Read next: ``ops/loss.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


class MatMul(Function):
    """``y = a @ b`` with NumPy's rules (1-D operands are promoted, then the axis dropped)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"matmul needs at least 1-D operands, got shapes {a.shape} and {b.shape}"
            )
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ValueError(
                f"matmul shapes {a.shape} and {b.shape} do not match: a's last axis "
                f"({a.shape[-1]}) must equal b's {'second-to-last' if b.ndim > 1 else 'only'} "
                f"axis ({b.shape[-2 if b.ndim > 1 else 0]})"
            )
        stack_a, stack_b = a.shape[:-2], b.shape[:-2]  # () for 1-D and 2-D operands
        try:
            np.broadcast_shapes(stack_a, stack_b)
        except ValueError:
            raise ValueError(
                f"matmul shapes {a.shape} and {b.shape} do not match: the stack axes "
                f"{stack_a} and {stack_b} do not broadcast"
            ) from None
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        a, b = ctx.saved
        # Promote 1-D operands to matrices as the forward did: a (K,) -> (1, K), b (K,) -> (K, 1).
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        # Give grad_out back the axes the forward dropped. Positions count from the front:
        # for vec @ vec grad_out is 0-d and has no axis -2 to insert before.
        grad2 = grad_out
        if a.ndim == 1:  # (..., N) -> (..., 1, N);  vec @ vec: () -> (1,)
            grad2 = np.expand_dims(grad2, grad2.ndim - 1 if b.ndim > 1 else 0)
        if b.ndim == 1:  # (..., M) -> (..., M, 1)
            grad2 = np.expand_dims(grad2, grad2.ndim)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = np.matmul(grad2, np.swapaxes(b2, -1, -2))  # (..., M, K)
            grad_a = grad_a[..., 0, :] if a.ndim == 1 else grad_a  # (..., K) for a 1-D a
        if ctx.needs_input_grad[1]:
            if b2.ndim == 2 and b2.flags.f_contiguous and not b2.flags.c_contiguous:
                # b is a transposed view (F.linear's weight.T): compute (dL/dB)^T = dL/dY^T @ A
                # and hand back its transpose, so the gradient has b's layout and the
                # weight's own gradient comes out C-contiguous (the optimizer's in-place
                # update on mixed layouts was 5x slower).
                grad_b = np.swapaxes(np.matmul(np.swapaxes(grad2, -1, -2), a2), -1, -2)  # (K, N)
            else:
                grad_b = np.matmul(np.swapaxes(a2, -1, -2), grad2)  # (..., K, N)
            grad_b = grad_b[..., 0] if b.ndim == 1 else grad_b  # (..., K) for a 1-D b
        return grad_a, grad_b  # the engine sums broadcast stack axes back
