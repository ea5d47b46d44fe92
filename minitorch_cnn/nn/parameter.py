"""``Parameter``: a tensor a ``Module`` learns; ``UninitializedParameter``: one whose shape a
lazy layer learns on its first call.

Assigning a ``Parameter`` to a module attribute is what registers it (``module.py``);
anything else under a parameter's name is a TypeError, as in PyTorch.

Read next: ``nn/attributes.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import device as devices
from ..dtypes import as_dtype
from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that a ``Module`` learns: ``requires_grad=True`` unless told otherwise.

    Parameters
    ----------
    data : Tensor or np.ndarray, any shape, optional
        A Tensor keeps its dtype (as in PyTorch, where a float64 tensor gives a float64
        parameter); a NumPy array is stored as float32, the package's default. The values are
        shared, not copied, unless the array is read-only (optimizers update in place).
        Omitted: an empty float32 tensor.
    requires_grad : bool
        Integer data is allowed only with ``requires_grad=False``.

    Raises
    ------
    TypeError
        If ``data`` is not a Tensor or array of numbers, or is not floating point while
        ``requires_grad`` is True.
    """

    def __init__(self, data: Tensor | np.ndarray | None = None, requires_grad: bool = True) -> None:
        array = np.empty(0, np.float32) if data is None else getattr(data, "_data", data)
        kind = array.dtype.kind if isinstance(array, np.ndarray) else None
        if kind not in ("f", "b", "i", "u") or (kind != "f" and requires_grad):
            raise TypeError(
                "Parameter expects a floating point Tensor or np.ndarray, got "
                f"{type(data).__name__}"
                + (f" of dtype {array.dtype}" if hasattr(array, "dtype") else "")
            )
        if not isinstance(data, Tensor) and kind == "f":
            array = array.astype(np.float32, copy=False)
        super().__init__(array if array.flags.writeable else array.copy(), requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class UninitializedParameter(Parameter):
    """A parameter without a shape yet: what a lazy layer (``nn.LazyLinear``) holds until its
    first call, when ``materialize`` gives it its shape and values and turns it into a plain
    ``Parameter`` -- the same object, so an optimizer built before the first call still
    updates it.

    Until then its ``shape``, ``size()`` and ``numel()`` are errors, as in PyTorch (count a
    lazy model's parameters after one forward pass). ``dtype`` is known: ``module.to(float64)``
    before the first call gives float64 parameters.
    """

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        devices.require_cpu(device)
        dtype = np.float32 if dtype is None else as_dtype(dtype)
        super().__init__(Tensor(np.empty(0, dtype)), requires_grad)

    @property
    def shape(self) -> tuple[int, ...]:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter (a lazy layer's, before "
            "its first call). Call forward once (e.g. on a dummy batch) to initialize it."
        )

    def numel(self) -> int:
        raise ValueError(
            "numel() of an uninitialized parameter: a lazy layer learns its parameters' "
            "shapes on its first call; call forward once (e.g. on a dummy batch) first"
        )

    def materialize(self, shape: tuple[int, ...], device: Any = None, dtype: Any = None) -> None:
        """Give the parameter ``shape`` (zeros, in its dtype unless ``dtype`` is given) and
        make it a plain ``Parameter``, in place."""
        devices.require_cpu(device)
        self._data = np.zeros(shape, self._data.dtype if dtype is None else as_dtype(dtype))
        self._bump_version()
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return "<UninitializedParameter>"
