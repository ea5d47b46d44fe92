"""Elementwise ops: each output entry depends on the matching input entries only.

So every backward is the chain rule entry by entry: ``grad_x = grad_out * dy/dx`` with
``dy/dx`` evaluated at the same position. Broadcasting is the engine's job: these backwards
return gradients in the output's (broadcast) shape and ``autograd.unbroadcast`` sums them back.
Memory layout is handled here, once: two same-shape operands stored in different axis orders
(a convolution's batch-innermost output and an ordinary array) are brought to one order
first (``common_layout``), since NumPy is up to 20x slower on the mixed pair.
No op writes into ``grad_out``: it may be a read-only view.

Read next: ``ops/reduce.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


def _operands(op: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` checked to broadcast, and stored alike when they have the same shape.

    A ValueError names ``op`` and both shapes when they do not broadcast: NumPy's own message
    ("operands could not be broadcast together") names neither the op nor which axis is at
    fault. Same-shape operands whose axes lie in memory in different orders go through
    ``common_layout`` first.
    """
    for axis in range(-1, -min(a.ndim, b.ndim) - 1, -1):
        if a.shape[axis] != b.shape[axis] and 1 not in (a.shape[axis], b.shape[axis]):
            raise ValueError(
                f"{op}: shapes {a.shape} and {b.shape} do not broadcast: axis {axis} has "
                f"lengths {a.shape[axis]} and {b.shape[axis]} (they must be equal, or one of them 1)"
            )
    return common_layout(a, b)


def _axis_order(x: np.ndarray) -> list[int]:
    """The axes of ``x`` longer than 1, from the largest stride to the smallest."""
    return sorted(
        (axis for axis in range(x.ndim) if x.shape[axis] > 1),
        key=lambda axis: -abs(x.strides[axis]),
    )


def common_layout(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b``, one of them copied so that both store their axes in the same order.

    Only same-shape arrays whose axes lie in memory in different orders are touched: the
    usual case is a batch-innermost (N, C, H, W) array from ``ops/conv.py`` meeting an
    ordinary C-ordered one. NumPy's loop then reads one operand with a stride of N*4 bytes
    per element: for 64x32x28x28 float32, ``a * b`` took 10.5 ms instead of 0.5. The
    C-ordered operand is the one copied into the other's layout, because NumPy copies that
    way round at full speed (1.0 ms) and the other way round no faster than the mixed product.
    """
    if a.shape != b.shape or a.ndim < 2 or 0 in a.strides + b.strides:
        return a, b  # broadcasting (stride 0) or nothing to reorder
    if _axis_order(a) == _axis_order(b):
        return a, b
    if a.flags.c_contiguous:
        return _copy_like(a, like=b), b
    return a, _copy_like(b, like=a)


def _copy_like(x: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A copy of ``x`` (same dtype) whose axes lie in memory in ``like``'s order."""
    copy = np.empty_like(like, dtype=x.dtype)  # order="K": like's axis order
    np.copyto(copy, x)  # copy happens here
    return copy


def _product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * y`` for the backwards, where ``grad_out`` may come in another layout."""
    return np.multiply(*common_layout(x, y))


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
        grad_a = _product(grad_out, b) if ctx.needs_input_grad[0] else None
        grad_b = _product(grad_out, a) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    """``y = a / b``.  dL/da = dL/dy / b,  dL/db = -dL/dy * a / b**2 = -dL/dy * y / b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = _operands("a / b (Div)", a, b)
        y = a / b
        ctx.save_for_backward(b, y)
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        b, y = ctx.saved
        grad_a = np.divide(*common_layout(grad_out, b)) if ctx.needs_input_grad[0] else None
        grad_b = -_product(grad_out, y) / b if ctx.needs_input_grad[1] else None
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
        return (_product(grad_out, y),)


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
            return (np.divide(*common_layout(grad_out, x)),)


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
        y, grad_out = common_layout(y, grad_out)
        # The mask is made float first, then multiplied in place: NumPy multiplies two float32
        # arrays with SIMD, but float32 * bool casts the bool inside the loop (measured on
        # 64x32x28x28: 1.4-1.6 ms for grad_out * (y > 0), 0.8-1.0 ms this way; np.where is 9x
        # slower). float32 stays float32: the mask takes grad_out's dtype.
        grad_x = (y > 0).astype(grad_out.dtype)  # (N, C, H, W)  y's layout
        grad_x *= grad_out
        return (grad_x,)
