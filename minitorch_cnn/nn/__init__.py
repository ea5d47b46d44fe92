"""Layers, as in ``torch.nn``: ``Module`` and ``Parameter`` first, then one file per family.

Reading order: ``parameter``, ``attributes`` (how ``self.fc = ...`` registers a part),
``module``, ``state`` (state dicts), ``linear``, ``lazy``, ``conv``, ``pooling``,
``activation``, ``flatten``, ``upsample``, ``dropout``, ``normalization``, ``loss``, ``container``,
``utils`` (gradient clipping).

Read next: ``nn/parameter.py``.
"""

from __future__ import annotations

import sys

from .. import functional, init
from . import utils
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleDict, ModuleList, ParameterList, Sequential
from .conv import Conv2d
from .dropout import Dropout, Dropout2d
from .flatten import Flatten
from .lazy import LazyConv2d, LazyLinear
from .linear import Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module, Parameter, UninitializedParameter
from .normalization import BatchNorm1d, BatchNorm2d
from .pooling import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    MaxPool2d,
    MaxUnpool2d,
)
from .upsample import Upsample

__all__ = [
    "Module",
    "Parameter",
    "Linear",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "MaxUnpool2d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "ReLU",
    "Flatten",
    "Upsample",
    "Dropout",
    "Dropout2d",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "BatchNorm1d",
    "BatchNorm2d",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "Identity",
    "LazyLinear",
    "LazyConv2d",
    "UninitializedParameter",
    "CrossEntropyLoss",
    "NLLLoss",
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
]

# ``import minitorch_cnn.nn.functional as F`` (PyTorch's spelling) gives the same module as
# ``minitorch_cnn.functional``: Python's import system looks in sys.modules first.
sys.modules[__name__ + ".functional"] = functional
sys.modules[__name__ + ".init"] = init  # torch.nn.init
