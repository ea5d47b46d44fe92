"""Adaptive pooling: ``adaptive_avg_pool2d`` and ``adaptive_max_pool2d`` -- the output size
is given, and the windows follow from it (``ops/adaptive_pool.py``).

Read next: ``functional/unpooling.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import adaptive_pool
from ..tensor import Tensor
from .pooling import _batch_of


def _output_size(what: str, output_size: Any, input_size: tuple[int, int]) -> tuple[int, int]:
    """(OH, OW) from an int or a pair whose None entries keep the input's size (>= 0 each)."""
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(
            f"{what} output_size must be an int or a pair (OH, OW), got {output_size!r} of "
            f"length {len(sizes)}"
        )
    out = []
    for size, default in zip(sizes, input_size):
        if size is None and isinstance(output_size, (tuple, list)):
            size = default
        if not isinstance(size, (int, np.integer)) or isinstance(size, (bool, np.bool_)):
            raise TypeError(
                f"{what} output_size must be an int or a pair of ints or None, got {output_size!r}"
            )
        if size < 0:
            raise ValueError(f"{what} output_size must be >= 0, got {output_size!r}")
        out.append(int(size))
    return out[0], out[1]


def adaptive_avg_pool2d(x: Tensor, output_size: Any) -> Tensor:
    """Mean over the windows that split H into OH parts and W into OW parts.

    Output cell o of n along an axis of L pixels averages positions
    ``floor(o*L/n) .. ceil((o+1)*L/n) - 1`` (PyTorch's rule): the windows cover the input
    and neighbours may share a pixel.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W) or (C, H, W)
        Floating point; H and W not empty.
    output_size : int, or pair of int or None
        (OH, OW); an int for both; None keeps that axis' input size. 0 gives an empty output.

    Returns
    -------
    Tensor, shape (N, C, OH, OW) or (C, OH, OW)

    Raises
    ------
    TypeError
        For an output size that is not an int, None (in a pair) or a pair of them.
    ValueError
        For a negative output size, a pair of the wrong length, or a bad input shape.

    Examples
    --------
    >>> x = np.arange(5, dtype=np.float32).reshape(1, 1, 1, 5)     # 5 columns to 3
    >>> adaptive_avg_pool2d(x, (1, 3)).numpy()[0, 0]                # [0, 1], [1, 2, 3], [3, 4]
    array([[0.5, 2. , 3.5]], dtype=float32)
    """
    batch, unbatched = _batch_of(x, "adaptive_avg_pool2d", nonempty="HW")
    size = _output_size("adaptive_avg_pool2d", output_size, batch.shape[2:])
    out = adaptive_pool.AdaptiveAvgPool2d.apply(batch, output_size=size)
    return out.squeeze(0) if unbatched else out


def adaptive_max_pool2d(
    x: Tensor, output_size: Any, return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over the windows of ``adaptive_avg_pool2d``.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W) or (C, H, W)
        Floating point; C, H and W not empty (PyTorch's rule).
    output_size : int, or pair of int or None
        As for ``adaptive_avg_pool2d``.
    return_indices : bool
        Also return each winner's flat index h*W + w in its plane (any truthy value).

    Returns
    -------
    Tensor, shape (N, C, OH, OW) or (C, OH, OW)
        The gradient goes to each window's first maximum in row-major order (a NaN wins);
        with ``return_indices``, ``(output, indices)``, indices int64.

    Raises
    ------
    TypeError, ValueError
        As for ``adaptive_avg_pool2d``.

    Examples
    --------
    >>> x = np.array([[[[1, 5, 2, 0, 4]]]], dtype=np.float32)
    >>> out, indices = adaptive_max_pool2d(x, (1, 3), return_indices=True)
    >>> out.numpy()[0, 0], indices.numpy()[0, 0]
    (array([[5., 5., 4.]], dtype=float32), array([[1, 1, 4]]))
    """
    batch, unbatched = _batch_of(x, "adaptive_max_pool2d")
    size = _output_size("adaptive_max_pool2d", output_size, batch.shape[2:])
    indices = np.empty(batch.shape[:2] + size, np.int64) if return_indices else None
    out = adaptive_pool.AdaptiveMaxPool2d.apply(batch, output_size=size, indices=indices)
    if unbatched:
        out = out.squeeze(0)
    if indices is None:
        return out
    return out, Tensor(indices[0] if unbatched else indices)
