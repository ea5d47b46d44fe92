"""Optimizers: turn the gradients left by ``backward()`` into parameter updates.

``SGD`` and ``Adam`` follow PyTorch's update rules exactly (same momentum buffer, same bias
correction), so a recipe from a PyTorch tutorial behaves the same here. Updates are written
into each parameter's array *in place*: the model, the optimizer and any view of a parameter
keep seeing the same array.

Every step writes its intermediate results into one preallocated scratch array per parameter
(``out=`` arguments) instead of fresh temporaries: a new 3 MB temporary costs page faults
every time, and Adam needs several per parameter per step.

Hyperparameters are kept as Python floats: NumPy treats a Python float as a "weak" scalar,
so ``float32_array * lr`` stays float32 (an ``np.float64`` 0-d array would silently turn
every update into float64).

``state_dict()`` is flat -- ``{"lr": 0.05, "state.3.momentum_buffer": array, ...}`` -- so a
checkpoint can store it as it is (see ``checkpoint.py``).

Read next: ``data.py``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from .tensor import Tensor


def _hyper(value: Any, name: str, low: float, high: float = math.inf) -> float:
    """A hyperparameter as a Python float in ``[low, high)`` (or a TypeError/ValueError)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a float, got {type(value).__name__} {value!r}")
    if not low <= float(value) < high:
        raise ValueError(f"{name} must be in [{low}, {high}), got {value}")
    return float(value)


class Optimizer:
    """Base class: holds the parameters, per-parameter state and the hyperparameters.

    Subclasses set ``self.hyper`` (name -> float), fill ``self.state[i]`` (name -> array or
    int) for parameter ``i`` and implement ``_update(param, grad, state, scratch)``; scratch
    is a reusable array of the parameter's shape whose contents mean nothing between calls.
    """

    def __init__(self, params: Iterable[Tensor]) -> None:
        if isinstance(params, Tensor) or not isinstance(params, Iterable):
            hint = " (pass model.parameters())" if hasattr(params, "parameters") else ""
            raise TypeError(
                f"optimizers take an iterable of parameters, e.g. model.parameters(), got "
                f"{type(params).__name__}{hint}"
            )
        self.params: list[Tensor] = []
        for param in params:
            if not isinstance(param, Tensor) or not param.requires_grad or param._ctx is not None:
                raise TypeError(
                    "optimizers update leaf Tensors with requires_grad=True (e.g. "
                    f"model.parameters()), got {param!r:.80}"
                )
            if all(param is not p for p in self.params):  # a shared parameter steps once
                self.params.append(param)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        self.hyper: dict[str, float] = {}
        self.state: list[dict[str, Any]] = [{} for _ in self.params]
        self._scratch: list[np.ndarray | None] = [None for _ in self.params]

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``grad = None``)."""
        for param in self.params:
            param.zero_grad()

    def step(self) -> None:
        """Update every parameter that has a gradient (those without one are left alone)."""
        for index, (param, state) in enumerate(zip(self.params, self.state)):
            if param.grad is None:
                continue
            if self._scratch[index] is None:
                self._scratch[index] = np.empty_like(param._data)
            self._update(param._data, np.asarray(param.grad), state, self._scratch[index])
            param._bump_version()

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], scratch: np.ndarray
    ) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and per-parameter state, flat: ``{"lr": 0.01, "state.0.step": 3,
        "state.0.exp_avg": array, ...}`` (arrays copied)."""
        flat: dict[str, Any] = dict(self.hyper)
        for index, state in enumerate(self.state):
            for name, value in state.items():
                flat[f"state.{index}.{name}"] = (
                    value.copy() if isinstance(value, np.ndarray) else value
                )
        return flat

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (for the same parameters, in the same order).

        Raises
        ------
        ValueError
            If a hyperparameter is missing, a key belongs to no parameter, or a state
            array's shape differs from its parameter's.
        """
        missing = [name for name in self.hyper if name not in state_dict]
        if missing:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: missing hyperparameters {missing}"
            )
        states: list[dict[str, Any]] = [{} for _ in self.params]
        for key, value in state_dict.items():
            if key in self.hyper:
                continue
            parts = key.split(".")
            if (
                len(parts) != 3
                or parts[0] != "state"
                or not parts[1].isdigit()
                or int(parts[1]) >= len(self.params)
            ):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: unexpected key {key!r} (this "
                    f"optimizer has {len(self.params)} parameters and hyperparameters {list(self.hyper)})"
                )
            index, name = int(parts[1]), parts[2]
            array = np.asarray(value)
            if array.ndim == 0 and array.dtype.kind in "iu":
                states[index][name] = int(array)  # step counters
            elif array.shape != self.params[index].shape:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: {key} has shape {array.shape}, "
                    f"parameter {index} has shape {self.params[index].shape}"
                )
            else:
                states[index][name] = array.astype(self.params[index].dtype, copy=True)
        self.hyper = {
            name: float(state_dict[name]) for name in self.hyper
        }  # floats, never 0-d arrays
        self.state = states


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum and weight decay (PyTorch's rule).

    With g = grad + weight_decay * p, at each step::

        buf = g                      (first step)
        buf = momentum * buf + g     (later steps; only when momentum > 0)
        p   = p - lr * buf           (p - lr * g without momentum)

    Parameters
    ----------
    params : iterable of Tensor
    lr : float
        Learning rate, >= 0.
    momentum : float, default 0
    weight_decay : float, default 0
        L2 penalty added to the gradient.
    """

    def __init__(
        self, params: Iterable[Tensor], lr: float, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params)
        self.hyper = {
            "lr": _hyper(lr, "lr", 0.0),
            "momentum": _hyper(momentum, "momentum", 0.0),
            "weight_decay": _hyper(weight_decay, "weight_decay", 0.0),
        }

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], scratch: np.ndarray
    ) -> None:
        lr, momentum, weight_decay = (
            self.hyper["lr"],
            self.hyper["momentum"],
            self.hyper["weight_decay"],
        )
        if (
            weight_decay
        ):  # g = grad + weight_decay * p, in scratch (.grad stays as backward made it)
            np.multiply(param, weight_decay, out=scratch)
            grad = np.add(scratch, grad, out=scratch)
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                state["momentum_buffer"] = buf = grad.copy()
            else:
                buf *= momentum
                buf += grad
            grad = buf
        param -= np.multiply(grad, lr, out=scratch)  # p - lr * g


class Adam(Optimizer):
    r"""Adam (Kingma & Ba), with PyTorch's arithmetic.

    With t the step count of this parameter and g its gradient::

        m = beta1 * m + (1 - beta1) * g            (first moment, m0 = 0)
        v = beta2 * v + (1 - beta2) * g * g        (second moment, v0 = 0)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Dividing by ``1 - beta**t`` corrects the moments' bias toward their zero start.

    Parameters
    ----------
    params : iterable of Tensor
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Each in [0, 1).
    eps : float, default 1e-8
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.hyper = {
            "lr": _hyper(lr, "lr", 0.0),
            "beta1": _hyper(betas[0], "betas[0]", 0.0, 1.0),
            "beta2": _hyper(betas[1], "betas[1]", 0.0, 1.0),
            "eps": _hyper(eps, "eps", 0.0),
        }

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], scratch: np.ndarray
    ) -> None:
        lr, beta1, beta2, eps = (self.hyper[k] for k in ("lr", "beta1", "beta2", "eps"))
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= beta1
        m += np.multiply(grad, 1.0 - beta1, out=scratch)
        v *= beta2
        np.multiply(grad, grad, out=scratch)
        v += np.multiply(scratch, 1.0 - beta2, out=scratch)
        denom = np.sqrt(v, out=scratch)
        denom /= math.sqrt(1.0 - beta2**t)
        denom += eps
        update = np.divide(m, denom, out=scratch)
        param -= np.multiply(update, lr / (1.0 - beta1**t), out=scratch)
