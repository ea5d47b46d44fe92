r"""Max and average pooling: a reduction over each window of the strided view.

Both ops read the windows of ``windows.windows`` one kernel tap at a time: tap (i, j) of
every window at once is the strided slice ``x_pad[:, :, i::SH, j::SW]`` (cut to OH x OW), so
a KH x KW pooling is KH*KW whole-array operations, never a loop over pixels. Both backwards
are the one window adjoint (``windows.windows_adjoint``) applied to the gradient windows
each derives.

Read next: ``ops/speed.py`` (what makes the convolution fast), then ``functional/``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .windows import pad2d, windows, windows_adjoint


def _first_real_tap(out_size, kernel_size, stride, padding) -> np.ndarray:
    """Per window (OH, OW), the index i*KW + j of its first tap that is a real pixel, not
    padding: i = max(0, PH - oh*SH), j = max(0, PW - ow*SW)."""
    (OH, OW), (_, KW), (SH, SW), (PH, PW) = out_size, kernel_size, stride, padding
    rows = np.maximum(0, PH - SH * np.arange(OH))[:, None]  # (OH, 1)
    cols = np.maximum(0, PW - SW * np.arange(OW))[None, :]  # (1, OW)
    return rows * KW + cols  # (OH, OW)


class _WinnerGradients:
    """``dL/dy[..., None, None] * [tap == winner]``, indexed like an (N, C, OH, OW, KH, KW)
    array but computed one tap at a time when ``windows_adjoint`` asks for it: the whole
    thing would be KH*KW times the output's size."""

    def __init__(self, grad_out: np.ndarray, winner: np.ndarray, kernel_size: tuple[int, int]):
        self.grad_out, self.winner, self.KW = grad_out, winner, kernel_size[1]
        self.shape, self.dtype = grad_out.shape + tuple(kernel_size), grad_out.dtype

    def __getitem__(self, index: tuple) -> np.ndarray:
        i, j = index[-2:]
        return self.grad_out * (self.winner == i * self.KW + j)  # (N, C, OH, OW)


class MaxPool2d(Function):
    r"""``y[n, c, oh, ow] = max over (i, j) of x_pad[n, c, oh*SH + i, ow*SW + j]``.

    x (N, C, H, W) -> y (N, C, OH, OW). Padding is -inf, so it never wins (functional
    ensures every window holds at least one real pixel).

    Forward keeps, per window, the tap that won (PyTorch's rules, scanning the taps in
    row-major order from the window's first real pixel): a later tap wins only if strictly
    greater, so the first maximum wins ties; a NaN always wins (the output is NaN, and its
    gradient goes to the last NaN); a window whose real pixels are all -inf keeps its first
    real pixel, never the padding.

    Backward: the max is locally a selection, y = x_pad[winner], so its gradient windows are
    dL/dy placed at each window's winning tap and zero elsewhere,

        dL/dx_pad = windows_adjoint(dL/dy[..., None, None] * [tap == winner])  (N, C, Hp, Wp)

    -- one winner per window receives the whole gradient; overlapping windows that choose
    the same pixel add up. Saved state: the winning tap per output (one byte for kernels up
    to 16x16), not a copy of the windows.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel_size: tuple[int, int],
        stride: tuple[int, int],
        padding: tuple[int, int] = (0, 0),
    ) -> np.ndarray:
        KH, KW = kernel_size
        x_pad = pad2d(x, padding, value=-np.inf)  # (N, C, Hp, Wp)  copy (x itself when no padding)
        taps = windows(x_pad, kernel_size, stride)  # (N, C, OH, OW, KH, KW)  view, no copy
        out = np.full_like(taps[..., 0, 0], -np.inf)  # (N, C, OH, OW), in x's layout
        winner = np.empty_like(out, dtype=np.min_scalar_type(KH * KW - 1))
        winner[...] = _first_real_tap(out.shape[2:], kernel_size, stride, padding)
        for t in range(KH * KW):
            tap = taps[..., t // KW, t % KW]  # (N, C, OH, OW)  view
            wins = (tap > out) | np.isnan(tap)
            winner[wins] = t
            np.maximum(out, tap, out=out)  # propagates NaN, as PyTorch does
        ctx.save_for_backward(winner)
        ctx.x_pad_shape, ctx.x_shape = x_pad.shape, x.shape
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (winner,) = ctx.saved
        KH, KW = ctx.kernel_size
        PH, PW = ctx.padding
        N, C, H, W = ctx.x_shape
        grad_windows = _WinnerGradients(grad_out, winner, (KH, KW))
        # (N, C, OH, OW, KH, KW): dL/dy at each window's winner, 0 elsewhere, one tap at a time
        grad_x_pad = windows_adjoint(grad_windows, ctx.x_pad_shape, ctx.stride)
        return (grad_x_pad[:, :, PH : PH + H, PW : PW + W],)  # (N, C, H, W)  view, padding cropped


class AvgPool2d(Function):
    r"""``y[n, c, oh, ow] = mean over (i, j) of x_pad[n, c, oh*SH + i, ow*SW + j]``.

    x (N, C, H, W) -> y (N, C, OH, OW). Zero padding counts in the mean (PyTorch's default
    ``count_include_pad=True``): every window divides by KH*KW.

    Backward: y = (1 / (KH*KW)) * sum of the window, linear in x_pad, so

        dL/dx_pad = windows_adjoint(dL/dy / (KH*KW) copied to every tap)   (N, C, Hp, Wp)

    -- each pixel receives 1/(KH*KW) of the gradient of every window it lies in. The copy to
    every tap is ``np.broadcast_to``: a view, no bytes.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel_size: tuple[int, int],
        stride: tuple[int, int],
        padding: tuple[int, int] = (0, 0),
    ) -> np.ndarray:
        KH, KW = kernel_size
        x_pad = pad2d(x, padding)  # (N, C, Hp, Wp)  copy (x itself when no padding)
        taps = windows(x_pad, kernel_size, stride)  # (N, C, OH, OW, KH, KW)  view, no copy
        out = taps[..., 0, 0].copy(order="K")  # (N, C, OH, OW)  copy, in x's layout
        for t in range(1, KH * KW):
            out += taps[..., t // KW, t % KW]
        out /= KH * KW  # an int divisor keeps float32 float32
        ctx.x_pad_shape, ctx.x_shape = x_pad.shape, x.shape
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        KH, KW = ctx.kernel_size
        PH, PW = ctx.padding
        N, C, H, W = ctx.x_shape
        share = grad_out / (KH * KW)  # (N, C, OH, OW)
        grad_windows = np.broadcast_to(share[..., None, None], share.shape + (KH, KW))
        # (N, C, OH, OW, KH, KW)  view, no copy
        grad_x_pad = windows_adjoint(grad_windows, ctx.x_pad_shape, ctx.stride)
        return (grad_x_pad[:, :, PH : PH + H, PW : PW + W],)  # (N, C, H, W)  view, padding cropped
