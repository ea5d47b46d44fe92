"""``Flatten``: merge trailing axes into one.

Read next: ``nn/dropout.py``.
"""

from __future__ import annotations

import numpy as np

from .. import functional
from ..tensor import Tensor
from .module import Module


class Flatten(Module):
    """Merge axes ``start_dim..`` into one: (N, C, H, W) -> (N, C*H*W)."""

    def __init__(self, start_dim: int = 1) -> None:
        super().__init__()
        if not isinstance(start_dim, (int, np.integer)) or isinstance(start_dim, bool):
            raise TypeError(
                f"start_dim must be an int, got {start_dim!r} ({type(start_dim).__name__})"
            )
        self.start_dim = int(start_dim)

    def forward(self, x: Tensor) -> Tensor:
        return functional.flatten(x, self.start_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}"
