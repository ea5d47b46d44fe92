"""The user-facing functions, named as in ``torch.nn.functional``.

Each function checks its arguments -- raising ``ValueError``/``TypeError`` messages that
repeat the caller's numbers -- normalizes int-or-pair settings, and then calls one op from
``ops/``. Layers in ``nn/`` are thin wrappers around these. One file per family, read in
this order: ``checks``, ``activation``, ``linear``, ``loss``, ``conv``, ``pooling``,
``adaptive_pooling``, ``unpooling``, ``encoding``, ``interpolate``.

Read next: ``functional/checks.py``.
"""

from __future__ import annotations

from .activation import (
    dropout,
    dropout2d,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from .adaptive_pooling import adaptive_avg_pool2d, adaptive_max_pool2d
from .conv import conv2d, conv_output_size
from .encoding import one_hot
from .interpolate import interpolate
from .linear import flatten, linear
from .loss import cross_entropy, nll_loss
from .normalization import batch_norm
from .padding import pad
from .pointwise_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    l1_loss,
    mse_loss,
)
from .pooling import avg_pool2d, max_pool2d
from .unpooling import max_unpool2d

__all__ = [
    "one_hot",
    "relu",
    "log_softmax",
    "dropout",
    "dropout2d",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "batch_norm",
    "linear",
    "flatten",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv_output_size",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "max_unpool2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "pad",
    "interpolate",
]
