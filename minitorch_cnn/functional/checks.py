"""Argument checks shared by every public function (and by the layers that call them).

Each check raises a ``TypeError`` or ``ValueError`` whose message names the argument and
repeats the caller's value, so a bad call is reported the same way wherever it is made.

Read next: ``functional/activation.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


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


_MAX_SETTING = 2**31 - 1  # a kernel, stride, padding or dilation; larger ones overflow NumPy


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
        if item > _MAX_SETTING:  # NumPy's sizes and strides are C longs
            raise ValueError(f"{name} must be at most 2**31 - 1, got {value!r}")
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
