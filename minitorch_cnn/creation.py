"""Tensor factories, as PyTorch's: ``zeros``, ``ones``, ``full``, ``arange``, the random ones
and the ``*_like`` ones.

Each takes PyTorch's keywords ``dtype``, ``device`` and ``requires_grad``. The default dtype
is float32, as in PyTorch, except where PyTorch infers another one (``arange`` and ``full``
of ints give int64, ``randint`` and ``randperm`` int64). The device can only be the CPU.
Random factories draw from ``generator=`` or the package's default generator
(``generator.py``).

Read next: ``ops/elementwise.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .device import require_cpu
from .dtypes import as_dtype
from .generator import resolve_generator
from .tensor import Tensor


def _shape(shape: tuple, size: Any = None) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f(size=(2, 3))``; every size a non-negative
    int."""
    if size is not None:
        if shape:
            raise TypeError(f"give the sizes or size=, not both: got {shape} and size={size}")
        shape = (size,)
    dims = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    for size in dims:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
            raise ValueError(f"sizes must be non-negative ints, got shape {dims!r}")
    return tuple(int(s) for s in dims)


def _make(
    array: np.ndarray, dtype: Any, device: Any, requires_grad: bool, default: Any = np.float32
) -> Tensor:
    """Wrap a freshly made array as a tensor of ``dtype`` (``default`` when None)."""
    require_cpu(device)
    target = as_dtype(default if dtype is None else dtype)
    return Tensor(array.astype(target, copy=False), requires_grad=requires_grad)


def _float_dtype(dtype: Any, what: str) -> Any:
    if dtype is not None and as_dtype(dtype).kind != "f":
        raise TypeError(f"{what} makes floating point tensors, got dtype {dtype!r}")
    return dtype


def zeros(
    *shape: int, size: Any = None, dtype: Any = None, device: Any = None, requires_grad=False
) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    return _make(np.zeros(_shape(shape, size)), dtype, device, requires_grad)


def ones(
    *shape: int, size: Any = None, dtype: Any = None, device: Any = None, requires_grad=False
) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` says otherwise)."""
    return _make(np.ones(_shape(shape, size)), dtype, device, requires_grad)


def empty(
    *shape: int, size: Any = None, dtype: Any = None, device: Any = None, requires_grad=False
) -> Tensor:
    """A tensor to be filled (here filled with zeros, so its values are never garbage)."""
    return zeros(*shape, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(
    size: Sequence[int],
    fill_value: float,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``fill_value``: bool for a bool, int64 for an int, else float32."""
    default = (
        np.bool_
        if isinstance(fill_value, (bool, np.bool_))
        else np.int64
        if isinstance(fill_value, (int, np.integer))
        else np.float32
    )
    array = np.full(_shape((size,)), fill_value)
    return _make(array, dtype, device, requires_grad, default)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``start, start + step, ...`` below ``end`` (``arange(end)`` starts at 0): int64 when
    all three are ints, float32 otherwise."""
    if end is None:
        start, end = 0, start
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    array = np.arange(start, end, step, dtype=np.int64 if ints else np.float64)
    return _make(array, dtype, device, requires_grad, np.int64 if ints else np.float32)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32)."""
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    return _make(np.linspace(start, end, int(steps)), dtype, device, requires_grad)


def eye(
    n: int,
    m: int | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The (n, m) identity matrix (m defaults to n)."""
    rows, cols = _shape((n, n if m is None else m))
    return _make(np.eye(rows, cols), dtype, device, requires_grad)


def rand(
    *shape: int,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples uniform in [0, 1) (float32 unless ``dtype`` is another float)."""
    target = as_dtype(_float_dtype(dtype, "rand") or np.float32)
    array = resolve_generator(generator).random(_shape(shape, size), dtype=target)
    return _make(array, dtype, device, requires_grad)


def randn(
    *shape: int,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples from the standard normal distribution (float32 unless ``dtype`` says)."""
    target = as_dtype(_float_dtype(dtype, "randn") or np.float32)
    array = resolve_generator(generator).standard_normal(_shape(shape, size), dtype=target)
    return _make(array, dtype, device, requires_grad)


def randint(
    low: int = 0,
    high: int | None = None,
    size: Sequence[int] | None = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """int64 samples uniform in ``[low, high)``; ``randint(high, size)`` starts at 0, as in
    PyTorch."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint() needs a size, e.g. randint(10, (3,))")
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    array = resolve_generator(generator).integers(low, high, size=_shape((size,)))
    return _make(array, dtype, device, requires_grad, np.int64)


def randperm(
    n: int,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    (n,) = _shape((n,))
    array = resolve_generator(generator).permutation(n)
    return _make(array, dtype, device, requires_grad, np.int64)


def _like(factory: Any, name: str) -> Any:
    """``<name>_like(input, dtype=None, device=None, requires_grad=False)``: ``factory`` with
    ``input``'s shape and (unless given) dtype, as PyTorch's ``*_like`` functions."""

    def like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad=False):  # noqa: A002
        dtype = input.dtype if dtype is None else dtype
        return factory(*input.shape, dtype=dtype, device=device, requires_grad=requires_grad)

    like.__name__ = like.__qualname__ = f"{name}_like"
    like.__doc__ = f"``{name}`` of ``input``'s shape and (unless given) dtype."
    return like


zeros_like = _like(zeros, "zeros")
ones_like = _like(ones, "ones")
empty_like = _like(empty, "empty")
rand_like = _like(rand, "rand")
randn_like = _like(randn, "randn")


def full_like(
    input: Tensor,
    fill_value: float,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # noqa: A002
    """``fill_value`` in ``input``'s shape and (unless given) dtype."""
    dtype = input.dtype if dtype is None else dtype
    return full(input.shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}")
    return Tensor(array)


def _legacy(dtype: Any, name: str) -> Any:
    """PyTorch's old typed constructors: ``FloatTensor([1, 2])`` holds the data,
    ``FloatTensor(2, 3)`` is a (2, 3) tensor to be filled (zeros here)."""

    def construct(*args: Any) -> Tensor:
        if args and all(isinstance(a, (int, np.integer)) for a in args):
            return zeros(*args, dtype=dtype)
        (data,) = args if args else ([],)
        return Tensor(np.asarray(data._data if isinstance(data, Tensor) else data, dtype=dtype))

    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = f"``torch.{name}``: a {np.dtype(dtype).name} tensor of data or of sizes."
    return construct


FloatTensor = _legacy(np.float32, "FloatTensor")
DoubleTensor = _legacy(np.float64, "DoubleTensor")
LongTensor = _legacy(np.int64, "LongTensor")
IntTensor = _legacy(np.int32, "IntTensor")
ByteTensor = _legacy(np.uint8, "ByteTensor")
BoolTensor = _legacy(np.bool_, "BoolTensor")


def bernoulli(input: Tensor, generator: Any = None) -> Tensor:  # noqa: A002
    """1 with probability ``input[i]``, else 0, in ``input``'s dtype (no gradient)."""
    probabilities = np.asarray(input)
    draws = resolve_generator(generator).random(probabilities.shape) < probabilities
    return Tensor(draws.astype(probabilities.dtype))


def normal(mean: Any, std: Any, size: Any = None, generator: Any = None) -> Tensor:
    """Samples from N(mean, std**2): elementwise for tensor ``mean``/``std``, or ``size``
    samples for numbers."""
    mean_, std_ = np.asarray(mean, dtype=np.float32), np.asarray(std, dtype=np.float32)
    shape = np.broadcast_shapes(mean_.shape, std_.shape) if size is None else _shape((size,))
    draw = resolve_generator(generator).standard_normal(shape, dtype=np.float32)
    return Tensor(draw * std_ + mean_)
