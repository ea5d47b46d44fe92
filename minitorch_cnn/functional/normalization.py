"""``batch_norm``: normalize each channel, by the batch's statistics or by running ones.

Training (``training=True``): each channel of ``input`` (N, C, *) is normalized by the mean
and biased variance of its N * (product of *) values -- the ``BatchNorm`` op of
``ops/normalization.py``, whose backward goes through those statistics -- and the running
statistics, when given, move towards the batch's (unbiased variance, as PyTorch).
Evaluation: the running statistics are constants, so ``(x - mean) / sqrt(var + eps)`` is a
composition of elementwise ops.

Read next: ``functional/linear.py``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..ops.normalization import BatchNorm
from ..tensor import Tensor
from .checks import _as_tensor, _require_float


def _per_channel(value: Any, name: str, x: Tensor, exact_shape: bool) -> Tensor:
    """A Tensor of x's dtype with one entry per channel (shape (C,) when ``exact_shape``:
    the running statistics, which are updated in place)."""
    value = _as_tensor(value, name)
    C = x.shape[1]
    if value.numel() != C or (exact_shape and value.ndim != 1):
        raise ValueError(
            f"batch_norm: {name} should contain {C} elements, one per channel of the input of "
            f"shape {x.shape}, got shape {value.shape}"
        )
    if value.dtype != x.dtype:
        raise TypeError(
            f"batch_norm: {name} must have the input's dtype {x.dtype}, got {value.dtype}"
        )
    return value if value.ndim == 1 else value.reshape(C)


def _check_arguments(x: Tensor, training: Any, momentum: Any, eps: Any) -> None:
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"batch_norm: training must be a bool, got {training!r}")
    for name, value in (("momentum", momentum), ("eps", eps)):
        if not isinstance(value, numbers.Real):
            raise TypeError(f"batch_norm: {name} must be a float, got {value!r}")
    if training and not eps > 0:
        raise ValueError(f"batch_norm: eps must be positive during training, got {eps}")
    if not eps >= 0:
        raise ValueError(f"batch_norm: eps must be non-negative, got {eps}")
    if x.ndim < 2:
        raise ValueError(
            f"batch_norm expects an input (N, C, ...) of at least 2 dims, got shape {x.shape}"
        )
    values_per_channel = x.shape[0] * int(np.prod(x.shape[2:]))
    if training and values_per_channel == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{x.shape}: one value has variance 0 and normalizes to 0"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` per channel (axis 1).

    Parameters
    ----------
    input : Tensor, shape (N, C) or (N, C, *)
        Floating point.
    running_mean, running_var : Tensor (C,) or None
        Both or neither. Used (not changed) when ``training`` is False, then required;
        updated in place when ``training`` is True:
        ``running = (1 - momentum) * running + momentum * batch`` with the batch's unbiased
        variance ``var * m / (m - 1)`` (m values per channel).
    weight, bias : Tensor with C elements, optional
        gamma and beta; None means 1 and 0.
    training : bool
        Normalize by the batch's mean and biased variance (True) or by the running ones.
    momentum, eps : float
        The running averages' step, and the variance's guard against division by 0.

    Returns
    -------
    Tensor, shape of input

    Raises
    ------
    ValueError
        Fewer than 2 dims; a per-channel tensor without C elements; only one of the running
        statistics; evaluation without them; training on one value per channel; eps <= 0 in
        training (< 0 otherwise); running statistics that require grad.
    TypeError
        Non-float input, per-channel tensors of another dtype, a non-bool ``training``.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> from minitorch_cnn import functional
    >>> x = mt.tensor([[1.0, 10.0], [3.0, 30.0]])  # (N=2, C=2)
    >>> functional.batch_norm(x, None, None, training=True, eps=0.0001).numpy().round(3)
    array([[-1., -1.],
           [ 1.,  1.]], dtype=float32)
    """
    x = _as_tensor(input, "input")
    _require_float(x, "batch_norm input")
    _check_arguments(x, training, momentum, eps)
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "batch_norm: running_mean and running_var must both be given or both be None"
        )
    if running_mean is None and not training:
        raise ValueError("batch_norm: running_mean and running_var are needed in evaluation mode")
    running = [
        _per_channel(value, name, x, exact_shape=True)
        for name, value in (("running_mean", running_mean), ("running_var", running_var))
        if value is not None
    ]
    if any(r.requires_grad for r in running):
        raise ValueError(
            "batch_norm: the running statistics cannot require grad (they are not learned)"
        )
    C = x.shape[1]
    weight = None if weight is None else _per_channel(weight, "weight", x, exact_shape=False)
    bias = None if bias is None else _per_channel(bias, "bias", x, exact_shape=False)
    if training:
        mean_array, var_array = (r._data for r in running) if running else (None, None)
        y = BatchNorm.apply(
            x,
            Tensor(np.ones(C, dtype=x.dtype)) if weight is None else weight,
            Tensor(np.zeros(C, dtype=x.dtype)) if bias is None else bias,
            eps=float(eps),
            running_mean=mean_array,
            running_var=var_array,
            momentum=float(momentum),
        )
        for r in running:
            r._bump_version()  # changed in place
        return y
    shape = (1, C) + (1,) * (x.ndim - 2)
    mean, var = (r._data.reshape(shape) for r in running)  # (1, C, 1, 1)  views, no copy
    inv_std = (1 / np.sqrt(var + np.asarray(eps, dtype=x.dtype))).astype(x.dtype, copy=False)
    y = (x - Tensor(mean)) * Tensor(inv_std)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y
