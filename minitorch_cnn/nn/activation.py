"""Activation layers: ``ReLU``.

Read next: ``nn/flatten.py``.
"""

from __future__ import annotations

from .. import functional
from ..tensor import Tensor
from .module import Module


class ReLU(Module):
    """``max(x, 0)`` elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return functional.relu(x)
