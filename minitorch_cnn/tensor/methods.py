"""The Tensor's math: operators, reductions and shape methods, each one line calling an op.

Grep a method name and you find the math in ``ops/``. Names and arguments are PyTorch's:
reductions take ``dim``/``keepdim`` (NumPy's ``axis``/``keepdims`` are accepted as aliases,
as PyTorch accepts them), ``transpose(d0, d1)`` swaps two dims, ``max(dim)`` returns
``(values, indices)``. Type promotion is PyTorch's: an int tensor meeting a float one (or a
Python float) is cast to the float's dtype, a Python or NumPy scalar never upcasts a tensor,
and true division of ints gives float32.

Read next: ``tensor/extras.py``.
"""

from __future__ import annotations

import math
import numbers
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops import activation, elementwise, loss, matmul, reduce
from ..ops import shape as shape_ops

if TYPE_CHECKING:
    from typing_extensions import Self  # the Tensor class these methods are mixed into


def _return_type(name: str) -> type:
    """PyTorch's ``torch.return_types.<name>``: a named tuple ``(values, indices)``."""

    class ReturnType(namedtuple(name, ["values", "indices"])):
        __slots__ = ()

        def __repr__(self) -> str:
            return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    ReturnType.__name__ = ReturnType.__qualname__ = name
    return ReturnType


MaxResult, MinResult = _return_type("max"), _return_type("min")

_UFUNC_OPERATORS = {  # ufunc -> (method, reflected method for a tensor on the right)
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.equal: ("__eq__", "__eq__"),
    np.not_equal: ("__ne__", "__ne__"),
    np.less: ("__lt__", "__gt__"),
    np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"),
    np.greater_equal: ("__ge__", "__le__"),
}


class Size(tuple):
    """A tensor's shape, as ``torch.Size``: a tuple (it compares equal to one) that prints
    as ``torch.Size([2, 3])`` and knows its ``numel()``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __format__(self, spec: str) -> str:
        """Inside f-strings (error messages) a shape reads as the tuple it is."""
        return format(tuple(self), spec)

    def numel(self) -> int:
        """The number of entries a tensor of this shape holds."""
        return math.prod(self)

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> Size:
        return Size(tuple(self) + tuple(other))


def _dims(dim: Any, axis: Any) -> Any:
    """PyTorch's ``dim`` or NumPy's ``axis`` (one of them)."""
    if dim is not None and axis is not None:
        raise TypeError("give dim or axis, not both")
    return axis if dim is None else dim


def normalize_index(index: Any) -> Any:
    """Replace Tensors and lists inside an index by ndarrays, so NumPy sees a plain index."""

    def one(item: Any) -> Any:
        if isinstance(item, TensorMethods):
            return item._data
        if isinstance(item, list):
            return np.asarray(item)
        return item

    return tuple(one(i) for i in index) if isinstance(index, tuple) else one(index)


def _axis(value: Any, name: str, ndim: int) -> int:
    """An axis of an ``ndim``-D tensor as a non-negative int; TypeError/ValueError naming it."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if not -ndim <= value < max(ndim, 1):
        raise ValueError(f"{name} {value} is out of range for a {ndim}-D tensor")
    return int(value) % max(ndim, 1)


def _shape_args(args: tuple) -> tuple[int, ...]:
    """Accept ``f(1, 0)`` and ``f((1, 0))`` like PyTorch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


class TensorMethods:
    """Mixed into ``Tensor``: everything here is computed by ops, nothing stored. ``Self``
    in the annotations is that ``Tensor`` class."""

    _data: np.ndarray

    def _new(self, array: np.ndarray) -> Self:
        """A new tensor outside the graph holding ``array`` (``Tensor`` defines it)."""
        raise NotImplementedError

    # NumPy meets a tensor: arithmetic and comparisons give tensors (``array * t`` is
    # ``t.__rmul__(array)``), any other ufunc is applied to the array and gives an array.
    __array_priority__ = 1000

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "__call__" and ufunc in _UFUNC_OPERATORS and not kwargs:
            a, b = inputs
            name, reflected = _UFUNC_OPERATORS[ufunc]
            return getattr(a, name)(b) if isinstance(a, TensorMethods) else getattr(b, reflected)(a)
        arrays = [x._data if isinstance(x, TensorMethods) else x for x in inputs]
        return getattr(ufunc, method)(*arrays, **kwargs)

    # ----- operands and PyTorch's type promotion --------------------------------------
    def _operand(self, other: Any) -> Self:
        """``other`` as a Tensor; scalars take this tensor's dtype so they never upcast."""
        if isinstance(other, TensorMethods):
            return other
        if isinstance(other, (numbers.Number, np.generic)) or (
            isinstance(other, np.ndarray) and other.ndim == 0
        ):
            if self.dtype.kind == "f":
                return self._new(np.asarray(other, dtype=self.dtype))
            if isinstance(other, (float, np.floating)) or np.asarray(other).dtype.kind == "f":
                return self._new(np.asarray(other, dtype=np.float32))
            return self._new(np.asarray(other))
        if isinstance(other, (np.ndarray, list, tuple)):
            return self._new(np.asarray(other))
        raise TypeError(
            f"expected a Tensor, np.ndarray or number as operand, got {type(other).__name__}"
        )

    def _operands(self, other: Any, true_division: bool = False) -> tuple[Self, Self]:
        """``(self, other)`` as Tensors, an int/bool one cast to the float one's dtype (to
        float32 when both are ints and this is a true division)."""
        a, b = self, self._operand(other)
        if a.dtype.kind != "f" and b.dtype.kind == "f":
            a = a.type(b.dtype)
        elif a.dtype.kind == "f" and b.dtype.kind != "f":
            b = b.type(a.dtype)
        elif true_division and a.dtype.kind != "f":
            a, b = a.type(np.float32), b.type(np.float32)
        return a, b

    def __add__(self, other: Any) -> Self:
        return elementwise.Add.apply(*self._operands(other))

    def __radd__(self, other: Any) -> Self:
        return elementwise.Add.apply(*reversed(self._operands(other)))

    def __sub__(self, other: Any) -> Self:
        return elementwise.Sub.apply(*self._operands(other))

    def __rsub__(self, other: Any) -> Self:
        return elementwise.Sub.apply(*reversed(self._operands(other)))

    def __mul__(self, other: Any) -> Self:
        return elementwise.Mul.apply(*self._operands(other))

    def __rmul__(self, other: Any) -> Self:
        return elementwise.Mul.apply(*reversed(self._operands(other)))

    def __truediv__(self, other: Any) -> Self:
        return elementwise.Div.apply(*self._operands(other, true_division=True))

    def __rtruediv__(self, other: Any) -> Self:
        return elementwise.Div.apply(*reversed(self._operands(other, true_division=True)))

    def __pow__(self, other: Any) -> Self:
        return elementwise.Pow.apply(*self._operands(other))

    def __rpow__(self, other: Any) -> Self:
        return elementwise.Pow.apply(*reversed(self._operands(other)))

    def __matmul__(self, other: Any) -> Self:
        return matmul.MatMul.apply(*self._operands(other))

    def __rmatmul__(self, other: Any) -> Self:
        return matmul.MatMul.apply(*reversed(self._operands(other)))

    def __neg__(self) -> Self:
        return elementwise.Neg.apply(self)

    def __abs__(self) -> Self:
        return elementwise.Abs.apply(self)

    add, sub, mul, div, matmul, mm = __add__, __sub__, __mul__, __truediv__, __matmul__, __matmul__
    neg, abs, pow = __neg__, __abs__, __pow__

    # ----- comparisons: bool tensors, outside the graph -------------------------------
    def _compare(self, ufunc: Any, other: Any) -> Self:
        a, b = self._operands(other)
        return self._new(ufunc(a._data, b._data))

    def __eq__(self, other: Any) -> Self:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> Self:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> Self:
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> Self:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> Self:
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> Self:
        return self._compare(np.greater_equal, other)

    __hash__ = object.__hash__  # hashable by identity, as PyTorch's tensors
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # ----- elementwise functions ------------------------------------------------------
    def exp(self) -> Self:
        """``e ** x`` elementwise."""
        return elementwise.Exp.apply(self)

    def log(self) -> Self:
        """Natural log elementwise (``-inf`` at 0, ``nan`` below, as in NumPy)."""
        return elementwise.Log.apply(self)

    def relu(self) -> Self:
        """``max(x, 0)`` elementwise; the gradient at 0 is 0."""
        return elementwise.ReLU.apply(self)

    def sigmoid(self) -> Self:
        """``1 / (1 + exp(-x))`` elementwise, without overflow (ints become float32)."""
        return activation.Sigmoid.apply(self._floating())

    def tanh(self) -> Self:
        """``tanh(x)`` elementwise (ints become float32)."""
        return activation.Tanh.apply(self._floating())

    def _floating(self) -> Self:
        return self if self.dtype.kind == "f" else self.type(np.float32)

    def softmax(self, dim: int, dtype: Any = None) -> Self:
        """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (any finite logits)."""
        return self._along_dim(activation.Softmax, dim, dtype, "softmax")

    def log_softmax(self, dim: int, dtype: Any = None) -> Self:
        """``x - log(sum(exp(x)))`` along ``dim``, computed stably."""
        return self._along_dim(loss.LogSoftmax, dim, dtype, "log_softmax")

    def _along_dim(self, op: Any, dim: Any, dtype: Any, name: str, dim_name: str = "dim"):
        """``op`` along one checked ``dim`` of self cast to ``dtype``; a 0-d tensor counts
        as a one-element vector (its dims are 0 and -1, as in PyTorch)."""
        x = self if dtype is None else self.type(dtype)
        if x.dtype.kind != "f":
            raise TypeError(f"{name} input must be a floating point tensor, got dtype {x.dtype}")
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, (bool, np.bool_)):
            raise TypeError(f"{dim_name} must be an int, got {dim!r} ({type(dim).__name__})")
        size = max(x.ndim, 1)
        if not -size <= dim < size:
            raise ValueError(
                f"{dim_name} {dim} is out of range for a {x.ndim}-D tensor (expected a value "
                f"in [{-size}, {size - 1}])"
            )
        if x.ndim == 0:
            return op.apply(x.reshape(1), axis=0).reshape(())
        return op.apply(x, axis=int(dim))

    def sqrt(self) -> Self:
        """``x ** 0.5`` elementwise."""
        return self**0.5

    def clamp(self, min: float | None = None, max: float | None = None) -> Self:  # noqa: A002
        return elementwise.Clamp.apply(self, low=min, high=max)

    clip = clamp

    # ----- reductions -----------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims=None):
        keep = keepdim if keepdims is None else keepdims
        return reduce.Sum.apply(self, axis=_dims(dim, axis), keepdims=keep)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims=None):
        keep = keepdim if keepdims is None else keepdims
        return reduce.Mean.apply(self, axis=_dims(dim, axis), keepdims=keep)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims=None):
        """``max()``: the largest entry (ties share the gradient). ``max(dim)``:
        ``(values, indices)`` along ``dim``, the gradient going to each index."""
        if isinstance(dim, TensorMethods):  # torch.max(a, b): elementwise
            return self._compare(np.maximum, dim)
        keep = keepdim if keepdims is None else keepdims
        if dim is None:  # NumPy's axis= spelling keeps the values-only reduction
            return reduce.Max.apply(self, axis=axis, keepdims=keep)
        indices = self.argmax(dim, keepdim=True)
        values = shape_ops.TakeAlongAxis.apply(self, indices=indices._data, axis=dim)
        if not keep:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return MaxResult(values, indices)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims=None):
        if dim is None or not isinstance(dim, (int, np.integer)):
            return -((-self).max(dim, keepdim, axis=axis, keepdims=keepdims))
        values, indices = (-self).max(dim, keepdim)
        return MinResult(-values, indices)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None) -> Self:
        dim = _dims(dim, axis)
        if dim is None:
            return self._new(np.asarray(self._data.argmax()))
        return self._new(self._data.argmax(axis=dim, keepdims=keepdim))

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None) -> Self:
        return (-self).argmax(_dims(dim, axis), keepdim)

    def all(self) -> Self:
        return self._new(np.asarray(self._data.all()))

    def any(self) -> Self:
        return self._new(np.asarray(self._data.any()))

    # ----- sizes ----------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    def size(self, dim: int | None = None) -> Size | int:
        """The shape (a ``Size``, a tuple), or the length of axis ``dim``."""
        return self.shape if dim is None else self._data.shape[dim]

    def numel(self) -> int:
        return self._data.size

    def dim(self) -> int:
        return self._data.ndim

    nelement, ndimension = numel, dim

    # ----- shape ----------------------------------------------------------------------
    def reshape(self, *shape: int) -> Self:
        return shape_ops.Reshape.apply(self, shape=_shape_args(shape))

    view = reshape

    def view_as(self, other: Self) -> Self:
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Self:
        """Merge the axes ``start_dim..end_dim`` (both included) into one; a 0-d tensor
        flattens to one entry."""
        x = self.reshape(1) if self.ndim == 0 else self
        start, end = _axis(start_dim, "start_dim", x.ndim), _axis(end_dim, "end_dim", x.ndim)
        if start > end:
            raise ValueError(
                f"flatten start_dim {start_dim} comes after end_dim {end_dim} "
                f"(axes {start} and {end} of a {x.ndim}-D tensor)"
            )
        # the merged length spelled out: -1 is ambiguous for an empty batch (N = 0)
        merged = math.prod(x.shape[start : end + 1])
        return x.reshape(x.shape[:start] + (merged,) + x.shape[end + 1 :])

    def permute(self, *dims: int) -> Self:
        return shape_ops.Transpose.apply(self, axes=_shape_args(dims))

    def transpose(self, dim0: int, dim1: int) -> Self:
        axes = list(range(self.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return self.permute(*axes)

    def t(self) -> Self:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.permute(*reversed(range(self.ndim)))

    @property
    def T(self) -> Self:  # noqa: N802 -- PyTorch's name
        return self.permute(*reversed(range(self.ndim)))

    def unsqueeze(self, dim: int) -> Self:
        dim = dim % (self.ndim + 1)
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim: int | None = None) -> Self:
        if dim is None:
            return self.reshape(*(n for n in self.shape if n != 1))
        dim = dim % max(self.ndim, 1)
        if self.ndim == 0 or self.shape[dim] != 1:
            return self
        return self.reshape(*self.shape[:dim], *self.shape[dim + 1 :])

    def __getitem__(self, index: Any) -> Self:
        """``t[index]``: ints, slices, None, ``...`` and int or bool arrays, as in NumPy."""
        return shape_ops.GetItem.apply(self, index=normalize_index(index))
