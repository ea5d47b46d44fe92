"""Dtypes: PyTorch's names for NumPy's dtypes, and the rules that turn user data into arrays.

``minitorch_cnn.float32`` *is* ``np.dtype("float32")`` (so ``t.dtype == mt.float32`` and
NumPy's own dtypes work wherever a dtype is asked for). The rules, as in PyTorch:

- ``tensor(data)`` infers from Python data: floats -> float32, ints -> int64, bools -> bool;
- ``Tensor(data)`` (the class) makes float32 from Python data, as ``torch.Tensor`` does;
- NumPy arrays keep their dtype, so float64 stays float64 (gradcheck relies on it);
- a NumPy *matrix* becomes a plain ndarray (``*`` must stay elementwise).

Read next: ``device.py``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

float16 = half = np.dtype("float16")
float32 = np.dtype("float32")  # also ``minitorch_cnn.float`` (set in __init__.py)
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = short = np.dtype("int16")
int32 = np.dtype("int32")  # also ``minitorch_cnn.int``
int64 = long = np.dtype("int64")
bool_ = np.dtype("bool")  # ``minitorch_cnn.bool``

_PYTORCH_NAMES = {
    "float16": "HalfTensor",
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "int16": "ShortTensor",
    "int32": "IntTensor",
    "int64": "LongTensor",
    "bool": "BoolTensor",
}


def as_dtype(dtype: Any) -> np.dtype:
    """A bool, int or float ``np.dtype`` from a dtype, a NumPy type or a name such as
    ``"float32"`` or ``"torch.FloatTensor"``; anything else is a TypeError."""
    if isinstance(dtype, str) and dtype.startswith("torch."):
        by_name = {v: k for k, v in _PYTORCH_NAMES.items()}
        dtype = by_name.get(dtype[len("torch.") :], dtype)
    try:
        target = np.dtype(dtype)
    except TypeError:  # NumPy's "data type 'x' not understood"
        target = None
    if dtype is None or target is None or target.kind not in "biuf":
        raise TypeError(f"dtype must be a bool, int or float dtype, got {dtype!r}")
    return target


def type_name(dtype: np.dtype) -> str:
    """PyTorch's tensor type string: ``torch.FloatTensor`` for float32."""
    return "torch." + _PYTORCH_NAMES.get(dtype.name, dtype.name)


def as_array(data: Any, dtype: Any = None, python_floats: bool = False) -> np.ndarray:
    """User data as an ndarray by the rules above (``python_floats``: Python data becomes
    float32 whatever it holds, the ``Tensor`` class's rule)."""
    if isinstance(data, np.ndarray) or hasattr(data, "__array__"):
        array = np.asarray(data)  # a Tensor's own array; an np.matrix becomes a plain ndarray
    elif isinstance(data, (numbers.Number, np.generic, list, tuple)):
        array = _from_python(data)
        if dtype is None and not isinstance(data, np.generic):
            if python_floats or array.dtype.kind == "f":
                array = array.astype(np.float32)
            elif array.dtype.kind in "iu":
                array = array.astype(np.int64)
    else:
        raise TypeError(
            f"expected a Tensor, np.ndarray, number or (nested) list, got {type(data).__name__}"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"expected numeric data (bool, int or float), got an array of dtype {array.dtype}"
        )
    if dtype is not None:
        array = array.astype(as_dtype(dtype), copy=False)
    return array


def _from_python(data: Any) -> np.ndarray:
    try:
        return np.asarray(data)
    except ValueError:  # NumPy speaks of an "inhomogeneous shape"; say what is wrong
        raise ValueError(
            "expected a rectangular nested list (every row the same length), got a ragged "
            f"one: {data!r:.80}"
        ) from None
