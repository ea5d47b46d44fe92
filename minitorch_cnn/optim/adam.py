"""Adam (Kingma & Ba) with PyTorch's arithmetic, its AMSGrad variant, and AdamW.

With t the parameter's step count and g its gradient (-grad when ``maximize``)::

    m = beta1 * m + (1 - beta1) * g                 (first moment, m0 = 0)
    v = beta2 * v + (1 - beta2) * g * g             (second moment, v0 = 0)
    v_max = max(v_max, v)                           (AMSGrad only: use v_max below)
    p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

Dividing by ``1 - beta**t`` corrects the moments' bias toward their zero start. Adam's
``weight_decay`` adds ``weight_decay * p`` to g (an L2 penalty); AdamW instead shrinks the
weights directly, ``p = p * (1 - lr * weight_decay)``, before the update (decoupled decay).

Read next: ``optim/adadelta.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_bool, check_float


class Adam(Optimizer):
    state_arrays = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    required_state = ("step",)
    decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def check_group(self, group: dict[str, Any]) -> None:
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = (
            check_float(betas[0], "betas[0]", 0.0, 1.0),
            check_float(betas[1], "betas[1]", 0.0, 1.0),
        )
        for name in ("lr", "eps", "weight_decay"):
            group[name] = check_float(group[name], name)
        for name in ("amsgrad", "maximize"):
            group[name] = check_bool(group[name], name)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, (beta1, beta2), eps, decay = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        g = -grad if group["maximize"] else grad
        if decay and self.decoupled:
            param *= 1.0 - lr * decay
        elif decay:
            g = g + decay * param
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * (g * g)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        denom = np.sqrt(v) / math.sqrt(1.0 - beta2**t) + eps
        param -= (lr / (1.0 - beta1**t)) * (m / denom)


class AdamW(Adam):
    decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
