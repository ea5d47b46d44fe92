"""``interpolate``: resize the spatial axes of (N, C, L) or (N, C, H, W) tensors.

Each output index ``d`` along an axis reads input position ``s(d)``:

- ``nearest``:        s = floor(d * scale)                  (PyTorch's rule, not centred)
- ``nearest-exact``:  s = floor((d + 0.5) * scale)
- ``linear``/``bilinear``: s = (d + 0.5) * scale - 0.5 (at least 0), or with
  ``align_corners=True`` s = d * (in - 1) / (out - 1); the output mixes input
  floor(s) and floor(s) + 1 with weights 1 - frac(s) and frac(s).

``scale`` is ``1 / scale_factor`` when a scale factor is given (and not recomputed), else
``in / out``. The weights of one axis form a matrix (out, in); ``ops/interpolate.py``
applies them.

Read next: ``nn/__init__.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops.interpolate import Resample
from ..tensor import Tensor
from .checks import _as_tensor

_LINEAR = {3: "linear", 4: "bilinear"}  # the linear mode for each input rank


def _weights(n_in: int, n_out: int, scale: float, mode: str, align_corners: bool) -> np.ndarray:
    """The (n_out, n_in) matrix whose row d holds the weights of output index d."""
    dst = np.arange(n_out)
    matrix = np.zeros((n_out, n_in))
    if mode in ("nearest", "nearest-exact"):
        offset = 0.5 if mode == "nearest-exact" else 0.0
        src = np.minimum(np.floor((dst + offset) * scale).astype(np.int64), n_in - 1)
        matrix[dst, src] = 1.0
        return matrix
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    high = np.minimum(low + 1, n_in - 1)
    frac = src - low
    matrix[dst, low] += 1.0 - frac
    matrix[dst, high] += frac  # high == low at the last input: the weights still sum to 1
    return matrix


def _per_axis(value: Any, count: int, name: str) -> tuple:
    """A number for every spatial axis, or a sequence of exactly ``count`` of them."""
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(
                f"interpolate: {name} must have one entry per spatial dim ({count}), "
                f"got {tuple(value)}"
            )
        return tuple(value)
    return (value,) * count


def interpolate(
    input: Any,  # noqa: A002 -- PyTorch's name
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial axes of ``input`` to ``size`` or by ``scale_factor``.

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (N, C, H, W)
    size : int or tuple of int, optional
        The output's spatial size; exactly one of ``size`` and ``scale_factor``.
    scale_factor : float or tuple of float, optional
        Output size = floor(input size * scale_factor).
    mode : {"nearest", "nearest-exact", "linear" (3-D), "bilinear" (4-D)}
    align_corners : bool, optional
        Linear modes only: map the corner pixels' centres onto each other.
    recompute_scale_factor : bool, optional
        Use in / out as the scale instead of 1 / scale_factor.

    Returns
    -------
    Tensor of shape (N, C, *size)

    Raises
    ------
    ValueError
        For both or neither of size and scale_factor, a wrong number of sizes,
        ``align_corners`` with a nearest mode, or non-positive output sizes.
    NotImplementedError
        For another mode, a mode that does not fit the input's rank, or ``antialias``.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> x = mt.tensor([[[1.0, 3.0]]])
    >>> interpolate(x, scale_factor=2, mode="linear")
    tensor([[[1.0000, 1.5000, 2.5000, 3.0000]]])
    """
    x = _as_tensor(input, "input")
    spatial = x.ndim - 2
    if x.ndim not in _LINEAR:
        raise NotImplementedError(
            f"interpolate supports 3-D (N, C, L) and 4-D (N, C, H, W) input, got shape {x.shape}"
        )
    linear = mode in ("linear", "bilinear")
    if mode not in ("nearest", "nearest-exact") and mode != _LINEAR[x.ndim]:
        raise NotImplementedError(
            f"interpolate: mode {mode!r} is not available for {x.ndim}-D input; use "
            f"'nearest', 'nearest-exact' or {_LINEAR[x.ndim]!r}"
        )
    if align_corners is not None and not linear:
        raise ValueError("align_corners can only be set with the linear interpolating modes")
    if antialias:
        raise NotImplementedError("interpolate: antialias is not supported")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size or scale_factor")
    if size is not None and recompute_scale_factor:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size")
    sizes_in = x.shape[2:]
    if size is not None:
        sizes_out = _per_axis(size, spatial, "size")
        scales = [n_in / n_out if n_out > 0 else 0.0 for n_in, n_out in zip(sizes_in, sizes_out)]
    else:
        factors = _per_axis(scale_factor, spatial, "scale_factor")
        sizes_out = tuple(math.floor(n * float(f)) for n, f in zip(sizes_in, factors))
        scales = [1.0 / float(f) for f in factors]
        if recompute_scale_factor:
            scales = [n_in / n_out for n_in, n_out in zip(sizes_in, sizes_out)]
    if any(n < 1 for n in sizes_out):
        raise ValueError(f"interpolate: the output size {tuple(sizes_out)} must be positive")
    matrices = tuple(
        _weights(n_in, int(n_out), scale, mode, bool(align_corners))
        for n_in, n_out, scale in zip(sizes_in, sizes_out, scales)
    )  # one (out, in) matrix per spatial axis
    return Resample.apply(x, matrices=matrices)
