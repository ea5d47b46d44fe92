"""PyTorch's top-level functions (``torch.max(x, 1)``, ``torch.flatten(x, 1)``): each is
the Tensor method of the same name, called on the first argument.

Read next: ``dtypes.py``.
"""

from __future__ import annotations

from typing import Any

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
