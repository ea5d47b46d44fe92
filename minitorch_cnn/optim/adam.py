r"""Adam and AdamW: steps scaled per coordinate by running moments of the gradient.

Adam (Kingma & Ba) keeps two exponential moving averages per parameter entry: ``m`` of the
gradient (a momentum) and ``v`` of its square (how large the gradient usually is there).
Stepping along ``m / sqrt(v)`` gives every coordinate a step of about ``lr``, whatever the
scale of its gradient. Both averages start at 0, so early on they are too small by a factor
``1 - beta**t``; dividing by that factor (the bias correction) removes the bias.

AMSGrad uses the largest ``v`` seen so far instead of ``v``, so a coordinate's step never
grows again after its gradient shrinks.

Weight decay in Adam is added to the gradient (an L2 penalty), so it too is divided by
``sqrt(v)``: coordinates with large gradients are barely decayed. AdamW (Loshchilov &
Hutter) *decouples* it, shrinking the parameter directly, ``p <- p * (1 - lr * wd)``, before
the Adam step; PyTorch's ``Adam(decoupled_weight_decay=True)`` is the same algorithm.

Read next: ``optim/adadelta.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, effective_grad, flag, real


def _betas(value: Any, name: str) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (beta1, beta2), got {value!r}")
    return tuple(real(0.0, 1.0)(beta, f"{name}[{i}]") for i, beta in enumerate(value))


class Adam(Optimizer):
    r"""Adam, with PyTorch's arithmetic, as ``torch.optim.Adam``.

    At step t (counted per parameter from 1), for a parameter p with gradient ``grad``::

        g = -grad if maximize else grad
        p = p * (1 - lr * weight_decay)       (decoupled_weight_decay: AdamW)
        g = g + weight_decay * p              (otherwise, when weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g       (first moment, m0 = 0)
        v = beta2 * v + (1 - beta2) * g * g   (second moment, v0 = 0)
        v_max = max(v_max, v); use v_max as v (amsgrad)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Parameters
    ----------
    params : iterable of Tensor or of dict (param groups)
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Each in [0, 1).
    eps : float, default 1e-8
    weight_decay : float, default 0
    amsgrad : bool, default False
    maximize : bool, default False
    decoupled_weight_decay : bool, default False
        True is AdamW.
    foreach, capturable, differentiable, fused : PyTorch's implementation switches, accepted and kept in the param groups
        (one code path here); ``True`` for ``differentiable``/``capturable`` is refused at step.

    Raises
    ------
    TypeError, ValueError
        For an option out of its range or of the wrong kind.
    """

    rules = {
        "lr": real(),
        "betas": _betas,
        "eps": real(),
        "weight_decay": real(),
        "amsgrad": flag,
        "maximize": flag,
        "decoupled_weight_decay": flag,
    }
    implementation_flags = {
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
    }
    required_state = ("step", "exp_avg", "exp_avg_sq")
    optional_state = ("max_exp_avg_sq",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        data = param._data
        scratch, temp = self._scratch(param, 2)
        if group["decoupled_weight_decay"]:
            if weight_decay:
                data *= 1.0 - lr * weight_decay
            g = effective_grad(data, grad, 0.0, group["maximize"], out=scratch)
        else:
            g = effective_grad(data, grad, weight_decay, group["maximize"], out=scratch)
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(data), exp_avg_sq=np.zeros_like(data))
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(data)
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= beta1
        m += np.multiply(g, 1.0 - beta1, out=temp)
        v *= beta2
        np.multiply(g, 1.0 - beta2, out=temp)
        v += np.multiply(temp, g, out=temp)
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        denom = np.sqrt(v, out=scratch)  # g is no longer needed
        denom /= (1.0 - beta2**t) ** 0.5
        denom += eps
        update = np.divide(m, denom, out=scratch)
        data -= np.multiply(update, lr / (1.0 - beta1**t), out=scratch)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    The parameter shrinks first, ``p = p * (1 - lr * weight_decay)``; the Adam step follows
    on the plain gradient (see ``Adam``). Same parameters as ``Adam``, except
    ``weight_decay`` defaults to 1e-2 and ``decoupled_weight_decay`` is always True.
    """

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
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def _check_options(self, options: Mapping[str, Any], where: str) -> dict[str, Any]:
        # always decoupled, as in PyTorch: a param group or a loaded state never turns it off
        return super()._check_options({**options, "decoupled_weight_decay": True}, where)
