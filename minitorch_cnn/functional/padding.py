"""``pad``: PyTorch's ``F.pad`` -- constant, reflect, replicate and circular padding.

The pad tuple lists the *last* axis first, as in PyTorch: ``(left, right)`` pads W,
``(left, right, top, bottom)`` pads W and H. A negative width removes entries instead.

Read next: ``functional/conv.py``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..ops.pad import Pad
from ..tensor import Tensor
from .checks import _as_tensor

PAD_MODES = ("constant", "reflect", "replicate", "circular")

# the non-constant modes pad 1, 2 or 3 trailing axes of an input with or without a batch axis
_COPY_MODE_DIMS = {1: (2, 3), 2: (3, 4), 3: (4, 5)}


def _widths(pad: Any, ndim: int) -> list[tuple[int, int]]:
    """PyTorch's flat pad tuple as (before, after) per padded axis, first padded axis first."""
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad must be a tuple of ints, got {pad!r} ({type(pad).__name__})")
    for item in pad:
        if not isinstance(item, (int, np.integer)) or isinstance(item, (bool, np.bool_)):
            raise TypeError(f"pad must be a tuple of ints, got {pad!r}")
    if len(pad) % 2:
        raise ValueError(f"pad must have an even length (before, after per axis), got {pad!r}")
    if len(pad) > 2 * ndim:
        raise ValueError(
            f"pad of length {len(pad)} pads {len(pad) // 2} axes, more than the input's {ndim}"
        )
    pairs = [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)]
    return pairs[::-1]  # the pad tuple starts with the last axis


def _check_mode(x: Tensor, widths: list[tuple[int, int]], mode: Any, value: Any) -> None:
    """The conditions under which PyTorch accepts ``mode`` with these widths and input."""
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a str, got {mode!r} ({type(mode).__name__})")
    if mode not in PAD_MODES:
        raise ValueError(f"pad mode must be one of {PAD_MODES}, got {mode!r}")
    if mode == "constant":
        if value is not None and not isinstance(value, numbers.Real):
            raise TypeError(f"pad value must be a number, got {value!r} ({type(value).__name__})")
        return
    if value is not None and value != 0:
        raise ValueError(f"pad mode {mode!r} takes no value, got value={value!r}")
    allowed = _COPY_MODE_DIMS.get(len(widths), ())
    if x.ndim not in allowed:
        raise ValueError(
            f"pad mode {mode!r} pads the last 1, 2 or 3 axes of a 2-3, 3-4 or 4-5-D input "
            f"(with or without a batch axis); got a pad of length {2 * len(widths)} for a "
            f"{x.ndim}-D input of shape {x.shape}"
        )
    if mode != "circular" and 0 in x.shape[x.ndim - len(widths) - 1 :]:
        raise ValueError(
            f"pad mode {mode!r} needs every axis but the batch axis non-empty, got shape {x.shape}"
        )


def _check_sizes(shape: tuple[int, ...], widths: list[tuple[int, int]], mode: str) -> None:
    """Check each padded axis against the mode's limits, as PyTorch does."""
    sizes = shape[len(shape) - len(widths) :]
    outs = []
    for size, (before, after) in zip(sizes, widths):
        kept = size + min(before, 0) + min(after, 0)  # what the negative widths leave
        grow = max(before, 0), max(after, 0)
        outs.append(size + before + after)
        where = f"padding ({before}, {after}) of an axis of size {size} (input shape {shape})"
        if mode == "reflect" and max(grow) >= size:
            raise ValueError(f"reflect padding must be less than the axis it pads: got {where}")
        if mode in ("constant", "circular") and kept < 0:
            raise ValueError(f"negative padding removes more than the whole axis: got {where}")
        if mode == "circular" and max(grow) > kept:
            raise ValueError(
                f"circular padding would wrap around more than once ({kept} entries left after "
                f"cropping): got {where}"
            )
        if outs[-1] < 0:
            raise ValueError(f"padding leaves {outs[-1]} entries: got {where}")
    if mode in ("reflect", "replicate") and max(outs) < 1:
        raise ValueError(
            f"{mode} padding {widths} leaves no entry along any padded axis (input shape {shape})"
        )


def _crop(x: Tensor, widths: list[tuple[int, int]]) -> Tensor:
    """Remove the entries that negative widths cut off (``x`` itself when none is negative)."""
    if all(before >= 0 and after >= 0 for before, after in widths):
        return x
    sizes = x.shape[x.ndim - len(widths) :]
    index = tuple(
        slice(max(-before, 0), size - max(-after, 0))
        for size, (before, after) in zip(sizes, widths)
    )
    return x[(Ellipsis,) + index]  # view of the kept entries


def pad(
    input: Tensor,  # noqa: A002 -- PyTorch's name
    pad: tuple[int, ...] | list[int],
    mode: str = "constant",
    value: float | None = None,
) -> Tensor:
    """Pad the last ``len(pad) // 2`` axes of ``input``; the pad tuple starts with the last axis.

    Parameters
    ----------
    input : Tensor or np.ndarray, any shape
        Non-constant modes need a 2-D or 3-D input for a pad of length 2 (pads W), 3-D or
        4-D for length 4 (W and H), 4-D or 5-D for length 6; every axis but a batch axis
        non-empty (for reflect and replicate).
    pad : tuple or list of int
        ``(left, right)``, ``(left, right, top, bottom)``, ... -- even length, at most twice
        ``input.ndim``. A negative width crops instead.
    mode : {"constant", "reflect", "replicate", "circular"}
        What the new entries copy; see ``ops.pad.Pad`` for a picture of each. Reflect
        widths must be less than the axis' size; circular ones at most what is left of it
        after negative widths crop (PyTorch's result is undefined beyond).
    value : float, optional
        The fill of constant padding (0 when None). Other modes take none.

    Returns
    -------
    Tensor, shape with each padded axis grown by ``before + after``
        Differentiable with respect to ``input``.

    Raises
    ------
    TypeError
        For a pad that is not a tuple or list of ints, a mode that is not a string or a
        constant value that is not a number.
    ValueError
        Where PyTorch rejects: an odd pad length, more pairs than axes, an unknown mode, a
        value with a non-constant mode, unsupported input dimensions, padding too large for
        the mode, negative widths removing more than an axis (constant, circular), a
        negative size, or (reflect, replicate) no entry left along every padded axis.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(5.0)[None]                       # (1, 5): pads the last axis
    >>> pad(x, (2, 2), mode="reflect").numpy()
    array([[2., 1., 0., 1., 2., 3., 4., 3., 2.]])
    >>> pad(x, (1, -2), value=9.0).numpy()             # a negative width crops
    array([[9., 0., 1., 2.]])
    """
    x = _as_tensor(input, "input")
    widths = _widths(pad, x.ndim)
    _check_mode(x, widths, mode, value)
    _check_sizes(x.shape, widths, mode)
    grow = tuple((max(before, 0), max(after, 0)) for before, after in widths)
    fill = 0.0 if value is None else value
    if mode == "circular":  # PyTorch crops first, then wraps what is left
        return Pad.apply(_crop(x, widths), widths=grow, mode=mode, value=fill)
    # the others pad from the whole input, then crop (a reflection may reach cropped entries)
    return _crop(Pad.apply(x, widths=grow, mode=mode, value=fill), widths)
