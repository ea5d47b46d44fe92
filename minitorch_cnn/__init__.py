"""minitorch_cnn: a pure-NumPy tensor and autograd framework for convolutional networks.

Reading order (README.md says one sentence about each): ``autograd.py``, ``tensor.py``,
``creation.py``, ``ops/`` (elementwise, reduce, shape, matmul, loss, then windows, conv,
pool), ``functional.py``, ``nn.py``, ``init.py``, ``optim.py``, ``summary.py``, ``data.py``,
``models.py``, ``checkpoint.py``, ``train.py``, ``gradcheck.py``, ``testing.py``.

Importing the package changes nothing in the process: it reads no file, draws no random
number and leaves ``malloc`` as it is (``allocator.keep_freed_memory`` is an explicit call).
"""

from __future__ import annotations

from . import allocator, data, functional, init, models, nn, optim, utils, vision  # noqa: F401
from .autograd import detect_anomaly, is_grad_enabled, no_grad
from .creation import manual_seed, ones, rand, randn, zeros
from .gradcheck import gradcheck
from .serialization import load, save
from .tensor import Tensor, tensor

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "tensor",
    "no_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "gradcheck",
    "rand",
    "randn",
    "zeros",
    "ones",
    "manual_seed",
    "functional",
    "nn",
    "optim",
    "data",
    "models",
    "init",
    "save",
    "load",
    "utils",
    "vision",
]
