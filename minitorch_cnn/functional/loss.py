"""Losses: ``nll_loss``, ``cross_entropy`` and ``mse_loss``, with PyTorch's options.

Each general case is composed from differentiable ops (``log_softmax``, a gather of each
target's log-probability, products and sums), so its gradient needs no new derivation:

    nll:   l_n = -w[t_n] * logp[n, t_n]           (0 where t_n == ignore_index)
    mean:  sum_n l_n / sum_n w[t_n]                (PyTorch's weighted mean)
    label smoothing eps over C classes:
           (1 - eps) * nll + eps * mean over classes of the weighted -logp, reduced alike
    probability targets q (N, C, ...):  l_n = -sum_c w_c * q'[n, c] * logp[n, c],
           q' = (1 - eps) * q + eps / C, and "mean" divides by N.

The plain call ``cross_entropy(logits (N, C), targets (N,))`` -- the training loop's -- runs
the one fused op ``ops.loss.CrossEntropy`` (softmax minus one-hot in its backward).

Read next: ``functional/conv.py``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..ops import loss
from ..ops.shape import TakeAlongAxis
from ..tensor import Tensor
from .checks import _as_tensor, _require_float

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: Any) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _class_targets(input: Tensor, target: Any, ignore_index: int) -> np.ndarray:  # noqa: A002
    """Integer class targets checked against ``input`` (N, C, d1, ...) or unbatched (C,)."""
    target = target._data if isinstance(target, Tensor) else np.asarray(target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"targets must be integer class indices, got dtype {target.dtype}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim >= 2 else ()
    if input.ndim == 0 or target.shape != expected:
        raise ValueError(
            f"targets must have shape {expected} for input of shape {input.shape}, "
            f"got {target.shape}"
        )
    C = input.shape[1] if input.ndim >= 2 else input.shape[0]
    real = target[target != ignore_index]
    if real.size and (real.min() < 0 or real.max() >= C):
        raise ValueError(
            f"targets must be class indices in [0, {C}) (or ignore_index {ignore_index}), "
            f"got values from {real.min()} to {real.max()}"
        )
    return target


def _class_weight(weight: Any, C: int, dtype: np.dtype) -> np.ndarray | None:
    if weight is None:
        return None
    weight = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if weight.shape != (C,):
        raise ValueError(f"weight must have one entry per class, shape ({C},), got {weight.shape}")
    return weight.astype(dtype, copy=False)


def _batched(input: Tensor) -> Tensor:
    return input.reshape(1, input.shape[0]) if input.ndim == 1 else input


def nll_loss(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class ``target`` under log-probabilities ``input``.

    ``input`` (N, C), (N, C, d1, ...) or (C,); ``target`` int of shape (N,), (N, d1, ...)
    or (); ``weight`` (C,) rescales each class; targets equal to ``ignore_index`` count for
    nothing; ``reduction`` "mean" (PyTorch's weighted mean), "sum" or "none".
    """
    input = _as_tensor(input, "input")
    _require_float(input, "nll_loss input")
    reduction = _reduction(reduction)
    target = _class_targets(input, target, ignore_index)
    unbatched = input.ndim == 1
    logp = _batched(input)
    target = target.reshape(1) if unbatched else target
    C = logp.shape[1]
    w = _class_weight(weight, C, logp.dtype)
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    picked = TakeAlongAxis.apply(logp, indices=safe[:, None], axis=1).reshape(*target.shape)
    scale = valid.astype(logp.dtype) if w is None else w[safe] * valid  # w[t_n], 0 if ignored
    losses = -picked * Tensor(scale)
    if reduction == "none":
        return losses.reshape(()) if unbatched else losses
    total = losses.sum()
    return total if reduction == "sum" else total / Tensor(np.asarray(scale.sum(), logp.dtype))


def cross_entropy(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of ``target`` under ``softmax(input)`` along dim 1 (dim 0 unbatched).

    ``target`` is class indices (as ``nll_loss``) or class probabilities (a float tensor of
    ``input``'s shape). ``label_smoothing`` in [0, 1] mixes the target with the uniform
    distribution over the C classes. Options as in PyTorch (module docstring: the formulas).
    """
    input = _as_tensor(input, "input")
    _require_float(input, "cross_entropy input")
    reduction = _reduction(reduction)
    if not isinstance(label_smoothing, numbers.Real) or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be a float in [0, 1], got {label_smoothing!r}")
    target_array = target._data if isinstance(target, Tensor) else np.asarray(target)
    plain = (
        input.ndim == 2
        and weight is None
        and reduction == "mean"
        and label_smoothing == 0.0
        and target_array.dtype.kind in "iu"
        and input.shape[0] > 0
        and not np.any(target_array == ignore_index)
    )
    if plain:
        target_array = _class_targets(input, target_array, ignore_index)
        return loss.CrossEntropy.apply(input, Tensor(target_array))
    logp = loss.LogSoftmax.apply(input, axis=1 if input.ndim >= 2 else 0)
    if target_array.dtype.kind == "f":
        return _soft_cross_entropy(logp, target_array, weight, reduction, label_smoothing)
    hard = nll_loss(logp, target_array, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return hard
    batched = _batched(logp)
    C = batched.shape[1]
    w = _class_weight(weight, C, batched.dtype)
    w_shape = (1, C) + (1,) * (batched.ndim - 2)
    weighted = batched if w is None else batched * Tensor(w.reshape(w_shape))
    targets = target_array.reshape(1) if logp.ndim == 1 else target_array
    valid = targets != ignore_index
    smooth = -weighted.sum(dim=1) * Tensor(valid.astype(batched.dtype))  # (N, d1, ...)
    if reduction == "none":
        smooth = smooth.reshape(()) if logp.ndim == 1 else smooth
    elif reduction == "sum":
        smooth = smooth.sum()
    else:
        safe = np.where(valid, targets, 0)
        denominator = valid.sum() if w is None else (w[safe] * valid).sum()
        smooth = smooth.sum() / Tensor(np.asarray(denominator, batched.dtype))
    return hard * (1.0 - label_smoothing) + smooth * (label_smoothing / C)


def _soft_cross_entropy(
    logp: Tensor, target: np.ndarray, weight: Any, reduction: str, label_smoothing: float
) -> Tensor:
    """Cross-entropy against class probabilities ``target`` of ``logp``'s shape."""
    if target.shape != logp.shape:
        raise ValueError(
            f"probability targets must have the input's shape {logp.shape}, got {target.shape}"
        )
    batched = _batched(logp)
    C = batched.shape[1]
    q = target.reshape(batched.shape).astype(batched.dtype, copy=False)
    q = q * (1.0 - label_smoothing) + label_smoothing / C
    w = _class_weight(weight, C, batched.dtype)
    if w is not None:
        q = q * w.reshape((1, C) + (1,) * (batched.ndim - 2))
    losses = -(batched * Tensor(q)).sum(dim=1)  # (N, d1, ...)
    if reduction == "none":
        return losses.reshape(()) if logp.ndim == 1 else losses
    total = losses.sum()
    return total if reduction == "sum" else total / (losses.numel() if logp.ndim > 1 else 1)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """``(input - target) ** 2``, averaged (``"mean"``), summed or kept (``"none"``)."""
    input = _as_tensor(input, "input")
    reduction = _reduction(reduction)
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, input.dtype))
    squared = (input - target) ** 2
    if reduction == "none":
        return squared
    return squared.mean() if reduction == "mean" else squared.sum()
