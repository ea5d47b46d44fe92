"""``log_softmax`` and the losses' ops, computed stably.

Softmax ``p_j = exp(z_j) / sum_k exp(z_k)`` overflows for logits like 1e4 if computed as
written. Subtracting the row maximum ``m`` changes nothing mathematically
(``exp(z_j - m) / sum_k exp(z_k - m)``) but keeps every exponent <= 0, so
``log_softmax(z) = (z - m) - log(sum_k exp(z_k - m))`` is finite for any finite logits.
The same care gives ``log(1 + exp(-x))`` as ``max(-x, 0) + log1p(exp(-|x|))`` for the binary
cross-entropy on logits.

Read next: ``ops/activation.py``.
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


class WeightedNLL(Function):
    """Negative log-likelihood against fixed per-class coefficients, then reduced.

    Shapes: logp (N, C, d1, ...); ``coef`` (N, C, d1, ...) a fixed array (PyTorch's class
    weights, one-hot targets, label smoothing and probability targets all end up here);
    ``support`` bool (N, C, d1, ...), or None for everywhere. Entries off the support count
    as exactly 0 -- an ignored target, or a class no target names -- even where logp is -inf.

        l[n, ...] = -sum_c coef[n, c, ...] * logp[n, c, ...]     (N, d1, ...)
        "none": l;  "sum": sum l;  "mean": sum l / denominator
    The output is linear in logp, so with s = grad_out ("none", broadcast over C), grad_out
    ("sum") or grad_out / denominator ("mean"):
        dL/dlogp[n, c, ...] = -coef[n, c, ...] * s     on the support, 0 elsewhere.
    """

    @staticmethod
    def forward(
        ctx: Context,
        logp: np.ndarray,
        coef: np.ndarray,
        support: np.ndarray | None,
        reduction: str,
        denominator: float,
    ) -> np.ndarray:
        terms = coef * logp  # (N, C, d1, ...)
        if support is not None:
            terms = np.where(support, terms, 0)
        losses = -terms.sum(axis=1)  # (N, d1, ...)
        ctx.coef, ctx.support, ctx.reduction, ctx.denominator = (
            coef,
            support,
            reduction,
            denominator,
        )
        if reduction == "none":
            return losses.astype(logp.dtype, copy=False)
        total = losses.sum()
        if reduction == "mean":
            with np.errstate(divide="ignore", invalid="ignore"):  # nothing to average: nan
                total = total / denominator
        return np.asarray(total, dtype=logp.dtype)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        scale = np.expand_dims(grad_out, 1) if ctx.reduction == "none" else grad_out
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero denominator: nan, inf
            if ctx.reduction == "mean":
                scale = scale / ctx.denominator
            grad_logp = -ctx.coef * scale  # (N, C, d1, ...)
        if ctx.support is not None:
            grad_logp = np.where(ctx.support, grad_logp, 0)
        return (grad_logp.astype(ctx.coef.dtype, copy=False),)


class BinaryCrossEntropy(Function):
    """Elementwise ``l = -(y log x + (1 - y) log(1 - x))`` for probabilities x, targets y.

    As PyTorch, each log is clamped at -100, so x = 0 or 1 gives a finite loss. ``target``
    is a fixed array of x's shape (never differentiated).
    dl/dx = -y / x + (1 - y) / (1 - x) = (x - y) / (x (1 - x)); PyTorch keeps the
    denominator at least 1e-12, and so does this backward.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, target: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        ctx.save_for_backward(x)
        ctx.target = target
        return -(target * log_x + (1 - target) * log_1mx)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        denominator = np.maximum(x * (1 - x), 1e-12)
        return (grad_out * (x - ctx.target) / denominator,)


class BinaryCrossEntropyWithLogits(Function):
    """Elementwise binary cross-entropy of targets y under ``sigmoid(x)``, computed stably.

    With ``pos_weight`` p scaling the positive term (1 when absent), lw = 1 + (p - 1) y:
        l = -(p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))
          = (1 - y) x + lw * softplus(-x),  softplus(-x) = max(-x, 0) + log1p(exp(-|x|))
    since log(1 - sigmoid(x)) = -x + log sigmoid(x). With d softplus(-x)/dx = -sigmoid(-x):
        dl/dx = (1 - y) - lw * sigmoid(-x)        (p = 1: sigmoid(x) - y)
    ``target`` and ``pos_weight`` are fixed arrays, broadcast against x.
    """

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, target: np.ndarray, pos_weight: np.ndarray | None
    ) -> np.ndarray:
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
        softplus = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # log(1 + exp(-x))
        ctx.save_for_backward(x)
        ctx.target, ctx.log_weight = target, log_weight
        return ((1 - target) * x + log_weight * softplus).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        sigmoid_neg = np.exp(-np.logaddexp(0, x))  # sigmoid(-x) = 1 / (1 + exp(x)), stably
        grad_x = grad_out * ((1 - ctx.target) - ctx.log_weight * sigmoid_neg)
        return (grad_x.astype(x.dtype, copy=False),)
