"""Loss layers, as in ``torch.nn``: each holds its options and calls ``functional``.

Read next: ``nn/container.py``.
"""

from __future__ import annotations

from typing import Any

from .. import functional
from ..tensor import Tensor
from .module import Module


class NLLLoss(Module):
    """``functional.nll_loss`` on log-probabilities, with the options fixed at creation."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__()
        functional.loss._reduction(reduction)
        self.weight, self.ignore_index, self.reduction = weight, ignore_index, reduction

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002 -- PyTorch's name
        return functional.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(Module):
    """``functional.cross_entropy`` on logits, with the options fixed at creation."""

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        functional.loss._reduction(reduction)
        self.weight, self.ignore_index, self.reduction = weight, ignore_index, reduction
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return functional.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class MSELoss(Module):
    """``functional.mse_loss``: the mean (or sum, or each) of the squared differences."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        functional.loss._reduction(reduction)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return functional.mse_loss(input, target, self.reduction)
