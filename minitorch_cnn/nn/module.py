"""``Module``: the base class of layers and models, a tree of parameters and sub-modules.

How attributes register parts (``self.fc = nn.Linear(3, 2)`` files the layer under
``_modules["fc"]``) is in ``nn/attributes.py``; this file is what a module does with its
tree: walk it, switch modes, change dtype, print it. Every walk follows registration order,
which is why ``model.state_dict()`` has keys like ``conv_layers.0.weight`` -- PyTorch's.

Modules may share a part (one layer used twice) or even point back at a parent. Generators
(``named_modules``, ``named_parameters``, ...) carry a memo of the modules already seen;
methods that PyTorch writes as recursion over ``children()`` (``train``, ``apply``, ``to``,
``repr``) recurse here too, so a child's own override runs, and ``_first_entry`` stops them
when a cycle leads back to a module whose call is still running.

Saving and loading (``state_dict``, ``load_state_dict``) are in ``nn/state.py``. Layers are
thin: they hold parameters and settings, validate them once in ``__init__`` and call one
function from ``functional`` in ``forward``.

Read next: ``nn/state.py``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .. import device as devices
from ..dtypes import as_dtype
from ..tensor import Tensor
from . import state
from .attributes import Attributes
from .parameter import Parameter, UninitializedParameter

__all__ = ["Module", "Parameter", "UninitializedParameter"]

_RUNNING: set[tuple[str, int, int]] = set()  # (method, id(module), thread) calls in progress


@contextlib.contextmanager
def _first_entry(method: str, module: Module) -> Iterator[bool]:
    """True unless ``module.<method>`` is already running below us on this thread (a cycle)."""
    key = (method, id(module), threading.get_ident())
    if key in _RUNNING:
        yield False
        return
    _RUNNING.add(key)
    try:
        yield True
    finally:
        _RUNNING.discard(key)


class Module(Attributes):
    """Base class of layers and models: override ``__init__`` (call ``super().__init__()``
    first) and ``forward``.

    Attributes
    ----------
    training : bool
        True after ``train()`` (the default), False after ``eval()``; ``Dropout`` reads it.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> from minitorch_cnn.nn import Linear
    >>> class Net(Module):
    ...     def __init__(self) -> None:
    ...         super().__init__()
    ...         self.register_buffer("scale", mt.ones(2))  # state, not learned
    ...         self.fc = Linear(3, 2)  # a Module: registered as a sub-module
    ...     def forward(self, x: mt.Tensor) -> mt.Tensor:
    ...         return self.fc(x) * self.scale
    >>> net = Net()
    >>> [name for name, _ in net.named_parameters()], list(net.state_dict())
    (['fc.weight', 'fc.bias'], ['scale', 'fc.weight', 'fc.bias'])
    >>> net
    Net(
      (fc): Linear(in_features=3, out_features=2, bias=True)
    )
    """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``forward``, with the forward hooks (``register_forward_hook``) around it."""
        for hook in list(self._forward_pre_hooks.values()):
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            changed = hook(self, args, output)
            if changed is not None:
                output = changed
        return output

    # ----- walking the tree -------------------------------------------------------------------
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(dotted path, module)`` for self and every sub-module, depth-first in registration
        order. A module reached twice is yielded once (under its first path) unless
        ``remove_duplicate=False``; modules in ``memo`` are skipped. A module that is its own
        ancestor (a cycle) is never entered again."""
        memo = set() if memo is None else memo
        stack: list[tuple[str, Module, frozenset[int]]] = [(prefix, self, frozenset())]
        while stack:
            path, module, ancestors = stack.pop()
            if module in memo or id(module) in ancestors:
                continue
            if remove_duplicate:
                memo.add(module)
            yield path, module
            inner = ancestors | {id(module)}
            children = [
                (f"{path}.{name}" if path else name, child, inner)
                for name, child in module._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))  # the first child is popped first

    def modules(self) -> Iterator[Module]:
        """Self and every sub-module, once each."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their names (one registered twice: once)."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        """The entries of ``registry`` (``"_parameters"`` or ``"_buffers"``) of self (and every
        sub-module when ``recurse``) under dotted names, Nones skipped."""
        walk = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        seen: set[int] = set()
        for path, module in walk if recurse else [(prefix, self)]:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield (f"{path}.{name}" if path else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)``: own parameters, then each sub-module's. A parameter
        shared by two layers is yielded once unless ``remove_duplicate=False``."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter once, in ``named_parameters`` order (what an optimizer needs)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)``, persistent or not, in ``named_parameters``' order."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer once."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first, recursively), then on self
        (e.g. to initialize weights); returns self."""
        with _first_entry("apply", self) as first:
            if first:
                for module in self.children():
                    module.apply(fn)
                fn(self)
        return self

    # ----- modes and gradients --------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and every sub-module; returns ``self``."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        with _first_entry("train", self) as first:
            if first:
                self.training = mode
                for module in self.children():
                    module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``): ``Dropout`` becomes the identity."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (False freezes the module); returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``grad = None`` (PyTorch's default), or the
        gradient tensors zeroed in place when ``set_to_none=False``."""
        for param in self.parameters():
            if param.grad is not None and not set_to_none:
                param.grad.zero_()
            else:
                param.grad = None

    # ----- dtype and device -------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(tensor)``, in place:
        the device must be the CPU; floating point parameters and buffers are cast to the
        floating point ``dtype`` (parameters keep their identity: their ``data`` is replaced,
        so optimizers built before keep working). Returns self."""
        dtype = kwargs.pop("dtype", None)
        devices.require_cpu(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif not devices.is_device(arg):
                dtype = arg
        if dtype is None:
            return self
        target = as_dtype(dtype)
        if target.kind != "f":
            raise TypeError(
                f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}"
            )
        return self._cast(target)

    def _cast(self, dtype: np.dtype) -> Module:
        """Cast floating point parameters, their gradients and buffers to ``dtype``."""
        with _first_entry("_cast", self) as first:
            if first:
                for module in self.children():
                    module._cast(dtype)
                for param in self._parameters.values():
                    for tensor in (param, None if param is None else param.grad):
                        if (
                            tensor is not None
                            and tensor.dtype.kind == "f"
                            and tensor.dtype != dtype
                        ):
                            tensor.data = tensor._data.astype(dtype)
                for name, buffer in self._buffers.items():
                    if buffer is not None and buffer.dtype.kind == "f" and buffer.dtype != dtype:
                        self._buffers[name] = Tensor(buffer._data.astype(dtype))
        return self

    def cpu(self) -> Module:
        """Self: everything lives on the CPU."""
        return self

    def float(self) -> Module:
        """``to(float32)``."""
        return self._cast(np.dtype(np.float32))

    def double(self) -> Module:
        """``to(float64)``."""
        return self._cast(np.dtype(np.float64))

    def half(self) -> Module:
        """``to(float16)``."""
        return self._cast(np.dtype(np.float16))

    # ----- saving and loading (nn/state.py) ----------------------------------------------------
    def state_dict(
        self,
        *,
        destination: dict[str, Any] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, as tensors *sharing memory*
        with the module (snapshot with ``copy.deepcopy``); see ``nn/state.py``."""
        return state.state_dict(self, destination, prefix, keep_vars)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> state._IncompatibleKeys:
        """Copy values into the parameters and buffers in place, all or nothing; returns
        ``(missing_keys, unexpected_keys)``; see ``nn/state.py``."""
        return state.load_state_dict(self, state_dict, strict)

    # ----- printing ------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of ``repr`` (layers override it)."""
        return ""

    def __repr__(self) -> str:
        with _first_entry("__repr__", self) as first:
            if not first:
                return f"{self._get_name()}(...)"  # a cycle: as Python prints a list in itself
            extra = self.extra_repr().split("\n") if self.extra_repr() else []
            children = [
                f"({name}): " + repr(module).replace("\n", "\n  ")
                for name, module in self._modules.items()
            ]
        if len(extra) == 1 and not children:
            return f"{self._get_name()}({extra[0]})"
        lines = extra + children
        return self._get_name() + ("(\n  " + "\n  ".join(lines) + "\n)" if lines else "()")
