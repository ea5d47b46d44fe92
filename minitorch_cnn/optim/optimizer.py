"""``Optimizer``: parameter groups, per-parameter state and ``step``, as in PyTorch.

An optimizer holds ``param_groups``: a list of dicts, each with its ``"params"`` and its
options (``"lr"``, ``"momentum"``, ...). A schedule or a user changes ``group["lr"]`` and the
next ``step()`` uses it. ``state[p]`` holds what the rule carries from step to step for
parameter ``p`` (a momentum buffer, Adam's moments and step count). Updates are written into
each parameter's array in place, and the parameter's version is bumped: a graph that saved
the old values refuses to backward through them (``autograd``).

Hyperparameters are Python floats: NumPy treats a Python float as a "weak" scalar, so
``float32_array * lr`` stays float32.

Read next: ``optim/sgd.py``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor


def check_float(value: Any, name: str, low: float = 0.0, high: float = math.inf) -> float:
    """A hyperparameter as a Python float in ``[low, high)``, else a TypeError/ValueError."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a float, got {type(value).__name__} {value!r}")
    if not low <= float(value) < high:
        raise ValueError(f"{name} must be in [{low}, {high}), got {value}")
    return float(value)


def check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


class Optimizer:
    """Base class. A subclass passes its ``defaults`` (option -> value), implements
    ``check_group(group)`` (validate and normalise one group's options, as the constructor
    and ``load_state_dict`` both do) and ``update(param, grad, state, group)`` on arrays."""

    state_arrays: tuple[str, ...] = ()  # names of per-parameter arrays of the parameter's shape

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor) or not isinstance(params, Iterable):
            hint = " (pass model.parameters())" if hasattr(params, "parameters") else ""
            raise TypeError(
                f"optimizers take an iterable of parameters or of dicts, e.g. "
                f"model.parameters(), got {type(params).__name__}{hint}"
            )
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group: its ``"params"`` and any options that differ from the defaults."""
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"a parameter group is a dict with 'params', got {param_group!r:.80}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        unique: list[Tensor] = []
        for p in params:
            if not isinstance(p, Tensor) or not p.requires_grad or p._ctx is not None:
                raise TypeError(
                    "optimizers update leaf Tensors with requires_grad=True (e.g. "
                    f"model.parameters()), got {p!r:.80}"
                )
            if id(p) in seen:
                raise ValueError("some parameters appear in more than one parameter group")
            if all(p is not q for q in unique):  # a parameter listed twice steps once
                unique.append(p)
        group = {**self.defaults, **param_group, "params": unique}
        unknown = sorted(set(group) - set(self.defaults) - {"params", "initial_lr"})
        if unknown:
            raise TypeError(f"{type(self).__name__} has no options {unknown}")
        self.check_group(group)
        self.param_groups.append(group)

    def check_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    def update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        raise NotImplementedError

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every gradient (``grad = None``), or set them to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; ``closure`` (re-evaluating the loss,
        whose value is returned) runs first when given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = np.asarray(p.grad)
                if grad.shape != p.shape:
                    raise ValueError(
                        f"a gradient must have its parameter's shape {p.shape}, got {grad.shape}"
                    )
                self.update(p._data, grad, self.state.setdefault(p, {}), group)
                p._bump_version()
        return loss

    # ----- saving and restoring ---------------------------------------------------------
    def _params(self) -> list[Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's structure: ``{"state": {index: {name: value}}, "param_groups":
        [{option: value, ..., "params": [index, ...]}]}``, arrays copied."""
        index = {id(p): i for i, p in enumerate(self._params())}
        state = {
            index[id(p)]: {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for p, s in self.state.items()
            if s
        }
        groups = [
            {
                **{k: v for k, v in g.items() if k != "params"},
                "params": [index[id(p)] for p in g["params"]],
            }
            for g in self.param_groups
        ]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` of an optimizer over the same parameters. Everything is
        checked before anything changes; arrays are copied (never shared with the caller)."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{name}.load_state_dict expects keys 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, (list, tuple)) or len(saved_groups) != len(
            self.param_groups
        ):
            raise ValueError(
                f"{name}.load_state_dict: the state has {len(saved_groups)} parameter groups, "
                f"this optimizer {len(self.param_groups)}"
            )
        groups, params = [], self._params()
        for saved, own in zip(saved_groups, self.param_groups):
            if not isinstance(saved, dict) or len(saved.get("params", ())) != len(own["params"]):
                raise ValueError(f"{name}.load_state_dict: a group's parameter count differs")
            group = {**own, **{k: v for k, v in saved.items() if k != "params"}}
            self.check_group(group)
            groups.append(group)
        states: dict[Tensor, dict[str, Any]] = {}
        for key, saved in dict(state_dict["state"]).items():
            if not isinstance(key, (int, np.integer)) and not str(key).isdigit():
                raise ValueError(f"{name}.load_state_dict: state key {key!r} is not an index")
            if not 0 <= int(key) < len(params) or not isinstance(saved, dict):
                raise ValueError(f"{name}.load_state_dict: no parameter {key!r}")
            states[params[int(key)]] = self._checked_state(params[int(key)], int(key), saved)
        for group, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in group.items() if k != "params"})
        self.state = states

    def _checked_state(self, param: Tensor, index: int, saved: dict[str, Any]) -> dict[str, Any]:
        name = type(self).__name__
        state: dict[str, Any] = {}
        for key, value in saved.items():
            if key == "step":
                step = np.asarray(value)
                if step.ndim != 0 or step.dtype.kind not in "iuf" or step < 0:
                    raise ValueError(f"{name}.load_state_dict: state {index} step {value!r}")
                state["step"] = int(step)
            elif key in self.state_arrays:
                array = np.asarray(value)
                if array.shape != param.shape or array.dtype.kind != "f":
                    raise ValueError(
                        f"{name}.load_state_dict: state {index} {key} has shape {array.shape}, "
                        f"parameter {index} has shape {param.shape}"
                    )
                state[key] = array.astype(param.dtype, copy=True)
            else:
                raise ValueError(f"{name}.load_state_dict: unexpected state {index} {key!r}")
        if state and "step" not in state and "step" in self.required_state:
            raise ValueError(f"{name}.load_state_dict: state {index} has no 'step'")
        return state

    required_state: tuple[str, ...] = ()
