r"""RMSprop: divide each gradient coordinate by a running RMS of its recent values (Hinton).

A coordinate whose gradient is usually large gets small steps, one whose gradient is small
gets large ones: ``p <- p - lr * g / (sqrt(v) + eps)`` with ``v`` an exponential moving
average of ``g**2`` (``alpha`` its decay). Unlike Adam there is no bias correction, so the
first steps, with ``v`` still near 0, are large.

``centered`` divides by an estimate of the standard deviation instead of the RMS: it also
averages ``g`` itself and uses ``v - mean(g)**2``. ``momentum`` accumulates the scaled
steps in a buffer, as SGD does with plain gradients.

Read next: ``optim/scheduler.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, effective_grad, flag, real


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    At each step, for a parameter p with gradient ``grad``::

        g   = -grad if maximize else grad
        g   = g + weight_decay * p                        (when weight_decay != 0)
        v   = alpha * v + (1 - alpha) * g * g             (square_avg, v0 = 0)
        ga  = alpha * ga + (1 - alpha) * g                (grad_avg, when centered)
        d   = sqrt(v - ga * ga) + eps if centered else sqrt(v) + eps
        buf = momentum * buf + g / d; p = p - lr * buf    (when momentum > 0, buf0 = 0)
        p   = p - lr * g / d                              (otherwise)

    Parameters
    ----------
    params : iterable of Tensor or of dict (param groups)
    lr : float, default 1e-2
    alpha : float, default 0.99
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
    maximize : bool, default False
    capturable, foreach, differentiable : PyTorch's implementation switches, accepted and kept in the param groups
        (one code path here); ``True`` for ``differentiable``/``capturable`` is refused at step.

    Raises
    ------
    TypeError, ValueError
        For an option out of its range or of the wrong kind.
    """

    rules = {
        "lr": real(),
        "momentum": real(),
        "alpha": real(),
        "eps": real(),
        "centered": flag,
        "weight_decay": real(),
        "maximize": flag,
    }
    implementation_flags = {"capturable": False, "foreach": None, "differentiable": False}
    required_state = ("step", "square_avg")
    optional_state = ("momentum_buffer", "grad_avg")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr, alpha, momentum = group["lr"], group["alpha"], group["momentum"]
        data = param._data
        scratch, denom = self._scratch(param, 2)
        g = effective_grad(data, grad, group["weight_decay"], group["maximize"], out=scratch)
        if not state:
            state.update(step=0, square_avg=np.zeros_like(data))
        for name, wanted in (("momentum_buffer", momentum > 0), ("grad_avg", group["centered"])):
            if wanted and name not in state:
                state[name] = np.zeros_like(data)
        state["step"] += 1
        v = state["square_avg"]
        v *= alpha
        np.multiply(g, 1.0 - alpha, out=denom)
        v += np.multiply(denom, g, out=denom)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += np.multiply(g, 1.0 - alpha, out=denom)
            np.subtract(v, np.multiply(grad_avg, grad_avg, out=denom), out=denom)
            np.sqrt(denom, out=denom)
        else:
            np.sqrt(v, out=denom)
        denom += group["eps"]
        step = np.divide(g, denom, out=denom)  # g / d
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += step
            step = np.multiply(buf, lr, out=denom)
        else:
            step *= lr
        data -= step
