"""The optimizer base class: parameter groups, per-parameter state, ``step()``, state dicts.

An optimizer turns the gradients left by ``backward()`` into parameter updates. What every
algorithm shares lives here, in PyTorch's structure:

- ``param_groups`` -- a list of dicts, each with ``"params"`` (a list of tensors) and every
  option of the algorithm (``"lr"``, ``"weight_decay"``, ...). A group may override the
  constructor's defaults; a scheduler or the user changes ``group["lr"]`` between steps and
  the next ``step()`` uses it.
- ``state`` -- a dict from parameter to its running quantities (momentum buffer, moment
  estimates, step count), created at the parameter's first step.
- ``state_dict()`` -- ``{"state": {index: {name: array or int}}, "param_groups": [{options...,
  "params": [indices]}]}``, the parameters numbered in group order, as PyTorch numbers them.

A subclass declares its options (``rules``: name -> checker), PyTorch's switches that choose
how a step is computed rather than what it computes (``implementation_flags``: ``foreach``,
``fused``, ... with their defaults; kept in the groups as PyTorch keeps them, with one code
path here), and its state names, and writes one method, ``_update(param, grad, state, group)``, on
ndarrays. Updates go into each parameter's array in place, through ``out=`` arguments into
scratch arrays allocated once per parameter (``_scratch``): no fresh temporaries per step,
and the model, the optimizer and any view of a parameter keep the same array.

Options are kept as Python numbers: NumPy treats a Python int or float as a "weak" scalar,
so ``float32_array * lr`` stays float32 (an ``np.float64`` would silently upcast the update).

Read next: ``optim/sgd.py``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor

Rule = Callable[[Any, str], Any]


def real(low: float = 0.0, high: float = math.inf, *, closed: bool = False) -> Rule:
    """A checker for a finite real option in ``[low, high)`` (``[low, high]`` when closed)."""

    def check(value: Any, name: str) -> float:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"{name} must be a float, got {type(value).__name__} {value!r}")
        inside = low <= float(value) <= high if closed else low <= float(value) < high
        if not (inside and math.isfinite(value)):
            raise ValueError(
                f"{name} must be in [{low}, {high}{']' if closed else ')'}, got {value}"
            )
        # a Python number stays as given (as PyTorch keeps it; NumPy treats both as weak
        # scalars), a NumPy scalar becomes a Python float (np.float64 would upcast float32)
        return value if type(value) in (int, float) else float(value)

    return check


def flag(value: Any, name: str) -> bool:
    """A checker for a bool option (``1`` or ``"yes"`` is refused, not taken as True)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def flag_or_none(value: Any, name: str) -> bool | None:
    """A checker for PyTorch's ``foreach``/``fused`` switches: None (PyTorch decides) or a bool."""
    return None if value is None else flag(value, name)


def effective_grad(
    param: np.ndarray, grad: np.ndarray, weight_decay: float, maximize: bool, out: np.ndarray
) -> np.ndarray:
    """The direction to descend: ``-grad`` when maximizing, plus ``weight_decay * param``
    (the gradient of the L2 penalty ``weight_decay / 2 * |param|^2``).

    Returns ``grad`` itself when neither applies, else ``out`` (``.grad`` is never changed).
    """
    if weight_decay:
        np.multiply(param, weight_decay, out=out)
        return np.subtract(out, grad, out=out) if maximize else np.add(out, grad, out=out)
    return np.negative(grad, out=out) if maximize else grad


def _array(value: Any, where: str) -> np.ndarray:
    try:
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{where} must be an array of numbers, got {type(value).__name__}"
        ) from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{where} must hold real numbers, got dtype {array.dtype}")
    return array


def _index(value: Any, where: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where} must be an int parameter index, got {value!r}")
    return int(value)


class Optimizer:
    """Base class: parameter groups, per-parameter state and the update loop.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The tensors to update, or param groups: dicts with ``"params"`` and any options that
        differ from ``defaults`` for those tensors.
    defaults : dict
        Every option of the algorithm (checked by ``rules``).

    Raises
    ------
    TypeError, ValueError
        For an option outside its range or of the wrong kind, an empty parameter list, a
        non-Tensor or non-leaf parameter, or a parameter in two groups.
    """

    rules: dict[str, Rule] = {}  # option name -> checker, set by each subclass
    implementation_flags: dict[str, Any] = {}  # PyTorch's foreach/fused/... -> default
    required_state: tuple[str, ...] = ()  # what a parameter's state holds after a step
    optional_state: tuple[str, ...] = ()  # present only with some options

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = self._check_options(defaults, "")
        if isinstance(params, Tensor) or not isinstance(params, Iterable):
            hint = " (pass model.parameters())" if hasattr(params, "parameters") else ""
            raise TypeError(
                "optimizers take an iterable of parameters or of param group dicts, e.g. "
                f"model.parameters(), got {type(params).__name__}{hint}"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch_arrays: dict[Tensor, list[np.ndarray]] = {}
        for group in groups if isinstance(groups[0], Mapping) else [{"params": groups}]:
            self.add_param_group(group)

    def _check_options(self, options: Mapping[str, Any], where: str) -> dict[str, Any]:
        """Every option of this algorithm from ``options``, checked, as floats and bools."""
        missing = [name for name in self.rules if name not in options]
        if missing:
            raise ValueError(f"{where}missing options {missing} ({type(self).__name__})")
        checked = {name: rule(options[name], where + name) for name, rule in self.rules.items()}
        for name, default in self.implementation_flags.items():  # absent from old state dicts
            checked[name] = flag_or_none(options.get(name, default), where + name)
        if "initial_lr" in options:  # a scheduler's record of the starting lr
            checked["initial_lr"] = real()(options["initial_lr"], where + "initial_lr")
        return checked

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group of parameters, with options that default to the constructor's."""
        if not isinstance(param_group, Mapping):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"a param group needs a 'params' entry, got keys {list(param_group)}")
        params = param_group["params"]
        if isinstance(params, (set, frozenset)):
            raise TypeError("a param group's parameters must be ordered (a set's order is not)")
        params = [params] if isinstance(params, Tensor) else list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"optimizers update Tensors (e.g. model.parameters()), got {param!r:.80}"
                )
            if param._ctx is not None:
                raise ValueError("can't optimize a non-leaf Tensor (the result of an operation)")
        unique = list({id(p): p for p in params}.values())
        if len(unique) < len(params):
            warnings.warn("a param group lists a parameter twice: it is updated once", stacklevel=2)
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in taken for p in unique):
            raise ValueError("some parameters appear in more than one parameter group")
        group = {**param_group, "params": unique}
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        group.update(self._check_options(group, f"param group {len(self.param_groups)}: "))
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every gradient: ``grad = None``, or zeros written in place when
        ``set_to_none=False``."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = None if set_to_none or param.grad is None else np.asarray(param.grad)
                if grad is not None and grad.flags.writeable:
                    grad.fill(0)
                else:
                    param.grad = None if grad is None else np.zeros_like(grad)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss, if given
        (the closure re-evaluates the model and calls backward, before the update)."""
        for group in self.param_groups:
            for name in ("differentiable", "capturable"):
                if group.get(name):
                    raise ValueError(
                        f"{type(self).__name__}: {name}=True (PyTorch's autograd through the "
                        "step, or CUDA graph capture) is not supported; use False"
                    )
        loss = None if closure is None else closure()
        work = []  # all gradients are checked before any parameter changes
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = np.asarray(param.grad)
                if grad.shape != param.shape:
                    raise ValueError(
                        f"{type(self).__name__}.step: a gradient of shape {grad.shape} for a "
                        f"parameter of shape {param.shape} (gradients are never broadcast)"
                    )
                work.append((param, grad, group))
        self._opt_called = True  # read by a schedule's first step (PyTorch's order check)
        for param, grad, group in work:
            self._update(param, grad, self.state[param], group)
            bump = getattr(param, "_bump_version", None)
            if bump is not None:
                bump()
        return loss

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        raise NotImplementedError

    def _scratch(self, param: Tensor, count: int) -> list[np.ndarray]:
        """``count`` reusable arrays shaped like ``param``, made once (contents meaningless)."""
        arrays = self._scratch_arrays.get(param, [])
        if arrays and (arrays[0].shape != param.shape or arrays[0].dtype != param.dtype):
            arrays = []  # the parameter was given a new array
        arrays.extend(np.empty_like(param._data) for _ in range(count - len(arrays)))
        self._scratch_arrays[param] = arrays
        return arrays

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {name: array or int}}, "param_groups": [{..., "params":
        [index, ...]}]}``, parameters numbered across groups in order (arrays copied)."""
        groups, params = [], []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = list(range(len(params), len(params) + len(group["params"])))
            params += group["params"]
            groups.append(packed)
        state = {
            index: {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for index, s in ((i, self.state.get(p)) for i, p in enumerate(params))
            if s
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` returned, into an optimizer over parameters of the
        same shapes in the same groups. Everything is checked before anything changes;
        arrays are copied (the given dict is never aliased).

        Raises
        ------
        TypeError, ValueError
            If the structure, the group count or sizes, an option (as the constructor checks
            it), a state name, a step count or a state array's shape does not fit.
        """
        where = f"{type(self).__name__}.load_state_dict: "
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}expected a dict, got {type(state_dict).__name__}")
        if set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                f"{where}expected keys 'state' and 'param_groups' (PyTorch's structure), got "
                f"{list(state_dict)}"
            )
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not all(
            isinstance(g, Mapping) and isinstance(g.get("params"), (list, tuple))
            for g in saved_groups
        ):
            raise TypeError(f"{where}param_groups must be a list of dicts with a 'params' list")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}the state dict has {len(saved_groups)} parameter groups, this "
                f"optimizer has {len(self.param_groups)}"
            )
        groups, by_index = [], {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{where}parameter group {i} has {len(saved['params'])} parameters in the "
                    f"state dict, {len(group['params'])} in this optimizer"
                )
            indices = [_index(k, f"{where}param_groups[{i}]['params']") for k in saved["params"]]
            by_index.update(zip(indices, group["params"]))
            options = self._check_options(saved, f"{where}param_groups[{i}].")
            groups.append({**saved, **options, "params": group["params"]})
        if len(by_index) != sum(len(g["params"]) for g in groups):
            raise ValueError(f"{where}a parameter index appears twice in param_groups")
        if not isinstance(saved_state, Mapping):
            raise TypeError(f"{where}state must be a dict, got {type(saved_state).__name__}")
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, entry in saved_state.items():
            if key not in by_index or isinstance(key, bool):
                raise ValueError(f"{where}state for parameter {key!r}: not in {sorted(by_index)}")
            state[by_index[key]] = self._check_state(entry, by_index[key], f"{where}state[{key}]")
        self.param_groups, self.state = groups, state

    def _check_state(self, entry: Any, param: Tensor, where: str) -> dict[str, Any]:
        """One parameter's saved state, checked against ``param`` and copied."""
        if not isinstance(entry, Mapping):
            raise TypeError(f"{where} must be a dict, got {type(entry).__name__}")
        entry = {k: v for k, v in entry.items() if v is not None}  # old PyTorch saved None
        allowed = self.required_state + self.optional_state
        missing = [name for name in self.required_state if name not in entry]
        if entry and (missing or any(name not in allowed for name in entry)):
            raise ValueError(
                f"{where}: {type(self).__name__} keeps {list(self.required_state)}"
                f"{f' (and {list(self.optional_state)})' if self.optional_state else ''}, "
                f"got {list(entry)}"
            )
        checked: dict[str, Any] = {}
        for name, value in entry.items():
            array = _array(value, f"{where}[{name!r}]")
            if name == "step":  # a count (PyTorch keeps it as a float tensor)
                if array.shape != () or not (0 <= array < math.inf and array == np.floor(array)):
                    raise ValueError(f"{where}['step'] must be an integer >= 0, got {value!r}")
                checked[name] = int(array)
            elif array.shape != param.shape:
                raise ValueError(
                    f"{where}[{name!r}] has shape {array.shape}, its parameter {param.shape}"
                )
            else:
                checked[name] = np.array(array, dtype=param.dtype, copy=True)
        return checked

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines += [""] * (i > 0) + [f"Parameter Group {i}"]  # groups apart by a blank line
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join([*lines, ")"])
