r"""Stochastic gradient descent, with PyTorch's momentum, dampening, Nesterov and decay.

Plain gradient descent steps against the gradient: ``p <- p - lr * g``. Momentum keeps a
running sum of past steps, ``buf <- momentum * buf + g``, so a direction that persists
across steps builds up speed while noise cancels out; the step is ``p <- p - lr * buf``.
PyTorch's buffer starts at the first gradient itself (not at zero), and ``dampening``
scales each new gradient's share: ``buf <- momentum * buf + (1 - dampening) * g``.

Nesterov momentum looks ahead: it steps along ``g + momentum * buf``, the gradient plus where
the momentum is about to carry the parameter (it needs ``momentum > 0`` and no dampening).

Read next: ``optim/adam.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, effective_grad, flag, real


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    At each step, for a parameter p with gradient ``grad``::

        g   = -grad if maximize else grad
        g   = g + weight_decay * p                      (when weight_decay != 0)
        buf = g                                         (first step)
        buf = momentum * buf + (1 - dampening) * g      (later steps; when momentum != 0)
        g   = g + momentum * buf if nesterov else buf   (when momentum != 0)
        p   = p - lr * g

    Parameters
    ----------
    params : iterable of Tensor or of dict (param groups)
    lr : float, default 1e-3
    momentum : float, default 0
    dampening : float, default 0
    weight_decay : float, default 0
        L2 penalty added to the gradient.
    nesterov : bool, default False
        Needs ``momentum > 0`` and ``dampening == 0``.
    maximize : bool, default False
        Ascend the objective instead of descending it.
    foreach, differentiable, fused : PyTorch's implementation switches, accepted and kept in the param groups
        (one code path here); ``True`` for ``differentiable``/``capturable`` is refused at step.

    Raises
    ------
    TypeError, ValueError
        For an option out of its range (lr, momentum, weight_decay >= 0, all finite), a
        non-bool flag, or Nesterov without momentum or with dampening.
    """

    rules = {
        "lr": real(),
        "momentum": real(),
        "dampening": real(-np.inf),
        "weight_decay": real(),
        "nesterov": flag,
        "maximize": flag,
    }
    implementation_flags = {"foreach": None, "differentiable": False, "fused": None}
    optional_state = ("momentum_buffer",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_options(self, options: Mapping[str, Any], where: str) -> dict[str, Any]:
        checked = super()._check_options(options, where)
        if checked["nesterov"] and (checked["momentum"] <= 0 or checked["dampening"] != 0):
            raise ValueError(f"{where}Nesterov momentum requires a momentum and zero dampening")
        return checked

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        nesterov = group["nesterov"]
        data = param._data
        scratch = self._scratch(param, 2 if momentum and (nesterov or dampening) else 1)
        g = effective_grad(data, grad, group["weight_decay"], group["maximize"], out=scratch[0])
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, dtype=data.dtype)  # a copy
            else:
                buf *= momentum
                buf += np.multiply(g, 1.0 - dampening, out=scratch[1]) if dampening else g
            if nesterov:
                g = np.add(g, np.multiply(buf, momentum, out=scratch[1]), out=scratch[0])
            else:
                g = buf
        data -= np.multiply(g, lr, out=scratch[0])  # p - lr * g
