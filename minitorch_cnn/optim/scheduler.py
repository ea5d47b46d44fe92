"""The base of every learning-rate schedule, as PyTorch's ``LRScheduler``: it records the
starting rates, counts epochs, writes each epoch's rates into the optimizer, warns about
PyTorch's ordering mistakes, and saves and restores its state. ``optim/lr_scheduler.py`` holds the
schedules themselves.

Read next: ``optim/lr_scheduler.py``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

from .optimizer import Optimizer, real


def _epoch_count(value: Any, name: str, low: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def _period(value: Any, name: str) -> float:
    """A positive number of epochs; a float one works in the formulas, as in PyTorch (0 or
    less is refused here rather than failing at a later step)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number of epochs, got {type(value).__name__} {value!r}")
    if not 0 < value < math.inf:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


_any_real = real(-math.inf)  # PyTorch takes a negative gamma or eta_min too


def _optimizer(optimizer: Any) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
    return optimizer


class LRScheduler:
    """Base class: subclasses compute the next rates in ``get_lr()`` (one per param group).

    Parameters
    ----------
    optimizer : Optimizer
    last_epoch : int, default -1
        -1 starts the schedule; a larger value resumes it (the groups must then hold
        ``"initial_lr"``, e.g. from a loaded optimizer state).
    """

    _get_lr_called_within_step = False  # True while step() computes the next rates

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = _optimizer(optimizer)
        self.last_epoch = _epoch_count(last_epoch, "last_epoch", -1)
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                    "a scheduler with last_epoch >= 0 (load the optimizer's state first)"
                )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self._step_count = 0
        self._is_initial = True  # the constructor's step keeps the current rates
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        """The rates for epoch ``last_epoch`` (called by ``step`` after it counts the epoch)."""
        raise NotImplementedError

    def _closed_form_lr(self) -> list[float]:
        return self.get_lr()

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Move to the next epoch (or, deprecated as in PyTorch, to ``epoch``) and write its
        learning rates into the optimizer's param groups (unchecked, as PyTorch writes them).

        Warns, as PyTorch, when the first call comes before any ``optimizer.step()``: the
        schedule then skips its first rate."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call "
                "`optimizer.step()` first (as in PyTorch 1.1.0 and later): otherwise the "
                "first value of the learning rate schedule is skipped.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                warnings.warn(
                    "passing an epoch to scheduler.step() is deprecated (as in PyTorch): "
                    "call step() once per epoch",
                    UserWarning,
                    stacklevel=2,
                )
                self.last_epoch = _epoch_count(epoch, "epoch", 0)
                values = self._closed_form_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def _warn_if_outside_step(self) -> None:
        """``get_lr()`` is what ``step()`` uses; a user wants ``get_last_lr()`` (PyTorch's
        warning)."""
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use "
                "`get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def get_last_lr(self) -> list[float]:
        """The rates written by the last ``step()``, one per param group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer: ``last_epoch``, ``base_lrs``, the settings, ..."""
        return {k: _copy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (as PyTorch: its entries become attributes)."""
        if not isinstance(state_dict, Mapping) or "optimizer" in state_dict:
            raise TypeError("load_state_dict expects the dict that state_dict() returned")
        self.__dict__.update({k: _copy(v) for k, v in state_dict.items()})


def _copy(value: Any) -> Any:
    """Lists and dicts copied (a state dict never aliases the scheduler's own)."""
    if isinstance(value, Mapping):
        return type(value)({k: _copy(v) for k, v in value.items()})
    return [_copy(v) for v in value] if isinstance(value, list) else value
