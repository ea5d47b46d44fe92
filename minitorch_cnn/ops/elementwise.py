"""Elementwise ops: each output entry depends on the matching input entries only.

So every backward is the chain rule entry by entry: ``grad_x = grad_out * dy/dx`` with
``dy/dx`` evaluated at the same position. Broadcasting is the engine's job: these backwards
return gradients in the output's (broadcast) shape and ``autograd.unbroadcast`` sums them back.
No op writes into ``grad_out``: it may be a read-only view.

Read next: ``ops/reduce.py``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


def _check_broadcast(op: str, a: np.ndarray, b: np.ndarray) -> None:
    """Raise a ValueError naming ``op`` and both shapes when ``a`` and ``b`` do not broadcast.

    NumPy's own message ("operands could not be broadcast together") names neither the op
    nor which axis is at fault; this one does, before any work is done.
    """
    for axis in range(-1, -min(a.ndim, b.ndim) - 1, -1):
        if a.shape[axis] != b.shape[axis] and 1 not in (a.shape[axis], b.shape[axis]):
            raise ValueError(
                f"{op}: shapes {a.shape} and {b.shape} do not broadcast: axis {axis} has "
                f"lengths {a.shape[axis]} and {b.shape[axis]} (they must be equal, or one of them 1)"
            )


class Add(Function):
    """``y = a + b``.  dL/da = dL/dy,  dL/db = dL/dy."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_broadcast("a + b (Add)", a, b)
        return a + b

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return grad_out, grad_out


class Sub(Function):
    """``y = a - b``.  dL/da = dL/dy,  dL/db = -dL/dy."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_broadcast("a - b (Sub)", a, b)
        if a.dtype == b.dtype == np.bool_:
            raise TypeError("a - b (Sub) needs int or float operands, got dtypes bool and bool")
        return a - b

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return grad_out, (-grad_out if ctx.needs_input_grad[1] else None)


class Neg(Function):
    """``y = -x``.  dL/dx = -dL/dy."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype == np.bool_:
            raise TypeError("-x (Neg) needs an int or float operand, got dtype bool")
        return -x

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return (-grad_out,)


class Mul(Function):
    """``y = a * b``.  dL/da = dL/dy * b,  dL/db = dL/dy * a."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_broadcast("a * b (Mul)", a, b)
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        a, b = ctx.saved
        grad_a = grad_out * b if ctx.needs_input_grad[0] else None
        grad_b = grad_out * a if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    """``y = a / b``.  dL/da = dL/dy / b,  dL/db = -dL/dy * a / b**2 = -dL/dy * y / b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_broadcast("a / b (Div)", a, b)
        y = a / b
        ctx.save_for_backward(b, y)
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        b, y = ctx.saved
        grad_a = grad_out / b if ctx.needs_input_grad[0] else None
        grad_b = -grad_out * y / b if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Pow(Function):
    """``y = a ** b``.

    dL/da = dL/dy * b * a**(b - 1);  dL/db = dL/dy * y * log(a), needed only when the
    exponent itself requires grad (then ``a`` must be positive for a finite log).
    Where b == 0, y = 1 is constant in a, so dL/da = 0 -- also at a = 0, where the formula
    would give 0 * inf = nan (PyTorch sets the same 0).
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_broadcast("a ** b (Pow)", a, b)
        y = a**b
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        a, b, y = ctx.saved
        grad_a = None
        if ctx.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 where b == 0
                grad_a = grad_out * np.where(b == 0, 0, b * a ** (b - 1))
        grad_b = grad_out * y * np.log(a) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Exp(Function):
    """``y = exp(x)``.  dL/dx = dL/dy * exp(x) = dL/dy * y (save the output, not x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (y,) = ctx.saved
        return (grad_out * y,)


class Log(Function):
    """``y = log(x)`` (natural log).  dL/dx = dL/dy / x.

    As in NumPy and PyTorch, ``log(0) = -inf`` and ``log(x < 0) = nan`` (NumPy's
    divide/invalid warnings are silenced; use ``detect_anomaly`` to catch them), and the
    gradient at 0 is ``inf``.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad_out / x,)


class ReLU(Function):
    """``y = max(x, 0)``.  dL/dx = dL/dy where x > 0, else 0.

    At the kink x = 0 the gradient is taken as 0 (as in PyTorch). Only the output is saved:
    ``y > 0`` is the same mask as ``x > 0``.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (y,) = ctx.saved
        # The mask is made float first, then multiplied in place: NumPy multiplies two float32
        # arrays with SIMD, but float32 * bool casts the bool inside the loop (measured on
        # 64x32x28x28: 1.4-1.6 ms for grad_out * (y > 0), 0.8-1.0 ms this way; np.where is 9x
        # slower). float32 stays float32: the mask takes grad_out's dtype.
        grad_x = (y > 0).astype(grad_out.dtype)  # (N, C, H, W)  y's layout
        grad_x *= grad_out
        return (grad_x,)
