"""The user-facing functions, named and ordered as in ``torch.nn.functional``.

Each function checks its arguments -- raising ``ValueError``/``TypeError`` messages that
repeat the caller's numbers -- normalizes int-or-pair settings, and then calls one op from
``ops/``. Layers in ``nn.py`` are thin wrappers around these.

Read next: ``nn.py``.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .ops import conv, elementwise, loss, pool, windows
from .tensor import Tensor


def _as_tensor(value: Any, name: str) -> Tensor:
    """Accept a Tensor or an ndarray; anything else is a TypeError naming the argument."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor(value)
    raise TypeError(f"{name} must be a Tensor or np.ndarray, got {type(value).__name__}")


def _require_float(x: Tensor, name: str) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating point tensor, got dtype {x.dtype}")


def _require_axis(value: Any, name: str, x: Tensor) -> int:
    """An axis of ``x`` (negative counts from the end); TypeError/ValueError naming ``value``."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if not -x.ndim <= value < max(x.ndim, 1):
        raise ValueError(f"{name} {value} is out of range for a {x.ndim}-D tensor")
    return int(value)


def relu(x: Tensor) -> Tensor:
    """``max(x, 0)`` elementwise (gradient 0 at 0)."""
    return elementwise.ReLU.apply(_as_tensor(x, "x"))


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias``.

    Parameters
    ----------
    x : Tensor, shape (..., in_features)
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), optional

    Returns
    -------
    Tensor, shape (..., out_features)
    """
    x, weight = _as_tensor(x, "x"), _as_tensor(weight, "weight")
    _require_float(x, "linear input")
    if weight.dtype != x.dtype:  # NumPy would silently promote, e.g. to float64
        raise TypeError(f"linear weight must have the input's dtype {x.dtype}, got {weight.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"linear weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear expected input with last axis {weight.shape[1]} (in_features), "
            f"got shape {x.shape}"
        )
    out = x @ weight.transpose()  # (..., in) @ (in, out) -> (..., out)
    if bias is not None:
        bias = _as_tensor(bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"linear bias must have shape ({weight.shape[0]},), got {bias.shape}")
        if bias.dtype != x.dtype:
            raise TypeError(f"linear bias must have the input's dtype {x.dtype}, got {bias.dtype}")
        out = out + bias
    return out


def flatten(x: Tensor, start_dim: int = 1) -> Tensor:
    """Merge axes ``start_dim..end`` into one: (N, C, H, W) -> (N, C*H*W) by default."""
    x = _as_tensor(x, "x")
    start_dim = _require_axis(start_dim, "start_dim", x)
    if x.ndim == 0:
        return x.reshape(1)  # as PyTorch: a 0-d tensor flattens to one entry
    start = start_dim % x.ndim
    # the merged length spelled out: -1 is ambiguous for an empty batch (N = 0)
    return x.reshape(x.shape[:start] + (math.prod(x.shape[start:]),))


def log_softmax(x: Tensor, axis: int = -1, dim: int | None = None) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``axis`` (PyTorch's ``dim=`` is accepted too), computed
    stably: finite for any finite input, logits of 1e4 included."""
    x = _as_tensor(x, "x")
    _require_float(x, "log_softmax input")
    axis = _require_axis(axis if dim is None else dim, "axis", x)
    return loss.LogSoftmax.apply(x, axis=axis)


def cross_entropy(logits: Tensor, targets: Any) -> Tensor:
    """Mean cross-entropy of integer class ``targets`` under ``softmax(logits)``.

    Parameters
    ----------
    logits : Tensor, shape (N, K)
        Unnormalized class scores.
    targets : int array or int Tensor, shape (N,)
        Class indices in ``[0, K)``.

    Raises
    ------
    ValueError
        On shape mismatches, an empty batch, or a target outside ``[0, K)``.
    TypeError
        If ``targets`` is not integer-valued.
    """
    logits = _as_tensor(logits, "logits")
    _require_float(logits, "logits")
    target_array = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if target_array.dtype.kind not in "iu":
        raise TypeError(f"targets must be integer class indices, got dtype {target_array.dtype}")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (N, K), got {logits.shape}")
    N, K = logits.shape
    if target_array.shape != (N,):
        raise ValueError(f"targets must have shape ({N},) to match logits {logits.shape}, got {target_array.shape}")
    if N == 0:
        raise ValueError("cross_entropy of an empty batch (N = 0) is undefined")
    if target_array.min() < 0 or target_array.max() >= K:
        raise ValueError(
            f"targets must be class indices in [0, {K}), got values from "
            f"{target_array.min()} to {target_array.max()}"
        )
    return loss.CrossEntropy.apply(logits, Tensor(target_array))


def dropout(
    x: Tensor, p: float = 0.5, training: bool = True, generator: np.random.Generator | None = None
) -> Tensor:
    """Zero each entry with probability ``p`` and scale the rest by ``1 / (1 - p)`` (so the
    expectation is unchanged); the identity when not ``training``."""
    from .creation import resolve_generator

    x = _as_tensor(x, "x")
    if not isinstance(p, numbers.Real) or isinstance(p, bool):
        raise TypeError(f"dropout probability must be a float, got {type(p).__name__} {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = resolve_generator(generator).random(x.shape) >= p
    scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return x * Tensor(keep.astype(x.dtype) * scale)


# ----- convolution and pooling ----------------------------------------------------------


def _pair(value: Any, name: str, minimum: int) -> tuple[int, int]:
    """An int-or-(h, w) setting as a pair of Python ints, each ``>= minimum``.

    Raises
    ------
    TypeError
        For floats, bools or anything that is neither an int nor a sequence of two ints.
    ValueError
        For a sequence of the wrong length or a value below ``minimum``.
    """
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2:
        raise ValueError(
            f"{name} must be an int or a pair (h, w), got {value!r} of length {len(items)}"
        )
    for item in items:
        if not isinstance(item, (int, np.integer)) or isinstance(item, (bool, np.bool_)):
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
        if item < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def _require_int(value: Any, name: str, minimum: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _require_4d(x: Tensor, what: str, layout: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{what} must be 4-D {layout}, got shape {x.shape} ({x.ndim}-D)")


def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
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

    Parameters
    ----------
    size : int
        Input length along the axis (H or W), >= 0.
    kernel_size, stride, dilation : int
        Each >= 1.
    padding : int
        Added on both sides, >= 0.

    Returns
    -------
    int
        The output length, >= 1.

    Raises
    ------
    TypeError
        If an argument is not an int.
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
    """
    size = _require_int(size, "size", 0)
    kernel_size = _require_int(kernel_size, "kernel_size", 1)
    stride = _require_int(stride, "stride", 1)
    padding = _require_int(padding, "padding", 0)
    dilation = _require_int(dilation, "dilation", 1)
    out = windows.output_size(size, kernel_size, stride, padding, dilation)
    if out < 1:
        raise ValueError(
            "output size floor((size + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1"
            f" = floor(({size} + 2*{padding} - {dilation}*({kernel_size} - 1) - 1) / {stride}) + 1"
            f" = {out} < 1: the kernel spans {dilation * (kernel_size - 1) + 1} pixels, more"
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
) -> None:
    """Run ``conv_output_size`` on height and width, naming the op and axis on failure."""
    for axis, name in ((0, "height"), (1, "width")):
        try:
            conv_output_size(
                shape[2 + axis], kernel_size[axis], stride[axis], padding[axis], dilation[axis]
            )
        except ValueError as error:
            message = f"{what} on input of shape {shape}, along the {name}: {error}"
            raise ValueError(message) from None


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of a batch of images.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W)
        Floating point, any memory layout (transposed, sliced, reversed views work).
    weight : Tensor or np.ndarray, shape (F, C // groups, KH, KW)
        Same dtype as ``x``.
    bias : Tensor or np.ndarray, shape (F,), optional
    stride, padding, dilation : int or (int, int)
        Per (height, width); stride and dilation >= 1, zero padding >= 0 on each side.
    groups : int
        Split channels and filters into this many independent blocks; divides C and F.

    Returns
    -------
    Tensor, shape (N, F, OH, OW)
        OH and OW from ``conv_output_size``. Its array is an (N, F, OH, OW) view of a
        batch-innermost (F, OH, OW, N) buffer (see ``ops/conv.py``: it makes the next copies
        faster); values are as for a contiguous array.

    Raises
    ------
    TypeError
        If x, weight or bias is not a Tensor/ndarray or not floating point, their dtypes
        differ, or a setting is not an int (or pair of ints).
    ValueError
        On a non-4-D x or weight, a channel mismatch, groups not dividing C or F, a bias
        not of shape (F,), settings out of range, or a kernel larger than the padded input.

    Examples
    --------
    The chapter's 5x5 example, with its 3x3 kernel:

    >>> import numpy as np
    >>> x = np.arange(1, 6, dtype=np.float32) + np.arange(5, dtype=np.float32)[:, None]
    >>> k = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float32)
    >>> conv2d(x[None, None], k[None, None]).data[0, 0]
    array([[15., 20., 25.],
           [20., 25., 30.],
           [25., 30., 35.]], dtype=float32)
    """
    x, weight = _as_tensor(x, "x"), _as_tensor(weight, "weight")
    _require_4d(x, "conv2d input", "(N, C, H, W)")
    _require_4d(weight, "conv2d weight", "(F, C // groups, KH, KW)")
    _require_float(x, "conv2d input")
    _require_float(weight, "conv2d weight")
    if weight.dtype != x.dtype:
        raise TypeError(f"conv2d weight must have the input's dtype {x.dtype}, got {weight.dtype}")
    stride = _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    dilation = _pair(dilation, "dilation", 1)
    groups = _require_int(groups, "groups", 1)
    N, C, H, W = x.shape
    F, C_group, KH, KW = weight.shape
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
    _check_output_size("conv2d", x.shape, (KH, KW), stride, padding, dilation)
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
    return conv.Conv2d.apply(
        *inputs, stride=stride, padding=padding, dilation=dilation, groups=groups
    )


def _pool_arguments(
    what: str, x: Any, kernel_size: Any, stride: Any, padding: Any
) -> tuple[Tensor, tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Validate and normalize the arguments shared by max and average pooling."""
    x = _as_tensor(x, "x")
    _require_4d(x, f"{what} input", "(N, C, H, W)")
    _require_float(x, f"{what} input")
    kernel = _pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        # as PyTorch: otherwise a window could hold nothing but padding
        raise ValueError(
            f"{what} padding must be at most half the kernel size {kernel}, got {padding}"
        )
    _check_output_size(what, x.shape, kernel, stride, padding, (1, 1))
    return x, kernel, stride, padding


def max_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Maximum over each (KH, KW) window; padding is -inf, so it never wins.

    Parameters
    ----------
    x : Tensor or np.ndarray, shape (N, C, H, W)
        Floating point.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int)
        At most half the kernel size, as in PyTorch.

    Returns
    -------
    Tensor, shape (N, C, OH, OW)
        The gradient goes to one position per window: the first maximum in row-major
        window order (PyTorch's rule), summed where overlapping windows pick the same pixel.

    Raises
    ------
    TypeError, ValueError
        As for ``conv2d``, plus padding larger than half the kernel.

    Examples
    --------
    The chapter's 4x4 example:

    >>> import numpy as np
    >>> x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2).data[0, 0]
    array([[ 6.,  8.],
           [14., 16.]], dtype=float32)
    """
    x, kernel, stride, padding = _pool_arguments("max_pool2d", x, kernel_size, stride, padding)
    return pool.MaxPool2d.apply(x, kernel_size=kernel, stride=stride, padding=padding)


def avg_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Mean over each (KH, KW) window; zero padding counts in the mean (PyTorch's default).

    Parameters and errors as for ``max_pool2d``.

    Returns
    -------
    Tensor, shape (N, C, OH, OW)
    """
    x, kernel, stride, padding = _pool_arguments("avg_pool2d", x, kernel_size, stride, padding)
    return pool.AvgPool2d.apply(x, kernel_size=kernel, stride=stride, padding=padding)
