r"""Max and average pooling: a reduction over each window of the strided view.

Both ops read the windows of ``windows.windows`` one kernel tap at a time: tap (i, j) of
every window at once is the strided slice ``x_pad[:, :, i*DH::SH, j*DW::SW]`` (cut to
OH x OW), so a KH x KW pooling is KH*KW whole-array operations, never a loop over pixels.
Both backwards are the window adjoint (``windows.windows_adjoint``) of the gradient windows
each derives; max pooling writes that adjoint's loop out, to make its one-hot windows a tap
at a time.

With ``ceil_mode`` the last window may run past the padded input (``windows.output_size``
says when). The input is then padded further at the bottom and right, with values that
change nothing: -inf for the max, zeros for the sum (whose divisor leaves them out).

Read next: ``ops/adaptive_pool.py`` (windows whose size varies).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd import Context, Function
from .speed import in_layout_of
from .windows import output_size, pad2d, tap_slices, windows, windows_adjoint

Pair = tuple[int, int]


def _ceil_extra(size: int, kernel_size: int, stride: int, padding: int, dilation: int) -> int:
    """Pixels by which ceil_mode's last window reaches past the padded input (0 if none)."""
    out = output_size(size, kernel_size, stride, padding, dilation, ceil_mode=True)
    return max(0, (out - 1) * stride + dilation * (kernel_size - 1) + 1 - (size + 2 * padding))


def _extra_padding(
    x_shape: tuple[int, ...], kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> Pair:
    """(EH, EW): ``_ceil_extra`` along the height and the width."""
    EH, EW = (
        _ceil_extra(
            x_shape[2 + axis], kernel_size[axis], stride[axis], padding[axis], dilation[axis]
        )
        for axis in (0, 1)
    )
    return EH, EW


def _first_real_tap(
    out_size: Pair, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> np.ndarray:
    """Per window (OH, OW), the index i*KW + j of its first tap that is a real pixel, not
    padding: tap i of window oh is row oh*SH - PH + i*DH, so i = max(0, ceil((PH - oh*SH) / DH)),
    and j likewise (functional ensures such a tap exists)."""
    (OH, OW), (_, KW) = out_size, kernel_size
    (SH, SW), (PH, PW), (DH, DW) = stride, padding, dilation
    rows = np.maximum(0, -((SH * np.arange(OH) - PH) // DH))[:, None]  # (OH, 1)
    cols = np.maximum(0, -((SW * np.arange(OW) - PW) // DW))[None, :]  # (1, OW)
    return rows * KW + cols  # (OH, OW)


def _flat_indices(
    winner: np.ndarray,
    width: int,
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    out: np.ndarray,
) -> None:
    """Write into ``out`` (N, C, OH, OW) the index h*W + w, in the unpadded (H, W) plane, of
    each window's winning tap: tap (i, j) of window (oh, ow) is pixel
    (oh*SH - PH + i*DH, ow*SW - PW + j*DW)."""
    (_, KW), (SH, SW), (PH, PW), (DH, DW) = kernel_size, stride, padding, dilation
    OH, OW = winner.shape[2:]
    i, j = np.divmod(winner.astype(np.int64), KW)  # (N, C, OH, OW) each
    rows = (SH * np.arange(OH) - PH)[:, None] + DH * i
    cols = (SW * np.arange(OW) - PW)[None, :] + DW * j
    np.copyto(out, rows * width + cols)


def max_scan(
    tap: Callable[[int], np.ndarray],
    count: int,
    out: np.ndarray,
    winner: np.ndarray,
    first: int = 0,
) -> None:
    """Running maximum over taps ``first .. count - 1``, with PyTorch's winner rules.

    ``out`` (the values) and ``winner`` (the tap index) arrive holding the leader so far and
    are updated in place; ``tap(t)`` gives tap t of every window, shaped like ``out``. The
    taps are scanned in row-major window order. A later tap takes the lead only if strictly
    greater, so the first maximum wins ties; a NaN always wins (the output is NaN, the
    winner the window's last NaN). Taps only take the lead in increasing t, so "the last tap
    to take the lead" is a running maximum of tap indices: no branches.
    """
    current, wins, won = np.empty_like(out), np.empty_like(out, bool), np.empty_like(winner)
    for t in range(first, count):
        np.copyto(current, tap(t))  # (N, C, OH, OW) contiguous copy
        np.greater(current, out, out=wins)  # strictly greater: an equal later tap loses
        np.multiply(wins, won.dtype.type(t), out=won)  # t where tap t takes the lead
        np.maximum(winner, won, out=winner)
        np.maximum(out, current, out=out)  # propagates NaN, as PyTorch does
    if np.isnan(out).any():  # rare: a window holding a NaN is won by its last NaN
        for t in range(count):
            winner[np.isnan(tap(t))] = t


class MaxPool2d(Function):
    r"""``y[n, c, oh, ow] = max over (i, j) of x_pad[n, c, oh*SH + i*DH, ow*SW + j*DW]``.

    x (N, C, H, W) -> y (N, C, OH, OW). Padding is -inf, so it never wins (functional
    ensures every window holds at least one real pixel).

    Forward keeps, per window, the tap that won (``max_scan``: PyTorch's rules, scanning
    the taps in row-major order from the window's first real pixel): the first maximum wins
    ties, a NaN always wins (the output is NaN, and its gradient goes to the last NaN), and
    a window whose real pixels are all -inf keeps its first real pixel, never the padding.
    Given an ``indices`` array, forward also writes each winner's flat index h*W + w in
    the input plane there (``return_indices``).

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
        kernel_size: Pair,
        stride: Pair,
        padding: Pair = (0, 0),
        dilation: Pair = (1, 1),
        ceil_mode: bool = False,
        indices: np.ndarray | None = None,
    ) -> np.ndarray:
        KH, KW = kernel_size
        extra = (0, 0)  # (EH, EW): room for ceil_mode's partial last window
        if ceil_mode:
            extra = _extra_padding(x.shape, kernel_size, stride, padding, dilation)
        x_pad = pad2d(x, padding, -np.inf, extra)  # (N, C, Hp, Wp)  copy (x itself if unpadded)
        taps = windows(x_pad, kernel_size, stride, dilation)  # (N, C, OH, OW, KH, KW)  view
        out = taps[..., 0, 0].copy(order="K")  # (N, C, OH, OW), in x's layout: tap 0 leads
        winner = np.zeros_like(out, dtype=np.min_scalar_type(KH * KW - 1))
        first = 1  # the tap the scan starts from: tap 0 is real, and leads already
        if padding != (0, 0):  # tap 0 may be padding: start from each window's first real tap
            out.fill(-np.inf)
            winner[...] = _first_real_tap(out.shape[2:], kernel_size, stride, padding, dilation)
            first = 0
        max_scan(lambda t: taps[..., t // KW, t % KW], KH * KW, out, winner, first)
        if indices is not None:
            _flat_indices(winner, x.shape[3], kernel_size, stride, padding, dilation, indices)
        ctx.save_for_backward(winner)
        ctx.x_pad_shape, ctx.x_shape = x_pad.shape, x.shape
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        ctx.dilation = dilation
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (winner,) = ctx.saved
        (KH, KW), (SH, SW), (DH, DW) = ctx.kernel_size, ctx.stride, ctx.dilation
        PH, PW = ctx.padding
        N, C, H, W = ctx.x_shape
        grad_out = in_layout_of(grad_out, winner)  # (N, C, OH, OW)  copy, unless alike
        grad_x_pad = np.zeros_like(winner, dtype=grad_out.dtype, shape=ctx.x_pad_shape)
        # can a pixel be tap t of one window and another tap of the next? (span > stride)
        overlapping = SH < DH * (KH - 1) + 1 or SW < DW * (KW - 1) + 1
        for t in range(KH * KW):
            # windows_adjoint, with tap t's gradient windows made on the spot
            rows, cols = tap_slices(divmod(t, KW), grad_out.shape[2:], ctx.stride, ctx.dilation)
            won = winner == t  # (N, C, OH, OW) windows whose max is tap t
            if overlapping:
                grad_x_pad[:, :, rows, cols] += grad_out * won
            else:  # each pixel lies in at most one window: write, no add
                np.multiply(grad_out, won, out=grad_x_pad[:, :, rows, cols])
        return (grad_x_pad[:, :, PH : PH + H, PW : PW + W],)  # (N, C, H, W)  view, padding cropped


def _window_counts(
    size: int, out: int, kernel_size: int, stride: int, padding: int, count_include_pad: bool
) -> np.ndarray:
    """Per window along one axis (out,): how many of its taps the average divides by.

    Window o covers input positions [o*S - P, o*S - P + K). PyTorch counts the taps inside
    the *padded* input [-P, size + P) -- padding included, but not the part of a ceil_mode
    window that runs past the padded edge -- or, without ``count_include_pad``, only those
    inside the input [0, size).
    """
    start = stride * np.arange(out) - padding
    end = np.minimum(start + kernel_size, size + padding)
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


class AvgPool2d(Function):
    r"""``y[n, c, oh, ow] = (sum over (i, j) of x_pad[n, c, oh*SH + i, ow*SW + j]) / d[oh, ow]``.

    x (N, C, H, W) -> y (N, C, OH, OW); padding is zeros. The divisor d is, as in PyTorch,
    ``divisor_override`` when given; else the window's taps inside the padded input (KH*KW,
    unless a ceil_mode window runs past the padded edge); else, without
    ``count_include_pad``, its real pixels. Per axis these are counts (``_window_counts``),
    and d[oh, ow] = rows[oh] * cols[ow].

    Backward: y is linear in x_pad, each tap weighted 1/d, so

        dL/dx_pad = windows_adjoint(dL/dy / d copied to every tap)   (N, C, Hp, Wp)

    -- each pixel receives 1/d of the gradient of every window it lies in (the taps in the
    padding receive theirs too, and are cropped). The copy to every tap is
    ``np.broadcast_to``: a view, no bytes.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel_size: Pair,
        stride: Pair,
        padding: Pair = (0, 0),
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> np.ndarray:
        KH, KW = kernel_size
        extra = (0, 0)  # (EH, EW): room for ceil_mode's partial last window
        if ceil_mode:
            extra = _extra_padding(x.shape, kernel_size, stride, padding, (1, 1))
        x_pad = pad2d(x, padding, 0.0, extra)  # (N, C, Hp, Wp)  copy (x itself if unpadded)
        taps = windows(x_pad, kernel_size, stride)  # (N, C, OH, OW, KH, KW)  view, no copy
        out = taps[..., 0, 0].copy(order="K")  # (N, C, OH, OW)  copy, in x's layout
        for t in range(1, KH * KW):
            out += taps[..., t // KW, t % KW]
        (H, W), (OH, OW) = x.shape[2:], out.shape[2:]
        (SH, SW), (PH, PW) = stride, padding
        rows = _window_counts(H, OH, KH, SH, PH, count_include_pad)  # (OH,)
        cols = _window_counts(W, OW, KW, SW, PW, count_include_pad)  # (OW,)
        if divisor_override is not None:
            divisor = divisor_override
        elif (rows == KH).all() and (cols == KW).all():
            divisor = KH * KW  # every window whole: an int keeps float32 float32
        else:
            divisor = (rows[:, None] * cols[None, :]).astype(x.dtype)  # (OH, OW)
        out /= divisor
        ctx.divisor, ctx.x_pad_shape, ctx.x_shape = divisor, x_pad.shape, x.shape
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        KH, KW = ctx.kernel_size
        PH, PW = ctx.padding
        N, C, H, W = ctx.x_shape
        share = grad_out / ctx.divisor  # (N, C, OH, OW)
        grad_windows = np.broadcast_to(share[..., None, None], share.shape + (KH, KW))
        # (N, C, OH, OW, KH, KW)  view, no copy
        grad_x_pad = windows_adjoint(grad_windows, ctx.x_pad_shape, ctx.stride)
        return (grad_x_pad[:, :, PH : PH + H, PW : PW + W],)  # (N, C, H, W)  view, padding cropped
