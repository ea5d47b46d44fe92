"""``Flatten``: merge a range of axes into one, keeping the batch axis by default.

Read next: ``nn/upsample.py``.
"""

from __future__ import annotations

import numpy as np

from .. import functional
from ..tensor import Tensor
from .module import Module


def _dim(value: object, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    return int(value)


class Flatten(Module):
    """Merge axes ``start_dim..end_dim`` into one: (N, C, H, W) -> (N, C*H*W) by default.

    ``functional.flatten`` with PyTorch's layer defaults (``start_dim=1``: the batch axis
    stays). Non-int dims are a TypeError here already; out-of-range ones at call time.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> Flatten()(mt.zeros(32, 1, 5, 5)).shape, Flatten(0, 2)(mt.zeros(32, 1, 5, 5)).shape
    (torch.Size([32, 25]), torch.Size([160, 5]))
    >>> Flatten()
    Flatten(start_dim=1, end_dim=-1)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = _dim(start_dim, "start_dim")
        self.end_dim = _dim(end_dim, "end_dim")

    def forward(self, x: Tensor) -> Tensor:
        return functional.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
