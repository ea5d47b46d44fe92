"""The Tensor's conversions: to NumPy and Python (``numpy``, ``__array__``, ``item``,
``tolist``, ``bool``/``int``/``float``), to other dtypes and devices (``to``, ``type``,
``float``, ``long``, ...), copies (``clone``, ``copy.deepcopy``) and printing.

Read next: ``tensor/indexing.py``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import device as devices
from ..dtypes import as_dtype, type_name
from ..ops import elementwise
from .extras import TensorExtras
from .methods import TensorMethods

if TYPE_CHECKING:
    from typing_extensions import Self


class TensorConversions(TensorExtras):
    """Mixed into ``Tensor`` after ``TensorExtras``; ``Self`` is that ``Tensor`` class."""

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self._data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to a Python "
                f"number (item() needs one element, got shape {self.shape})"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of numbers."""
        return self._data.tolist()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{self.shape}); use .any() or .all()"
            )
        return bool(self._data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype}")
        return int(self.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __repr__(self) -> str:
        body = _format_values(self._data)
        if self._data.size == 0 and self.ndim != 1:
            body += f", size={tuple(self.shape)}"
        default = np.float32 if self.dtype.kind == "f" else np.int64
        dtype = "" if self.dtype in (default, np.bool_) else f", dtype=torch.{self.dtype.name}"
        grad = (
            f", grad_fn=<{self._ctx.name()}>"
            if self._ctx is not None
            else ", requires_grad=True"
            if self.requires_grad
            else ""
        )
        return f"tensor({body}{dtype}{grad})"

    def to(self, *args: Any, **kwargs: Any) -> Self:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(other_tensor)``: the
        device must be the CPU; a new dtype gives a converted tensor, else self."""
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None), kwargs.pop("copy", None)
        for arg in (*args, kwargs.pop("device", None)):
            if isinstance(arg, TensorMethods):
                dtype = arg.dtype
            elif arg is not None and not devices.is_device(arg):
                dtype = arg
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        return self if dtype is None else self.type(dtype)

    def type(self, dtype: Any = None) -> Self | str:
        """The type name (no argument), or this tensor converted to ``dtype``."""
        if dtype is None:
            return type_name(self.dtype)
        target = as_dtype(dtype)
        if target == self.dtype:
            return self
        if target.kind == "f" and self.dtype.kind == "f":
            return elementwise.Cast.apply(self, dtype=target)  # differentiable
        return self._new(self._data.astype(target))

    def float(self) -> Self:
        """``to(float32)``."""
        return self.type(np.float32)

    def double(self) -> Self:
        """``to(float64)``."""
        return self.type(np.float64)

    def long(self) -> Self:
        """``to(int64)``."""
        return self.type(np.int64)

    def int(self) -> Self:
        """``to(int32)``."""
        return self.type(np.int32)

    def bool(self) -> Self:
        """``to(bool)``."""
        return self.type(np.bool_)

    def clone(self) -> Self:
        """A copy (of values, and in the graph: the gradient passes through)."""
        return elementwise.Cast.apply(self, dtype=self.dtype)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor's value, as ``f"{label}"`` does a
        0-d tensor's (PyTorch's); other tensors without a spec give ``str``."""
        if self._data.ndim == 0 or (spec and self._data.size == 1):
            return format(self.item(), spec)
        return format(str(self), spec)

    def __deepcopy__(self, memo: dict) -> Self:
        """A copy of a leaf with its own values, grad and version (``copy.deepcopy``); a
        result inside a graph is refused, as in PyTorch (it would copy the whole graph)."""
        if self._ctx is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol; deepcopy x.detach() instead"
            )
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.__dict__.update({k: copy.deepcopy(v, memo) for k, v in vars(self).items()})
        return new

    def contiguous(self) -> Self:
        """Self when its entries are already in row-major order, else a row-major copy
        (in the graph): every op here reads any layout, but ``is_contiguous`` reports it."""
        return self if self._data.flags.c_contiguous else self.reshape(-1).reshape(self.shape)

    def cpu(self) -> Self:
        """Self: tensors live on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Self:
        """A clear error: this package runs on the CPU only."""
        devices.device("cuda")  # raises: this package runs on the CPU
        return self

    @property
    def device(self) -> devices.device:
        """``device('cpu')``, the only device."""
        return devices.device("cpu")

    is_cuda = False


def _edges(array: np.ndarray, items: int = 3) -> np.ndarray:
    """The entries a summarized print shows: the first and last ``items`` along each axis."""
    for axis, size in enumerate(array.shape):
        if size > 2 * items:
            keep = np.r_[0:items, size - items : size]
            array = np.take(array, keep, axis=axis)
    return array


def _format_values(array: np.ndarray) -> str:
    """The values as PyTorch prints them: floats with 4 decimals (``1.`` when all are whole
    numbers, ``1.0000e+05`` when they span more than 1000x or leave [1e-4, 1e8]), every
    entry right-aligned to the widest, at most 1000 entries before ``...``, 80 columns."""
    summarize = array.size > 1000
    shown = _edges(array) if summarize else array
    if array.dtype.kind == "f":
        finite = shown[np.isfinite(shown)].astype(np.float64)
        nonzero = np.abs(finite[finite != 0])
        whole = bool(np.all(finite == np.ceil(finite)))
        spread = nonzero.size > 0 and (
            nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8
            or (not whole and nonzero.min() < 1e-4)
        )  # fmt: skip
        pattern = "{:.4e}" if spread else "{:.0f}." if whole else "{:.4f}"

        def text(value: Any) -> str:
            return pattern.format(value) if np.isfinite(value) else str(value)

        sized = shown[np.isfinite(shown) & (shown != 0)]  # PyTorch sizes by these
    else:
        text, sized = str, shown
    width = max((len(text(v)) for v in sized.flat), default=1)
    body = np.array2string(
        array,
        formatter={"all": lambda v: text(v).rjust(width)},
        separator=", ",
        prefix="tensor(",
        threshold=1000,
        edgeitems=3,
        max_line_width=81,  # numpy counts the closing bracket; PyTorch's 80 columns do not
    )
    return body.replace(", ...,", ",  ...,")  # PyTorch's elided entries print as " ..."
