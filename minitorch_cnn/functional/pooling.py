"""Pooling: ``max_pool2d`` and ``avg_pool2d``.

Read next: ``nn/__init__.py``.
"""

from __future__ import annotations

from typing import Any

from ..ops import pool
from ..tensor import Tensor
from .checks import _as_tensor, _pair, _require_4d, _require_float
from .conv import _check_output_size


def _pool_arguments(
    what: str, x: Any, kernel_size: Any, stride: Any, padding: Any
) -> tuple[Tensor, tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Validate and normalize the arguments shared by max and average pooling."""
    x = _as_tensor(x, "x")
    _require_4d(x, f"{what} input", "(N, C, H, W)")
    _require_float(x, f"{what} input")
    kernel = _pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        # as PyTorch: otherwise a window could hold nothing but padding
        raise ValueError(
            f"{what} padding must be at most half the kernel size {kernel}, got {padding}"
        )
    _check_output_size(what, x.shape, kernel, stride, padding, (1, 1))
    return x, kernel, stride, padding


def max_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Maximum over each (KH, KW) window; padding is -inf, so it never wins.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W)
        Floating point.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int)
        At most half the kernel size, as in PyTorch.

    Returns
    -------
    Tensor, shape (N, C, OH, OW)
        The gradient goes to one position per window: the first maximum in row-major
        window order (PyTorch's rule), summed where overlapping windows pick the same pixel.

    Raises
    ------
    TypeError, ValueError
        As for ``conv2d``, plus padding larger than half the kernel.

    Examples
    --------
    The chapter's 4x4 example:

    >>> import numpy as np
    >>> x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2).numpy()[0, 0]
    array([[ 6.,  8.],
           [14., 16.]], dtype=float32)
    """
    x, kernel, stride, padding = _pool_arguments("max_pool2d", x, kernel_size, stride, padding)
    return pool.MaxPool2d.apply(x, kernel_size=kernel, stride=stride, padding=padding)


def avg_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Mean over each (KH, KW) window; zero padding counts in the mean (PyTorch's default).

    Parameters and errors as for ``max_pool2d``.

    Returns
    -------
    Tensor, shape (N, C, OH, OW)
    """
    x, kernel, stride, padding = _pool_arguments("avg_pool2d", x, kernel_size, stride, padding)
    return pool.AvgPool2d.apply(x, kernel_size=kernel, stride=stride, padding=padding)
