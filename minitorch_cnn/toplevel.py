"""PyTorch's top-level functions: ``torch.max(x, 1)``, ``torch.flatten(x, 1)`` and the like
are the Tensor method of the same name, called on the first argument; ``cat``/``stack`` join
tensors. (The factories, ``zeros`` to ``randperm``, are in ``creation.py``.)

Read next: ``dtypes.py``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .autograd import set_grad_enabled
from .device import require_cpu
from .ops.shape import Concatenate
from .tensor import Tensor, tensor


def _method(name: str) -> Any:
    def function(input: Any, *args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:  # noqa: A002
        subject = input if isinstance(input, Tensor) else tensor(input)
        result = getattr(subject, name)(*args, **kwargs)
        return result if out is None else out.copy_(result)  # ``out=``: written into ``out``

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
ne = _method("ne")
lt = _method("lt")
le = _method("le")
gt = _method("gt")
ge = _method("ge")
add = _method("add")
sub = _method("sub")
mul = _method("mul")
div = _method("div")
pow = _method("pow")  # noqa: A001
neg = _method("neg")
square = _method("square")
sin = _method("sin")
cos = _method("cos")
norm = _method("norm")
std = _method("std")
var = _method("var")
amax = _method("amax")
amin = _method("amin")
logsumexp = _method("logsumexp")
maximum = _method("maximum")
minimum = _method("minimum")
masked_fill = _method("masked_fill")
isnan = _method("isnan")
isinf = _method("isinf")
isfinite = _method("isfinite")
clone = _method("clone")
detach = _method("detach")
numel = _method("numel")
is_floating_point = _method("is_floating_point")
chunk = _method("chunk")
split = _method("split")
unbind = _method("unbind")
gather = _method("gather")
index_select = _method("index_select")
topk = _method("topk")
sort = _method("sort")
bmm = _method("bmm")
dot = _method("dot")
cumsum = _method("cumsum")
prod = _method("prod")
flip = _method("flip")
argsort = _method("argsort")
t = _method("t")
floor = _method("floor")
ceil = _method("ceil")
round = _method("round")  # noqa: A001
sign = _method("sign")
remainder = _method("remainder")
floor_divide = _method("floor_divide")
sigmoid = _method("sigmoid")
tanh = _method("tanh")
softmax = _method("softmax")
log_softmax = _method("log_softmax")
scatter = _method("scatter")
scatter_add = _method("scatter_add")
index_fill = _method("index_fill")
nonzero = _method("nonzero")
bincount = _method("bincount")
unique = _method("unique")


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (both differentiable); with the
    condition alone, its non-zero positions (``nonzero(as_tuple=True)``)."""
    if input is None and other is None:
        return tensor(condition).nonzero(as_tuple=True)
    subject = input if isinstance(input, Tensor) else tensor(input)
    return subject.where(condition, other)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan=False):  # noqa: A002
    """True when every ``|input - other| <= atol + rtol * |other|``."""
    return bool(np.allclose(np.asarray(input), np.asarray(other), rtol, atol, equal_nan))


def equal(input: Any, other: Any) -> bool:  # noqa: A002
    """True when both have the same shape and values."""
    return bool(np.array_equal(np.asarray(input), np.asarray(other)))


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


def inference_mode(mode: bool = True) -> Any:
    """``no_grad`` under PyTorch's other name (``mode=False`` records as usual)."""
    return set_grad_enabled(not mode)


def set_default_device(device: Any) -> None:
    """Accepted for the CPU (the only device); any other device is a clear error."""
    require_cpu(device)


def get_default_dtype() -> np.dtype:
    """float32: what Python floats and the factories become."""
    return np.dtype(np.float32)


_threads: list[int] = []


def set_num_threads(n: int) -> None:
    """Accepted for PyTorch programs; NumPy's BLAS takes its thread count from the
    environment when it starts (``OMP_NUM_THREADS``), so this only records ``n``."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads expects a positive int, got {n!r}")
    _threads[:] = [n]


def get_num_threads() -> int:
    """The number given to ``set_num_threads``, else the machine's CPU count."""
    return _threads[0] if _threads else os.cpu_count() or 1


def set_printoptions(
    precision: int | None = None,
    threshold: int | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print (they print through NumPy, so this sets NumPy's print options)."""
    options = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    options["linewidth"] = linewidth
    if sci_mode is not None:
        options["suppress"] = not sci_mode
    np.set_printoptions(**{k: v for k, v in options.items() if v is not None})
