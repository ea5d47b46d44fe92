"""Losses: ``cross_entropy``.

Read next: ``functional/conv.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import loss
from ..tensor import Tensor
from .checks import _as_tensor, _require_float


def cross_entropy(logits: Tensor, targets: Any) -> Tensor:
    """Mean cross-entropy of integer class ``targets`` under ``softmax(logits)``.

    Parameters
    ----------
    logits : Tensor, shape (N, K)
        Unnormalized class scores.
    targets : int array or int Tensor, shape (N,)
        Class indices in ``[0, K)``.

    Raises
    ------
    ValueError
        On shape mismatches, an empty batch, or a target outside ``[0, K)``.
    TypeError
        If ``targets`` is not integer-valued.
    """
    logits = _as_tensor(logits, "logits")
    _require_float(logits, "logits")
    target_array = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
    if target_array.dtype.kind not in "iu":
        raise TypeError(f"targets must be integer class indices, got dtype {target_array.dtype}")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (N, K), got {logits.shape}")
    N, K = logits.shape
    if target_array.shape != (N,):
        raise ValueError(
            f"targets must have shape ({N},) to match logits {logits.shape}, got {target_array.shape}"
        )
    if N == 0:
        raise ValueError("cross_entropy of an empty batch (N = 0) is undefined")
    if target_array.min() < 0 or target_array.max() >= K:
        raise ValueError(
            f"targets must be class indices in [0, {K}), got values from "
            f"{target_array.min()} to {target_array.max()}"
        )
    return loss.CrossEntropy.apply(logits, Tensor(target_array))
