"""Batch normalization in training mode: normalize each channel by the batch's own statistics.

In training, ``y = gamma * (x - mean) / sqrt(var + eps) + beta`` uses the mean and (biased)
variance of the current batch, so the mean and variance are functions of *every* input of
the channel and the backward must go through them -- that is the whole lesson of this op.
In evaluation mode the running statistics are constants and ``functional/normalization.py``
composes the same formula from elementwise ops, whose backwards are already known.

Read next: ``ops/windows.py`` (the stride-trick lesson).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


def _channel_view(values: np.ndarray, ndim: int) -> np.ndarray:
    """(C,) -> (1, C, 1, ...) with ``ndim`` axes: broadcasts along axis 1 of the input."""
    return values.reshape((1, -1) + (1,) * (ndim - 2))  # view, no copy


class BatchNorm(Function):
    r"""Training-mode batch normalization over every axis but the channel axis 1.

    Shapes: x (N, C, *) with any trailing axes (none, L, or H, W); weight (gamma) and
    bias (beta) (C,); y like x. Per channel, over its m = N * (product of the trailing
    sizes) values:

    mu = (1/m) sum_i x_i,   var = (1/m) sum_i (x_i - mu)**2   (biased),
    s = 1 / sqrt(var + eps),   x_hat_i = (x_i - mu) * s,   y_i = gamma * x_hat_i + beta.

    Backward, with g_i = dL/dy_i (sums over the channel's m values; results (C,)):
    dL/dbeta = sum_i g_i,   dL/dgamma = sum_i g_i * x_hat_i,   dL/dx_hat_i = gamma * g_i.
    mu and var depend on every x_j: dmu/dx_j = 1/m, dvar/dx_j = 2 (x_j - mu) / m, so
    ds/dx_j = -s**3 (x_j - mu) / m and dx_hat_i/dx_j = (s/m) (m [i == j] - 1 - x_hat_i x_hat_j).
    Summing gamma g_i times that over i:
    dL/dx_j = (gamma * s / m) * (m g_j - sum_i g_i - x_hat_j * sum_i g_i x_hat_i).

    When ``running_mean`` and ``running_var`` arrays (C,) are given, forward also folds the
    batch's statistics into them in place, as PyTorch's op does:
    running = (1 - momentum) * running + momentum * batch, with the *unbiased* variance
    var * m / (m - 1) for ``running_var``. An empty batch (m = 0) gives an empty output
    and leaves them unchanged.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray,
        eps: float = 1e-5,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
        momentum: float = 0.1,
    ) -> np.ndarray:
        axes = (0, *range(2, x.ndim))  # every axis but the channels
        m = x.size // x.shape[1] if x.shape[1] else 0
        # Sums divided by max(m, 1): an empty batch gives mean 0 and var 0, not NumPy's
        # "mean of empty slice" warning (its output is empty either way).
        mean = x.sum(axis=axes, keepdims=True) / max(m, 1)  # (1, C, 1, 1)
        x_hat = x - mean  # (N, C, H, W)  a fresh array, centred
        var = (x_hat * x_hat).sum(axis=axes, keepdims=True) / max(m, 1)  # (1, C, 1, 1)
        inv_std = 1 / np.sqrt(var + np.asarray(eps, dtype=x.dtype))
        x_hat *= inv_std
        if running_mean is not None and m > 0:
            running_mean *= 1 - momentum
            running_mean += momentum * mean.reshape(-1)
            running_var *= 1 - momentum
            running_var += momentum * var.reshape(-1) * (m / max(m - 1, 1))
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.axes, ctx.m = axes, m
        return x_hat * _channel_view(weight, x.ndim) + _channel_view(bias, x.ndim)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        x_hat, inv_std, weight = ctx.saved
        axes, m = ctx.axes, ctx.m
        sum_g = grad_out.sum(axis=axes)  # (C,)  dL/dbeta
        sum_g_x_hat = (grad_out * x_hat).sum(axis=axes)  # (C,)  dL/dgamma
        grad_x = None
        if ctx.needs_input_grad[0]:
            scale = _channel_view(weight, x_hat.ndim) * inv_std / max(m, 1)  # (1, C, 1, 1)
            grad_x = m * grad_out - _channel_view(sum_g, x_hat.ndim)  # (N, C, H, W)
            grad_x -= x_hat * _channel_view(sum_g_x_hat, x_hat.ndim)
            grad_x *= scale
        return grad_x, sum_g_x_hat, sum_g
