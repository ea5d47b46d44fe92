"""Reductions: ``sum``, ``mean`` and ``max`` over some axes.

A reduction maps many inputs to one output, so its backward sends one output gradient back
to many inputs: re-insert the reduced axes as length 1 (``keepdims``) and broadcast.

Read next: ``ops/shape.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


def normalize_axis(axis: int | tuple[int, ...] | list[int] | None, ndim: int) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative axes (None means every axis).

    Raises
    ------
    ValueError
        If an axis is out of range for ``ndim`` dimensions or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    normalized = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"axis must be an int or a tuple of ints, got {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        if ndim > 0:  # a 0-d tensor accepts axis 0 or -1 (as in PyTorch) and reduces nothing
            normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis!r} repeats an axis")
    return tuple(sorted(normalized))


def _require_bool(keepdims: object) -> None:
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"keepdims must be a bool, got {keepdims!r}")


def _expand(grad_out: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Give ``grad_out`` back its reduced axes as length 1, so it broadcasts over the input."""
    return grad_out if keepdims else np.expand_dims(grad_out, axes)


class Sum(Function):
    """``y = x.sum(axis)``.  dL/dx[i] = dL/dy[i with the reduced axes dropped]:
    every summed entry contributed with slope 1, so it receives the gradient unchanged."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        ctx.axes = normalize_axis(axis, x.ndim)
        _require_bool(keepdims)
        ctx.keepdims = keepdims
        ctx.input_shape = x.shape
        return np.asarray(x.sum(axis=ctx.axes, keepdims=keepdims))

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        grad = _expand(grad_out, ctx.axes, ctx.keepdims)
        return (np.broadcast_to(grad, ctx.input_shape),)  # view, no copy


class Mean(Function):
    """``y = x.mean(axis)`` over ``n`` entries.  dL/dx = dL/dy / n, broadcast like ``Sum``."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        ctx.axes = normalize_axis(axis, x.ndim)
        _require_bool(keepdims)
        ctx.keepdims = keepdims
        ctx.input_shape = x.shape
        ctx.count = int(np.prod([x.shape[a] for a in ctx.axes]))
        return np.asarray(x.mean(axis=ctx.axes, keepdims=keepdims))

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        grad = _expand(grad_out, ctx.axes, ctx.keepdims) / ctx.count  # int count: no upcast
        return (np.broadcast_to(grad, ctx.input_shape),)


class Max(Function):
    """``y = x.max(axis)``.

    dL/dx[i] = dL/dy * [x[i] == y] / (number of entries equal to the max in that group).
    Ties split the gradient equally among the tied entries (like PyTorch's ``amax``), so the
    total gradient of each group is exactly dL/dy and the result is symmetric in the ties.
    (Max pooling follows PyTorch's other convention -- one winner -- see ``ops/pool.py``.)
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        axes = normalize_axis(axis, x.ndim)
        _require_bool(keepdims)
        if x.size == 0:
            raise ValueError(f"max() of an empty tensor of shape {x.shape} has no value")
        y_kept = x.max(axis=axes, keepdims=True)
        ctx.save_for_backward(x, y_kept)
        ctx.axes, ctx.keepdims = axes, keepdims
        return y_kept if keepdims else np.squeeze(y_kept, axis=axes)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        x, y_kept = ctx.saved
        winners = x == y_kept  # (x.shape) True at each group's max
        ties = winners.sum(axis=ctx.axes, keepdims=True)  # (y_kept.shape) >= 1
        grad = _expand(grad_out, ctx.axes, ctx.keepdims) / ties
        return ((winners * grad).astype(x.dtype, copy=False),)


class CumSum(Function):
    """``y = x.cumsum(axis)``: y[k] = x[0] + ... + x[k] along ``axis``.

    x[i] appears in every y[k] with k >= i, so dL/dx[i] = sum over k >= i of dL/dy[k]: the
    cumulative sum of dL/dy taken from the end, i.e. ``flip(cumsum(flip(dL/dy)))``.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = 0) -> np.ndarray:
        (ctx.axis,) = normalize_axis(axis, x.ndim) or (0,)
        return np.cumsum(x, axis=ctx.axis, dtype=x.dtype if x.dtype.kind == "f" else None)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        reversed_ = np.flip(grad_out, axis=ctx.axis)
        return (np.flip(np.cumsum(reversed_, axis=ctx.axis), axis=ctx.axis),)


class Prod(Function):
    """``y = x.prod(axis)`` (all entries when ``axis`` is None).

    dL/dx[i] = dL/dy * (product of the other entries of its group). That product is written
    without dividing by x[i] (which may be 0): the product of the entries before i times the
    product of those after i, two exclusive cumulative products along the axis.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        ctx.flat = axis is None
        flat = x.reshape(-1) if ctx.flat else x
        (ctx.axis,) = (0,) if ctx.flat else normalize_axis(axis, x.ndim)
        _require_bool(keepdims)
        ctx.keepdims, ctx.input_shape = keepdims, x.shape
        ctx.save_for_backward(flat)
        return np.asarray(np.prod(flat, axis=ctx.axis, keepdims=keepdims and not ctx.flat))

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (flat,) = ctx.saved
        axis = ctx.axis
        ones = np.ones_like(np.take(flat, [0], axis=axis))  # (one slice along axis)
        before = np.cumprod(np.concatenate([ones, flat], axis=axis), axis=axis)
        before = np.delete(before, -1, axis=axis)  # product of the entries before each
        after = np.flip(
            np.cumprod(np.flip(np.concatenate([flat, ones], axis=axis), axis), axis), axis
        )
        after = np.delete(after, 0, axis=axis)  # product of the entries after each
        grad = grad_out if ctx.flat or ctx.keepdims else np.expand_dims(grad_out, axis)
        return ((grad * before * after).reshape(ctx.input_shape),)
