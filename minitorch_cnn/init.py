r"""Initializers, as ``torch.nn.init``: how a layer's weights get their first values.

A layer's output is a sum over ``fan_in`` products (``in_features`` for ``Linear``,
``in_channels / groups * KH * KW`` for ``Conv2d``); its gradient flows back through
``fan_out`` of them (``out_channels * KH * KW``). With weights of variance s^2 and inputs of
unit variance, the sum has variance ``fan_in * s^2``. Keeping that near 1 is the whole idea:

- Xavier/Glorot (tanh or linear layers): ``s = gain * sqrt(2 / (fan_in + fan_out))``, a
  compromise between the forward (fan_in) and backward (fan_out) passes.
- Kaiming/He (ReLU layers): ``s = gain / sqrt(fan)``; ReLU zeroes half its inputs, so its
  gain is ``sqrt(2)``, and leaky ReLU's ``sqrt(2 / (1 + a^2))`` (``calculate_gain``).
- A uniform draw on ``[-bound, bound]`` has standard deviation ``bound / sqrt(3)``, so the
  uniform versions use ``bound = sqrt(3) * s``. PyTorch's default for ``Linear`` and
  ``Conv2d`` is ``kaiming_uniform_(a=sqrt(5))``: ``bound = 1 / sqrt(fan_in)``, the chapter's
  ``k = 1 / np.sqrt(in_channels * kernel_size * kernel_size)`` (``fan_in_uniform_``).

Each initializer writes into the tensor in place (never recorded in a graph, as PyTorch's
run under ``no_grad``), in the tensor's dtype, and returns the tensor. Random ones draw from
``generator=`` (a ``np.random.Generator`` or ``minitorch_cnn.Generator``), else from the
package's default generator (seeded by ``manual_seed``).

Read next: ``optim/__init__.py``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from .generator import resolve_generator
from .tensor import Tensor

_LINEAR = ("linear", "identity", "conv1d", "conv2d", "conv3d")
_LINEAR += ("conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain PyTorch recommends for a nonlinearity: 1 for linear layers and sigmoid,
    5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + a^2)) for leaky_relu with slope ``param``
    (default 0.01), 3/4 for selu.

    Raises
    ------
    ValueError
        For another nonlinearity, or a slope that is not a number.

    Examples
    --------
    >>> calculate_gain("leaky_relu", 1)
    1.0
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight (F, C, *kernel): ``C * prod(kernel)`` and
    ``F * prod(kernel)``, PyTorch's private helper of the same name."""
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions, "
            f"got shape {tuple(tensor.shape)}"
        )
    receptive_field = math.prod(tensor.shape[2:])  # KH * KW for a convolution
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower() if isinstance(mode, str) else mode
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def fan_in(shape: tuple[int, ...]) -> int:
    """Number of inputs summed into one output of a layer whose weight has ``shape``
    ``(out_features, in_features)`` or ``(F, C // groups, KH, KW)``.

    Examples
    --------
    >>> fan_in((64, 32, 3, 3))
    288
    """
    if len(shape) < 2:
        raise ValueError(f"fan_in needs a weight shape with at least 2 axes, got {shape}")
    return int(shape[1] * math.prod(shape[2:]))


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Write ``values`` into ``tensor`` in place (no graph), keeping its dtype."""
    tensor._data[...] = values
    tensor._bump_version()  # as an in-place write under no_grad in PyTorch
    return tensor


def _tensor(tensor: Any, name: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name} fills a Tensor in place, got {type(tensor).__name__}")
    return tensor


def _float_tensor(tensor: Any, name: str) -> Tensor:
    if _tensor(tensor, name).dtype.kind != "f":
        raise TypeError(f"{name} needs a floating point Tensor, got dtype {tensor.dtype}")
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with values drawn uniformly from ``[a, b)``; ``a <= b``."""
    _float_tensor(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_ expects a <= b, got a={a}, b={b}")
    unit = resolve_generator(generator).random(tensor.shape, dtype=tensor.dtype)
    return _fill(tensor, unit * (b - a) + a)  # Python floats keep float32


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with values drawn from N(mean, std^2); ``std >= 0``."""
    _float_tensor(tensor, "normal_")
    if not std >= 0:
        raise ValueError(f"normal_ expects std >= 0, got {std}")
    unit = resolve_generator(generator).standard_normal(tensor.shape, dtype=tensor.dtype)
    return _fill(tensor, unit * std + mean)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Tensor:
    """Fill ``tensor`` from N(mean, std^2) conditioned on ``[a, b]`` (absolute bounds, as
    PyTorch), by redrawing the values that fall outside until none does."""
    _float_tensor(tensor, "trunc_normal_")
    if not (std > 0 and a < b):
        raise ValueError(f"trunc_normal_ expects std > 0 and a < b, got std={std}, a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    rng = resolve_generator(generator)
    values = np.asarray(rng.standard_normal(tensor.shape, dtype=tensor.dtype) * std + mean)
    outside = (values < a) | (values > b)
    while outside.any():  # each round keeps the fraction P(a <= X <= b) of those left
        values[outside] = rng.standard_normal(int(outside.sum()), dtype=tensor.dtype) * std + mean
        outside = (values < a) | (values > b)
    return _fill(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val``."""
    return _fill(_tensor(tensor, "constant_"), val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 1."""
    return constant_(tensor, 1.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D ``tensor`` with the identity (ones on the diagonal, for a non-square one
    too)."""
    _tensor(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got {tensor.ndim}")
    return _fill(tensor, np.eye(*tensor.shape, dtype=tensor.dtype))


def _scaled_draw(tensor: Tensor, std: float, kind: str, generator: Any) -> Tensor:
    """Normal with standard deviation ``std``, or uniform on +-sqrt(3) std (same std)."""
    if kind == "normal":
        return normal_(tensor, 0.0, std, generator)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot uniform: ``U(-bound, bound)``, ``bound = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in_, fan_out = _calculate_fan_in_and_fan_out(_float_tensor(tensor, "xavier_uniform_"))
    return _scaled_draw(tensor, gain * math.sqrt(2.0 / (fan_in_ + fan_out)), "uniform", generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot normal: ``N(0, std^2)``, ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in_, fan_out = _calculate_fan_in_and_fan_out(_float_tensor(tensor, "xavier_normal_"))
    return _scaled_draw(tensor, gain * math.sqrt(2.0 / (fan_in_ + fan_out)), "normal", generator)


def _kaiming(
    tensor: Tensor, a: float, mode: str, nonlinearity: str, kind: str, generator: Any
) -> Tensor:
    """He initialization: std = calculate_gain(nonlinearity, a) / sqrt(fan of ``mode``)."""
    _float_tensor(tensor, f"kaiming_{kind}_")
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    return _scaled_draw(tensor, std, kind, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He uniform: ``U(-bound, bound)``, ``bound = gain * sqrt(3 / fan)``; ``a`` is the
    leaky ReLU slope after the layer, ``mode`` "fan_in" or "fan_out"."""
    return _kaiming(tensor, a, mode, nonlinearity, "uniform", generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He normal: ``N(0, std^2)``, ``std = gain / sqrt(fan)``; arguments as
    ``kaiming_uniform_``."""
    return _kaiming(tensor, a, mode, nonlinearity, "normal", generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` (2 or more dims, flattened to (rows, rest)) with a (semi-)orthogonal
    matrix times ``gain``: the Q of a Gaussian matrix's QR, signs fixed by R's diagonal so
    that Q is uniformly distributed."""
    _float_tensor(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor._data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor._data.size // rows
    flat = resolve_generator(generator).standard_normal((rows, cols))
    flat = flat.T if rows < cols else flat  # (long side, short side)
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    q = q.T if rows < cols else q  # (rows, cols)
    return _fill(tensor, (q * gain).reshape(tensor.shape))


def fan_in_uniform_(tensor: Tensor, fan: int, generator: Any = None) -> Tensor:
    """Fill ``tensor`` uniformly in ``[-k, k]`` with ``k = 1 / sqrt(fan)``: PyTorch's default
    for the weights and biases of ``Linear`` and ``Conv2d`` (``fan`` is the layer's fan-in).

    Examples
    --------
    >>> import numpy as np
    >>> import minitorch_cnn as mt
    >>> w = fan_in_uniform_(mt.zeros(64, 32, 3, 3), 288, np.random.default_rng(0))
    >>> bool(np.abs(w.numpy()).max() <= 1 / np.sqrt(288))
    True
    """
    if not isinstance(fan, (int, np.integer)) or isinstance(fan, bool) or fan < 1:
        raise ValueError(f"fan must be a positive int, got {fan!r}")
    bound = 1.0 / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)
