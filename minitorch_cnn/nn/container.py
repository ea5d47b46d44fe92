"""Containers, as in ``torch.nn``: ``Sequential`` (modules applied one after another),
``ModuleList`` and ``ModuleDict`` (modules held, for a ``forward`` you write), and
``ParameterList``.

Each keeps its parts in the ``_modules`` registry under the names ``"0"``, ``"1"``, ...
(or the dict's keys), so ``state_dict`` keys read ``0.weight`` and removing an item renumbers
the rest, as in PyTorch.

Read next: ``nn/utils.py``.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..tensor import Tensor
from .module import Module, _first_entry
from .parameter import Parameter


def _position(index: Any, size: int) -> int:
    """``index`` (an int, negative counting from the end) as a position in ``range(size)``."""
    index = operator.index(index)
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of range")
    return index % size


def _check_module(module: Any, owner: str, index: int) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{owner} takes Modules, got {type(module).__name__} at position {index}")


class _ModuleSequence(Module):
    """What ``Sequential`` and ``ModuleList`` share: numbered parts, list-like access."""

    def _renumber(self, modules: Iterable[Module]) -> None:
        object.__setattr__(self, "_modules", {str(i): m for i, m in enumerate(modules)})

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):  # a Sequential's slice keeps the names, as PyTorch's
            part = list(self._modules.items())[index]
            named = isinstance(self, Sequential)
            return type(self)(OrderedDict(part)) if named else type(self)(m for _, m in part)
        return list(self._modules.values())[_position(index, len(self))]

    def __setitem__(self, index: int, module: Module) -> None:
        _check_module(module, type(self).__name__, index)
        setattr(self, list(self._modules)[_position(index, len(self))], module)

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_position(index, len(modules))]
        self._renumber(modules)

    def append(self, module: Module) -> _ModuleSequence:
        """Add ``module`` at the end; returns self."""
        _check_module(module, type(self).__name__, len(self))
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> _ModuleSequence:
        """Append each of ``modules``; returns self."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"{type(self).__name__}.extend should be called with an iterable, but got "
                f"{type(modules).__name__}"
            )
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> _ModuleSequence:
        """Put ``module`` before position ``index`` (as ``list.insert``); returns self."""
        _check_module(module, type(self).__name__, index)
        modules = list(self._modules.values())
        modules.insert(operator.index(index), module)
        self._renumber(modules)
        return self

    def pop(self, index: int) -> Module:
        """Remove and return the module at ``index``."""
        module = self[index]
        del self[index]
        return module

    def __iadd__(self, modules: Iterable[Module]) -> _ModuleSequence:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> _ModuleSequence:
        if isinstance(self, Sequential) and not isinstance(other, Sequential):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other)} is given."
            )
        return type(self)().extend(self).extend(other)

    def __dir__(self) -> list[str]:
        return [name for name in super().__dir__() if not name.isdigit()]


class Sequential(_ModuleSequence):
    """Modules applied one after another: ``Sequential(a, b)(x)`` is ``b(a(x))``.

    Built from modules (named ``"0"``, ``"1"``, ...) or from one ``OrderedDict`` of names to
    modules. Indexing gives a module (``seq[0]``), slicing a ``Sequential`` of the same
    modules; ``len``, iteration, ``append``, ``insert``, ``extend``, ``pop`` and ``del``
    work as on a list.

    Raises
    ------
    TypeError
        If a part is not a Module.
    """

    def __init__(self, *args: Module) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
            return
        for index, module in enumerate(args):
            _check_module(module, "Sequential", index)
            self.add_module(str(index), module)

    def forward(self, input: Any) -> Any:  # noqa: A002 -- PyTorch's name
        for module in self:
            input = module(input)
        return input


class ModuleList(_ModuleSequence):
    """A list of modules, registered (their parameters are the list's), for a ``forward``
    you write: ``for layer in self.layers: x = layer(x)``."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __repr__(self) -> str:
        # as PyTorch: runs of equal parts are printed once, "(0-11): 12 x Block(...)"
        with _first_entry("__repr__", self) as first:
            if not first:
                return f"{self._get_name()}(...)"
            texts = [repr(module) for module in self]
        if not texts:
            return f"{self._get_name()}()"
        runs: list[list[Any]] = []  # [first index, last index, text]
        for index, text in enumerate(texts):
            if runs and runs[-1][2] == text:
                runs[-1][1] = index
            else:
                runs.append([index, index, text])
        lines = [
            (f"({a}): " if a == b else f"({a}-{b}): {b - a + 1} x ") + text.replace("\n", "\n  ")
            for a, b, text in runs
        ]
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules, registered under their keys, for a ``forward`` you write."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        """``(name, module)`` pairs."""
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        """The modules."""
        return self._modules.values()

    def pop(self, key: str) -> Module:
        """Remove and return the module ``key``."""
        return self._modules.pop(key)

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or from ``(name, module)`` pairs."""
        named = isinstance(modules, (Mapping, ModuleDict))
        pairs = modules.items() if named else modules
        if not isinstance(pairs, Iterable):
            raise TypeError(
                "ModuleDict.update should be called with an iterable of key/value pairs, "
                f"but got {type(modules).__name__}"
            )
        for index, pair in enumerate(pairs):
            if not isinstance(pair, Iterable) or len(pair := tuple(pair)) != 2:
                raise ValueError(f"ModuleDict update sequence element #{index} is not a pair")
            self[pair[0]] = pair[1]


class ParameterList(Module):
    """A list of parameters, registered (as ``"0"``, ``"1"``, ...); a Tensor appended
    becomes a ``Parameter``."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return type(self)(self[i] for i in range(*index.indices(len(self))))
        return getattr(self, str(_position(index, len(self))))

    def __setitem__(self, index: int, value: Any) -> None:
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        setattr(self, str(_position(index, len(self))), value)

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end; returns self."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append each of ``values``; returns self."""
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(
                "ParameterList.extend should be called with an iterable, but got "
                f"{type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def extra_repr(self) -> str:
        lines = []
        for index, value in enumerate(self):
            if isinstance(value, Tensor):
                kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
                size = "x".join(str(n) for n in value.shape)
                text = f"{kind} containing: [torch.{value.dtype} of size {size}]"
            else:
                text = f"Object of type: {type(value).__name__}"
            lines.append(f"  ({index}): {text}")
        return "\n".join(lines)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")
