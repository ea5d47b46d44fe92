"""``Upsample``: the layer form of ``functional.interpolate``.

Read next: ``nn/dropout.py``.
"""

from __future__ import annotations

from typing import Any

from .. import functional
from ..tensor import Tensor
from .module import Module


class Upsample(Module):
    """Resize (N, C, L) or (N, C, H, W) input to ``size`` or by ``scale_factor``
    (``functional.interpolate`` with these settings; a scale factor is kept as a float).

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> up = Upsample(scale_factor=2)
    >>> up, up(mt.zeros(1, 3, 4, 5)).shape
    (Upsample(scale_factor=2.0, mode='nearest'), torch.Size([1, 3, 8, 10]))
    """

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return functional.interpolate(
            x,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            return f"scale_factor={self.scale_factor!r}, mode={self.mode!r}"
        return f"size={self.size!r}, mode={self.mode!r}"
