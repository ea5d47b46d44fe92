"""``ReduceLROnPlateau``: lower the learning rate when a metric stops improving.

Unlike the epoch-count schedules in ``lr_scheduler.py``, this one is driven by a number the
training loop measures (a validation loss, say): ``scheduler.step(val_loss)`` once per
epoch. When ``patience`` epochs in a row fail to beat the best value so far (by more than
``threshold``, relative or absolute), every group's rate is multiplied by ``factor`` (never
below its ``min_lr``), and ``cooldown`` epochs follow in which bad epochs are not counted.

Read next: ``optim/one_cycle.py``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

from .optimizer import Optimizer
from .scheduler import LRScheduler, _optimizer


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rates by ``factor`` after ``patience`` epochs without improvement.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}, default "min"
        Whether a lower or a higher metric is better.
    factor : float, default 0.1
        Must be < 1.
    patience : int, default 10
        Bad epochs tolerated; the next one lowers the rates.
    threshold : float, default 1e-4
    threshold_mode : {"rel", "abs"}, default "rel"
        Better means below ``best * (1 - threshold)`` ("rel", mode "min") or below
        ``best - threshold`` ("abs"); mirrored for mode "max".
    cooldown : int, default 0
        Epochs after a reduction in which bad epochs are not counted.
    min_lr : float or list of float, default 0
        A floor for every group, or one per group.
    eps : float, default 1e-8
        A reduction smaller than this is skipped.

    Raises
    ------
    ValueError
        For ``factor >= 1``, an unknown mode or threshold mode, or a ``min_lr`` list of the
        wrong length.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, got {factor}")
        self.factor = factor
        self.optimizer = _optimizer(optimizer)
        groups = optimizer.param_groups
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(groups):
                raise ValueError(f"expected {len(groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr, self.min_lrs = None, list(min_lr)
        else:
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * len(groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._set_comparison(mode, threshold, threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = self.num_bad_epochs = 0

    def _set_comparison(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def _is_better(self, value: float, best: float) -> bool:
        sign = 1 if self.mode == "min" else -1  # "max": the mirror image
        if self.threshold_mode == "rel":  # best * (1 -+ threshold): inf stays inf at the start
            return sign * value < sign * best * (1 - sign * self.threshold)
        return sign * value < sign * best - self.threshold

    @property
    def in_cooldown(self) -> bool:
        """True during the ``cooldown`` epochs after a reduction."""
        return self.cooldown_counter > 0

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's ``metrics`` and lower the rates if it is one bad epoch too many."""
        current = float(metrics)  # a number or a one-element tensor
        if epoch is not None:
            warnings.warn(
                "passing an epoch to scheduler.step() is deprecated (as in PyTorch)",
                UserWarning,
                stacklevel=2,
            )
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in a cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # a group was added since construction
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"the optimizer has {len(groups)} param groups, ReduceLROnPlateau was "
                    f"made for {len(self.min_lrs)}: set min_lrs to one per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` returned, the comparison settings checked again."""
        super().load_state_dict(state_dict)
        self._set_comparison(self.mode, self.threshold, self.threshold_mode)
