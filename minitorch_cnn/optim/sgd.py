"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

PyTorch's rule, with g = grad (-grad when ``maximize``) + weight_decay * p::

    buf = g                                           (first step)
    buf = momentum * buf + (1 - dampening) * g        (later steps; when momentum > 0)
    g   = g + momentum * buf  (Nesterov)  or  buf     (when momentum > 0)
    p   = p - lr * g

Read next: ``optim/adam.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_bool, check_float


class SGD(Optimizer):
    state_arrays = ("momentum_buffer",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "momentum", "dampening", "weight_decay"):
            group[name] = check_float(group[name], name)
        for name in ("nesterov", "maximize"):
            group[name] = check_bool(group[name], name)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * param  # .grad stays as backward made it
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                state["momentum_buffer"] = buf = np.array(g, dtype=param.dtype, copy=True)
            else:
                buf *= momentum
                buf += (1.0 - group["dampening"]) * g if group["dampening"] else g
            g = g + momentum * buf if group["nesterov"] else buf
        param -= group["lr"] * g
