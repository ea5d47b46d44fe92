"""The user-facing functions, named and ordered as in ``torch.nn.functional``.

Each function checks its arguments -- raising ``ValueError``/``TypeError`` messages that
repeat the caller's numbers -- normalizes int-or-pair settings, and then calls one op from
``ops/``. Layers in ``nn.py`` are thin wrappers around these.

Read next: ``nn.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ops import elementwise, loss
from .tensor import Tensor


def _as_tensor(value: Any, name: str) -> Tensor:
    """Accept a Tensor or an ndarray; anything else is a TypeError naming the argument."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor(value)
    raise TypeError(f"{name} must be a Tensor or np.ndarray, got {type(value).__name__}")


def _require_float(x: Tensor, name: str) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating point tensor, got dtype {x.dtype}")


def relu(x: Tensor) -> Tensor:
    """``max(x, 0)`` elementwise (gradient 0 at 0)."""
    return elementwise.ReLU.apply(_as_tensor(x, "x"))


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias``.

    Parameters
    ----------
    x : Tensor, shape (..., in_features)
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), optional

    Returns
    -------
    Tensor, shape (..., out_features)
    """
    x, weight = _as_tensor(x, "x"), _as_tensor(weight, "weight")
    if weight.ndim != 2:
        raise ValueError(f"linear weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear expected input with last axis {weight.shape[1]} (in_features), "
            f"got shape {x.shape}"
        )
    out = x @ weight.transpose()  # (..., in) @ (in, out) -> (..., out)
    if bias is not None:
        bias = _as_tensor(bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"linear bias must have shape ({weight.shape[0]},), got {bias.shape}")
        out = out + bias
    return out


def flatten(x: Tensor, start_dim: int = 1) -> Tensor:
    """Merge axes ``start_dim..end`` into one: (N, C, H, W) -> (N, C*H*W) by default."""
    x = _as_tensor(x, "x")
    if not -x.ndim <= start_dim < max(x.ndim, 1):
        raise ValueError(f"start_dim {start_dim} is out of range for a {x.ndim}-D tensor")
    start = start_dim % x.ndim
    return x.reshape(x.shape[:start] + (-1,))


def log_softmax(x: Tensor, axis: int = -1, dim: int | None = None) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``axis`` (PyTorch's ``dim=`` is accepted too), computed
    stably: finite for any finite input, logits of 1e4 included."""
    x = _as_tensor(x, "x")
    _require_float(x, "log_softmax input")
    axis = axis if dim is None else dim
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"axis {axis} is out of range for a {x.ndim}-D tensor")
    return loss.LogSoftmax.apply(x, axis=axis)


def cross_entropy(logits: Tensor, targets: Any) -> Tensor:
    """Mean cross-entropy of integer class ``targets`` under ``softmax(logits)``.

    Parameters
    ----------
    logits : Tensor, shape (N, K)
        Unnormalized class scores.
    targets : int array or int Tensor, shape (N,)
        Class indices in ``[0, K)``.

    Raises
    ------
    ValueError
        On shape mismatches, an empty batch, or a target outside ``[0, K)``.
    TypeError
        If ``targets`` is not integer-valued.
    """
    logits = _as_tensor(logits, "logits")
    _require_float(logits, "logits")
    target_array = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if target_array.dtype.kind not in "iu":
        raise TypeError(f"targets must be integer class indices, got dtype {target_array.dtype}")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (N, K), got {logits.shape}")
    N, K = logits.shape
    if target_array.shape != (N,):
        raise ValueError(f"targets must have shape ({N},) to match logits {logits.shape}, got {target_array.shape}")
    if N == 0:
        raise ValueError("cross_entropy of an empty batch (N = 0) is undefined")
    if target_array.min() < 0 or target_array.max() >= K:
        raise ValueError(
            f"targets must be class indices in [0, {K}), got values from "
            f"{target_array.min()} to {target_array.max()}"
        )
    return loss.CrossEntropy.apply(logits, Tensor(target_array))


def dropout(
    x: Tensor, p: float = 0.5, training: bool = True, generator: np.random.Generator | None = None
) -> Tensor:
    """Zero each entry with probability ``p`` and scale the rest by ``1 / (1 - p)`` (so the
    expectation is unchanged); the identity when not ``training``."""
    from .creation import default_generator

    x = _as_tensor(x, "x")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = (generator or default_generator()).random(x.shape) >= p
    scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return x * Tensor(keep.astype(x.dtype) * scale)


# ----- convolution and pooling ----------------------------------------------------------
