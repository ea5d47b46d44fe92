r"""Adadelta: a step size that comes from the updates themselves (Zeiler, 2012).

Like RMSprop, Adadelta divides the gradient by a running RMS of past gradients,
``sqrt(v + eps)``. Its second idea fixes the units: ``g / RMS(g)`` is unitless, while a
parameter update should have the parameter's units. So it multiplies by a running RMS of
past *updates*, ``sqrt(u + eps)``: the step ``dx = sqrt(u + eps) / sqrt(v + eps) * g``
has the units of ``dx``, and no hand-tuned learning rate is needed (PyTorch still scales
the step by ``lr``, default 1.0). ``u`` then learns from the new step: ``u <- rho * u +
(1 - rho) * dx**2``.

Read next: ``optim/rmsprop.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, effective_grad, flag, real


class Adadelta(Optimizer):
    r"""Adadelta, as ``torch.optim.Adadelta``.

    At each step, for a parameter p with gradient ``grad``::

        g  = -grad if maximize else grad
        g  = g + weight_decay * p                     (when weight_decay != 0)
        v  = rho * v + (1 - rho) * g * g              (square_avg, v0 = 0)
        dx = sqrt(u + eps) / sqrt(v + eps) * g
        u  = rho * u + (1 - rho) * dx * dx            (acc_delta, u0 = 0)
        p  = p - lr * dx

    Parameters
    ----------
    params : iterable of Tensor or of dict (param groups)
    lr : float, default 1.0
    rho : float, default 0.9
        In [0, 1].
    eps : float, default 1e-6
    weight_decay : float, default 0
    maximize : bool, default False
    foreach, capturable, differentiable : PyTorch's implementation switches, accepted and kept in the param groups
        (one code path here); ``True`` for ``differentiable``/``capturable`` is refused at step.

    Raises
    ------
    TypeError, ValueError
        For an option out of its range or of the wrong kind.
    """

    rules = {
        "lr": real(),
        "rho": real(0.0, 1.0, closed=True),
        "eps": real(),
        "weight_decay": real(),
        "maximize": flag,
    }
    implementation_flags = {"capturable": False, "foreach": None, "differentiable": False}
    required_state = ("step", "square_avg", "acc_delta")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            rho=rho,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            capturable=capturable,
            foreach=foreach,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        data = param._data
        scratch, std, delta = self._scratch(param, 3)
        g = effective_grad(data, grad, group["weight_decay"], group["maximize"], out=scratch)
        if not state:
            state.update(step=0, square_avg=np.zeros_like(data), acc_delta=np.zeros_like(data))
        state["step"] += 1
        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        np.multiply(g, 1.0 - rho, out=std)
        v += np.multiply(std, g, out=std)
        np.sqrt(np.add(v, eps, out=std), out=std)  # sqrt(v + eps)
        np.sqrt(np.add(u, eps, out=delta), out=delta)  # sqrt(u + eps)
        delta /= std
        delta *= g  # dx
        u *= rho
        np.multiply(delta, 1.0 - rho, out=std)
        u += np.multiply(std, delta, out=std)
        data -= np.multiply(delta, lr, out=delta)
