"""``Module`` (a container of parameters and sub-modules) and ``Parameter``.

A ``Module`` is an object whose attributes are its parts: every attribute holding a
``Parameter`` is one of its parameters, every attribute holding a ``Module`` is a sub-module.
Nothing is registered: ``named_parameters`` simply walks ``vars(self)`` in assignment order
(own parameters first, then each sub-module's under a dotted prefix), which is why
``model.state_dict()`` has keys like ``conv_layers.0.weight`` -- exactly PyTorch's.

Layers are thin: they hold their parameters and settings, validate them once in
``__init__``, and call one function from ``functional`` in ``forward``.

Read next: ``nn/linear.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that a ``Module`` learns: ``requires_grad=True``, float32.

    Parameters
    ----------
    data : Tensor or np.ndarray, any shape
        Floating point data, stored as float32 (shared, not copied, when already float32
        and writeable; a read-only array is copied, since optimizers update in place).

    Raises
    ------
    TypeError
        If ``data`` is not a Tensor or array of floating point numbers.
    """

    def __init__(self, data: Tensor | np.ndarray) -> None:
        array = data._data if isinstance(data, Tensor) else data
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            raise TypeError(
                "Parameter expects a floating point Tensor or np.ndarray, got "
                f"{type(data).__name__}"
                + (f" of dtype {array.dtype}" if hasattr(array, "dtype") else "")
            )
        array = array.astype(np.float32, copy=False)
        super().__init__(array if array.flags.writeable else array.copy(), requires_grad=True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models: override ``__init__`` (call ``super().__init__()``
    first) and ``forward``.

    Attributes
    ----------
    training : bool
        True after ``train()`` (the default), False after ``eval()``; ``Dropout`` reads it.
    """

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any) -> Any:
        return self.forward(*args)

    # ----- walking the attributes --------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute names, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(
        self, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs: own parameters, then each sub-module's.

        A parameter shared by two layers is yielded once (under its first name) unless
        ``remove_duplicate=False``.
        """
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:  # depth-first, children in assignment order
            path, module = stack.pop()
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and (not remove_duplicate or id(value) not in seen):
                    seen.add(id(value))
                    yield path + name, value
            children = [(f"{path}{name}.", child) for name, child in module.named_children()]
            stack.extend(reversed(children))

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter once, in ``named_parameters`` order (what an optimizer needs)."""
        for _, param in self.named_parameters():
            yield param

    # ----- modes and gradients ------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and every sub-module; returns ``self``."""
        self.training = bool(mode)
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``): ``Dropout`` becomes the identity."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``grad = None``, as PyTorch's default)."""
        for param in self.parameters():
            param.zero_grad()

    # ----- saving and loading ---------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """A snapshot of every parameter: ``{dotted name: copy of its array}``.

        Shared parameters appear under each of their names, as in PyTorch.
        """
        return {name: p._data.copy() for name, p in self.named_parameters(remove_duplicate=False)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Copy arrays into the parameters, in place (optimizers keep working).

        Strict: every parameter name must be present with its exact shape and no other key
        may appear; otherwise nothing is changed.

        Raises
        ------
        TypeError
            If ``state_dict`` is not a mapping or a value is not numeric (names the key).
        ValueError
            Naming the missing and the unexpected keys, or each key whose shape differs
            (with both shapes).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict expects a mapping of names to arrays, got {type(state_dict).__name__}"
            )
        own = dict(self.named_parameters(remove_duplicate=False))
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if missing or unexpected:
            raise ValueError(
                f"load_state_dict into {type(self).__name__}: missing keys {missing}, "
                f"unexpected keys {unexpected}"
            )
        arrays = {
            k: np.asarray(v._data if isinstance(v, Tensor) else v) for k, v in state_dict.items()
        }
        for name, array in arrays.items():
            if array.dtype.kind not in "biuf":
                raise TypeError(
                    f"load_state_dict: {name} must hold numbers, got an array of dtype {array.dtype}"
                )
        wrong = [
            f"{k}: expected {own[k].shape}, got {a.shape}"
            for k, a in arrays.items()
            if a.shape != own[k].shape
        ]
        if wrong:
            raise ValueError(
                f"load_state_dict into {type(self).__name__}: shape mismatch in " + "; ".join(wrong)
            )
        for name, array in arrays.items():
            np.copyto(own[name]._data, array, casting="same_kind")

    # ----- printing -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The settings shown between the parentheses of ``repr`` (layers override it)."""
        return ""

    def __repr__(self) -> str:
        children = [f"({name}): {child!r}" for name, child in self.named_children()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = ([self.extra_repr()] if self.extra_repr() else []) + children
        body = "\n".join("  " + line.replace("\n", "\n  ") for line in lines)
        return f"{type(self).__name__}(\n{body}\n)"
