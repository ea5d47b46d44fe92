"""Loss layers, as in ``torch.nn``: each holds its options and calls ``functional``.

As in PyTorch, the options are checked when the loss is computed, not when the layer is
made, and the deprecated ``size_average``/``reduce`` pair, when given, sets ``reduction``.

Read next: ``nn/container.py``.
"""

from __future__ import annotations

from typing import Any

from .. import functional
from ..tensor import Tensor
from .module import Module


class _Loss(Module):
    """Base of the losses: ``reduction`` from PyTorch's three arguments."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = functional.loss._reduction(reduction, size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional per-class (or per-entry) ``weight``."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = weight


class NLLLoss(_WeightedLoss):
    """``functional.nll_loss`` on log-probabilities, with the options fixed at creation."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002 -- PyTorch's name
        return functional.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """``functional.cross_entropy`` on logits, with the options fixed at creation."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return functional.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class MSELoss(_Loss):
    """``functional.mse_loss``: the mean (or sum, or each) of the squared differences."""

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return functional.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """``functional.l1_loss``: the mean (or sum, or each) of the absolute differences."""

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return functional.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """``functional.binary_cross_entropy`` on probabilities."""

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return functional.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``functional.binary_cross_entropy_with_logits`` on logits."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return functional.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )
