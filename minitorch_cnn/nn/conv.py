"""``Conv2d``: the layer holding a convolution's weight, bias and settings.

Read next: ``nn/pooling.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional
from ..functional.checks import _pair
from ..functional.checks import _require_int as _int
from ..tensor import Tensor
from .linear import _check_bias, _parameter_dtype, _weight_and_bias
from .module import Module

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _same_padding(kernel_size: tuple[int, int], dilation: tuple[int, int]) -> list[int]:
    """``F.pad`` widths (left, right, top, bottom) of padding="same": ``D*(K - 1)`` per axis,
    half on each side, the odd pixel on the right/bottom (as ``functional.conv2d`` does)."""
    widths: list[int] = []
    for k, d in zip(reversed(kernel_size), reversed(dilation)):  # F.pad lists W first
        total = d * (k - 1)
        widths += [total // 2, total - total // 2]
    return widths


class Conv2d(Module):
    """2-D convolution (cross-correlation, as in PyTorch) of x (N, C, H, W) -> (N, F, OH, OW).

    ``weight`` (F, C // groups, KH, KW) and ``bias`` (F,) are uniform in ``[-k, k]``,
    ``k = 1 / sqrt(C / groups * KH * KW)``. Settings are stored as ``(h, w)`` pairs, and
    ``padding`` as the string when it is "same" or "valid" (as in PyTorch).

    ``padding_mode`` says what the padding holds: "zeros", or copies of the input's border
    ("reflect", "replicate", "circular"; see ``ops/pad.py``). For those the layer pads
    with ``functional.pad`` and then convolves with padding 0, as PyTorch does.

    Raises
    ------
    ValueError
        For non-positive sizes, negative padding, channels not divisible by ``groups``, a
        padding string other than "same" and "valid", "same" with a stride > 1, or an
        unknown ``padding_mode``. At call time, when the mode's padding does not fit the
        input (reflect padding must be smaller than H and W, circular at most H and W).
    TypeError
        For non-int sizes, a dtype other than float32/float64.
    RuntimeError
        For a device other than the CPU.

    Examples
    --------
    >>> Conv2d(3, 8, 3, padding="same", padding_mode="reflect", bias=False)
    Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False, padding_mode=reflect)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: str | int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.in_channels = _int(in_channels, "in_channels", 1)
        self.out_channels = _int(out_channels, "out_channels", 1)
        self.kernel_size = _pair(kernel_size, "kernel_size", 1)
        self.stride = _pair(stride, "stride", 1)
        self.dilation = _pair(dilation, "dilation", 1)
        self.groups = _int(groups, "groups", 1)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"in_channels ({self.in_channels}) and out_channels ({self.out_channels}) must "
                f"both be divisible by groups ({self.groups})"
            )
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"padding string must be 'same' or 'valid', got {padding!r}")
            if padding == "same" and self.stride != (1, 1):
                raise ValueError(
                    "padding='same' is not supported for strided convolutions, got "
                    f"stride={self.stride}"
                )
            self.padding: str | tuple[int, int] = padding
            same = padding == "same"
            widths = _same_padding(self.kernel_size, self.dilation) if same else [0, 0, 0, 0]
        else:
            self.padding = _pair(padding, "padding", 0)
            widths = [self.padding[1], self.padding[1], self.padding[0], self.padding[0]]
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
        self.padding_mode = padding_mode
        # the padding as F.pad widths (left, right, top, bottom), for the non-zero modes
        self._reversed_padding_repeated_twice = widths
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        weight, bias_ = _weight_and_bias(
            shape, _check_bias(bias), generator, _parameter_dtype(dtype, device)
        )
        self.weight = weight
        self.register_parameter("bias", bias_)

    def forward(self, x: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return functional.conv2d(
                x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
            )
        x = functional.pad(x, self._reversed_padding_repeated_twice, mode=self.padding_mode)
        return functional.conv2d(
            x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        # like PyTorch, the other settings only when they differ from their defaults
        optional = [
            ("padding", self.padding, (0, 0)),
            ("dilation", self.dilation, (1, 1)),
            ("groups", self.groups, 1),
            ("bias", self.bias is not None, True),
            ("padding_mode", self.padding_mode, "zeros"),
        ]
        return text + "".join(
            f", {name}={value}" for name, value, default in optional if value != default
        )
