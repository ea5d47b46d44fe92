r"""Max and average pooling: a reduction over each window of the strided view.

Both ops read the windows of ``windows.windows`` one kernel tap at a time: tap (i, j) of
every window at once is the strided slice ``x_pad[:, :, i::SH, j::SW]`` (cut to OH x OW), so
a KH x KW pooling is KH*KW whole-array operations, never a loop over pixels.

Read next: ``functional.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .windows import pad2d, tap_slices, windows, windows_adjoint


class MaxPool2d(Function):
    r"""``y[n, c, oh, ow] = max over (i, j) of x_pad[n, c, oh*SH + i, ow*SW + j]``.

    x (N, C, H, W) -> y (N, C, OH, OW). Padding is -inf, so it never wins (functional
    ensures every window holds at least one real pixel).

    Backward: the max is locally a selection, y = x_pad[argmax], so

        dL/dx_pad[p] = sum over windows whose argmax is p of dL/dy[window]   (N, C, Hp, Wp)

    -- one winner per window receives the whole gradient; overlapping windows that choose
    the same pixel add up. Tie rule (as PyTorch's CPU kernel): the *first* maximal position
    in row-major window order wins. A NaN in a window makes its output NaN (as in PyTorch);
    its gradient then goes to the first maximum among the taps before the NaN.

    Saved state: the winning tap index per output (one byte for kernels up to 16x16), not a
    copy of the windows.
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
        out = taps[..., 0, 0].copy(order="K")  # (N, C, OH, OW)  copy, in x's layout
        argmax = np.zeros_like(out, dtype=np.min_scalar_type(KH * KW - 1))
        tap, better, won = np.empty_like(out), np.empty_like(out, bool), np.empty_like(argmax)
        for t in range(1, KH * KW):
            # Copy the strided tap into a contiguous buffer first: the four passes below then
            # run on NumPy's SIMD loops, 2x faster than on the strided view. Every step is
            # branch-free: np.copyto(..., where=better) measured 20x slower on random data.
            np.copyto(tap, taps[..., t // KW, t % KW])  # (N, C, OH, OW)  copy
            np.greater(tap, out, out=better)  # strictly greater: an equal later tap loses
            np.multiply(better, argmax.dtype.type(t), out=won)  # t where tap t takes the lead
            np.maximum(argmax, won, out=argmax)  # the last tap to take the lead has the largest t
            np.maximum(out, tap, out=out)  # propagates NaN, as PyTorch does
        ctx.save_for_backward(argmax)
        ctx.x_pad_shape, ctx.x_shape = x_pad.shape, x.shape
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (argmax,) = ctx.saved
        (KH, KW), (SH, SW) = ctx.kernel_size, ctx.stride
        PH, PW = ctx.padding
        N, C, H, W = ctx.x_shape
        overlapping = SH < KH or SW < KW
        grad_x_pad = np.zeros_like(argmax, dtype=grad_out.dtype, shape=ctx.x_pad_shape)
        # One copy of grad_out into argmax's layout first: grad_out often arrives in another
        # (batch-major from a flatten, or a cropped view from conv's backward), and the KH*KW
        # passes below then walk all operands in the same order. Measured for 2x2 pooling in
        # MNISTConvNet: 64x64x14x14 backward 2.9 -> 0.8 ms, 64x32x28x28 2.0 -> 1.5 ms.
        grad_in_layout = np.empty_like(
            argmax, dtype=grad_out.dtype
        )  # (N, C, OH, OW) argmax's layout
        if grad_in_layout.strides == grad_out.strides:  # already laid out so: no copy
            grad_in_layout = grad_out
        else:
            np.copyto(grad_in_layout, grad_out)  # copy happens here
        for t in range(KH * KW):
            # One whole-array step per tap (windows_adjoint on a one-hot (N, C, OH, OW, KH, KW)
            # array computes the same but measured 3x slower: its last two axes are tiny).
            rows, cols = tap_slices(divmod(t, KW), grad_out.shape[2:], ctx.stride)
            won = argmax == t  # (N, C, OH, OW) windows whose max is tap t
            if overlapping:  # a pixel can be tap t of one window and another tap of the next
                grad_x_pad[:, :, rows, cols] += grad_in_layout * won
            else:  # each pixel lies in at most one window: write, no add (3x faster)
                np.multiply(grad_in_layout, won, out=grad_x_pad[:, :, rows, cols])
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
