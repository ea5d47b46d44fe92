"""Pooling over fixed windows: ``max_pool2d`` and ``avg_pool2d``.

Each takes a batch (N, C, H, W) or, as in PyTorch, one unbatched image (C, H, W), which
goes through the same op as a batch of one (``_batch_of``, shared by every pooling).

Read next: ``functional/adaptive_pooling.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import pool
from ..tensor import Tensor
from .checks import _as_tensor, _pair, _require_float, _require_int
from .conv import _check_output_size

Pair = tuple[int, int]


def _batch_of(x: Any, what: str, nonempty: str = "CHW") -> tuple[Tensor, bool]:
    """A floating point (N, C, H, W) tensor, and whether ``x`` came unbatched as (C, H, W).

    The axes named in ``nonempty`` must not be empty (PyTorch's rule: only N may be 0).
    """
    x = _as_tensor(x, "x")
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{what} input must be 3-D (C, H, W) or 4-D (N, C, H, W), got shape {x.shape} "
            f"({x.ndim}-D)"
        )
    _require_float(x, f"{what} input")
    unbatched = x.ndim == 3
    batch = x.unsqueeze(0) if unbatched else x  # (N, C, H, W)
    empty = [axis for axis, size in zip("CHW", batch.shape[1:]) if axis in nonempty and size == 0]
    if empty:
        raise ValueError(
            f"{what} input must have non-empty {', '.join(nonempty)} axes, got shape {x.shape} "
            f"(axis {empty[0]} is empty)"
        )
    return batch, unbatched


def _require_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r} ({type(value).__name__})")
    return bool(value)


def _window_arguments(
    what: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any
) -> tuple[Pair, Pair, Pair, Pair]:
    """Normalize and check the window settings shared by max and average pooling."""
    kernel = _pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    dilation = _pair(dilation, "dilation", 1)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        # as PyTorch: otherwise a window could hold nothing but padding
        raise ValueError(
            f"{what} padding must be at most half the kernel size {kernel}, got {padding}"
        )
    return kernel, stride, padding, dilation


def _check_windows_hold_input(what: str, shape: tuple[int, ...], *settings: Pair) -> None:
    """With dilation, taps can step over a small input: each window needs a real pixel.

    Window o's taps along an axis are at ``o*S - P + i*D``; its first tap at or after 0 is
    ``i = ceil((P - o*S) / D)``, and it must be a tap (i < K) inside the input. PyTorch does
    not check this: it returns -inf with an index outside the input, and its backward then
    writes outside the gradient's memory.
    """
    out_size, kernel, stride, padding, dilation = settings
    for axis, name in ((0, "height"), (1, "width")):
        K, S, P, D = kernel[axis], stride[axis], padding[axis], dilation[axis]
        if D == 1:  # K >= 2P consecutive taps always reach the input
            continue
        starts = S * np.arange(out_size[axis]) - P
        first = np.maximum(0, -(starts // D))  # ceil(-start / D)
        empty = (first >= K) | (starts + D * first >= shape[2 + axis])
        if empty.any():
            raise ValueError(
                f"{what} on input of shape {shape}: along the {name}, the taps of window "
                f"{int(np.argmax(empty))} (kernel {K}, dilation {D}, padding {P}) all fall in "
                "the padding; a window must hold at least one input pixel"
            )


def max_pool2d(
    x: Tensor,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over each (KH, KW) window; padding is -inf, so it never wins.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W) or (C, H, W)
        Floating point; only N may be 0.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int)
        At most half the kernel size, as in PyTorch.
    dilation : int or (int, int)
        Spacing of the taps inside a window.
    ceil_mode : bool
        Round the output size up: a last, partial window covers the pixels the floor leaves
        out, unless it would start in the right padding (``ops.windows.output_size``).
    return_indices : bool
        Also return, per output, the flat index h*W + w of the winner in its (H, W) plane
        (for ``max_unpool2d``). Any truthy value counts, as in PyTorch.

    Returns
    -------
    Tensor, shape (N, C, OH, OW) or (C, OH, OW)
        The gradient goes to one position per window: the first maximum in row-major
        window order (PyTorch's rule; a NaN wins), summed where overlapping windows pick
        the same pixel. With ``return_indices``, ``(output, indices)``, indices int64.

    Raises
    ------
    TypeError, ValueError
        As for ``conv2d``, plus padding larger than half the kernel, a non-bool
        ``ceil_mode``, and a dilated window whose taps all fall in the padding.

    Examples
    --------
    The chapter's 4x4 example, and where each maximum came from:

    >>> x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> out, indices = max_pool2d(x, 2, return_indices=True)
    >>> out.numpy()[0, 0]
    array([[ 6.,  8.],
           [14., 16.]], dtype=float32)
    >>> indices.numpy()[0, 0]
    array([[ 5,  7],
           [13, 15]])
    """
    batch, unbatched = _batch_of(x, "max_pool2d")
    settings = _window_arguments("max_pool2d", kernel_size, stride, padding, dilation)
    ceil_mode = _require_bool(ceil_mode, "ceil_mode")
    out_size = _check_output_size("max_pool2d", batch.shape, *settings, ceil_mode)
    _check_windows_hold_input("max_pool2d", batch.shape, out_size, *settings)
    kernel, stride, padding, dilation = settings
    indices = np.empty(batch.shape[:2] + out_size, np.int64) if return_indices else None
    out = pool.MaxPool2d.apply(
        batch,
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        indices=indices,
    )
    if unbatched:
        out = out.squeeze(0)
    if indices is None:
        return out
    return out, Tensor(indices[0] if unbatched else indices)


def avg_pool2d(
    x: Tensor,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over each (KH, KW) window, padding with zeros.

    Parameters
    ----------
    x, kernel_size, stride, padding, ceil_mode
        As for ``max_pool2d``.
    count_include_pad : bool
        Divide by the window's taps inside the padded input (True, the default) or by its
        real pixels only (False). A ceil_mode window running past the padded input
        divides by the part inside it either way (PyTorch's rule).
    divisor_override : int, optional
        Divide every window's sum by this instead (nonzero; may be negative).

    Returns
    -------
    Tensor, shape (N, C, OH, OW) or (C, OH, OW)

    Raises
    ------
    TypeError, ValueError
        As for ``max_pool2d``; a ``count_include_pad`` that is not a bool, a
        ``divisor_override`` that is not an int, or 0.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3), dtype=np.float32)
    >>> avg_pool2d(x, 2, stride=1, padding=1).numpy()[0, 0, 0]        # 1 pixel of 4 taps
    array([0.25, 0.5 , 0.5 , 0.25], dtype=float32)
    >>> avg_pool2d(x, 2, 1, 1, count_include_pad=False).numpy()[0, 0, 0]
    array([1., 1., 1., 1.], dtype=float32)
    """
    batch, unbatched = _batch_of(x, "avg_pool2d")
    settings = _window_arguments("avg_pool2d", kernel_size, stride, padding, 1)
    ceil_mode = _require_bool(ceil_mode, "ceil_mode")
    count_include_pad = _require_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        divisor_override = _require_int(divisor_override, "divisor_override", -(2**63))
        if divisor_override == 0:
            raise ValueError("avg_pool2d divisor_override must not be 0, got 0")
    _check_output_size("avg_pool2d", batch.shape, *settings, ceil_mode)
    kernel, stride, padding, _ = settings
    out = pool.AvgPool2d.apply(
        batch,
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )
    return out.squeeze(0) if unbatched else out
