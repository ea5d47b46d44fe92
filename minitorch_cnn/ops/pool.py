r"""Max and average pooling: a reduction over each window of the strided view.

Both ops read the windows of ``windows.windows`` one kernel tap at a time: tap (i, j) of
every window at once is the strided slice ``x_pad[:, :, i::SH, j::SW]`` (cut to OH x OW), so
a KH x KW pooling is KH*KW whole-array operations, never a loop over pixels. Both backwards
are the window adjoint (``windows.windows_adjoint``) of the gradient windows each derives;
max pooling writes that adjoint's loop out, to make its one-hot windows a tap at a time.

Read next: ``ops/speed.py`` (what makes the convolution fast), then ``functional/``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .speed import in_layout_of
from .windows import pad2d, tap_slices, windows, windows_adjoint


def _first_real_tap(out_size, kernel_size, stride, padding) -> np.ndarray:
    """Per window (OH, OW), the index i*KW + j of its first tap that is a real pixel, not
    padding: i = max(0, PH - oh*SH), j = max(0, PW - ow*SW)."""
    (OH, OW), (_, KW), (SH, SW), (PH, PW) = out_size, kernel_size, stride, padding
    rows = np.maximum(0, PH - SH * np.arange(OH))[:, None]  # (OH, 1)
    cols = np.maximum(0, PW - SW * np.arange(OW))[None, :]  # (1, OW)
    return rows * KW + cols  # (OH, OW)


class MaxPool2d(Function):
    r"""``y[n, c, oh, ow] = max over (i, j) of x_pad[n, c, oh*SH + i, ow*SW + j]``.

    x (N, C, H, W) -> y (N, C, OH, OW). Padding is -inf, so it never wins (functional
    ensures every window holds at least one real pixel).

    Forward keeps, per window, the tap that won (PyTorch's rules, scanning the taps in
    row-major order from the window's first real pixel): a later tap wins only if strictly
    greater, so the first maximum wins ties; a NaN always wins (the output is NaN, and its
    gradient goes to the last NaN); a window whose real pixels are all -inf keeps its first
    real pixel, never the padding. Each real tap index is at least the first real one, so
    "the last tap to take the lead" is a running maximum of tap indices: no branches.

    Backward: the max is locally a selection, y = x_pad[winner], so its gradient windows are
    dL/dy placed at each window's winning tap and zero elsewhere,

        dL/dx_pad = windows_adjoint(dL/dy[..., None, None] * [tap == winner])  (N, C, Hp, Wp)

    -- one winner per window receives the whole gradient; overlapping windows that choose
    the same pixel add up. The adjoint's loop over taps is written out here, making tap t's
    gradient windows on the spot: stored whole they would be KH*KW times the output, and
    non-overlapping windows (the usual 2x2 pooling) can then be written instead of added,
    which halves max pooling's backward (``docs/performance.md``). Saved state: the winning
    tap per output (one byte for kernels up to 16x16), not a copy of the windows.
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
        out = taps[..., 0, 0].copy(order="K")  # (N, C, OH, OW), in x's layout: tap 0 leads
        winner = np.zeros_like(out, dtype=np.min_scalar_type(KH * KW - 1))
        if padding != (0, 0):  # tap 0 may be padding: start from each window's first real tap
            out.fill(-np.inf)
            winner[...] = _first_real_tap(out.shape[2:], kernel_size, stride, padding)
        tap, wins, won = np.empty_like(out), np.empty_like(out, bool), np.empty_like(winner)
        for t in range(1 if padding == (0, 0) else 0, KH * KW):
            np.copyto(tap, taps[..., t // KW, t % KW])  # (N, C, OH, OW) contiguous copy
            np.greater(tap, out, out=wins)  # strictly greater: an equal later tap loses
            np.multiply(wins, won.dtype.type(t), out=won)  # t where tap t takes the lead
            np.maximum(winner, won, out=winner)  # taps only take the lead in increasing t
            np.maximum(out, tap, out=out)  # propagates NaN, as PyTorch does
        if np.isnan(out).any():  # rare: a window holding a NaN is won by its last NaN
            for t in range(KH * KW):
                winner[np.isnan(taps[..., t // KW, t % KW])] = t
        ctx.save_for_backward(winner)
        ctx.x_pad_shape, ctx.x_shape = x_pad.shape, x.shape
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (winner,) = ctx.saved
        (KH, KW), (SH, SW) = ctx.kernel_size, ctx.stride
        PH, PW = ctx.padding
        N, C, H, W = ctx.x_shape
        grad_out = in_layout_of(grad_out, winner)  # (N, C, OH, OW)  copy, unless alike
        grad_x_pad = np.zeros_like(winner, dtype=grad_out.dtype, shape=ctx.x_pad_shape)
        overlapping = SH < KH or SW < KW
        for t in range(KH * KW):
            # windows_adjoint, with tap t's gradient windows made on the spot
            rows, cols = tap_slices(divmod(t, KW), grad_out.shape[2:], ctx.stride)
            won = winner == t  # (N, C, OH, OW) windows whose max is tap t
            if overlapping:  # a pixel can be tap t of one window and another tap of the next
                grad_x_pad[:, :, rows, cols] += grad_out * won
            else:  # each pixel lies in at most one window: write, no add
                np.multiply(grad_out, won, out=grad_x_pad[:, :, rows, cols])
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
