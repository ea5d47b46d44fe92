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


def _operands(op: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b``, checked to broadcast.

    A ValueError names ``op`` and both shapes when they do not: NumPy's own message
    ("operands could not be broadcast together") names neither the op nor which axis is at
    fault.
    """
    for axis in range(-1, -min(a.ndim, b.ndim) - 1, -1):
        if a.shape[axis] != b.shape[axis] and 1 not in (a.shape[axis], b.shape[axis]):
            raise ValueError(
                f"{op}: shapes {a.shape} and {b.shape} do not broadcast: axis {axis} has "
                f"lengths {a.shape[axis]} and {b.shape[axis]} (they must be equal, or one of them 1)"
            )
    return a, b


class Add(Function):
    """``y = a + b``.  dL/da = dL/dy,  dL/db = dL/dy."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = _operands("a + b (Add)", a, b)
        return a + b

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return grad_out, grad_out


class Sub(Function):
    """``y = a - b``.  dL/da = dL/dy,  dL/db = -dL/dy."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = _operands("a - b (Sub)", a, b)
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
        a, b = _operands("a * b (Mul)", a, b)
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
        a, b = _operands("a / b (Div)", a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # x/0 = inf, 0/0 = nan, silently
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
        a, b = _operands("a ** b (Pow)", a, b)
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
        # The mask takes grad_out's dtype first: NumPy multiplies two float arrays with its
        # SIMD loop, where float * bool would cast the bool inside the loop.
        grad_x = (y > 0).astype(grad_out.dtype)
        grad_x *= grad_out
        return (grad_x,)


class Abs(Function):
    """``y = |x|``.  dL/dx = dL/dy * sign(x) (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        return (grad_out * np.sign(x),)


class Clamp(Function):
    """``y = min(max(x, low), high)`` (either bound may be None).

    dL/dx = dL/dy where low <= x <= high (the bounds included, as in PyTorch), else 0.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, low=None, high=None) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return np.clip(x, low, high)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        inside = np.ones(x.shape, dtype=bool)
        if ctx.low is not None:
            inside &= x >= ctx.low
        if ctx.high is not None:
            inside &= x <= ctx.high
        return (grad_out * inside,)


class Cast(Function):
    """``y = x.astype(dtype)`` (a copy, also for the same dtype: ``clone``).

    Between float dtypes the values pass unchanged, so dL/dx = dL/dy (the engine casts it
    back to x's dtype). A cast to an int or bool dtype is not differentiable (PyTorch's rule):
    its result never requires grad.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dtype: np.dtype = None) -> np.ndarray:
        return x.astype(dtype, copy=True)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return (grad_out,)


class Sin(Function):
    """``y = sin(x)``.  dL/dx = dL/dy * cos(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        return (grad_out * np.cos(x),)


class Cos(Function):
    """``y = cos(x)``.  dL/dx = -dL/dy * sin(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        return (-grad_out * np.sin(x),)


class Where(Function):
    """``y = a where condition else b`` (``condition`` a bool array, not differentiated).

    Each output entry is a copy of one input's entry, so its gradient goes to that input:
    dL/da = dL/dy where condition, else 0;  dL/db = dL/dy where not condition, else 0.
    (``masked_fill`` is ``where(mask, value, x)``.)
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray, condition=None) -> np.ndarray:
        a, b = _operands("where(condition, a, b) (Where)", a, b)
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        zero = np.zeros((), dtype=grad_out.dtype)
        return np.where(ctx.condition, grad_out, zero), np.where(ctx.condition, zero, grad_out)
