"""``one_hot``: class indices as rows of zeros with a single one.

Read next: ``functional/interpolate.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .checks import _as_tensor


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """``out[..., i] = 1`` where ``i`` is the class index, else 0 (int64, as PyTorch).

    Parameters
    ----------
    tensor : Tensor of int64, any shape S
    num_classes : int
        The number of classes C; -1 takes ``max(tensor) + 1``.

    Returns
    -------
    Tensor of int64, shape S + (C,)

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> one_hot(mt.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    tensor = _as_tensor(tensor, "tensor")
    if tensor.dtype != np.int64:
        raise TypeError(f"one_hot is only applicable to int64 index tensors, got {tensor.dtype}")
    labels = tensor.numpy()
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool):
        raise TypeError(f"num_classes must be an int, got {num_classes!r}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot cannot infer num_classes from an empty tensor")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"one_hot: class values must be in [0, {num_classes}), got values in "
            f"[{labels.min()}, {labels.max()}]"
        )
    return Tensor((labels[..., None] == np.arange(num_classes)).astype(np.int64))
