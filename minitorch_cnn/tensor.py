"""``Tensor``: a NumPy array plus the bookkeeping reverse-mode autograd needs.

A tensor holds ``data`` (an ``np.ndarray``), ``grad`` (filled by ``backward`` for leaves
that require grad) and ``_ctx``, the graph edge to the op that produced it (``None`` for a
leaf). Every method is one line calling an op from ``ops/``: grep a method name and you find
the math.

The dtype rules, in one place (``_as_array``): Python numbers and lists become float32 (as in
PyTorch); NumPy arrays keep their dtype, so float64 stays float64 (gradcheck relies on it) and
int arrays stay int (and can never require grad). A Python or NumPy *scalar* combined with a
tensor takes the tensor's dtype, so ``float32_tensor * 0.5`` stays float32. An int tensor
meeting a float one is cast to the float's dtype first (``_operands``), as in PyTorch.

Read next: ``ops/elementwise.py``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import autograd
from .ops import elementwise, matmul, reduce
from .ops import shape as shape_ops


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Turn user data into an ndarray following the dtype rules above."""
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, (numbers.Number, np.generic, list, tuple)):
        try:
            array = np.asarray(data)
        except ValueError:  # NumPy speaks of an "inhomogeneous shape"; say what is wrong
            raise ValueError(
                "expected a rectangular nested list (every row the same length), got a ragged "
                f"one: {data!r:.80}"
            ) from None
        if dtype is None and array.dtype.kind in "biuf" and not isinstance(data, np.generic):
            array = array.astype(np.float32)  # Python data -> float32, as in PyTorch
    else:
        raise TypeError(
            f"expected a Tensor, np.ndarray, number or (nested) list, got {type(data).__name__}"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"expected numeric data (bool, int or float), got an array of dtype {array.dtype}"
        )
    if dtype is not None:
        try:
            target = np.dtype(dtype)
        except TypeError:  # NumPy's "data type 'x' not understood"
            target = None
        if target is None or target.kind not in "biuf":
            raise TypeError(f"dtype must be a NumPy bool, int or float dtype, got {dtype!r}")
        array = array.astype(target, copy=False)
    return array


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Parameters
    ----------
    data : array_like
        ``np.ndarray`` (dtype kept), Python number or nested list (becomes float32), or a
        ``Tensor`` (its array is shared).
    requires_grad : bool
        Record operations on this tensor so ``backward`` can fill ``.grad``. Only floating
        point tensors can require grad.

    Raises
    ------
    TypeError
        For non-numeric data or ``dtype``, or ``requires_grad=True`` on a non-float tensor.
    ValueError
        For a ragged nested list.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    # Make NumPy defer to our reflected operators: np.float64(2) * t calls t.__rmul__.
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self._data: np.ndarray = _as_array(data, dtype)
        if requires_grad and self._data.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require grad, got dtype {self._data.dtype}"
            )
        self.requires_grad: bool = bool(requires_grad)
        self._grad: np.ndarray | None = None
        self._ctx: autograd.Context | None = None

    @classmethod
    def _from_op(cls, data: np.ndarray, ctx: autograd.Context | None) -> Tensor:
        """Wrap an op's output; ``ctx`` is its graph edge (None when nothing was recorded)."""
        out = cls.__new__(cls)
        out._data = data
        out.requires_grad = ctx is not None
        out._grad = None
        out._ctx = ctx
        return out

    # ----- properties and conversions -------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The values (the array ``_data`` that ops read)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = _as_array(value)

    @property
    def grad(self) -> np.ndarray | None:
        """dL/d(self) after a backward (None until then)."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = None if value is None else _as_array(value)

    @property
    def shape(self) -> tuple[int, ...]:
        """The length of each axis, as in NumPy."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of ``data`` (float32 unless made from a float64/int array)."""
        return self._data.dtype

    @property
    def size(self) -> int:
        """The number of entries."""
        return self._data.size

    @property
    def T(self) -> Tensor:
        """All axes reversed, ``transpose()``: the matrix transpose for a 2-D tensor."""
        return self.transpose()

    def __len__(self) -> int:
        return len(self._data)

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self._data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item() needs a one-element tensor, got shape {self.shape}")
        return self._data.item()

    def detach(self) -> Tensor:
        """A tensor sharing this data but cut from the graph (requires_grad=False)."""
        return Tensor(self._data)

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        grad = ", requires_grad=True" if self.requires_grad else ""
        dtype = "" if self.dtype == np.float32 else f", dtype={self.dtype}"
        return f"tensor({body}{dtype}{grad})"

    # ----- autograd -----------------------------------------------------------------
    def backward(self, grad: Any = None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, into ``leaf.grad``.

        Gradients *add* into ``.grad`` (over uses and over calls: ``zero_grad()`` between
        steps). The graph's saved buffers are freed on the way, so each graph is walked once.

        Parameters
        ----------
        grad : array_like, optional
            dL/d(self), same shape as ``self``. May be omitted only when ``self`` has one
            element (a loss), where it defaults to 1.

        Raises
        ------
        RuntimeError
            If ``self`` does not require grad, or its graph was already walked by a backward.
        ValueError
            If ``grad`` is omitted for a tensor with more than one element, or has the
            wrong shape.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran inside no_grad())"
            )
        if grad is None:
            if self._data.size != 1:
                raise ValueError(
                    "backward() without grad needs a one-element tensor (a loss), got shape "
                    f"{self.shape}; pass grad=<array of that shape>"
                )
            grad_array = np.ones(self.shape, dtype=self.dtype)
        else:
            grad_array = _as_array(grad, self.dtype)
            if grad_array.shape != self.shape:
                raise ValueError(
                    f"grad must have the tensor's shape {self.shape}, got {grad_array.shape}"
                )
        autograd.backward(self, grad_array)

    def _accumulate_grad(self, grad: np.ndarray, owned: bool = False) -> None:
        """Add ``grad`` into ``.grad``; a first gradient is kept as it is only when ``owned``
        (nothing else holds it, see ``autograd.backward``), else copied: it may alias a
        buffer that someone else will change."""
        if self._grad is None:
            keep = owned and grad.dtype == self.dtype
            self._grad = grad if keep else np.array(grad, dtype=self.dtype, copy=True)
        else:
            self._grad += grad

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    # ----- operators ------------------------------------------------------------------
    def _operand(self, other: Any) -> Tensor:
        """``other`` as a Tensor; scalars take this tensor's dtype so they never upcast."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (numbers.Number, np.generic)) or (
            isinstance(other, np.ndarray) and other.ndim == 0
        ):
            if self.dtype.kind == "f":
                return Tensor(np.asarray(other, dtype=self.dtype))
            if isinstance(other, (float, np.floating)) or np.asarray(other).dtype.kind == "f":
                return Tensor(np.asarray(other, dtype=np.float32))
            return Tensor(np.asarray(other))
        if isinstance(other, (np.ndarray, list, tuple)):
            return Tensor(other)
        raise TypeError(
            f"expected a Tensor, np.ndarray or number as operand, got {type(other).__name__}"
        )

    def _operands(self, other: Any) -> tuple[Tensor, Tensor]:
        """``(self, other)`` as Tensors ready for a binary op, with PyTorch's promotion:
        when one is an int/bool tensor and the other float, the int one is cast to the
        float's dtype (``int_tensor * 0.5`` is float32, ``float32 * int_array`` stays
        float32), where NumPy would promote to float64."""
        other = self._operand(other)
        if self.dtype.kind != "f" and other.dtype.kind == "f":
            return Tensor(self._data.astype(other.dtype)), other
        if self.dtype.kind == "f" and other.dtype.kind != "f":
            return self, Tensor(other._data.astype(self.dtype))
        return self, other

    def __add__(self, other: Any) -> Tensor:
        return elementwise.Add.apply(*self._operands(other))

    def __radd__(self, other: Any) -> Tensor:
        return elementwise.Add.apply(*reversed(self._operands(other)))

    def __sub__(self, other: Any) -> Tensor:
        return elementwise.Sub.apply(*self._operands(other))

    def __rsub__(self, other: Any) -> Tensor:
        return elementwise.Sub.apply(*reversed(self._operands(other)))

    def __mul__(self, other: Any) -> Tensor:
        return elementwise.Mul.apply(*self._operands(other))

    def __rmul__(self, other: Any) -> Tensor:
        return elementwise.Mul.apply(*reversed(self._operands(other)))

    def __truediv__(self, other: Any) -> Tensor:
        return elementwise.Div.apply(*self._operands(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return elementwise.Div.apply(*reversed(self._operands(other)))

    def __pow__(self, other: Any) -> Tensor:
        return elementwise.Pow.apply(*self._operands(other))

    def __rpow__(self, other: Any) -> Tensor:
        return elementwise.Pow.apply(*reversed(self._operands(other)))

    def __matmul__(self, other: Any) -> Tensor:
        return matmul.MatMul.apply(*self._operands(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul.MatMul.apply(*reversed(self._operands(other)))

    def __neg__(self) -> Tensor:
        return elementwise.Neg.apply(self)

    # ----- elementwise functions ------------------------------------------------------
    def exp(self) -> Tensor:
        """``e ** x`` elementwise."""
        return elementwise.Exp.apply(self)

    def log(self) -> Tensor:
        """Natural log elementwise (``-inf`` at 0, ``nan`` below, as in NumPy)."""
        return elementwise.Log.apply(self)

    def relu(self) -> Tensor:
        """``max(x, 0)`` elementwise; the gradient at 0 is 0."""
        return elementwise.ReLU.apply(self)

    # ----- reductions -----------------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (an int, a tuple, or None for all), as ``np.sum``."""
        return reduce.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (an int, a tuple, or None for all), as ``np.mean``."""
        return reduce.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``; tied maxima share its gradient equally (``ops.reduce.Max``)."""
        return reduce.Max.apply(self, axis=axis, keepdims=keepdims)

    # ----- shape ----------------------------------------------------------------------
    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """The entries in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, -1))``."""
        return shape_ops.Reshape.apply(self, shape=_unpack_axes(shape))

    def transpose(self, *axes: int | tuple[int, ...]) -> Tensor:
        """Permute the axes (NumPy's rule: no argument reverses them all)."""
        return shape_ops.Transpose.apply(self, axes=_unpack_axes(axes))

    def __getitem__(self, index: Any) -> Tensor:
        """``t[index]``: ints, slices, None, ``...`` and int or bool arrays, as in NumPy."""
        return shape_ops.GetItem.apply(self, index=shape_ops.normalize_index(index))


def _unpack_axes(args: tuple) -> tuple[int, ...] | None:
    """Accept ``f(1, 0)`` and ``f((1, 0))`` like NumPy; ``f()`` gives None."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args) if args else None


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Create a ``Tensor`` (see its docstring for the dtype rules).

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> mt.tensor([1, 2, 3]).dtype
    dtype('float32')
    >>> import numpy as np
    >>> mt.tensor(np.arange(3)).dtype
    dtype('int64')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)
