"""``conv_output_size`` (the output-size formula, derived) and ``conv2d``.

Read next: ``functional/pooling.py``.
"""

from __future__ import annotations

from ..ops import conv, windows
from ..tensor import Tensor
from .checks import _as_tensor, _pair, _require_4d, _require_float, _require_int
from .padding import pad


def conv_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    r"""Number of outputs along one axis of a convolution or pooling.

    ``floor((size + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``

    Derivation: padding makes the axis ``size + 2P`` pixels long. A kernel of K taps spaced
    D apart spans ``D*(K - 1) + 1`` pixels, so a window starting at pixel ``s`` fits when
    ``s + D*(K - 1) <= size + 2P - 1``, i.e. ``s <= last = size + 2P - D*(K - 1) - 1``.
    Windows start at 0, S, 2S, ...; the starts that fit are the multiples of S in
    ``[0, last]``, and there are ``floor(last / S) + 1`` of them.

    Why the floor: when ``last`` is not a multiple of S, one more step of S would start a
    window that runs past the padded edge. That partial window is not computed, so the last
    ``last % S`` pixels never start a window (with S > 1 a few border pixels may never be
    read at all). With D = 1, P = 0 this is the chapter's ``floor((H + 2P - K) / S) + 1``.
    Pooling's ``ceil_mode`` computes that partial window too (rounding up, PyTorch's rule
    derived in ``ops.windows.output_size``).

    Parameters
    ----------
    size : int
        Input length along the axis (H or W), >= 0.
    kernel_size, stride, dilation : int
        Each >= 1.
    padding : int
        Added on both sides, >= 0.
    ceil_mode : bool
        Round up instead of down (pooling only), dropping a last window that would start
        in the right padding.

    Returns
    -------
    int
        The output length, >= 1.

    Raises
    ------
    TypeError
        If an argument is not an int (``ceil_mode`` not a bool).
    ValueError
        If an argument is out of range, or when the output would be empty (the dilated
        kernel is larger than the padded input); the message shows the formula with the
        numbers.

    Examples
    --------
    >>> conv_output_size(28, 3, padding=1)             # "same" padding keeps 28
    28
    >>> conv_output_size(32, 3, stride=2, padding=1)   # stride 2 halves
    16
    >>> conv_output_size(224, 16, stride=16)           # ViT patch embedding: 14 patches
    14
    >>> conv_output_size(5, 2, stride=2, ceil_mode=True)  # the 5th pixel gets a window
    3
    """
    size = _require_int(size, "size", 0)
    kernel_size = _require_int(kernel_size, "kernel_size", 1)
    stride = _require_int(stride, "stride", 1)
    padding = _require_int(padding, "padding", 0)
    dilation = _require_int(dilation, "dilation", 1)
    if not isinstance(ceil_mode, bool):
        kind = type(ceil_mode).__name__
        raise TypeError(f"ceil_mode must be a bool, got {ceil_mode!r} ({kind})")
    out = windows.output_size(size, kernel_size, stride, padding, dilation, ceil_mode)
    if out < 1:
        rounding = "ceil" if ceil_mode else "floor"
        raise ValueError(
            f"output size {rounding}((size + 2*padding - dilation*(kernel_size - 1) - 1) / stride)"
            f" + 1 = {rounding}(({size} + 2*{padding} - {dilation}*({kernel_size} - 1) - 1)"
            f" / {stride}) + 1 = {out} < 1: the kernel spans {dilation * (kernel_size - 1) + 1} pixels, more"
            f" than the padded input's {size + 2 * padding}"
        )
    return out


def _check_output_size(
    what: str,
    shape: tuple[int, ...],
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    ceil_mode: bool = False,
) -> tuple[int, int]:
    """Run ``conv_output_size`` on height and width, naming the op and axis on failure;
    return (OH, OW)."""
    sizes = []
    for axis, name in ((0, "height"), (1, "width")):
        try:
            sizes.append(
                conv_output_size(
                    shape[2 + axis],
                    kernel_size[axis],
                    stride[axis],
                    padding[axis],
                    dilation[axis],
                    ceil_mode,
                )
            )
        except ValueError as error:
            message = f"{what} on input of shape {shape}, along the {name}: {error}"
            raise ValueError(message) from None
    return sizes[0], sizes[1]


def _string_padding(
    padding: str, stride: tuple[int, int], dilation: tuple[int, int], kernel_size: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """``padding="valid"`` or ``"same"`` as (PH, PW) on both sides plus (EH, EW) more at the
    bottom and right.

    "valid" is no padding. "same" keeps H and W: the kernel spans ``D*(K - 1) + 1`` pixels,
    so with stride 1 the output has ``size + total - D*(K - 1)`` pixels and ``total =
    D*(K - 1)`` keeps ``size``. Half goes on each side; when ``total`` is odd, the extra
    pixel goes at the bottom/right (PyTorch's choice). With a stride S > 1 no padding keeps
    every size (the output is about size / S), so PyTorch refuses "same" there.
    """
    if padding not in ("same", "valid"):
        raise ValueError(f"padding string must be 'same' or 'valid', got {padding!r}")
    if padding == "valid":
        return (0, 0), (0, 0)
    if stride != (1, 1):
        raise ValueError(
            f"padding='same' is not supported for strided convolutions, got stride={stride}"
        )
    # each axis: total D*(K - 1) = 2 * half + odd pixel
    (PH, EH), (PW, EW) = (divmod(d * (k - 1), 2) for d, k in zip(dilation, kernel_size))
    return (PH, PW), (EH, EW)


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: str | int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of a batch of images.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W) or (C, H, W)
        Floating point, any memory layout (transposed, sliced, reversed views work). A 3-D
        x is one image; the output is then 3-D too.
    weight : Tensor or np.ndarray, shape (F, C // groups, KH, KW)
        Same dtype as ``x``.
    bias : Tensor or np.ndarray, shape (F,), optional
    stride, dilation : int or (int, int)
        Per (height, width); each >= 1.
    padding : int, (int, int), "valid" or "same"
        Zeros added on each side, per (height, width), each >= 0. "valid" is 0; "same"
        (stride 1 only) pads ``D*(K - 1)`` in all so that OH = H and OW = W, the odd pixel,
        if any, at the bottom/right.
    groups : int
        Split channels and filters into this many independent blocks; divides C and F.

    Returns
    -------
    Tensor, shape (N, F, OH, OW) (or (F, OH, OW) for a 3-D x)
        OH and OW from ``conv_output_size``. Its array is an (N, F, OH, OW) view of a
        batch-innermost (F, OH, OW, N) buffer (see ``ops/conv.py``: it makes the next copies
        faster); values are as for a contiguous array.

    Raises
    ------
    TypeError
        If x, weight or bias is not a Tensor/ndarray or not floating point, their dtypes
        differ, or a setting is not an int (or pair of ints).
    ValueError
        On an x neither 3-D nor 4-D, a non-4-D weight, a channel mismatch, groups not
        dividing C or F, a bias not of shape (F,), settings out of range, a kernel larger
        than the padded input, a padding string other than "same" and "valid", or "same"
        with a stride > 1.

    Examples
    --------
    The chapter's 5x5 example, with its 3x3 kernel:

    >>> import numpy as np
    >>> x = np.arange(1, 6, dtype=np.float32) + np.arange(5, dtype=np.float32)[:, None]
    >>> k = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float32)
    >>> conv2d(x[None, None], k[None, None]).numpy()[0, 0]
    array([[15., 20., 25.],
           [20., 25., 30.],
           [25., 30., 35.]], dtype=float32)

    "same" keeps the 5x5 size, here with a 2x2 kernel (its extra row and column of zeros
    at the bottom and right):

    >>> conv2d(x[None, None], np.ones((1, 1, 2, 2), np.float32), padding="same").shape
    torch.Size([1, 1, 5, 5])
    """
    x, weight = _as_tensor(x, "x"), _as_tensor(weight, "weight")
    if x.ndim == 3:  # one unbatched image (C, H, W): a batch of one, as PyTorch accepts
        return conv2d(x.reshape(1, *x.shape), weight, bias, stride, padding, dilation, groups)[0]
    _require_4d(x, "conv2d input", "(N, C, H, W) or unbatched 3-D (C, H, W)")
    _require_4d(weight, "conv2d weight", "(F, C // groups, KH, KW)")
    _require_float(x, "conv2d input")
    _require_float(weight, "conv2d weight")
    if weight.dtype != x.dtype:
        raise TypeError(f"conv2d weight must have the input's dtype {x.dtype}, got {weight.dtype}")
    stride = _pair(stride, "stride", 1)
    dilation = _pair(dilation, "dilation", 1)
    groups = _require_int(groups, "groups", 1)
    N, C, H, W = x.shape
    F, C_group, KH, KW = weight.shape
    extra = (0, 0)  # pixels padded at the bottom and right only ("same", even kernels)
    if isinstance(padding, str):
        padding, extra = _string_padding(padding, stride, dilation, (KH, KW))
    else:
        padding = _pair(padding, "padding", 0)
    if C % groups or F % groups:
        raise ValueError(
            f"groups={groups} must divide the input channels C={C} and the filters F={F}"
        )
    if C_group != C // groups:
        raise ValueError(
            f"conv2d weight of shape {weight.shape} expects {C_group * groups} input channels "
            f"({C_group} per group x groups={groups}), got input of shape {x.shape} with C={C}"
        )
    if KH < 1 or KW < 1 or F < 1:
        raise ValueError(
            "conv2d weight needs at least one filter and a kernel of at least 1x1, got shape "
            f"{weight.shape}"
        )
    padded_shape = (N, C, H + extra[0], W + extra[1])
    _check_output_size("conv2d", padded_shape, (KH, KW), stride, padding, dilation)
    inputs = [x, weight]
    if bias is not None:
        bias = _as_tensor(bias, "bias")
        if bias.shape != (F,):
            raise ValueError(
                f"conv2d bias must have shape ({F},) (one per filter), got {bias.shape}"
            )
        if bias.dtype != x.dtype:
            raise TypeError(f"conv2d bias must have the input's dtype {x.dtype}, got {bias.dtype}")
        inputs.append(bias)
    if extra != (0, 0):
        inputs[0] = pad(x, (0, extra[1], 0, extra[0]))  # (N, C, H+EH, W+EW)  copy
    return conv.Conv2d.apply(
        *inputs, stride=stride, padding=padding, dilation=dilation, groups=groups
    )
