"""Activation ops: ``Sigmoid``, ``Tanh``, ``Softmax`` and ``LeakyReLU``.

Sigmoid, tanh and softmax have derivatives that are functions of their own *output*, so each
op saves ``y`` (not ``x``) for its backward: no exponential is computed twice. ``ReLU`` is in
``ops/elementwise.py`` and ``LogSoftmax`` in ``ops/loss.py``; the two ways of writing a stable
exponential (shift by the maximum, or exponentiate ``-|x|`` only) are explained where they
are used.

Read next: ``ops/normalization.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


class Sigmoid(Function):
    """``y = 1 / (1 + exp(-x))``, elementwise.

    Computed without overflow: with ``e = exp(-|x|)`` (always in (0, 1]),
    y = 1 / (1 + e) for x >= 0 and y = e / (1 + e) for x < 0 (the same value, multiplied by
    e**x / e**x), so no exponent is ever positive; ``x = -1000`` gives 0, not a warning.

    Backward, from the saved output:
    dy/dx = exp(-x) / (1 + exp(-x))**2 = y * (1 - y)   since 1 - y = exp(-x) / (1 + exp(-x)),
    so dL/dx = dL/dy * y * (1 - y).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(x))
        y = np.where(x >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (y,) = ctx.saved
        return (grad_out * y * (1 - y),)


class Tanh(Function):
    """``y = tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))``, elementwise.

    ``np.tanh`` is already stable (it saturates at -1 and 1). Backward, from the saved output:
    dy/dx = 1 - tanh(x)**2 = 1 - y**2   (the quotient rule, with (e^x + e^-x)**2 - (e^x - e^-x)**2 = 4),
    so dL/dx = dL/dy * (1 - y**2).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (y,) = ctx.saved
        return (grad_out * (1 - y * y),)


class Softmax(Function):
    """``y = softmax(z)`` along ``axis``: y_j = exp(z_j) / sum_k exp(z_k).

    Subtracting the maximum m of each slice first (exp(z_j - m) / sum_k exp(z_k - m), the
    same value) keeps every exponent <= 0, so logits of 1e4 do not overflow.

    Backward, with g = dL/dy and everything along ``axis``:
    dy_j/dz_i = y_j * ([i == j] - y_i), so
    dL/dz_i = sum_j g_j * y_j * ([i == j] - y_i) = y_i * (g_i - sum_j g_j * y_j).
    """

    @staticmethod
    def forward(ctx: Context, z: np.ndarray, axis: int = -1) -> np.ndarray:
        if z.shape[axis] == 0:  # nothing to normalise: an empty result (as in PyTorch)
            y = z.copy()
        else:
            y = np.exp(z - z.max(axis=axis, keepdims=True))  # a fresh array, exponents <= 0
            y /= y.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (y,) = ctx.saved
        return (y * (grad_out - (grad_out * y).sum(axis=ctx.axis, keepdims=True)),)


class LeakyReLU(Function):
    """``y = x`` where x > 0, else ``negative_slope * x``, elementwise.

    dL/dx = dL/dy where x > 0, else dL/dy * negative_slope; at the kink x = 0 the slope
    is ``negative_slope`` (as in PyTorch). The mask ``x > 0`` is saved rather than the output,
    since a negative slope makes the output's sign useless as a mask.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
        positive = x > 0
        slope = np.asarray(negative_slope, dtype=x.dtype)  # a 0-d array: no upcast
        ctx.save_for_backward(positive)
        ctx.slope = slope
        return np.where(positive, x, x * slope)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (positive,) = ctx.saved
        return (np.where(positive, grad_out, grad_out * ctx.slope),)
