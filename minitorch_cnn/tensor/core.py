"""``Tensor``: a NumPy array plus the bookkeeping reverse-mode autograd needs.

A tensor holds its values in ``_data`` (an ``np.ndarray``), a gradient ``grad`` (a Tensor
filled by ``backward`` for leaves that require grad), ``_ctx`` (the graph edge to the op that
produced it, ``None`` for a leaf, shown as ``grad_fn``) and a version number bumped by every
in-place change. ``.data`` is a Tensor too, as in PyTorch: the same values, outside the
graph. ``np.asarray(t)`` and ``t.numpy()`` give the array itself.

This file holds what makes a tensor a tensor: creation, the data/grad properties, backward
and in-place updates. The arithmetic, reductions and shape methods -- each one line calling
an op from ``ops/`` -- are in ``tensor/methods.py`` and ``tensor/extras.py``; conversions
(``numpy``, ``item``, ``to``, ``float``, printing) in ``tensor/conversions.py``; the dtype
rules in ``dtypes.py``.

Read next: ``tensor/methods.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import autograd
from .. import device as devices
from ..dtypes import as_array
from .conversions import TensorConversions
from .indexing import TensorIndexing
from .methods import normalize_index


class _Version:
    """A counter shared by a tensor and the tensors that share its values (``.data``,
    ``detach()``): a change through any of them is a change to all."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class Tensor(TensorConversions, TensorIndexing):
    """An n-dimensional array that can record the operations applied to it.

    Parameters
    ----------
    data : array_like
        ``np.ndarray`` (dtype kept), Python number or nested list (float32, as
        ``torch.Tensor``; ``tensor()`` infers int64/bool as ``torch.tensor``), or a Tensor
        (its array is shared).
    requires_grad : bool
        Record operations on this tensor so ``backward`` can fill ``.grad``. Only floating
        point tensors can require grad.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([[2., 4.],
            [6., 8.]])
    """

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self._data: np.ndarray = as_array(data, dtype, python_floats=True)
        self._grad: Tensor | None = None
        self._ctx: autograd.Context | None = None
        self._version_counter = _Version()
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _from_op(cls, data: np.ndarray, ctx: autograd.Context | None) -> Tensor:
        """Wrap an op's output; ``ctx`` is its graph edge (None when nothing was recorded)."""
        out = cls.__new__(cls)
        out._data, out._grad, out._ctx = data, None, ctx
        out._version_counter = _Version()
        out._requires_grad = ctx is not None
        return out

    def _new(self, array: np.ndarray) -> Tensor:
        """A new tensor outside the graph holding ``array`` (comparisons, argmax, operands)."""
        return Tensor(array)

    def _sharing(self) -> Tensor:
        """A tensor outside the graph with the same values and the same version counter."""
        out = Tensor._from_op(self._data, None)
        out._version_counter = self._version_counter
        return out

    # ----- the autograd properties ----------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether backward fills ``.grad`` for this leaf (a bool; floats only)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be a bool, got {type(value).__name__} {value!r}")
        if value and self._data.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require grad, got dtype {self._data.dtype}"
            )
        if not value and self._ctx is not None:
            raise RuntimeError(
                "requires_grad can only be switched off on a leaf; use detach() on a result"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def data(self) -> Tensor:
        """The same values as a tensor outside the graph (writes through it change self)."""
        return self._sharing()

    @data.setter
    def data(self, value: Any) -> None:
        self._data = as_array(value)
        self._bump_version()

    @property
    def grad(self) -> Tensor | None:
        """dL/d(self) after a backward (None until then), a tensor of self's shape."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad must be a Tensor or None, got {type(value).__name__}")
            if value.shape != self.shape:
                raise ValueError(
                    f"grad must have the tensor's shape {self.shape}, got {value.shape}"
                )
        self._grad = value

    @property
    def grad_fn(self) -> autograd.Context | None:
        """The op that made this tensor (None for a leaf); see ``autograd.Context``."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        """True for a tensor made by the user, not by an op."""
        return self._ctx is None

    @property
    def _version(self) -> int:
        return self._version_counter.value

    def _bump_version(self) -> None:
        self._version_counter.value += 1

    # ----- autograd -------------------------------------------------------------------
    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, into ``leaf.grad``.

        Gradients *add* into ``.grad`` (over uses and over calls: ``zero_grad()`` between
        steps). The graph's saved buffers are freed on the way, so each graph is walked once,
        unless ``retain_graph=True``. ``create_graph`` (gradients of gradients) is not
        supported.
        ``gradient`` is dL/d(self), of self's shape; it may be omitted only when self has one
        element (a loss), where it defaults to 1.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran inside no_grad())"
            )
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs: backward() "
                    f"without a gradient needs a one-element tensor, got shape {self.shape}"
                )
            grad_array = np.ones(self.shape, dtype=self.dtype)
        else:
            grad_array = as_array(gradient, self.dtype)
            if grad_array.shape != self.shape:
                raise ValueError(
                    f"gradient must have the tensor's shape {self.shape}, got {grad_array.shape}"
                )
        if create_graph:
            raise NotImplementedError("create_graph=True (higher-order gradients) is not supported")
        autograd.backward(self, grad_array, retain_graph=bool(retain_graph))

    def _accumulate_grad(self, grad: np.ndarray) -> None:
        """Add ``grad`` into ``.grad``. A first gradient is copied: it may be a view of an
        array that an op or the caller still holds."""
        if self._grad is None:
            self._grad = Tensor(np.array(grad, dtype=self.dtype, copy=True))
        else:
            self._grad._data += grad
            self._grad._bump_version()

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self._grad = None

    def detach(self) -> Tensor:
        """A tensor sharing this data but cut from the graph (requires_grad=False)."""
        return self._sharing()

    # ----- in-place updates (outside the graph) ---------------------------------------
    def _in_place(self, op: str) -> np.ndarray:
        """The array to write into, after PyTorch's check that no graph needs the old values."""
        if self.requires_grad and autograd.is_grad_enabled():
            what = "a leaf Variable that requires grad" if self._ctx is None else "a result"
            raise RuntimeError(
                f"{op}: {what} is being used in an in-place operation; wrap the update in "
                "`with torch.no_grad():` (or write through .data)"
            )
        self._bump_version()
        return self._data

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        """``self += alpha * other`` in place (outside the graph)."""
        self._in_place("add_")[...] += np.asarray(other) * alpha if alpha != 1 else other
        return self

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        """``self -= alpha * other`` in place (outside the graph)."""
        self._in_place("sub_")[...] -= np.asarray(other) * alpha if alpha != 1 else other
        return self

    def mul_(self, other: Any) -> Tensor:
        """``self *= other`` in place (outside the graph)."""
        self._in_place("mul_")[...] *= np.asarray(other)
        return self

    def div_(self, other: Any) -> Tensor:
        """``self /= other`` in place (outside the graph)."""
        self._in_place("div_")[...] /= np.asarray(other)
        return self

    def pow_(self, exponent: Any) -> Tensor:
        """``self **= exponent`` in place (outside the graph)."""
        self._in_place("pow_")[...] **= np.asarray(exponent)
        return self

    # ``x += y`` and friends: in place (``param -= lr * param.grad`` under no_grad updates
    # the parameter itself). A result inside a recorded graph is not rewritten: the operator
    # gives a new node instead, which is what the name then refers to.
    def _augmented(self, in_place: str, operator: str, other: Any) -> Tensor:
        if self._ctx is not None and autograd.is_grad_enabled():
            return getattr(self, operator)(other)
        return getattr(self, in_place)(other)

    def __iadd__(self, other: Any) -> Tensor:
        return self._augmented("add_", "__add__", other)

    def __isub__(self, other: Any) -> Tensor:
        return self._augmented("sub_", "__sub__", other)

    def __imul__(self, other: Any) -> Tensor:
        return self._augmented("mul_", "__mul__", other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._augmented("div_", "__truediv__", other)

    def copy_(self, src: Any) -> Tensor:
        """Write ``src``'s values (broadcast, cast to self's dtype) into self."""
        np.copyto(self._in_place("copy_"), np.asarray(src), casting="unsafe")
        return self

    def fill_(self, value: float) -> Tensor:
        """Set every entry to ``value`` in place."""
        self._in_place("fill_").fill(value)
        return self

    def zero_(self) -> Tensor:
        """Set every entry to 0 in place."""
        return self.fill_(0)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Clip every entry into ``[min, max]`` in place."""
        data = self._in_place("clamp_")
        np.clip(data, min, max, out=data)
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples uniform on ``[a, b)`` (the default generator unless given)."""
        from ..generator import resolve_generator

        unit = resolve_generator(generator).random(self.shape)
        self._in_place("uniform_")[...] = unit * (b - a) + a
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std**2)."""
        from ..generator import resolve_generator

        draw = resolve_generator(generator).standard_normal(self.shape)
        self._in_place("normal_")[...] = draw * std + mean
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        self._in_place("__setitem__")[normalize_index(index)] = np.asarray(value)


def tensor(
    data: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Create a ``Tensor``, inferring the dtype from Python data as ``torch.tensor`` does
    (``device`` can only be the CPU; ``pin_memory`` is accepted and means nothing here).

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> mt.tensor([1.5, 2.0]).dtype, mt.tensor([1, 2]).dtype, mt.tensor([True]).dtype
    (dtype('float32'), dtype('int64'), dtype('bool'))
    """
    devices.require_cpu(device)
    return Tensor(as_array(data, dtype), requires_grad=requires_grad)
