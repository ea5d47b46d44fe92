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

The shared machinery (the base class ``LRScheduler``) is in ``scheduler.py``;
``ReduceLROnPlateau``, which follows a metric instead of the epoch count, in ``optim/plateau.py``;
``OneCycleLR``, stepped per batch, in ``one_cycle.py``.

Read next: ``optim/plateau.py``.
"""

from __future__ import annotations

import bisect
import math
import types
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .one_cycle import OneCycleLR
from .optimizer import Optimizer
from .plateau import ReduceLROnPlateau
from .scheduler import LRScheduler, _any_real, _copy, _epoch_count, _optimizer, _period

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "ReduceLROnPlateau",
    "OneCycleLR",
]


class _LRScheduler(LRScheduler):
    """PyTorch's old name of the base class, for programs that still subclass it."""


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


class LinearLR(LRScheduler):
    """A linear warm-up (or cool-down): the rate's factor goes from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs, then stays::

        lr = initial_lr * (start + (end - start) * min(epoch, total_iters) / total_iters)

    The recursive form multiplies the current rate by the ratio of consecutive factors,
    ``1 + (end - start) / (total_iters * start + (epoch - 1) * (end - start))``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                f"equal to 1, got {start_factor}"
            )
        if not 0 <= end_factor <= 1:
            raise ValueError(
                f"Ending multiplicative factor expected to be between 0 and 1, got {end_factor}"
            )
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = _period(total_iters, "total_iters")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_outside_step()
        if self.last_epoch == 0:  # the constructor's step starts the warm-up
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        start, change = self.start_factor, self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * start + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base * factor for base in self.base_lrs]
