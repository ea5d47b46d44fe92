"""``log_softmax`` and the cross-entropy loss, computed stably.

Softmax ``p_j = exp(z_j) / sum_k exp(z_k)`` overflows for logits like 1e4 if computed as
written. Subtracting the row maximum ``m`` changes nothing mathematically
(``exp(z_j - m) / sum_k exp(z_k - m)``) but keeps every exponent <= 0, so
``log_softmax(z) = (z - m) - log(sum_k exp(z_k - m))`` is finite for any finite logits.

Read next: ``ops/windows.py`` (the stride-trick lesson).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


def _log_softmax(z: np.ndarray, axis: int) -> np.ndarray:
    if z.shape[axis] == 0:  # no entries to normalise: the result is empty too (as in PyTorch)
        return z.copy()
    shifted = z - z.max(axis=axis, keepdims=True)  # every entry <= 0: exp cannot overflow
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class LogSoftmax(Function):
    """``y = log_softmax(z)`` along ``axis``.

    y_j = z_j - log sum_k exp(z_k), so dy_j/dz_i = [i == j] - p_i with p = exp(y), and
    dL/dz_i = sum_j dL/dy_j ([i == j] - p_i) = dL/dy_i - p_i * sum_j dL/dy_j.
    """

    @staticmethod
    def forward(ctx: Context, z: np.ndarray, axis: int = -1) -> np.ndarray:
        y = _log_softmax(z, axis)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (y,) = ctx.saved
        return (grad_out - np.exp(y) * grad_out.sum(axis=ctx.axis, keepdims=True),)


class CrossEntropy(Function):
    """Mean negative log-likelihood of the target classes under ``softmax(logits)``.

    Shapes: logits (N, K), targets (N,) int in [0, K), loss a scalar.
    L = -(1/N) sum_n log p[n, t_n] with p = softmax(logits[n]). From the LogSoftmax
    derivative with dL/dy[n, j] = -[j == t_n] / N:
    dL/dlogits[n, i] = (p[n, i] - [i == t_n]) / N  -- softmax minus one-hot, averaged.
    Targets are indices, never differentiated.
    """

    @staticmethod
    def forward(ctx: Context, logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
        log_probs = _log_softmax(logits, axis=1)  # (N, K)
        N = logits.shape[0]
        picked = log_probs[np.arange(N), targets]  # (N,) log p of each target
        ctx.save_for_backward(log_probs, targets)
        return np.asarray(-picked.mean(), dtype=logits.dtype)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        log_probs, targets = ctx.saved
        N = log_probs.shape[0]
        grad_logits = np.exp(log_probs)  # (N, K) softmax probabilities, a fresh array
        grad_logits[np.arange(N), targets] -= 1
        grad_logits *= grad_out / N  # grad_out is 0-d of the logits' dtype: no upcast
        return grad_logits, None
