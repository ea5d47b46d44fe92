"""Shapes and arrays: sizes, floats, broadcastable pairs, kink-free values, memory layouts.

Read next: ``testing/conv.py`` (valid convolution settings).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DISTINCT_GAP = 0.125
"""Spacing of the values drawn by ``distinct_arrays`` (a power of two: exact in float32)."""


def check_range(name: str, low: int, high: int) -> None:
    """ValueError unless ``low <= high`` (a strategy's min and max bound)."""
    if not low <= high:
        raise ValueError(f"{name}: expected min <= max, got min {low} and max {high}")


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes: ``min_dims..max_dims`` axes, each of length ``min_side..max_side``.

    ``()`` (a 0-d array) is drawn when ``min_dims == 0``.
    """
    check_range("shapes dims", min_dims, max_dims)
    check_range("shapes side", min_side, max_side)
    side = st.integers(min_side, max_side)
    return st.lists(side, min_size=min_dims, max_size=max_dims).map(tuple)


def arrays(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
) -> st.SearchStrategy[np.ndarray]:
    """Float arrays of finite values in ``[min_value, max_value]``.

    Parameters
    ----------
    shape : tuple of int, strategy of tuples, or None
        A fixed shape, a strategy drawing one, or None for ``shapes()``.
    dtype : float dtype
        Every value drawn is exactly representable in it (float32 draws 32-bit floats).

    Raises
    ------
    TypeError
        If ``dtype`` is not a floating point dtype.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"arrays draws floating point arrays, got dtype {dtype}")
    check_range("arrays value", min_value, max_value)
    if shape is None:
        shape = shapes()
    elements = st.floats(
        min_value,
        max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
        width=8 * dtype.itemsize,
    )
    return hnp.arrays(dtype, shape, elements=elements)


@st.composite
def broadcastable_shapes(
    draw: st.DrawFn, max_dims: int = 4, max_side: int = 4
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A pair of shapes that broadcast together, each stretched along some axes.

    Built from a full shape: at each axis one of the pair keeps the size and the other keeps
    it too or has a 1; then each shape drops a number of leading axes. So ``a`` may be
    broadcast along axes where ``b`` is not and the other way round, which is what tests of
    gradient unbroadcasting need. ``np.broadcast_shapes(a, b)`` always succeeds.

    Examples
    --------
    The construction for one draw, full shape ``(2, 3, 4)``, ones at axis 0 of ``a`` and
    axis 2 of ``b``, ``b`` dropping one leading axis: ``a = (1, 3, 4)``, ``b = (3, 1)``.

    >>> np.broadcast_shapes((1, 3, 4), (3, 1))
    (1, 3, 4)
    """
    full = draw(shapes(0, max_dims, 2, max(2, max_side)))
    # 0: both keep the size; 1: a has a 1 there; 2: b has a 1 there
    roles = draw(st.lists(st.integers(0, 2), min_size=len(full), max_size=len(full)))
    a = tuple(1 if role == 1 else size for size, role in zip(full, roles))
    b = tuple(1 if role == 2 else size for size, role in zip(full, roles))
    drop_a = draw(st.integers(0, len(full)))
    drop_b = draw(st.integers(0, len(full)))
    return a[drop_a:], b[drop_b:]


@st.composite
def distinct_arrays(
    draw: st.DrawFn,
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]],
    dtype: Any = np.float64,
) -> np.ndarray:
    """Arrays whose entries are a shuffled, evenly spaced sequence centred on 0.

    Any two entries differ by at least ``DISTINCT_GAP`` and every entry is at least
    ``DISTINCT_GAP / 2`` away from 0. Finite differences with a small step then never cross
    a kink: no tie in a max or a max pooling window changes winner, no ReLU input crosses 0.

    Examples
    --------
    For 4 entries the values are ``DISTINCT_GAP * ([-2, -1, 0, 1] + 0.5)`` in a drawn order:

    >>> DISTINCT_GAP * (np.arange(4) - 4 // 2 + 0.5)
    array([-0.1875, -0.0625,  0.0625,  0.1875])
    """
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    size = int(np.prod(shape, dtype=np.int64))
    order = np.array(draw(st.permutations(range(size))), dtype=np.int64)
    values = DISTINCT_GAP * (order - size // 2 + 0.5)  # half-integers times the gap: never 0
    return values.astype(dtype).reshape(shape)


@st.composite
def memory_layouts(draw: st.DrawFn, array: np.ndarray) -> np.ndarray:
    """The same values as ``array`` in a drawn memory layout, most of them non-contiguous.

    Code built on stride tricks must read ``x.strides`` instead of assuming C order; these
    layouts catch it when it does not: C-contiguous, axes stored in reverse order (what a
    transpose returns), every other element of a larger buffer (a strided slice), and the
    last two axes stored backwards (negative strides, as ``x[:, :, ::-1]``).

    Examples
    --------
    The negative-stride layout is built like this (the last two axes flip twice):

    >>> x = np.arange(6.0).reshape(2, 3)
    >>> y = np.ascontiguousarray(x[::-1, ::-1])[::-1, ::-1]
    >>> bool((y == x).all()), y.strides
    (True, (-24, -8))

    Raises
    ------
    ValueError
        If ``array`` has fewer than 2 axes.
    """
    if array.ndim < 2:
        raise ValueError(
            f"memory_layouts needs an array with at least 2 axes, got shape {array.shape}"
        )
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided", "reversed"]))
    if layout == "transposed":
        return np.ascontiguousarray(array.T).T
    if layout == "strided":
        buffer = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), dtype=array.dtype)
        buffer[..., ::2] = array
        return buffer[..., ::2]  # strides[-1] is twice the item size
    if layout == "reversed":
        flip = (Ellipsis, slice(None, None, -1), slice(None, None, -1))
        return np.ascontiguousarray(array[flip])[flip]
    return np.ascontiguousarray(array)
