"""PyTorch's top-level functions: ``torch.max(x, 1)``, ``torch.flatten(x, 1)`` and the like
are the Tensor method of the same name, called on the first argument; ``cat``/``stack`` join
tensors. (The factories, ``zeros`` to ``randperm``, are in ``creation.py``.)

Read next: ``dtypes.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
