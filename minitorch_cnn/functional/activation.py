"""Activations and dropout: ``relu``, ``log_softmax``, ``dropout``.

Read next: ``functional/linear.py``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..ops import elementwise, loss
from ..tensor import Tensor
from .checks import _as_tensor, _require_axis, _require_float


def relu(x: Tensor) -> Tensor:
    """``max(x, 0)`` elementwise (gradient 0 at 0)."""
    return elementwise.ReLU.apply(_as_tensor(x, "x"))


def log_softmax(x: Tensor, axis: int = -1, dim: int | None = None) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``axis`` (PyTorch's ``dim=`` is accepted too), computed
    stably: finite for any finite input, logits of 1e4 included."""
    x = _as_tensor(x, "x")
    _require_float(x, "log_softmax input")
    axis = _require_axis(axis if dim is None else dim, "axis", x)
    return loss.LogSoftmax.apply(x, axis=axis)


def dropout(
    x: Tensor, p: float = 0.5, training: bool = True, generator: np.random.Generator | None = None
) -> Tensor:
    """Zero each entry with probability ``p`` and scale the rest by ``1 / (1 - p)`` (so the
    expectation is unchanged); the identity when not ``training``."""
    from ..creation import resolve_generator

    x = _as_tensor(x, "x")
    if not isinstance(p, numbers.Real) or isinstance(p, bool):
        raise TypeError(f"dropout probability must be a float, got {type(p).__name__} {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = resolve_generator(generator).random(x.shape) >= p
    scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return x * Tensor(keep.astype(x.dtype) * scale)
