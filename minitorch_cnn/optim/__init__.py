"""Optimizers and learning-rate schedules, as ``torch.optim``.

An optimizer holds the parameters to train and, after each ``backward()``, turns their
gradients into updates: ``optimizer.zero_grad(); loss.backward(); optimizer.step()``.
``optimizer.py`` is what they share (param groups, state, state dicts); each algorithm is
one file with its update rule derived in the docstring; ``lr_scheduler.py`` changes the
learning rates between epochs.

Read next: ``optim/optimizer.py``.
"""

from __future__ import annotations

from . import lr_scheduler
from .adadelta import Adadelta
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adadelta", "RMSprop", "lr_scheduler"]
