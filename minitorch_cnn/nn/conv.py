"""``Conv2d``: the layer holding a convolution's weight, bias and settings.

Read next: ``nn/pooling.py``.
"""

from __future__ import annotations

import numpy as np

from .. import functional
from ..functional.checks import _pair
from ..functional.checks import _require_int as _int
from ..tensor import Tensor
from .linear import _weight_and_bias
from .module import Module


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
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
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
        optional = [
            ("padding", self.padding, (0, 0)),
            ("dilation", self.dilation, (1, 1)),
            ("groups", self.groups, 1),
            ("bias", self.bias is not None, True),
        ]
        return text + "".join(
            f", {name}={value}" for name, value, default in optional if value != default
        )
