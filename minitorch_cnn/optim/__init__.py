"""Optimizers, as ``torch.optim``: the ``Optimizer`` base (parameter groups, state, saving)
and one file per family of update rules; ``lr_scheduler`` for schedules.

Read next: ``optim/optimizer.py``.
"""

from __future__ import annotations

from . import lr_scheduler
from .adadelta import Adadelta, RMSprop
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adadelta", "RMSprop", "lr_scheduler"]
