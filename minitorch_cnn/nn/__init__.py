"""Layers, as in ``torch.nn``: ``Module`` and ``Parameter`` first, then one file per family.

Reading order: ``module``, ``linear``, ``conv``, ``pooling``, ``activation``, ``flatten``,
``dropout``, ``container``.

Read next: ``nn/module.py``.
"""

from __future__ import annotations

from .activation import ReLU
from .container import Sequential
from .conv import Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .module import Module, Parameter
from .pooling import AvgPool2d, MaxPool2d

__all__ = [
    "Module",
    "Parameter",
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "ReLU",
    "Flatten",
    "Dropout",
    "Sequential",
]
