"""Loop oracles for convolution and pooling: slow, float64, obviously correct.

These are the only pixel loops in the repository. Each function follows the definition
literally, one multiply-add (or comparison) at a time, so a reader can check it against the
math in a minute; the vectorized ops in ``minitorch_cnn/ops`` are tested against them.

All settings are (h, w) pairs. Padding is never materialized: a tap that falls outside the
input is simply skipped, which is exactly what zero padding means for convolution and
average pooling (a zero adds nothing) and what -inf padding means for max pooling (padding
never wins). Backward functions *scatter*: they walk the same taps as the forward and add
each output's gradient into every input that produced it -- independent of how the
vectorized backward is organized.

Read next: ``tests/test_conv.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

Pair = tuple[int, int]
Index = tuple[int, int, int, int]


def output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Count the window positions by walking them, independently of the closed formula.

    Windows start at 0, S, 2S, ... in the padded input of length ``size + 2P``; a window fits
    while its last tap ``start + D*(K-1)`` is inside it. In ceil mode one more, partial,
    window follows if the last whole one (or, with none, the start) stopped short of the
    padded end, and it starts inside the input or the left padding (PyTorch's rule).
    """
    span, padded = dilation * (kernel - 1) + 1, size + 2 * padding
    count = 0
    while count * stride + span <= padded:
        count += 1
    stopped_short = (count - 1) * stride + span < padded
    if ceil_mode and stopped_short and count * stride < size + padding:
        count += 1
    return count


def _taps(
    H: int,
    W: int,
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    ceil_mode: bool = False,
) -> Iterator[tuple[int, int, list[tuple[int, int, int, int]]]]:
    """For each output pixel (i, j): the in-bounds taps (u, v, r, s) in row-major order.

    Tap (u, v) of the kernel reads input pixel (r, s) = (i*SH - PH + u*DH, j*SW - PW + v*DW).
    """
    OH = output_size(H, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    OW = output_size(W, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    for i in range(OH):
        for j in range(OW):
            taps = []
            for u in range(kernel[0]):
                for v in range(kernel[1]):
                    r = i * stride[0] - padding[0] + u * dilation[0]
                    s = j * stride[1] - padding[1] + v * dilation[1]
                    if 0 <= r < H and 0 <= s < W:
                        taps.append((u, v, r, s))
            yield i, j, taps


def _conv_terms(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
) -> Iterator[tuple[Index, Index, Index]]:
    """Every product of conv2d as (output index, input index, weight index).

    out[n, f, i, j] = bias[f] + sum over these of x[input index] * weight[weight index].
    Filter f belongs to group g = f // (F // groups) and reads input channels
    g * C_g .. (g + 1) * C_g - 1, where C_g = C // groups is the weight's channel axis.
    """
    N, _, H, W = x_shape
    F, C_g, KH, KW = w_shape
    for i, j, taps in _taps(H, W, (KH, KW), stride, padding, dilation):
        for n in range(N):
            for f in range(F):
                g = f // (F // groups)
                for c in range(C_g):
                    for u, v, r, s in taps:
                        yield (n, f, i, j), (n, g * C_g + c, r, s), (f, c, u, v)


def conv2d_output_shape(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: Pair, padding: Pair, dilation: Pair
) -> tuple[int, int, int, int]:
    """(N, F, OH, OW) by counting window positions."""
    N, _, H, W = x_shape
    F, _, KH, KW = w_shape
    OH = output_size(H, KH, stride[0], padding[0], dilation[0])
    OW = output_size(W, KW, stride[1], padding[1], dilation[1])
    return (N, F, OH, OW)


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
) -> np.ndarray:
    """Cross-correlation (what deep learning calls convolution), one product at a time."""
    x, weight = np.asarray(x, dtype=np.float64), np.asarray(weight, dtype=np.float64)
    out = np.zeros(conv2d_output_shape(x.shape, weight.shape, stride, padding, dilation))
    for o, xi, wi in _conv_terms(x.shape, weight.shape, stride, padding, dilation, groups):
        out[o] += x[xi] * weight[wi]
    if bias is not None:
        for n, f, i, j in np.ndindex(out.shape):
            out[n, f, i, j] += bias[f]
    return out


def conv2d_backward(
    x: np.ndarray,
    weight: np.ndarray,
    grad_out: np.ndarray,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_x, grad_w, grad_b): each product x*w sends grad_out*w to x and grad_out*x to w."""
    x, weight = np.asarray(x, dtype=np.float64), np.asarray(weight, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    grad_x, grad_w = np.zeros(x.shape), np.zeros(weight.shape)
    for o, xi, wi in _conv_terms(x.shape, weight.shape, stride, padding, dilation, groups):
        grad_x[xi] += grad_out[o] * weight[wi]
        grad_w[wi] += grad_out[o] * x[xi]
    grad_b = np.zeros(weight.shape[0])
    for n, f, i, j in np.ndindex(grad_out.shape):
        grad_b[f] += grad_out[n, f, i, j]
    return grad_x, grad_w, grad_b


# ----- pooling over fixed windows -------------------------------------------------------------
# Settings beyond (kernel, stride, padding) are keywords: dilation and ceil_mode (max),
# ceil_mode, count_include_pad and divisor_override (average), with PyTorch's defaults.


def _pool_windows(
    shape: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair = (1, 1),
    ceil_mode: bool = False,
) -> Iterator[tuple[Index, list[Index]]]:
    """Each pooling output index (n, c, i, j) with the input indices of its in-bounds taps."""
    N, C, H, W = shape
    for i, j, taps in _taps(H, W, kernel, stride, padding, dilation, ceil_mode):
        for n in range(N):
            for c in range(C):
                yield (n, c, i, j), [(n, c, r, s) for _, _, r, s in taps]


def pool2d_output_shape(
    shape: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair = (1, 1),
    ceil_mode: bool = False,
) -> tuple[int, int, int, int]:
    """(N, C, OH, OW) by counting window positions."""
    N, C, H, W = shape
    return (
        N,
        C,
        output_size(H, kernel[0], stride[0], padding[0], dilation[0], ceil_mode),
        output_size(W, kernel[1], stride[1], padding[1], dilation[1], ceil_mode),
    )


def has_empty_window(
    shape: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair = (1, 1),
    ceil_mode: bool = False,
) -> bool:
    """Whether some window has no in-bounds tap (dilated taps can step over a small input)."""
    _, _, H, W = shape
    return any(not taps for _, _, taps in _taps(H, W, kernel, stride, padding, dilation, ceil_mode))


def _winner(x: np.ndarray, window: list[Index]) -> Index:
    """PyTorch's winner, scanning the in-bounds taps in row-major order: a tap takes over if it
    is strictly greater or NaN -- later ties lose, a NaN always wins, and the last NaN stays."""
    best = window[0]
    for index in window[1:]:
        if x[index] > x[best] or np.isnan(x[index]):
            best = index
    return best


def max_pool2d(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, **options: Any
) -> np.ndarray:
    """Maximum over each window's in-bounds entries (padding is -inf: it never wins)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(pool2d_output_shape(x.shape, kernel, stride, padding, **options))
    for o, window in _pool_windows(x.shape, kernel, stride, padding, **options):
        out[o] = x[_winner(x, window)]
    return out


def max_pool2d_indices(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, **options: Any
) -> np.ndarray:
    """The flat index r*W + s, in its (H, W) plane, of each window's winner (int64)."""
    W = x.shape[3]
    out = np.zeros(pool2d_output_shape(x.shape, kernel, stride, padding, **options), np.int64)
    for o, window in _pool_windows(x.shape, kernel, stride, padding, **options):
        _, _, r, s = _winner(x, window)
        out[o] = r * W + s
    return out


def max_pool2d_backward(
    x: np.ndarray, grad_out: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, **options: Any
) -> np.ndarray:
    """Each output's gradient goes, whole, to its window's winner (accumulating on overlap)."""
    x = np.asarray(x, dtype=np.float64)
    grad_x = np.zeros(x.shape)
    for o, window in _pool_windows(x.shape, kernel, stride, padding, **options):
        grad_x[_winner(x, window)] += grad_out[o]
    return grad_x


def _avg_divisor(
    shape: tuple[int, ...],
    o: Index,
    window: list[Index],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    count_include_pad: bool,
    divisor_override: int | None,
) -> int:
    """What PyTorch divides window o's sum by: the override if given; else, counting padding,
    its taps inside the padded input (not those of a ceil-mode window beyond it); else its
    in-bounds taps."""
    if divisor_override is not None:
        return divisor_override
    if not count_include_pad:
        return len(window)
    _, _, H, W = shape
    _, _, i, j = o
    count = 0
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            r = i * stride[0] - padding[0] + u
            s = j * stride[1] - padding[1] + v
            if -padding[0] <= r < H + padding[0] and -padding[1] <= s < W + padding[1]:
                count += 1
    return count


def avg_pool2d(
    x: np.ndarray,
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Sum of each window's in-bounds entries (zero padding adds nothing) over its divisor."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(pool2d_output_shape(x.shape, kernel, stride, padding, ceil_mode=ceil_mode))
    divisor_options = (kernel, stride, padding, count_include_pad, divisor_override)
    for o, window in _pool_windows(x.shape, kernel, stride, padding, ceil_mode=ceil_mode):
        total = 0.0
        for index in window:
            total += x[index]
        out[o] = total / _avg_divisor(x.shape, o, window, *divisor_options)
    return out


def avg_pool2d_backward(
    shape: tuple[int, ...],
    grad_out: np.ndarray,
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Each output's gradient, over its divisor, goes to every in-bounds entry of its window."""
    grad_x = np.zeros(shape)
    divisor_options = (kernel, stride, padding, count_include_pad, divisor_override)
    for o, window in _pool_windows(shape, kernel, stride, padding, ceil_mode=ceil_mode):
        for index in window:
            grad_x[index] += grad_out[o] / _avg_divisor(shape, o, window, *divisor_options)
    return grad_x


# ----- adaptive pooling and unpooling ---------------------------------------------------------


def adaptive_windows(size: int, out: int) -> list[range]:
    """Window o of ``out``: positions floor(o*size/out) .. ceil((o+1)*size/out) - 1, with
    exact fractions (PyTorch's rule)."""
    return [
        range(math.floor(Fraction(o * size, out)), math.ceil(Fraction((o + 1) * size, out)))
        for o in range(out)
    ]


def _adaptive_windows2d(
    shape: tuple[int, ...], out_size: Pair
) -> Iterator[tuple[Index, list[Index]]]:
    """Each adaptive output index (n, c, i, j) with its window's input indices, row-major."""
    N, C, H, W = shape
    for i, rows in enumerate(adaptive_windows(H, out_size[0])):
        for j, cols in enumerate(adaptive_windows(W, out_size[1])):
            for n in range(N):
                for c in range(C):
                    yield (n, c, i, j), [(n, c, r, s) for r in rows for s in cols]


def adaptive_avg_pool2d(x: np.ndarray, out_size: Pair) -> np.ndarray:
    """Mean over each adaptive window."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(x.shape[:2] + tuple(out_size))
    for o, window in _adaptive_windows2d(x.shape, out_size):
        out[o] = sum(x[index] for index in window) / len(window)
    return out


def adaptive_avg_pool2d_backward(
    shape: tuple[int, ...], grad_out: np.ndarray, out_size: Pair
) -> np.ndarray:
    """Each output's gradient, over its window's size, goes to every entry of the window."""
    grad_x = np.zeros(shape)
    for o, window in _adaptive_windows2d(shape, out_size):
        for index in window:
            grad_x[index] += grad_out[o] / len(window)
    return grad_x


def adaptive_max_pool2d(x: np.ndarray, out_size: Pair) -> tuple[np.ndarray, np.ndarray]:
    """(maximum, flat index r*W + s of the winner) over each adaptive window."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(x.shape[:2] + tuple(out_size))
    indices = np.zeros(out.shape, dtype=np.int64)
    for o, window in _adaptive_windows2d(x.shape, out_size):
        _, _, r, s = best = _winner(x, window)
        out[o], indices[o] = x[best], r * x.shape[3] + s
    return out, indices


def adaptive_max_pool2d_backward(x: np.ndarray, grad_out: np.ndarray, out_size: Pair) -> np.ndarray:
    """Each output's gradient goes, whole, to its window's winner (accumulating on overlap)."""
    grad_x = np.zeros(x.shape)
    for o, window in _adaptive_windows2d(x.shape, out_size):
        grad_x[_winner(x, window)] += grad_out[o]
    return grad_x


def max_unpool2d(x: np.ndarray, indices: np.ndarray, out_size: Pair) -> np.ndarray:
    """Zeros of (N, C, OH, OW) with x[n, c, h, w] written at row, column divmod(index, OW)."""
    OW = out_size[1]
    out = np.zeros(x.shape[:2] + tuple(out_size))
    for n, c, h, w in np.ndindex(x.shape):
        r, s = divmod(int(indices[n, c, h, w]), OW)
        out[n, c, r, s] = x[n, c, h, w]
    return out


def max_unpool2d_backward(indices: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """Each input entry's gradient is the output gradient where it was written."""
    OW = grad_out.shape[3]
    grad_x = np.zeros(indices.shape)
    for n, c, h, w in np.ndindex(indices.shape):
        r, s = divmod(int(indices[n, c, h, w]), OW)
        grad_x[n, c, h, w] = grad_out[n, c, r, s]
    return grad_x
