"""``Dropout`` and ``Dropout2d``: random zeros while training, the identity in eval mode.

Read next: ``nn/normalization.py``.
"""

from __future__ import annotations

import numpy as np

from .. import functional
from ..functional.activation import _check_probability
from ..tensor import Tensor
from .module import Module


class _DropoutNd(Module):
    """The settings shared by the dropout layers: ``p``, ``inplace`` and ``generator``
    (keyword only; not in PyTorch: it draws the zeros, for repeatable runs).

    Raises
    ------
    ValueError, TypeError
        If ``p`` is not a number in [0, 1] (checked here, as PyTorch does).
    """

    def __init__(
        self, p: float = 0.5, inplace: bool = False, *, generator: np.random.Generator | None = None
    ) -> None:
        super().__init__()
        _check_probability(p)
        self.p = p
        self.inplace = inplace
        self.generator = generator

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero entries with probability ``p`` while training (scaling the rest by 1/(1-p));
    the identity in ``eval()`` mode."""

    def forward(self, input: Tensor) -> Tensor:
        return functional.dropout(
            input, self.p, self.training, self.inplace, generator=self.generator
        )


class Dropout2d(_DropoutNd):
    """Zero whole channels of an (N, C, H, W) input with probability ``p`` while training
    (scaling the kept ones by 1/(1-p)); see ``functional.dropout2d`` for other shapes."""

    def forward(self, input: Tensor) -> Tensor:
        return functional.dropout2d(
            input, self.p, self.training, self.inplace, generator=self.generator
        )
