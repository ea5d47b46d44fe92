"""Losses compared entry by entry: ``mse_loss``, ``l1_loss``, ``binary_cross_entropy`` and
``binary_cross_entropy_with_logits``, with PyTorch's options.

Each computes one loss per entry and then reduces it: "mean" over all entries (over the
summed ``weight`` for the weighted ``mse_loss``/``l1_loss``, as PyTorch), "sum", or "none".
The squared and absolute errors are composed from differentiable ops; the two binary
cross-entropies are ops of their own (``ops/loss.py``), for their clamped and stable logs.

Read next: ``functional/padding.py``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..ops import loss
from ..tensor import Tensor
from .checks import _as_tensor, _require_float
from .loss import _array, _reduction


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return losses
    return losses.mean() if reduction == "mean" else losses.sum()


def _regression_target(input: Tensor, target: Any, name: str) -> Tensor:  # noqa: A002
    """``target`` as a Tensor broadcastable to ``input`` (a different shape warns, as in
    PyTorch); a non-Tensor target takes the input's dtype."""
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target, dtype=input.dtype))
    if np.result_type(input.dtype, target.dtype).kind != "f":
        raise TypeError(f"{name} needs floating point input or target, got {input.dtype}")
    if target.shape != input.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(
                f"{name}: target shape {target.shape} does not broadcast to the input "
                f"shape {input.shape}"
            ) from None
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
    return target


def _weighted_reduce(errors: Tensor, weight: Any, reduction: str, input: Tensor) -> Tensor:  # noqa: A002
    """PyTorch's per-entry ``weight`` of ``input``'s shape: "mean" is sum(w e) / sum(w)."""
    if weight is None:
        return _reduce(errors, reduction)
    weight = weight if isinstance(weight, Tensor) else Tensor(np.asarray(weight, input.dtype))
    if weight.shape != input.shape:
        raise ValueError(f"weight must have the input's shape {input.shape}, got {weight.shape}")
    weighted = errors * weight
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def mse_loss(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """``(input - target) ** 2``, averaged ("mean"), summed or kept ("none");
    ``weight`` (input's shape) weighs each entry."""
    input = _as_tensor(input, "input")
    reduction = _reduction(reduction, size_average, reduce)
    target = _regression_target(input, target, "mse_loss")
    return _weighted_reduce((input - target) ** 2, weight, reduction, input)


def l1_loss(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """``|input - target|``, reduced as ``mse_loss`` (the gradient at a tie is 0)."""
    input = _as_tensor(input, "input")
    reduction = _reduction(reduction, size_average, reduce)
    target = _regression_target(input, target, "l1_loss")
    return _weighted_reduce((input - target).abs(), weight, reduction, input)


def _binary_target(input: Tensor, target: Any, name: str) -> np.ndarray:  # noqa: A002
    target = _array(target) if isinstance(target, Tensor) else np.asarray(target, input.dtype)
    if target.shape != input.shape:
        raise ValueError(
            f"{name}: target shape {target.shape} must be the input's shape {input.shape}"
        )
    if target.dtype.kind != "f":
        raise TypeError(f"{name} targets must be floating point, got dtype {target.dtype}")
    return target


def _broadcast_weight(weight: Any, input: Tensor, name: str) -> Tensor | None:  # noqa: A002
    """A weight that broadcasts to ``input``'s shape (PyTorch's rule), as a Tensor."""
    if weight is None:
        return None
    weight = _array(weight)
    if np.broadcast_shapes(weight.shape, input.shape) != input.shape:
        raise ValueError(f"{name} of shape {weight.shape} must broadcast to {input.shape}")
    return Tensor(weight)


def binary_cross_entropy(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``-(y log x + (1 - y) log(1 - x))`` for probabilities ``input`` x in [0, 1] and
    targets y in [0, 1] of the same shape and dtype; logs clamped at -100 (as PyTorch);
    ``weight`` broadcasts to the input's shape."""
    input = _as_tensor(input, "input")
    _require_float(input, "binary_cross_entropy input")
    reduction = _reduction(reduction, size_average, reduce)
    target = _binary_target(input, target, "binary_cross_entropy")
    if target.dtype != input.dtype:
        raise TypeError(
            f"binary_cross_entropy target must have the input's dtype {input.dtype}, got "
            f"{target.dtype}"
        )
    for what, values in (("input", input._data), ("target", target)):
        if not np.all((values >= 0) & (values <= 1)):  # NaN fails too, as in PyTorch
            raise ValueError(f"binary_cross_entropy: all elements of {what} must be in [0, 1]")
    weight = _broadcast_weight(weight, input, "binary_cross_entropy weight")
    losses = loss.BinaryCrossEntropy.apply(input, target=target)
    return _reduce(losses if weight is None else losses * weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of targets y under ``sigmoid(input)``, computed without
    overflow; ``pos_weight`` scales the positive term (per class, broadcast along the last
    dim) and ``weight`` each entry, both broadcasting to the input's shape."""
    input = _as_tensor(input, "input")
    _require_float(input, "binary_cross_entropy_with_logits input")
    reduction = _reduction(reduction, size_average, reduce)
    target = _binary_target(input, target, "binary_cross_entropy_with_logits")
    weight = _broadcast_weight(weight, input, "binary_cross_entropy_with_logits weight")
    pos = _broadcast_weight(pos_weight, input, "binary_cross_entropy_with_logits pos_weight")
    dtype = np.result_type(input.dtype, target.dtype)
    if dtype != input.dtype:  # a float64 target makes a float64 loss, as in PyTorch
        input = input.to(dtype)
    losses = loss.BinaryCrossEntropyWithLogits.apply(
        input,
        target=target.astype(dtype, copy=False),
        pos_weight=None if pos is None else pos._data.astype(dtype, copy=False),
    )
    return _reduce(losses if weight is None else losses * weight, reduction)
