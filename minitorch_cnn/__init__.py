"""minitorch_cnn: a pure-NumPy tensor and autograd framework for convolutional networks.

Reading order: ``autograd.py``, ``tensor.py``, ``ops/`` (elementwise, reduce, shape, matmul,
loss, windows, conv, pool), ``functional.py``, ``nn.py``, ``init.py``, ``optim.py``,
``data.py``, ``models.py``, ``gradcheck.py``, ``testing.py``.
"""
from __future__ import annotations

from . import functional, nn, optim, data, models, init
from .autograd import detect_anomaly, is_grad_enabled, no_grad
from .creation import manual_seed, ones, rand, randn, zeros
from .gradcheck import gradcheck
from .tensor import Tensor, tensor

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "no_grad", "is_grad_enabled", "detect_anomaly", "gradcheck",
    "rand", "randn", "zeros", "ones", "manual_seed",
    "functional", "nn", "optim", "data", "models", "init",
]
