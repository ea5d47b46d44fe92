"""minitorch_cnn: a pure-NumPy tensor and autograd framework for convolutional networks.

Reading order (README.md says one sentence about each; every module's "Read next" leads
on): ``autograd.py``, ``tensor/`` (the Tensor class), ``generator.py``, ``creation.py``,
``ops/`` (elementwise to normalization, then windows, conv, pool), ``functional/``, ``nn/``,
``init.py``, ``optim/``, ``summary.py``, ``data.py``, ``utils/``, ``vision/``, ``models.py``,
``serialization.py``, ``checkpoint.py``, ``train.py``, ``gradcheck.py``, ``testing/``.

The names PyTorch has at its top level (``minitorch_cnn.device``, ``minitorch_cnn.float32``,
``minitorch_cnn.max``, ...) are here too, so ``import minitorch_cnn as torch`` runs PyTorch
programs. Importing the package changes nothing in the process: it reads no file, draws no
random number and leaves ``malloc`` as it is (``allocator.keep_freed_memory`` is explicit).
"""

from __future__ import annotations

import numpy as np

from . import allocator, data, functional, init, models, nn, optim, utils, vision
from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    BoolTensor,
    ByteTensor,
    DoubleTensor,
    FloatTensor,
    IntTensor,
    LongTensor,
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from .device import accelerator, backends, cuda, device
from .dtypes import (
    bool_ as bool,  # noqa: A004 -- PyTorch's names
)
from .dtypes import (
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from .dtypes import float32 as float  # noqa: A004
from .dtypes import int32 as int  # noqa: A004
from .einsum import einsum
from .generator import Generator, manual_seed
from .gradcheck import gradcheck
from .serialization import load, save
from .tensor import Size, Tensor, tensor
from .toplevel import (  # noqa: A004 -- PyTorch's names
    abs,
    add,
    allclose,
    amax,
    amin,
    argmax,
    argmin,
    argsort,
    bincount,
    bmm,
    cat,
    ceil,
    chunk,
    clamp,
    clone,
    cos,
    cumsum,
    detach,
    div,
    dot,
    eq,
    equal,
    exp,
    flatten,
    flip,
    floor,
    floor_divide,
    gather,
    ge,
    get_default_dtype,
    get_num_threads,
    gt,
    index_fill,
    index_select,
    inference_mode,
    is_floating_point,
    is_tensor,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    log_softmax,
    logsumexp,
    lt,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    ne,
    neg,
    nonzero,
    norm,
    numel,
    permute,
    pow,
    prod,
    relu,
    remainder,
    reshape,
    round,
    scatter,
    scatter_add,
    set_default_device,
    set_num_threads,
    set_printoptions,
    sigmoid,
    sign,
    sin,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    t,
    tanh,
    topk,
    transpose,
    unbind,
    unique,
    unsqueeze,
    var,
    where,
)

dtype = np.dtype  # the class of minitorch_cnn.float32 and friends (torch.dtype)

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "tensor",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "detect_anomaly",
    "gradcheck",
    "rand",
    "randn",
    "zeros",
    "ones",
    "manual_seed",
    "device",
    "cuda",
    "accelerator",
    "backends",
    "functional",
    "nn",
    "optim",
    "data",
    "models",
    "init",
    "save",
    "load",
]
