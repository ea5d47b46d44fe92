"""``max_unpool2d``: the partial inverse of ``max_pool2d``, from its indices.

Read next: ``functional/encoding.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import unpool
from ..tensor import Tensor
from .checks import _as_tensor, _pair, _require_int
from .pooling import _batch_of

Pair = tuple[int, int]


def _unpool_size(output_size: Any, default: Pair, stride: Pair) -> Pair:
    """PyTorch's rule: (OH, OW) from an (H, W) or (N, C, H, W) sequence, each within one
    stride of the default ``(size - 1)*S + K - 2P`` (exclusive), else the default."""
    if output_size is None:
        sizes = default
    else:
        if not isinstance(output_size, (tuple, list)):
            raise TypeError(
                "max_unpool2d output_size must be a sequence (H, W) or (N, C, H, W), got "
                f"{output_size!r} ({type(output_size).__name__})"
            )
        if len(output_size) not in (2, 4):
            raise ValueError(
                "max_unpool2d output_size must have 2 or 4 elements, got "
                f"{tuple(output_size)} of length {len(output_size)}"
            )
        sizes = tuple(_require_int(size, "output_size", -(2**63)) for size in output_size[-2:])
        for axis, name in ((0, "height"), (1, "width")):
            low, high = default[axis] - stride[axis], default[axis] + stride[axis]
            if not low < sizes[axis] < high:
                raise ValueError(
                    f"max_unpool2d output_size {tuple(output_size)}: the {name} must lie "
                    f"strictly between {low} and {high}, got {sizes[axis]}"
                )
    if min(sizes) < 0:
        raise ValueError(f"max_unpool2d output size must not be negative, got {tuple(sizes)}")
    return sizes[0], sizes[1]


def max_unpool2d(
    x: Tensor,
    indices: Tensor,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
    output_size: tuple[int, ...] | None = None,
) -> Tensor:
    """The partial inverse of ``max_pool2d``: zeros, with each value put back at its index.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W) or (C, H, W)
        Floating point; only N may be 0.
    indices : Tensor or np.ndarray, int64, shape of ``x``
        Flat indices h*W + w into each (OH, OW) output plane, as ``max_pool2d`` returns
        them with ``return_indices=True``.
    kernel_size, stride, padding : int or (int, int)
        The pooling's settings; stride defaults to ``kernel_size``.
    output_size : sequence of 2 or 4 ints, optional
        (OH, OW) -- or the whole shape -- when the pooling's floor made the size ambiguous;
        within one stride of the default ``(H - 1)*S + K - 2P``.

    Returns
    -------
    Tensor, shape (N, C, OH, OW) or (C, OH, OW)
        The gradient of each input entry is the output gradient at its index.

    Raises
    ------
    TypeError
        For indices that are not int64, or settings that are not ints.
    ValueError
        For indices of another shape than ``x``, an index outside [0, OH*OW), or an
        output size outside the allowed range (PyTorch's rules).

    Examples
    --------
    >>> from minitorch_cnn.functional import max_pool2d
    >>> x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> out, indices = max_pool2d(x, 2, return_indices=True)
    >>> max_unpool2d(out, indices, 2).numpy()[0, 0]
    array([[ 0.,  0.,  0.,  0.],
           [ 0.,  6.,  0.,  8.],
           [ 0.,  0.,  0.,  0.],
           [ 0., 14.,  0., 16.]], dtype=float32)
    """
    batch, unbatched = _batch_of(x, "max_unpool2d")
    indices = _as_tensor(indices, "indices")
    if indices.dtype != np.int64:
        raise TypeError(f"max_unpool2d indices must have dtype int64, got {indices.dtype}")
    if indices.shape != x.shape:
        raise ValueError(
            f"max_unpool2d indices must have the input's shape {x.shape}, got {indices.shape}"
        )
    kernel = _pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    H, W = batch.shape[2:]
    default = (
        (H - 1) * stride[0] + kernel[0] - 2 * padding[0],
        (W - 1) * stride[1] + kernel[1] - 2 * padding[1],
    )
    OH, OW = _unpool_size(output_size, default, stride)
    flat = indices.numpy().reshape(batch.shape)
    bad = (flat < 0) | (flat >= OH * OW)
    if bad.any():
        raise ValueError(
            f"max_unpool2d indices must lie in [0, {OH * OW}) for an output of {OH}x{OW}, "
            f"got {int(flat[bad][0])}"
        )
    out = unpool.MaxUnpool2d.apply(batch, indices=flat, output_size=(OH, OW))
    return out.squeeze(0) if unbatched else out
