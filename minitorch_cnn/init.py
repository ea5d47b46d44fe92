"""Initializers: how a layer's weights get their first values.

A layer's output is a sum over ``fan_in`` products (``in_features`` for ``Linear``,
``in_channels / groups * KH * KW`` for ``Conv2d``). Drawing each weight uniformly from
``[-k, k]`` with ``k = 1 / sqrt(fan_in)`` keeps the variance of that sum near the variance of
one input, whatever the layer's size -- PyTorch's default for both layers and the chapter's
``k = 1 / np.sqrt(in_channels * kernel_size * kernel_size)``.

Every initializer draws from an explicit ``np.random.Generator``: pass ``generator=`` to
make a model reproducible from a seed, or leave it out to use the package's default generator
(seeded by ``manual_seed``). Initializers write into the tensor in place and return the
tensor, like PyTorch's ``nn.init.*_`` functions.

Read next: ``optim/__init__.py``.
"""

from __future__ import annotations

import math

import numpy as np

from .creation import resolve_generator
from .tensor import Tensor


def fan_in(shape: tuple[int, ...]) -> int:
    """Number of inputs summed into one output of a layer whose weight has ``shape``.

    Parameters
    ----------
    shape : tuple of int
        ``(out_features, in_features)`` for a linear layer or ``(F, C // groups, KH, KW)`` for a
        convolution.

    Returns
    -------
    int
        ``shape[1] * prod(shape[2:])``.

    Raises
    ------
    ValueError
        If ``shape`` has fewer than 2 axes.

    Examples
    --------
    >>> fan_in((64, 32, 3, 3))
    288
    """
    if len(shape) < 2:
        raise ValueError(f"fan_in needs a weight shape with at least 2 axes, got {shape}")
    return int(shape[1] * math.prod(shape[2:]))


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill ``tensor`` in place with samples uniform in ``[a, b]``, in its own dtype.

    Parameters
    ----------
    tensor : Tensor, any shape, floating point
    a, b : float
        Bounds, ``a <= b``.
    generator : np.random.Generator, optional
        Source of randomness; the package's default generator when omitted.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Raises
    ------
    ValueError
        If ``a > b``.
    TypeError
        If ``tensor`` is not a floating point Tensor, or ``generator`` not a Generator.
    """
    if not isinstance(tensor, Tensor) or tensor.dtype.kind != "f":
        raise TypeError(f"uniform_ needs a floating point Tensor, got {tensor!r:.60}")
    if not a <= b:
        raise ValueError(f"uniform_ needs a <= b, got a={a}, b={b}")
    rng = resolve_generator(generator)
    # a + (b - a) * U[0, 1), drawn and scaled in the tensor's dtype (no float64 detour)
    unit = rng.random(tensor.shape, dtype=tensor.dtype)
    tensor._data[...] = unit * (b - a) + a  # Python floats keep float32 float32
    return tensor


def fan_in_uniform_(
    tensor: Tensor, fan: int, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill ``tensor`` uniformly in ``[-k, k]`` with ``k = 1 / sqrt(fan)`` (PyTorch's default
    for the weights and biases of ``Linear`` and ``Conv2d``).

    Parameters
    ----------
    tensor : Tensor, any shape
        A weight, or the bias of the layer whose weight has fan-in ``fan``.
    fan : int
        The layer's fan-in, see ``fan_in``.
    generator : np.random.Generator, optional

    Returns
    -------
    Tensor
        ``tensor`` itself.

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
