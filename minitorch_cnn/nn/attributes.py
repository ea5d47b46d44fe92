"""How ``self.fc = nn.Linear(3, 2)`` registers a part: a module's attributes.

A module keeps three ordered registries, as PyTorch's does: ``_parameters`` (``Parameter``
or None), ``_buffers`` (tensors that are state but not learned, e.g. running statistics) and
``_modules`` (sub-modules, or None). Plain attribute syntax fills them: ``__setattr__`` sees
a ``Parameter`` or a module and files it; ``__getattr__`` (called only when ordinary lookup
fails) finds it again; ``del`` removes it. Everything else is an ordinary attribute. Once a
name is a parameter, only a ``Parameter`` or None may be assigned to it (a TypeError
otherwise, as in PyTorch): ``layer.weight = np.ones(...)`` would silently stop training it.

Two more registries hold *forward hooks*: functions that ``Module.__call__`` runs before
``forward`` (``register_forward_pre_hook``, ``hook(module, args)``) and after it
(``register_forward_hook``, ``hook(module, args, output)``), e.g. to keep a layer's feature
maps for a picture. Each registration returns a handle whose ``remove()`` takes it back.

Read next: ``nn/module.py`` (what a ``Module`` does with its tree).
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .parameter import Parameter


class RemovableHandle:
    """What registering a hook returns: ``remove()`` (or leaving a ``with`` block) takes the
    hook out of its registry again."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Any], hook: Any) -> None:
        if not callable(hook):
            raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
        RemovableHandle._next_id += 1
        self.id, self._hooks = RemovableHandle._next_id, hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _type_name(value: Any) -> str:
    """PyTorch's ``torch.typename``: ``torch.FloatTensor``, ``numpy.ndarray``, ``int``."""
    if isinstance(value, Tensor):
        return value.type()
    kind = type(value)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _check_name(kind: str, name: Any, owner: Attributes) -> None:
    """PyTorch's checks on a new parameter, buffer or sub-module name."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        got = f", got: {name}" if kind == "module" else ""  # PyTorch's three messages
        raise KeyError(f'{kind} name can\'t contain "."{got}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    registry = {"parameter": "_parameters", "buffer": "_buffers", "module": "_modules"}[kind]
    if hasattr(owner, name) and name not in getattr(owner, registry):
        raise KeyError(f"attribute '{name}' already exists")


class Attributes:
    """The registries of a ``Module`` and the attribute syntax over them (its base class)."""

    def __init__(self) -> None:
        for name, value in (
            ("training", True),
            ("_parameters", {}),
            ("_buffers", {}),
            ("_non_persistent_buffers_set", set()),
            ("_modules", {}),
            ("_forward_pre_hooks", {}),
            ("_forward_hooks", {}),
        ):
            object.__setattr__(self, name, value)

    # ----- forward hooks -----------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Any) -> RemovableHandle:
        """Run ``hook(module, args)`` before every ``forward``; a non-None result replaces the
        positional arguments (a tuple, or one value)."""
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Any) -> RemovableHandle:
        """Run ``hook(module, args, output)`` after every ``forward``; a non-None result
        replaces the output."""
        return RemovableHandle(self._forward_hooks, hook)

    # ----- registering parts ------------------------------------------------------------------
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` (or None: a slot, such as a layer's absent bias) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learned (in ``state_dict`` unless
        ``persistent=False``; converted by ``to``; never given to an optimizer)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Attributes | None) -> None:
        """Add ``module`` (or None) as the sub-module ``name``."""
        if module is not None and not isinstance(module, Attributes):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        _check_name("module", name, self)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Attributes:
        """The sub-module at the dotted path ``target`` (``""`` is self)."""
        module = self
        for name in target.split(".") if target else []:
            if not hasattr(module, name):
                raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
            module = getattr(module, name)
            if not isinstance(module, Attributes):
                raise AttributeError(f"`{name}` is not an nn.Module")
        return module

    # ----- attributes: the registries seen as plain attributes -----------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params, modules = self.__dict__.get("_parameters"), self.__dict__.get("_modules")
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")  # a re-assigned name keeps its place
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Attributes):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as child module '{name}' "
                    "(torch.nn.Module or None expected)"
                )
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                    "(torch.Tensor or None expected)"
                )
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Remove ``name`` from the plain attributes and every registry but ``keep``."""
        self.__dict__.pop(name, None)
        for registry in {"_parameters", "_buffers", "_modules"} - {keep}:
            self.__dict__[registry].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        # only called when ordinary lookup fails; ``__dict__`` (not self._parameters) so that
        # a half-built object (copy.deepcopy makes one) never recurses into __getattr__
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry, {})
            if name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        names = set(super().__dir__()) | set(self._parameters) | set(self._buffers)
        return sorted(names | set(self._modules))
