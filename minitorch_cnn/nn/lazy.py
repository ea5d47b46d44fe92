"""Lazy layers: ``LazyLinear`` and ``LazyConv2d`` learn their input size on the first call.

``nn.LazyLinear(10)`` is a ``Linear`` whose ``in_features`` is not known yet: until the first
call its ``weight`` and ``bias`` are ``UninitializedParameter`` objects (``parameters()``
yields them, ``in_features`` is 0, ``weight.shape`` is an error). The first call reads the
size from the input (``x.shape[-1]``; the channel axis for a convolution), builds the real
layer with the arguments given at construction, gives the uninitialized parameters its
shapes and first values *in place* (the same objects: an optimizer built before the first
call still updates them), and the module becomes that class -- ``type(layer) is nn.Linear``
afterwards, as in PyTorch.

``load_state_dict`` into a lazy layer gives the parameters the saved shapes instead; the
first call then only records the input size and changes the class.

Read next: ``nn/conv.py``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..functional.checks import _require_int as _int
from ..tensor import Tensor
from .conv import Conv2d
from .linear import Linear, _check_bias, _parameter_dtype
from .module import Module
from .parameter import UninitializedParameter

# not settings: the module's own state, and weight/bias (a layer may keep a None bias as a
# plain attribute; the lazy layer registers its own)
_NOT_SETTINGS = (
    "training",
    "_parameters",
    "_buffers",
    "_non_persistent_buffers_set",
    "_modules",
    "weight",
    "bias",
)


class _LazyMixin(Module):
    """The first call of a lazy layer: infer the input size, build, materialize, become."""

    cls_to_become: type[Module]
    _in_size_name: str  # "in_features" or "in_channels"

    def _in_size(self, input: Any) -> int:  # noqa: A002 -- PyTorch's name
        raise NotImplementedError

    def _build(self, in_size: int) -> Module:
        raise NotImplementedError

    def has_uninitialized_params(self) -> bool:
        """True until the parameters have shapes (a first call or a ``load_state_dict``)."""
        tensors = (*self._parameters.values(), *self._buffers.values())
        return any(isinstance(t, UninitializedParameter) for t in tensors)

    def _copy_settings(self, layer: Module) -> None:
        """Take ``layer``'s settings (kernel_size, stride, ...), not its registries."""
        for name, value in vars(layer).items():
            if name not in _NOT_SETTINGS:
                object.__setattr__(self, name, value)

    def initialize_parameters(self, input: Any) -> None:  # noqa: A002
        """Give every uninitialized parameter the shape and first values of the real layer
        for ``input``, in place, and record the input size."""
        in_size = self._in_size(input)
        if self.has_uninitialized_params():
            built = self._build(in_size)
            for name, param in self._parameters.items():
                if isinstance(param, UninitializedParameter):
                    made = built._parameters[name]
                    param.materialize(made.shape)  # keeps its dtype (module.to may have set it)
                    np.copyto(param._data, made._data, casting="unsafe")
        setattr(self, self._in_size_name, in_size)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.initialize_parameters(args[0] if args else kwargs.get("input"))
        del self._lazy_arguments
        self.__class__ = self.cls_to_become
        return self(*args, **kwargs)  # now the real layer's call


def _input_shape(input: Any, owner: str) -> tuple[int, ...]:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"{owner} expects a Tensor, got {type(input).__name__}")
    return input.shape


class LazyLinear(_LazyMixin, Linear):
    """A ``Linear`` whose ``in_features`` is the last axis of its first input.

    Parameters
    ----------
    out_features : int, >= 1
    bias, device, dtype, generator
        As ``Linear``'s; used to build it on the first call.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> layer = LazyLinear(2)
    >>> layer
    LazyLinear(in_features=0, out_features=2, bias=True)
    >>> layer(mt.ones(5, 3)).shape, layer
    (torch.Size([5, 2]), Linear(in_features=3, out_features=2, bias=True))
    """

    cls_to_become = Linear
    _in_size_name = "in_features"

    def __init__(
        self,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        generator: np.random.Generator | None = None,
    ) -> None:
        Module.__init__(self)
        self.in_features = 0
        self.out_features = _int(out_features, "out_features", 1)
        dtype = _parameter_dtype(dtype, device)
        self._lazy_arguments = {"bias": _check_bias(bias), "dtype": dtype, "generator": generator}
        self.weight = UninitializedParameter(dtype=dtype)
        self.register_parameter("bias", UninitializedParameter(dtype=dtype) if bias else None)

    def _in_size(self, input: Any) -> int:  # noqa: A002
        shape = _input_shape(input, "LazyLinear")
        if not shape:
            raise ValueError(
                "LazyLinear expects an input with at least 1 dimension, got a 0-d tensor"
            )
        return shape[-1]

    def _build(self, in_size: int) -> Module:
        return Linear(in_size, self.out_features, **self._lazy_arguments)


class LazyConv2d(_LazyMixin, Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is the channel axis of its first input (axis 1 of
    (N, C, H, W), axis 0 of an unbatched (C, H, W)).

    Parameters
    ----------
    out_channels, kernel_size, *args, **kwargs
        Exactly ``Conv2d``'s arguments after ``in_channels`` (stride, padding, dilation,
        groups, bias, padding_mode, device, dtype, generator), checked now by building a
        throwaway ``Conv2d``, and given to the real one on the first call.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> conv = LazyConv2d(8, 3, padding=1)
    >>> conv
    LazyConv2d(0, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> conv(mt.ones(2, 3, 5, 5)).shape, type(conv).__name__, conv.in_channels
    (torch.Size([2, 8, 5, 5]), 'Conv2d', 3)
    """

    cls_to_become = Conv2d
    _in_size_name = "in_channels"

    def __init__(self, out_channels: int, kernel_size: Any, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        try:
            arguments = inspect.signature(Conv2d).bind(
                0, out_channels, kernel_size, *args, **kwargs
            )
        except TypeError as error:  # "got an unexpected keyword argument 'strides'"
            raise TypeError(f"LazyConv2d() {error}") from None
        arguments.apply_defaults()
        self._lazy_arguments = arguments.arguments
        groups = arguments.arguments["groups"]
        # a stand-in with the smallest valid in_channels checks the arguments and gives the
        # settings (kernel_size as a pair, ...); its own draw must not consume the user's RNG
        probe = self._build(groups if isinstance(groups, int) and groups > 0 else 1, probe=True)
        self._copy_settings(probe)
        self.in_channels = 0
        dtype = probe.weight.dtype
        self.weight = UninitializedParameter(dtype=dtype)
        bias = UninitializedParameter(dtype=dtype) if probe.bias is not None else None
        self.register_parameter("bias", bias)

    def _in_size(self, input: Any) -> int:  # noqa: A002
        shape = _input_shape(input, "LazyConv2d")
        if len(shape) not in (3, 4):
            raise ValueError(
                "Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, but got input "
                f"of shape {shape}"
            )
        return shape[-3]

    def _build(self, in_size: int, probe: bool = False) -> Module:
        arguments = {**self._lazy_arguments, "in_channels": in_size}
        if probe:
            arguments["generator"] = np.random.default_rng(0)
        return Conv2d(**arguments)
