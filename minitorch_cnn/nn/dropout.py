"""``Dropout``: random zeros while training, the identity in eval mode.

Read next: ``nn/container.py``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import functional
from ..tensor import Tensor
from .module import Module


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
