"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d``.

Read next: ``nn/activation.py``.
"""

from __future__ import annotations

from .. import functional
from ..functional.checks import _pair
from ..tensor import Tensor
from .module import Module


class _Pool2d(Module):
    """Settings shared by the pooling layers (kept as given, like PyTorch; stride None ->
    kernel_size)."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
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
