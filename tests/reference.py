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

from collections.abc import Iterator

import numpy as np

Pair = tuple[int, int]
Index = tuple[int, int, int, int]


def output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Count the window positions by walking them, independently of the closed formula.

    Windows start at 0, S, 2S, ... in the padded input of length ``size + 2P``; a window fits
    while its last tap ``start + D*(K-1)`` is inside it.
    """
    count = 0
    while count * stride + dilation * (kernel - 1) <= size + 2 * padding - 1:
        count += 1
    return count


def _taps(
    H: int, W: int, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> Iterator[tuple[int, int, list[tuple[int, int, int, int]]]]:
    """For each output pixel (i, j): the in-bounds taps (u, v, r, s) in row-major order.

    Tap (u, v) of the kernel reads input pixel (r, s) = (i*SH - PH + u*DH, j*SW - PW + v*DW).
    """
    OH = output_size(H, kernel[0], stride[0], padding[0], dilation[0])
    OW = output_size(W, kernel[1], stride[1], padding[1], dilation[1])
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


def _pool_windows(
    shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> Iterator[tuple[tuple[int, int, int, int], list[tuple[int, int, int, int]]]]:
    """Each pooling output index (n, c, i, j) with the input indices of its in-bounds taps."""
    N, C, H, W = shape
    for i, j, taps in _taps(H, W, kernel, stride, padding, (1, 1)):
        for n in range(N):
            for c in range(C):
                yield (n, c, i, j), [(n, c, r, s) for _, _, r, s in taps]


def pool2d_output_shape(
    shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> tuple[int, int, int, int]:
    """(N, C, OH, OW) by counting window positions."""
    N, C, H, W = shape
    return (
        N,
        C,
        output_size(H, kernel[0], stride[0], padding[0]),
        output_size(W, kernel[1], stride[1], padding[1]),
    )


def _first_max(x: np.ndarray, window: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """The winner of a window: the first maximum in row-major order (later ties lose)."""
    best = window[0]
    for index in window[1:]:
        if x[index] > x[best]:
            best = index
    return best


def max_pool2d(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """Maximum over each window's in-bounds entries (padding is -inf: it never wins)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(pool2d_output_shape(x.shape, kernel, stride, padding))
    for o, window in _pool_windows(x.shape, kernel, stride, padding):
        out[o] = x[_first_max(x, window)]
    return out


def max_pool2d_backward(
    x: np.ndarray, grad_out: np.ndarray, kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """Each output's gradient goes, whole, to its window's winner (accumulating on overlap)."""
    x = np.asarray(x, dtype=np.float64)
    grad_x = np.zeros(x.shape)
    for o, window in _pool_windows(x.shape, kernel, stride, padding):
        grad_x[_first_max(x, window)] += grad_out[o]
    return grad_x


def avg_pool2d(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """Sum of each window's in-bounds entries over KH*KW (padding counts, as zeros)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(pool2d_output_shape(x.shape, kernel, stride, padding))
    for o, window in _pool_windows(x.shape, kernel, stride, padding):
        for index in window:
            out[o] += x[index] / (kernel[0] * kernel[1])
    return out


def avg_pool2d_backward(
    shape: tuple[int, ...], grad_out: np.ndarray, kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """Each output's gradient, divided by KH*KW, goes to every in-bounds entry of its window."""
    grad_x = np.zeros(shape)
    for o, window in _pool_windows(shape, kernel, stride, padding):
        for index in window:
            grad_x[index] += grad_out[o] / (kernel[0] * kernel[1])
    return grad_x
