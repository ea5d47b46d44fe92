"""Classification losses, ``nll_loss`` and ``cross_entropy``, with all of PyTorch's options.

Every option becomes one fixed coefficient array ``coef`` (N, C, d1, ...) for the op
``ops.loss.WeightedNLL``, which returns ``-sum_c coef * logp`` per position (then reduced),
so no option needs a backward of its own. With class weights w and targets t:

    nll:   coef[n, c] = w[t_n] * [c == t_n]         (all 0 where t_n == ignore_index)
    label smoothing eps over C classes:
           coef[n, c] = (1 - eps) * w[t_n] * [c == t_n] + eps / C * w[c]
    "mean" divides by sum_n w[t_n] over the targets not ignored (PyTorch's weighted mean).
    probability targets q (the logits' shape):
           coef = ((1 - eps) * q + eps / C) * w,  and "mean" divides by N * d1 * ...

The plain call ``cross_entropy(logits (N, C), targets (N,))`` -- the training loop's -- runs
the one fused op ``ops.loss.CrossEntropy`` (softmax minus one-hot in its backward).

Read next: ``functional/pointwise_loss.py``.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from ..ops import elementwise, loss
from ..tensor import Tensor
from .checks import _as_tensor, _require_float

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: Any, size_average: Any = None, reduce: Any = None) -> str:
    """PyTorch's reduction: the deprecated ``size_average``/``reduce`` pair, when either is
    given, overrides ``reduction`` (with PyTorch's warning)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(
            "size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead.",
            stacklevel=3,
        )
    elif reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated, use 'mean'", stacklevel=3)
        reduction = "mean"
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be 'mean', 'sum' or 'none': {reduction!r} is not a valid value "
            "for reduction"
        )
    return reduction


def _array(value: Any) -> np.ndarray:
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def _class_targets(input: Tensor, target: np.ndarray, ignore_index: int) -> np.ndarray:  # noqa: A002
    """Class-index targets checked against ``input`` (N, C, d1, ...) or unbatched (C,)."""
    if target.dtype.kind == "f":  # PyTorch takes a float target of the input's shape only
        raise ValueError(
            f"probability targets must have the input's shape {input.shape}, got "
            f"{target.shape} (class indices must be integers)"
        )
    if target.dtype not in (np.int64, np.uint8):
        raise TypeError(
            "targets must be class indices of dtype int64 (or uint8), as PyTorch's long, "
            f"got dtype {target.dtype}"
        )
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


def _class_weight(weight: Any, C: int, dtype: np.dtype) -> np.ndarray:
    """Per-class weights (C,) in ``dtype``; ones when None. A Tensor must already have the
    input's dtype (as in PyTorch); an array or list is converted."""
    if weight is None:
        return np.ones(C, dtype)
    if isinstance(weight, Tensor) and weight.dtype != dtype:
        raise TypeError(f"weight must have the input's dtype {dtype}, got {weight.dtype}")
    weight = _array(weight)
    if weight.shape != (C,):
        raise ValueError(f"weight must have one entry per class, shape ({C},), got {weight.shape}")
    return weight.astype(dtype, copy=False)


def _ignore_index(ignore_index: Any) -> int:
    if not isinstance(ignore_index, numbers.Integral) or isinstance(ignore_index, bool):
        raise TypeError(f"ignore_index must be an int, got {ignore_index!r}")
    return int(ignore_index)


def _batched(x: Tensor) -> Tensor:
    return x.reshape(1, x.shape[0]) if x.ndim == 1 else x  # (C,) -> (1, C)


def _class_nll(
    logp: Tensor, target: np.ndarray, weight: Any, ignore_index: int, reduction: str, eps: float
) -> Tensor:
    """The NLL of class targets with label smoothing ``eps`` (module docstring)."""
    target = _class_targets(logp, target, ignore_index)
    unbatched = logp.ndim == 1
    batched = _batched(logp)  # (N, C, d1, ...)
    target = target.reshape(1) if unbatched else target  # (N, d1, ...)
    C = batched.shape[1]
    w = _class_weight(weight, C, batched.dtype)
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    classes = np.arange(C).reshape((1, C) + (1,) * (target.ndim - 1))
    one_hot = classes == safe[:, None]  # (N, C, d1, ...)
    w_c = w.reshape(classes.shape)
    coef = (1.0 - eps) * one_hot * w_c + (eps / C) * w_c if eps else one_hot * w_c
    support = valid[:, None] & (True if eps else one_hot)  # a target's row, or its one entry
    denominator = (w[safe] * valid).sum()
    out = loss.WeightedNLL.apply(
        batched,
        coef=coef.astype(batched.dtype, copy=False),
        support=support,
        reduction=reduction,
        denominator=denominator,
    )
    return out.reshape(()) if unbatched and reduction == "none" else out


def _probability_nll(
    logp: Tensor, target: np.ndarray, weight: Any, reduction: str, eps: float, ignore_index: int
) -> Tensor:
    """Cross-entropy against class probabilities ``target`` of ``logp``'s shape."""
    if target.dtype.kind != "f":
        raise TypeError(
            f"targets of the input's shape {logp.shape} are class probabilities and must be "
            f"floating point, got dtype {target.dtype}"
        )
    if ignore_index >= 0:
        raise ValueError(
            f"ignore_index is not supported for probability targets, got {ignore_index}"
        )
    batched = _batched(logp)  # (N, C, d1, ...)
    C = batched.shape[1]
    w = None if weight is None else _array(weight)
    if w is not None and w.shape != (C,):
        raise ValueError(f"weight must have one entry per class, shape ({C},), got {w.shape}")
    dtype = np.result_type(logp.dtype, target.dtype, *([] if w is None else [w.dtype]))
    if dtype != logp.dtype:  # a float64 target makes a float64 loss, as in PyTorch
        batched = elementwise.Cast.apply(batched, dtype=dtype)
    coef = target.reshape(batched.shape).astype(dtype)
    if eps:
        coef = coef * (1.0 - eps) + eps / C
    if w is not None:
        coef = coef * w.astype(dtype).reshape((1, C) + (1,) * (batched.ndim - 2))
    out = loss.WeightedNLL.apply(
        batched,
        coef=coef,
        support=None,
        reduction=reduction,
        denominator=int(np.prod(batched.shape)) // C,
    )
    return out.reshape(()) if logp.ndim == 1 and reduction == "none" else out


def _smoothing(label_smoothing: Any) -> float:
    """PyTorch smooths only for ``label_smoothing > 0`` and rejects values above 1."""
    if not isinstance(label_smoothing, numbers.Real):
        raise TypeError(f"label_smoothing must be a float, got {label_smoothing!r}")
    if label_smoothing > 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    return float(label_smoothing) if label_smoothing > 0.0 else 0.0


def nll_loss(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class ``target`` under log-probabilities ``input``.

    ``input`` (N, C), (N, C, d1, ...) or (C,); ``target`` int64 of shape (N,), (N, d1, ...)
    or (); ``weight`` (C,) rescales each class; targets equal to ``ignore_index`` count for
    nothing (all of them ignored: "mean" is nan, as in PyTorch); ``reduction`` "mean"
    (PyTorch's weighted mean), "sum" or "none"; ``size_average``/``reduce`` are PyTorch's
    deprecated spelling of ``reduction``.
    """
    input = _as_tensor(input, "input")
    _require_float(input, "nll_loss input")
    reduction = _reduction(reduction, size_average, reduce)
    return _class_nll(input, _array(target), weight, _ignore_index(ignore_index), reduction, 0.0)


def cross_entropy(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of ``target`` under ``softmax(input)`` along dim 1 (dim 0 unbatched).

    ``target`` is class indices (as ``nll_loss``) or, when it has ``input``'s shape, class
    probabilities (floating point; ``ignore_index`` must then be negative).
    ``label_smoothing`` <= 1 mixes the target with the uniform distribution over the C
    classes (0 or less: none). Options as in PyTorch (module docstring: the formulas).
    """
    input = _as_tensor(input, "input")
    _require_float(input, "cross_entropy input")
    reduction = _reduction(reduction, size_average, reduce)
    eps, ignore_index = _smoothing(label_smoothing), _ignore_index(ignore_index)
    target = _array(target)
    plain = (
        input.ndim == 2
        and target.ndim == 1
        and weight is None
        and reduction == "mean"
        and not eps
        and target.dtype == np.int64
        and input.shape[0] > 0
        and not np.any(target == ignore_index)
    )
    if plain:
        target = _class_targets(input, target, ignore_index)
        return loss.CrossEntropy.apply(input, Tensor(target))
    logp = loss.LogSoftmax.apply(input, axis=1 if input.ndim >= 2 else 0)
    if input.ndim and target.shape == input.shape:
        return _probability_nll(logp, target, weight, reduction, eps, ignore_index)
    return _class_nll(logp, target, weight, ignore_index, reduction, eps)
