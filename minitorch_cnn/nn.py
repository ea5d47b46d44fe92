"""Layers: ``Module`` (a container of parameters and sub-modules) and the chapter's layers.

A ``Module`` is an object whose attributes are its parts: every attribute holding a
``Parameter`` is one of its parameters, every attribute holding a ``Module`` is a sub-module.
Nothing is registered: ``named_parameters`` simply walks ``vars(self)`` in assignment order
(own parameters first, then each sub-module's under a dotted prefix), which is why
``model.state_dict()`` has keys like ``conv_layers.0.weight`` -- exactly PyTorch's.

Layers are thin: they hold their parameters and settings, validate them once in
``__init__``, and call one function from ``functional.py`` in ``forward``.

Read next: ``init.py`` (how weights get their first values).
"""
from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from . import functional, init
from .tensor import Tensor


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
        array = data.data if isinstance(data, Tensor) else data
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            raise TypeError(
                "Parameter expects a floating point Tensor or np.ndarray, got "
                f"{type(data).__name__}" + (f" of dtype {array.dtype}" if hasattr(array, "dtype") else "")
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
        return {name: p.data.copy() for name, p in self.named_parameters(remove_duplicate=False)}

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
            raise TypeError(f"load_state_dict expects a mapping of names to arrays, got {type(state_dict).__name__}")
        own = dict(self.named_parameters(remove_duplicate=False))
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if missing or unexpected:
            raise ValueError(
                f"load_state_dict into {type(self).__name__}: missing keys {missing}, "
                f"unexpected keys {unexpected}"
            )
        arrays = {k: np.asarray(v.data if isinstance(v, Tensor) else v) for k, v in state_dict.items()}
        for name, array in arrays.items():
            if array.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: {name} must hold numbers, got an array of dtype {array.dtype}")
        wrong = [f"{k}: expected {own[k].shape}, got {a.shape}" for k, a in arrays.items() if a.shape != own[k].shape]
        if wrong:
            raise ValueError(f"load_state_dict into {type(self).__name__}: shape mismatch in " + "; ".join(wrong))
        for name, array in arrays.items():
            np.copyto(own[name].data, array, casting="same_kind")

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


# Layers validate their settings with functional's checks, so a bad setting is reported the
# same way whether it is given to a layer or to the function it calls.
_int = functional._require_int
_pair = functional._pair


def _weight_and_bias(
    shape: tuple[int, ...], bias: bool, generator: np.random.Generator | None
) -> tuple[Parameter, Parameter | None]:
    """A weight of ``shape`` (F, ...) and a bias (F,) or None, both uniform in [-k, k] with
    k = 1 / sqrt(fan_in(shape)) -- PyTorch's default for Linear and Conv2d."""
    fan = init.fan_in(shape)
    weight = init.fan_in_uniform_(Parameter(np.empty(shape, dtype=np.float32)), fan, generator)
    if not bias:
        return weight, None
    return weight, init.fan_in_uniform_(Parameter(np.empty(shape[0], dtype=np.float32)), fan, generator)


class Linear(Module):
    """``y = x @ weight.T + bias``; x (..., in_features) -> y (..., out_features).

    ``weight`` (out_features, in_features) and ``bias`` (out_features,) are uniform in
    ``[-k, k]``, ``k = 1 / sqrt(in_features)``.
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.in_features = _int(in_features, "in_features", 1)
        self.out_features = _int(out_features, "out_features", 1)
        self.weight, self.bias = _weight_and_bias((self.out_features, self.in_features), bias, generator)

    def forward(self, x: Tensor) -> Tensor:
        return functional.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Conv2d(Module):
    """2-D convolution (cross-correlation, as in PyTorch) of x (N, C, H, W) -> (N, F, OH, OW).

    ``weight`` (F, C // groups, KH, KW) and ``bias`` (F,) are uniform in ``[-k, k]``,
    ``k = 1 / sqrt(C / groups * KH * KW)``. Settings are stored as ``(h, w)`` pairs.

    Raises
    ------
    ValueError
        For non-positive sizes, negative padding, or channels not divisible by ``groups``.
    TypeError
        For non-int sizes.
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.in_channels = _int(in_channels, "in_channels", 1)
        self.out_channels = _int(out_channels, "out_channels", 1)
        self.kernel_size = _pair(kernel_size, "kernel_size", 1)
        self.stride = _pair(stride, "stride", 1)
        self.padding = _pair(padding, "padding", 0)
        self.dilation = _pair(dilation, "dilation", 1)
        self.groups = _int(groups, "groups", 1)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"in_channels ({self.in_channels}) and out_channels ({self.out_channels}) must "
                f"both be divisible by groups ({self.groups})"
            )
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight, self.bias = _weight_and_bias(shape, bias, generator)

    def forward(self, x: Tensor) -> Tensor:
        return functional.conv2d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        # like PyTorch, the other settings only when they differ from their defaults
        optional = [("padding", self.padding, (0, 0)), ("dilation", self.dilation, (1, 1)),
                    ("groups", self.groups, 1), ("bias", self.bias is not None, True)]
        return text + "".join(f", {name}={value}" for name, value, default in optional if value != default)


class _Pool2d(Module):
    """Settings shared by the pooling layers (kept as given, like PyTorch; stride None ->
    kernel_size)."""

    def __init__(
        self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        _pair(kernel_size, "kernel_size", 1)
        _pair(padding, "padding", 0)
        if stride is not None:
            _pair(stride, "stride", 1)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Maximum over each KH x KW window: x (N, C, H, W) -> (N, C, OH, OW)."""

    def forward(self, x: Tensor) -> Tensor:
        return functional.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """Mean over each KH x KW window (zero padding counted): x (N, C, H, W) -> (N, C, OH, OW)."""

    def forward(self, x: Tensor) -> Tensor:
        return functional.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class ReLU(Module):
    """``max(x, 0)`` elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return functional.relu(x)


class Flatten(Module):
    """Merge axes ``start_dim..`` into one: (N, C, H, W) -> (N, C*H*W)."""

    def __init__(self, start_dim: int = 1) -> None:
        super().__init__()
        if not isinstance(start_dim, (int, np.integer)) or isinstance(start_dim, bool):
            raise TypeError(f"start_dim must be an int, got {start_dim!r} ({type(start_dim).__name__})")
        self.start_dim = int(start_dim)

    def forward(self, x: Tensor) -> Tensor:
        return functional.flatten(x, self.start_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}"


class Dropout(Module):
    """Zero entries with probability ``p`` while training (scaling the rest by 1/(1-p));
    the identity in ``eval()`` mode."""

    def __init__(self, p: float = 0.5, generator: np.random.Generator | None = None) -> None:
        super().__init__()
        if not isinstance(p, numbers.Real) or isinstance(p, bool):
            raise TypeError(f"dropout probability must be a float, got {type(p).__name__} {p!r}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = float(p)
        self.generator = generator

    def forward(self, x: Tensor) -> Tensor:
        return functional.dropout(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Sequential(Module):
    """Modules applied one after another; indexable (``seq[0]``, ``seq[1:]``), ``len`` and
    iterable. Its parts are the attributes ``"0"``, ``"1"``, ... (state_dict keys ``0.weight``).
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules, got {type(module).__name__} at position {index}")
            setattr(self, str(index), module)

    def _modules(self) -> list[Module]:
        return [child for _, child in self.named_children()]

    def __len__(self) -> int:
        return len(self._modules())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules())

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return Sequential(*self._modules()[index])
        return self._modules()[index]

    def forward(self, x: Tensor) -> Tensor:
        for module in self._modules():
            x = module(x)
        return x


# ``nn.summary(model, input_shape)``: the per-layer shape table of ``summary.py``, which reads
# the layer classes above -- so it is imported last, once they exist.
from .summary import summary  # noqa: E402
