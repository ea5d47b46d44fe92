"""Shape ops: ``reshape``, ``transpose`` and indexing move entries without changing them.

Each backward moves the gradient back the way the entries came: reshape it back, apply the
inverse permutation, or scatter it into zeros at the indexed positions.

Read next: ``ops/matmul.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Context, Function


def _require_ints(op: str, values: tuple) -> None:
    """TypeError unless every entry of a shape or axes tuple is an int (bools are not)."""
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{op} expects a tuple of ints, got {values!r}")


class Reshape(Function):
    """``y = x.reshape(shape)``.  dL/dx = (dL/dy).reshape(x.shape): same entries, same order."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...] | None = None) -> np.ndarray:
        if shape is None:
            raise TypeError("reshape() needs a shape, e.g. x.reshape(2, 3)")
        _require_ints("reshape", shape)
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {x.shape} ({x.size} entries) into {shape}"
            ) from None

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return (grad_out.reshape(ctx.input_shape),)


class Transpose(Function):
    """``y = x.transpose(axes)`` (reverse all axes when ``axes`` is None).

    y[i_axes[0], i_axes[1], ...] = x[i_0, i_1, ...], so dL/dx is dL/dy permuted by the
    inverse permutation ``np.argsort(axes)``.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
        given = tuple(range(x.ndim))[::-1] if axes is None else tuple(axes)
        _require_ints("transpose", given)
        in_range = all(-x.ndim <= a < x.ndim for a in given)
        axes = tuple(a % max(x.ndim, 1) for a in given)  # -1 -> ndim - 1: argsort needs >= 0
        if not in_range or sorted(axes) != list(range(x.ndim)):
            raise ValueError(
                f"transpose axes must be a permutation of 0..{x.ndim - 1}, got {given}"
            )
        ctx.axes = axes
        return x.transpose(axes)  # view, no copy

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return (grad_out.transpose(np.argsort(ctx.axes)),)


def _is_basic(index: Any) -> bool:
    """True for indices made of ints, slices, None and Ellipsis (they select distinct entries)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


class GetItem(Function):
    """``y = x[index]`` for basic slicing and integer-array indexing.

    dL/dx = zeros(x.shape) with dL/dy added at the selected positions. Basic indices select
    each entry at most once, so a plain assignment scatters; integer arrays may select an
    entry several times, whose gradients must add up: ``np.add.at`` does that (this op is not
    on a hot path).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: Any = None) -> np.ndarray:
        ctx.index, ctx.input_shape, ctx.dtype = index, x.shape, x.dtype
        try:
            return np.asarray(x[index])
        except (IndexError, TypeError) as error:
            raise type(error)(
                f"cannot index a tensor of shape {x.shape} with {index!r}: {error}"
            ) from None

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        grad_x = np.zeros(ctx.input_shape, dtype=ctx.dtype)
        if _is_basic(ctx.index):
            grad_x[ctx.index] = grad_out
        else:
            np.add.at(grad_x, ctx.index, grad_out)
        return (grad_x,)


class TakeAlongAxis(Function):
    """``y = np.take_along_axis(x, indices, axis)``: one entry per slice along ``axis``.

    ``max(dim)`` uses it to return the values at its indices, so that the gradient goes to
    the one index reported (PyTorch's rule), not shared among ties. With one index per
    slice no entry is picked twice, so the backward writes instead of adding: dL/dx is zeros
    with dL/dy put back at ``indices`` along ``axis``.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, indices=None, axis: int = 0) -> np.ndarray:
        ctx.indices, ctx.axis, ctx.input_shape, ctx.dtype = indices, axis, x.shape, x.dtype
        return np.take_along_axis(x, indices, axis)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        grad_x = np.zeros(ctx.input_shape, dtype=ctx.dtype)
        np.put_along_axis(grad_x, ctx.indices, grad_out, ctx.axis)
        return (grad_x,)


class Concatenate(Function):
    """``y = np.concatenate(xs, axis)``.  Each input's gradient is its slice of dL/dy along
    ``axis``: the entries are only placed side by side."""

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, axis: int = 0) -> np.ndarray:
        ctx.axis, ctx.bounds = axis, np.cumsum([x.shape[axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return tuple(np.split(grad_out, ctx.bounds, axis=ctx.axis))


class Expand(Function):
    """``y = np.broadcast_to(x, shape)``: a read-only view repeating x along length-1 axes.

    Every copy of an entry sends its gradient back, so dL/dx is dL/dy summed over the
    repeated axes -- exactly what the engine's ``unbroadcast`` does, so backward passes
    dL/dy on unchanged.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple = ()) -> np.ndarray:
        try:
            return np.broadcast_to(x, shape)  # view, no copy
        except ValueError:
            raise ValueError(f"cannot expand a tensor of shape {x.shape} to {shape}") from None

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return (grad_out,)


class Repeat(Function):
    """``y = np.tile(x, repeats)``: x copied ``repeats[i]`` times along axis i.

    With x of shape (s0, s1, ...) (padded with leading 1s to len(repeats)), y reshaped to
    (r0, s0, r1, s1, ...) holds one copy per (r0, r1, ...); dL/dx sums dL/dy over the copies:
    the sum of that reshape over the r axes.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, repeats: tuple = ()) -> np.ndarray:
        if len(repeats) < x.ndim:
            raise ValueError(
                f"repeat needs at least one count per dimension ({x.ndim}), got {repeats}"
            )
        ctx.input_shape = x.shape
        return np.tile(x, repeats)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        sizes = (1,) * (grad_out.ndim - len(ctx.input_shape)) + ctx.input_shape
        counts = [n // s for n, s in zip(grad_out.shape, sizes)]
        split = grad_out.reshape([d for pair in zip(counts, sizes) for d in pair])
        # (r0, s0, r1, s1, ...)  view
        grad_x = split.sum(axis=tuple(range(0, split.ndim, 2)))  # (s0, s1, ...)
        return (grad_x.reshape(ctx.input_shape),)
