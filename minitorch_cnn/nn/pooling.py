"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``MaxUnpool2d``, ``AdaptiveAvgPool2d`` and
``AdaptiveMaxPool2d``, each calling its function in ``functional``.

Like PyTorch's, the layers keep their settings as given (an int stays an int, stride None
becomes kernel_size), so that their reprs read the same; ``MaxUnpool2d`` keeps pairs, as
PyTorch's does. Unlike PyTorch's, they check the settings' types and ranges when built.

Read next: ``nn/activation.py``.
"""

from __future__ import annotations

from typing import Any

from .. import functional
from ..functional.adaptive_pooling import _output_size
from ..functional.checks import _pair
from ..functional.pooling import _require_bool
from ..tensor import Tensor
from .module import Module

Pair = tuple[int, int]


class _Pool2d(Module):
    """The window settings shared by the pooling layers (stride None -> kernel_size)."""

    def __init__(
        self,
        kernel_size: int | Pair,
        stride: int | Pair | None = None,
        padding: int | Pair = 0,
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
    """Maximum over each KH x KW window: x (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    With ``return_indices=True`` the forward returns ``(output, indices)`` (``MaxUnpool2d``
    takes them). Settings as in ``functional.max_pool2d``; note PyTorch's argument order,
    ``return_indices`` before ``ceil_mode``.
    """

    def __init__(
        self,
        kernel_size: int | Pair,
        stride: int | Pair | None = None,
        padding: int | Pair = 0,
        dilation: int | Pair = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        _pair(dilation, "dilation", 1)
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = _require_bool(ceil_mode, "ceil_mode")

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, dilation={self.dilation}, ceil_mode={self.ceil_mode}"

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return functional.max_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


class AvgPool2d(_Pool2d):
    """Mean over each KH x KW window: x (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    Settings as in ``functional.avg_pool2d``; the repr shows kernel_size, stride and
    padding only, as PyTorch's does.
    """

    def __init__(
        self,
        kernel_size: int | Pair,
        stride: int | Pair | None = None,
        padding: int | Pair = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self.ceil_mode = _require_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = _require_bool(count_include_pad, "count_include_pad")
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return functional.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


class MaxUnpool2d(_Pool2d):
    """The partial inverse of ``MaxPool2d``: ``forward(x, indices, output_size=None)``.

    Keeps its settings as (h, w) pairs, as PyTorch's does:

    >>> MaxUnpool2d(2)
    MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    """

    def __init__(
        self,
        kernel_size: int | Pair,
        stride: int | Pair | None = None,
        padding: int | Pair = 0,
    ) -> None:
        kernel = _pair(kernel_size, "kernel_size", 1)
        pairs = (
            kernel if stride is None else _pair(stride, "stride", 1),
            _pair(padding, "padding", 0),
        )
        super().__init__(kernel, *pairs)

    def forward(
        self, x: Tensor, indices: Tensor, output_size: tuple[int, ...] | None = None
    ) -> Tensor:
        return functional.max_unpool2d(
            x, indices, self.kernel_size, self.stride, self.padding, output_size
        )


class _AdaptivePool2d(Module):
    """The output size shared by the adaptive layers, kept as given (an int, or a pair
    whose None entries keep the input's size)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        _output_size(type(self).__name__, output_size, (1, 1))  # checks types and signs
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool2d):
    """Mean over the windows that split H and W into ``output_size`` parts (see
    ``functional.adaptive_avg_pool2d``): x (N, C, H, W) or (C, H, W) -> (N, C, OH, OW)."""

    def forward(self, x: Tensor) -> Tensor:
        return functional.adaptive_avg_pool2d(x, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool2d):
    """Maximum over the windows of ``AdaptiveAvgPool2d``; with ``return_indices=True`` the
    forward returns ``(output, indices)``."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return functional.adaptive_max_pool2d(x, self.output_size, self.return_indices)
