r"""Padding the trailing axes of an array: with a constant, or with copies of its own border.

Convolution pads with zeros inside ``ops/conv.py``; a layer asking for another
``padding_mode`` pads here first (``functional.pad``) and then convolves with padding 0.
Every mode is a *copy*: each output entry is either the constant or one entry of the input,
so the backward only has to send each gradient entry back to the entry it was copied from.

Read next: ``ops/speed.py`` (what makes the convolution fast).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function

NUMPY_MODES = {
    "constant": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}
"""PyTorch's padding modes and NumPy's names for the same copies (``np.pad``'s ``mode``)."""


def _unpad_axis(grad_out: np.ndarray, before: int, after: int, mode: str) -> np.ndarray:
    """dL/dx along the last axis, given dL/dy for ``y = [border_before, x, border_after]``."""
    L = grad_out.shape[-1] - before - after
    grad_x = grad_out[..., before : before + L].copy()  # (..., L)  the middle piece is x
    grad_before, grad_after = grad_out[..., :before], grad_out[..., before + L :]
    if mode == "reflect":  # y[:before] = x[before:0:-1], y[before+L:] = x[L-2:L-2-after:-1]
        grad_x[..., 1 : before + 1] += grad_before[..., ::-1]
        grad_x[..., L - 1 - after : L - 1] += grad_after[..., ::-1]
    elif mode == "replicate":  # every border entry is a copy of x[0] or x[L-1]
        grad_x[..., :1] += grad_before.sum(axis=-1, keepdims=True)
        grad_x[..., L - 1 :] += grad_after.sum(axis=-1, keepdims=True)
    elif mode == "circular":  # y[:before] = x[L-before:], y[before+L:] = x[:after]
        grad_x[..., L - before :] += grad_before
        grad_x[..., :after] += grad_after
    return grad_x  # constant: the border holds no entry of x


class Pad(Function):
    r"""Pad the last ``len(widths)`` axes of x; ``widths[k] = (before, after)``, each >= 0.

    Along one axis of length L the output is three pieces, ``[border_before, x,
    border_after]``, of lengths ``before + L + after``. The mode says what the borders copy
    (x = 0 1 2 3 4, before = after = 2):

        constant    v v | 0 1 2 3 4 | v v     the value v, no entry of x
        reflect     2 1 | 0 1 2 3 4 | 3 2     mirrored at the edge, the edge not repeated
        replicate   0 0 | 0 1 2 3 4 | 4 4     the edge entry repeated
        circular    3 4 | 0 1 2 3 4 | 0 1     wrapped around, as if x repeated forever

    (reflect needs before, after < L; circular needs before, after <= L: ``functional.pad``
    checks.) Several axes are padded one after another; the corners then copy corners.

    Backward: along one axis y = P x, where each row of the (before+L+after, L) matrix P
    holds a single 1 (the entry copied) or nothing (a constant). So

        dL/dx = P^T dL/dy:   dL/dx[j] = sum of dL/dy[i] over every i with y[i] a copy of x[j]

    i.e. the middle piece of dL/dy, plus each border piece added back onto the slice it was
    copied from (reversed for reflect, summed onto the edge entry for replicate). Padding
    axes one after another is a product P = P_1 P_2 ... P_m of such copies, so
    P^T = P_m^T ... P_1^T: the backward undoes the axes in reverse order.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        widths: tuple[tuple[int, int], ...] = (),
        mode: str = "constant",
        value: float = 0.0,
    ) -> np.ndarray:
        ctx.widths, ctx.mode = widths, mode
        all_widths = [(0, 0)] * (x.ndim - len(widths)) + list(widths)
        if mode == "constant":
            return np.pad(x, all_widths, mode="constant", constant_values=value)
        return np.pad(x, all_widths, mode=NUMPY_MODES[mode])  # copy, x's dtype

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        grad = grad_out
        first_axis = grad.ndim - len(ctx.widths)
        for k in reversed(range(len(ctx.widths))):
            before, after = ctx.widths[k]
            along_last = np.moveaxis(grad, first_axis + k, -1)  # view, no copy
            grad = np.moveaxis(_unpad_axis(along_last, before, after, ctx.mode), -1, first_axis + k)
        return (grad,)
