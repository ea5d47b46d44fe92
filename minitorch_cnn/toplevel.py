"""PyTorch's top-level functions: ``torch.max(x, 1)``, ``torch.flatten(x, 1)`` and the like
are the Tensor method of the same name, called on the first argument; ``cat``/``stack`` join
tensors; the ``*_like``, ``arange``, ``full``, ``randint`` and ``from_numpy`` factories.

Read next: ``dtypes.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .creation import default_generator
from .ops.shape import Concatenate
from .tensor import Tensor, tensor


def _method(name: str) -> Any:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 -- PyTorch's name
        subject = input if isinstance(input, Tensor) else tensor(input)
        return getattr(subject, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``{name}(input, ...)`` is ``input.{name}(...)``: see ``Tensor.{name}``."
    return function


max = _method("max")  # noqa: A001
min = _method("min")  # noqa: A001
sum = _method("sum")  # noqa: A001
mean = _method("mean")
argmax = _method("argmax")
flatten = _method("flatten")
exp = _method("exp")
log = _method("log")
matmul = _method("matmul")
mm = _method("mm")
relu = _method("relu")
sqrt = _method("sqrt")
abs = _method("abs")  # noqa: A001
clamp = _method("clamp")
argmin = _method("argmin")
permute = _method("permute")
transpose = _method("transpose")
unsqueeze = _method("unsqueeze")
squeeze = _method("squeeze")
reshape = _method("reshape")
eq = _method("eq")


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors joined along ``dim`` (all other sizes equal); differentiable."""
    tensors = [t if isinstance(t, Tensor) else tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat() expects a non-empty sequence of tensors")
    return Concatenate.apply(*tensors, axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors (all of one shape) stacked along a new axis ``dim``."""
    tensors = [t if isinstance(t, Tensor) else tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack() expects a non-empty sequence of tensors")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}")
    return Tensor(array)


def zeros_like(input: Tensor, dtype: Any = None) -> Tensor:  # noqa: A002
    return Tensor(np.zeros(input.shape, dtype=dtype or input.dtype))


def ones_like(input: Tensor, dtype: Any = None) -> Tensor:  # noqa: A002
    return Tensor(np.ones(input.shape, dtype=dtype or input.dtype))


def full(size: Sequence[int], fill_value: float, dtype: Any = None) -> Tensor:
    """A tensor of ``fill_value`` (float32 for a float, int64 for an int, as PyTorch)."""
    default = np.float32 if isinstance(fill_value, float) else None
    return tensor(np.full(tuple(size), fill_value, dtype=dtype or default))


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
    """``start, start + step, ...`` below ``end``: int64 for ints, float32 otherwise."""
    if end is None:
        start, end = 0, start
    ints = all(isinstance(v, int) for v in (start, end, step))
    return Tensor(np.arange(start, end, step, dtype=dtype or (np.int64 if ints else np.float32)))


def randint(low: int, high: int | None = None, size: Sequence[int] = (), generator=None) -> Tensor:
    """int64 samples uniform in ``[low, high)`` (``randint(high, size)`` as PyTorch)."""
    if high is None:
        low, high = 0, low
    rng = generator or default_generator()
    return Tensor(rng.integers(low, high, size=tuple(size), dtype=np.int64))
