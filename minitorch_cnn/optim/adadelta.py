"""Adadelta and RMSprop: steps scaled by running averages of squared gradients.

Adadelta (Zeiler), PyTorch's rule, g = grad (+ weight_decay * p; -grad when maximize)::

    s     = rho * s + (1 - rho) * g * g
    delta = sqrt(u + eps) / sqrt(s + eps) * g
    u     = rho * u + (1 - rho) * delta * delta
    p     = p - lr * delta

RMSprop (Hinton), with a = sqrt(s) + eps (``centered``: sqrt(s - ga**2) + eps, ga the
running mean of g)::

    s = alpha * s + (1 - alpha) * g * g
    b = momentum * b + g / a ;  p = p - lr * b        (momentum > 0)
    p = p - lr * g / a                                (otherwise)

Read next: ``optim/lr_scheduler.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_bool, check_float


def _direction(param: np.ndarray, grad: np.ndarray, group: dict) -> np.ndarray:
    g = -grad if group["maximize"] else grad
    return g + group["weight_decay"] * param if group["weight_decay"] else g


class Adadelta(Optimizer):
    state_arrays = ("square_avg", "acc_delta")
    required_state = ("step",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def check_group(self, group: dict[str, Any]) -> None:
        group["rho"] = check_float(group["rho"], "rho", 0.0, 1.0 + 1e-12)
        for name in ("lr", "eps", "weight_decay"):
            group[name] = check_float(group[name], name)
        group["maximize"] = check_bool(group["maximize"], "maximize")

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        rho, eps = group["rho"], group["eps"]
        g = _direction(param, grad, group)
        if not state:
            state.update(step=0, square_avg=np.zeros_like(param), acc_delta=np.zeros_like(param))
        state["step"] += 1
        s, u = state["square_avg"], state["acc_delta"]
        s *= rho
        s += (1.0 - rho) * (g * g)
        delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u *= rho
        u += (1.0 - rho) * (delta * delta)
        param -= group["lr"] * delta


class RMSprop(Optimizer):
    state_arrays = ("square_avg", "momentum_buffer", "grad_avg")
    required_state = ("step",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            group[name] = check_float(group[name], name)
        for name in ("centered", "maximize"):
            group[name] = check_bool(group[name], name)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        alpha = group["alpha"]
        g = _direction(param, grad, group)
        if not state:
            state.update(step=0, square_avg=np.zeros_like(param))
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        s = state["square_avg"]
        s *= alpha
        s += (1.0 - alpha) * (g * g)
        if group["centered"]:
            ga = state["grad_avg"]
            ga *= alpha
            ga += (1.0 - alpha) * g
            avg = np.sqrt(s - ga * ga) + group["eps"]
        else:
            avg = np.sqrt(s) + group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += g / avg
            param -= group["lr"] * buf
        else:
            param -= group["lr"] * (g / avg)
