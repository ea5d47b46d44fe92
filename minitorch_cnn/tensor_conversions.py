"""The Tensor's conversions: to NumPy and Python (``numpy``, ``__array__``, ``item``,
``tolist``, ``bool``/``int``/``float``), to other dtypes and devices (``to``, ``type``,
``float``, ``long``, ...), copies (``clone``, ``copy.deepcopy``) and printing.

Read next: ``toplevel.py``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from . import device as devices
from .dtypes import as_dtype, type_name
from .ops import elementwise
from .tensor_extras import TensorExtras
from .tensor_methods import TensorMethods

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
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
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
        """``f"{loss:.4f}"`` formats a one-element tensor's value; no spec gives ``str``."""
        if spec and self._data.size == 1:
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
        """Self: every op here reads any memory layout."""
        return self

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
