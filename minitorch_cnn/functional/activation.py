"""Activations and dropout: ``relu``, ``leaky_relu``, ``sigmoid``, ``tanh``, ``softmax``,
``log_softmax``, ``dropout`` and ``dropout2d``, with PyTorch's arguments.

Two PyTorch conventions live here. ``softmax(x)`` without ``dim`` picks one (dim 0 for 0-,
1- and 3-D input, else dim 1) and warns that the choice is implicit. ``inplace=True``
writes the result into the input and returns the input -- except for a tensor recorded in the
graph: this engine's graph edges are tensors, so it cannot rewrite one's history as PyTorch
does; there the result is a new tensor (equal values) and the input keeps its values.

Read next: ``functional/normalization.py``.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from ..ops import activation, elementwise, loss
from ..tensor import Tensor
from .checks import _as_tensor, _require_float


def _write_back(input: Tensor, result: Tensor, inplace: bool, name: str) -> Tensor:
    """``result``, or (``inplace=True``) ``input`` holding the result's values.

    Raises ``RuntimeError`` (as PyTorch) for a leaf that requires grad while grad is on.
    """
    if not inplace or (result.requires_grad and not input.is_leaf):
        return result
    input._in_place(f"{name}(inplace=True)")[...] = result._data
    return input


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)`` elementwise (gradient 0 at 0); int tensors stay int."""
    input = _as_tensor(input, "input")
    return _write_back(input, elementwise.ReLU.apply(input), inplace, "relu")


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where x > 0, else ``negative_slope * x`` (the slope also at 0, as PyTorch).

    Raises
    ------
    TypeError
        If ``negative_slope`` is not a number or ``input`` is not floating point.
    """
    input = _as_tensor(input, "input")
    if not isinstance(negative_slope, numbers.Real):
        raise TypeError(
            f"negative_slope must be a number, got {type(negative_slope).__name__} {negative_slope!r}"
        )
    _require_float(input, "leaky_relu input")
    out = activation.LeakyReLU.apply(input, negative_slope=float(negative_slope))
    return _write_back(input, out, inplace, "leaky_relu")


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))`` elementwise, without overflow for any input (``Tensor.sigmoid``;
    int and bool inputs become float32, as in PyTorch)."""
    return _as_tensor(input, "input").sigmoid()


def tanh(input: Tensor) -> Tensor:
    """``tanh(x)`` elementwise (``Tensor.tanh``)."""
    return _as_tensor(input, "input").tanh()


# ----- softmax and log_softmax ---------------------------------------------------------------


def _implicit_dim(input: Any, dim: Any, name: str, stacklevel: int) -> tuple[Tensor, Any]:
    """``(input as a Tensor, dim)``, where ``dim=None`` is PyTorch's implicit choice (dim 0
    for 0-, 1- and 3-D input, else dim 1), with a ``UserWarning`` pointing ``stacklevel``
    frames up from here (3: the caller of ``softmax``, as PyTorch counts)."""
    input = _as_tensor(input, "input")
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated: dim={dim} was picked "
            f"for a {input.ndim}-D input. Pass dim=X explicitly.",
            stacklevel=stacklevel,
        )
    return input, dim


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (any finite logits).

    ``dtype`` casts the input first; ``dim=None`` is PyTorch's implicit, warned choice.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> from minitorch_cnn import functional
    >>> functional.softmax(mt.tensor([[0.0, 0.0], [0.0, 1e4]]), dim=1)
    tensor([[0.5000, 0.5000],
            [0.0000, 1.0000]])
    """
    x, dim = _implicit_dim(input, dim, "softmax", _stacklevel)
    return x.softmax(dim, dtype=dtype)


def log_softmax(
    input: Tensor,
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    axis: int | None = None,
) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``dim`` (NumPy's ``axis=`` is accepted too), computed
    stably: finite for any finite input, logits of 1e4 included."""
    if axis is not None and dim is not None:
        raise TypeError("log_softmax: give dim or axis, not both")
    x, dim = _implicit_dim(input, dim if axis is None else axis, "log_softmax", _stacklevel)
    return x._along_dim(
        loss.LogSoftmax, dim, dtype, "log_softmax", "dim" if axis is None else "axis"
    )


# ----- dropout ---------------------------------------------------------------------------------


def _check_probability(p: Any) -> None:
    """PyTorch's rule for a dropout probability: a number in [0, 1]."""
    if not isinstance(p, numbers.Real):
        raise TypeError(f"dropout probability must be a float, got {type(p).__name__} {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")


def _dropout(
    input: Tensor,
    p: float,
    training: bool,
    inplace: bool,
    generator: Any,
    name: str,
    channels: bool,
) -> Tensor:
    """Shared body: ``channels`` draws one keep/drop per (n, c) pair instead of per entry."""
    from ..generator import resolve_generator

    generator = resolve_generator(generator)  # a wrong generator is an error in eval mode too
    if not training or p == 0 or input.numel() == 0:
        return input
    if channels and input.ndim < 2:
        raise ValueError(
            f"{name} zeroes whole channels of an (N, C, ...) input: it needs at least 2 dims, "
            f"got shape {input.shape}"
        )
    _require_float(input, f"{name} input")
    if p == 1:  # every entry dropped; x * 0 keeps NaN and inf as NaN, as in PyTorch
        return _write_back(input, input * 0.0, inplace, name)
    # (N, C, 1, 1) for dropout2d: one draw per channel, broadcast over H and W
    noise_shape = input.shape[:2] + (1,) * (input.ndim - 2) if channels else input.shape
    keep = generator.random(noise_shape) >= p
    noise = keep.astype(input.dtype) * np.asarray(1.0 / (1.0 - p), dtype=input.dtype)
    return _write_back(input, input * Tensor(noise), inplace, name)


def dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Zero each entry with probability ``p`` and scale the rest by ``1 / (1 - p)`` (so the
    expectation is unchanged); the input itself when not ``training`` or when ``p == 0``.

    ``generator`` (not in PyTorch, which draws from its global one) makes a run repeatable;
    by default the package's default generator (``manual_seed``) is used.
    """
    _check_probability(p)
    return _dropout(_as_tensor(input, "input"), p, training, inplace, generator, "dropout", False)


def dropout2d(
    input: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Zero whole channels: each ``input[n, c]`` (an H x W map) is zeroed with probability
    ``p``, the kept ones scaled by ``1 / (1 - p)``. Neighbouring pixels of a feature map are
    correlated, so dropping single pixels would barely regularize a convolution.

    As in PyTorch, a 3-D input is read as (N, C, L) -- not as an unbatched (C, H, W) -- and
    inputs that are not 3- or 4-D work (any (N, C, ...)) but warn.
    """
    _check_probability(p)
    input = _as_tensor(input, "input")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d expects a 3-D or 4-D input and got a {input.ndim}-D one; this is "
            "deprecated in PyTorch: use dropout for it",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d reads a 3-D input as (N, C, L) and zeroes whole channels of length L "
            "(PyTorch's current rule; it plans to read a 3-D input as an unbatched (C, H, W))",
            stacklevel=2,
        )
    return _dropout(input, p, training, inplace, generator, "dropout2d", True)
