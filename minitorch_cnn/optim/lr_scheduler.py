r"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: a new ``"lr"`` each epoch.

A schedule is stepped once per epoch, after that epoch's optimizer steps::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(epochs):
        train(...)            # optimizer.step() once per batch
        scheduler.step()      # then the next epoch's learning rates

The constructor records each group's starting rate as ``group["initial_lr"]`` (kept if
already there, so a resumed run keeps the original; ``base_lrs`` lists them) and makes the
first step itself: ``last_epoch`` goes from -1 to 0, the rates stay as they are. Each later
``step()`` adds one to ``last_epoch`` and writes the new rates into the groups, where the
next ``optimizer.step()`` reads them; ``get_last_lr()`` lists them.

Like PyTorch's, most schedules here are *recursive*: the new rate is computed from the
group's current rate (``StepLR`` multiplies it by ``gamma`` every ``step_size`` epochs), so
a rate changed by hand carries on from there. Without such changes they equal the closed
forms in their docstrings, which ``step(epoch)`` (deprecated in PyTorch) uses directly.

Read next: ``summary.py``.
"""

from __future__ import annotations

import bisect
import math
import numbers
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
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


class LambdaLR(LRScheduler):
    """``lr = initial_lr * lr_lambda(epoch)``: one function, or a list of one per group.

    ``state_dict()`` saves no plain function (as PyTorch), only a callable object's
    attributes; ``load_state_dict`` restores those into this scheduler's own objects.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = _optimizer(optimizer).param_groups
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(groups):
                raise ValueError(f"Expected {len(groups)} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(groups)
        if not all(callable(f) for f in self.lr_lambdas):
            raise TypeError(f"lr_lambda must be a function or a list of them, got {lr_lambda!r}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [
            None if isinstance(f, types.FunctionType) else _copy(vars(f)) for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        saved = state_dict.get("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for f, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                vars(f).update(_copy(attributes))


class StepLR(LRScheduler):
    """``lr = initial_lr * gamma ** (epoch // step_size)``: decay by ``gamma`` every
    ``step_size`` epochs."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _period(step_size, "step_size")
        self.gamma = _any_real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """``lr = initial_lr * gamma ** (number of milestones <= epoch)``: decay by ``gamma`` at
    each milestone epoch (one listed twice decays twice)."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = Counter(_epoch_count(m, "milestones", 0) for m in milestones)
        self.gamma = _any_real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        factor = self.gamma ** self.milestones.get(self.last_epoch, 0)
        return [lr * factor for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        passed = bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [b * self.gamma**passed for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``lr = initial_lr * gamma ** epoch``: decay by ``gamma`` every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _any_real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Half a cosine from ``initial_lr`` down to ``eta_min`` over ``T_max`` epochs, then
    back up over the next ``T_max`` (period ``2 * T_max``)::

        lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2

    PyTorch's recursive form gets ``lr(e)`` from ``lr(e - 1)``: the distance to ``eta_min``
    scales by the ratio of consecutive ``1 + cos`` terms,
    ``(1 + cos(pi e / T)) / (1 + cos(pi (e - 1) / T))``. Where the denominator is 0 (the
    bottom, ``e - 1 = T_max`` modulo ``2 T_max``) it adds the closed form's rise instead,
    ``(initial_lr - eta_min) * (1 - cos(pi / T_max)) / 2``.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _period(T_max, "T_max")
        self.eta_min = _any_real(eta_min, "eta_min")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        e, T, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (e - 1 - T) % (2 * T) == 0:
            rise = (1 - math.cos(math.pi / T)) / 2
            return [lr + (b - low) * rise for lr, b in zip(self._current_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [ratio * (lr - low) + low for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        e, T, low = self.last_epoch, self.T_max, self.eta_min
        return [low + (b - low) * (1 + math.cos(math.pi * e / T)) / 2 for b in self.base_lrs]
