r"""Sliding windows as a strided *view*: the one trick behind convolution and pooling.

A NumPy array is a block of bytes plus, per axis, a *stride*: how many bytes to step to
reach the next index along that axis. A 1x1x4x4 float32 array stores 16 values of 4 bytes
each, row after row, so stepping one column moves 4 bytes and one row 16 bytes:

>>> import numpy as np
>>> from minitorch_cnn.ops.windows import windows
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> x.strides                                   # (N, C, H, W) in bytes
(64, 64, 16, 4)

Every 2x2 window at stride 1 is a view with two more axes. The output axes (OH, OW) step
like H and W (times the stride: next window); the kernel axes (KH, KW) also step like H and
W (times the dilation: next tap inside the window). No value is copied:

>>> v = windows(x, (2, 2), stride=(1, 1))
>>> v.shape                                     # (N, C, OH, OW, KH, KW)
(1, 1, 3, 3, 2, 2)
>>> v.strides
(64, 64, 16, 4, 16, 4)
>>> v[0, 0, 1, 2]                               # the window whose top-left is x[.., 1, 2]
array([[ 6.,  7.],
       [10., 11.]], dtype=float32)
>>> np.shares_memory(v, x), v.flags.writeable
(True, False)

Stride 2 only changes the strides of the output axes (two rows / two columns per step);
dilation 2 would change those of the kernel axes:

>>> windows(x, (2, 2), stride=(2, 2)).strides
(64, 64, 32, 8, 16, 4)

The view is read-only because windows overlap: writing through one window would silently
change its neighbours. Its *adjoint* (``windows_adjoint``) goes the other way: it sums each
window's values back onto the input positions they came from -- the backward of every op
built on windows. ``im2col`` reorders the same view so that one matrix product computes a
whole convolution.

Read next: ``ops/conv.py``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def output_size(
    size: int,
    kernel_size: int,
    stride: int,
    padding: int,
    dilation: int,
    ceil_mode: bool = False,
) -> int:
    """Number of window positions along one axis (may be < 1: callers validate).

    ``floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1``; the
    derivation is in ``functional.conv_output_size``, which checks its arguments and calls
    this. This is the only place the formula is written down.

    ``ceil_mode`` (pooling) rounds up instead, then drops a window that would start past
    the input. Derivation: call ``last = size + 2P - D*(K - 1) - 1`` the last start at which
    a whole window fits. The floor counts the starts 0, S, 2S, ... up to ``last``. The ceil
    adds one more start kS whenever the window before it, at (k - 1)S, began before ``last``
    -- that is, stopped short of the padded input's end -- so windows continue while
    ``(k - 1)S < last``: k runs from 0 to ``ceil(last / S)``, which is ``ceil(last / S) + 1``
    windows, the last one partial (its taps past the padded edge are left out). PyTorch
    keeps that extra window only if it starts inside the input or the left padding, at a
    padded position ``(out - 1)*S < size + P``; one starting in the right padding would hold
    no input pixel, and is dropped.

    Examples
    --------
    5 pixels, kernel 2, stride 2: the floor leaves the fifth pixel out, the ceil adds a
    window starting on it; with padding 1 and kernel 3, stride 3 the extra window would
    start at padded position 6 = 5 + 1, in the right padding, so it is dropped:

    >>> output_size(5, 2, 2, 0, 1), output_size(5, 2, 2, 0, 1, ceil_mode=True)
    (2, 3)
    >>> output_size(5, 3, 3, 1, 1), output_size(5, 3, 3, 1, 1, ceil_mode=True)
    (2, 2)
    """
    last = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if not ceil_mode:
        return last // stride + 1
    out = -(-last // stride) + 1  # ceil(last / S) + 1: floor division rounds towards -inf
    if (out - 1) * stride >= size + padding:  # the extra window would start in the padding
        out -= 1
    return out


def pad2d(
    x: np.ndarray,
    padding: tuple[int, int],
    value: float = 0.0,
    extra: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """Pad the last two axes of ``x`` with ``value`` (zeros for conv, -inf for max pooling).

    Parameters
    ----------
    x : np.ndarray, shape (N, C, H, W)
    padding : (PH, PW)
        Rows added above and below, columns added left and right.
    value : float
        The fill value.
    extra : (EH, EW)
        Rows added below and columns added right on top of ``padding``: room for the partial
        last window of a pooling with ``ceil_mode``.

    Returns
    -------
    np.ndarray, shape (N, C, H + 2*PH + EH, W + 2*PW + EW)
        ``x`` itself when there is nothing to pad, else a new array with ``x``'s dtype, its
        axes stored in the order ``x``'s are (``full_like`` keeps the layout).
    """
    (PH, PW), (EH, EW) = padding, extra
    if PH == PW == EH == EW == 0:
        return x
    N, C, H, W = x.shape
    x_pad = np.full_like(x, value, shape=(N, C, H + 2 * PH + EH, W + 2 * PW + EW))
    x_pad[:, :, PH : PH + H, PW : PW + W] = x  # copy happens here
    return x_pad


def windows(
    x: np.ndarray,
    kernel_size: tuple[int, int],
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """Every (KH, KW) window of ``x`` as a read-only view (see the module docstring).

    ``view[n, c, oh, ow, i, j] = x[n, c, oh*SH + i*DH, ow*SW + j*DW]``, so the strides are
    those of ``x`` multiplied by the stride (output axes) or the dilation (kernel axes).
    They are read from ``x.strides``: a transposed, sliced or reversed ``x`` works as is.

    Parameters
    ----------
    x : np.ndarray, shape (N, C, H, W)
        Already padded.
    kernel_size, stride, dilation : (int, int)
        Per axis (height, width); all >= 1.

    Returns
    -------
    np.ndarray, shape (N, C, OH, OW, KH, KW)
        A view of ``x`` (no copy), ``writeable=False``.

    Raises
    ------
    ValueError
        If the (dilated) kernel does not fit in ``x``.
    """
    N, C, H, W = x.shape
    KH, KW = kernel_size
    SH, SW = stride
    DH, DW = dilation
    OH = output_size(H, KH, SH, 0, DH)
    OW = output_size(W, KW, SW, 0, DW)
    if OH < 1 or OW < 1:
        raise ValueError(
            f"a {KH}x{KW} kernel with dilation {dilation} does not fit in an input of "
            f"height x width {H}x{W}"
        )
    sN, sC, sH, sW = x.strides
    return as_strided(
        x,
        shape=(N, C, OH, OW, KH, KW),
        strides=(sN, sC, SH * sH, SW * sW, DH * sH, DW * sW),
        writeable=False,
    )  # (N, C, OH, OW, KH, KW)  view, no copy


def im2col(
    x: np.ndarray,
    kernel_size: tuple[int, int],
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """The windows ordered as the column matrix of a convolution -- still a view.

    Reshaping the result to ``(C*KH*KW, N*OH*OW)`` gives the matrix whose column for output
    pixel (n, oh, ow) holds that pixel's window, so ``weight (F, C*KH*KW) @ columns`` is the
    whole convolution. That reshape is where the one copy happens (a view this irregular has
    no 2-D strides); it belongs to the contraction, which is why this function stops short of
    it and returns the six axes, still a view: (C, KH, KW) become the matrix's rows and
    (N, OH, OW) its columns. The caller may reorder the column axes before the reshape
    (``ops/conv.py`` does).

    Parameters
    ----------
    x : np.ndarray, shape (N, C, H, W)
        Already padded.
    kernel_size, stride, dilation : (int, int)

    Returns
    -------
    np.ndarray, shape (C, KH, KW, N, OH, OW)
        A read-only view of ``x``.
    """
    return windows(x, kernel_size, stride, dilation).transpose(1, 4, 5, 0, 2, 3)
    # (C, KH, KW, N, OH, OW)  view, no copy


def tap_slices(
    tap: tuple[int, int],
    out_size: tuple[int, int],
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
) -> tuple[slice, slice]:
    """Rows and columns of the input that kernel tap (i, j) reads across all windows.

    Tap (i, j) of window (oh, ow) is pixel (oh*SH + i*DH, ow*SW + j*DW): for all windows at
    once that is the strided grid ``x[:, :, rows, cols]`` with OH rows and OW columns --
    the same values as ``windows(x, ...)[..., i, j]``, but writable when ``x`` is.
    """
    (i, j), (OH, OW) = tap, out_size
    (SH, SW), (DH, DW) = stride, dilation
    rows = slice(i * DH, i * DH + SH * (OH - 1) + 1, SH)
    cols = slice(j * DW, j * DW + SW * (OW - 1) + 1, SW)
    return rows, cols


def windows_adjoint(
    grad_windows: np.ndarray,
    input_shape: tuple[int, int, int, int],
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    r"""Sum values laid out like ``windows(x)`` back onto the positions of ``x``.

    ``windows`` is linear: ``v[n, c, oh, ow, i, j] = x[n, c, oh*SH + i*DH, ow*SW + j*DW]``.
    Its adjoint ``A`` satisfies ``<windows(x), y> = <x, A(y)>`` for all x, y, so

        A(y)[n, c, h, w] = sum over (oh, ow, i, j) with oh*SH + i*DH = h, ow*SW + j*DW = w
                           of y[n, c, oh, ow, i, j]

    -- every window position a pixel appeared in sends its value back, and overlapping
    windows add up. This is the backward of anything computed from ``windows(x)``.

    One loop over the KH*KW kernel taps: tap (i, j) of all windows lands on a strided grid
    of ``x`` (rows i*DH, i*DH + SH, ...), one whole-array slice-add per tap. Within a tap no
    two windows hit the same pixel, so plain ``+=`` is exact (no ``np.add.at`` needed).

    The grid is separable, so the adds go in two steps: for each kernel column j, the KH
    taps of that column are added into ``grad_rows`` (N, C, H, OW) at their rows only, then
    ``grad_rows`` is added into ``x``'s columns j*DW, j*DW + SW, .... Each add then moves
    whole rows, where a one-step slice-add would cut across three axes at once.

    Parameters
    ----------
    grad_windows : np.ndarray, shape (N, C, OH, OW, KH, KW)
    input_shape : (N, C, H, W)
        Shape of the (padded) array the windows were taken from.
    stride, dilation : (int, int)
        As given to ``windows``.

    Returns
    -------
    np.ndarray, shape (N, C, H, W)
        With ``grad_windows``' dtype, its axes stored in the order of ``grad_windows``' first
        four (``zeros_like`` keeps the layout), so the adds walk both arrays the same way.
    """
    N, C, OH, OW, KH, KW = grad_windows.shape
    _, _, H, W = input_shape
    grad_x = np.zeros_like(grad_windows[..., 0, 0], shape=(N, C, H, W))
    grad_rows = np.zeros_like(grad_windows[..., 0, 0], shape=(N, C, H, OW))
    for j in range(KW):
        if j > 0:
            grad_rows.fill(0)
        for i in range(KH):
            rows, cols = tap_slices((i, j), (OH, OW), stride, dilation)
            grad_rows[:, :, rows] += grad_windows[..., i, j]  # (N, C, OH, OW)
        grad_x[:, :, :, cols] += grad_rows  # (N, C, H, OW)
    return grad_x
