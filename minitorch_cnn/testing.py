"""Hypothesis strategies for testing tensor code: shapes, arrays and valid conv/pool settings.

Property-based tests state a fact that must hold for *every* input ("the gradient matches
finite differences", "the output has the formula's shape") and let hypothesis draw the
inputs. The strategies here draw inputs that are valid *by construction*: every derived
value (a kernel that fits the padded input, channels divisible by groups) is drawn from a
range computed from the values drawn before it, so no draw is thrown away by ``assume``.

This module needs ``hypothesis`` (a test dependency); ``import minitorch_cnn`` does not
import it. A test uses a strategy with ``@given``::

    from hypothesis import given
    from minitorch_cnn.testing import arrays, conv2d_configs

    @given(conv2d_configs())
    def test_conv_shape(cfg):
        ...  # cfg.input_shape, cfg.weight_shape, cfg.output_shape, cfg.stride, ...

Read next: the tests in ``tests/`` that use these strategies (``tests/test_conv.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DISTINCT_GAP = 0.125
"""Spacing of the values drawn by ``distinct_arrays`` (a power of two: exact in float32)."""

Pair = tuple[int, int]


def _out_shape(sizes: Pair, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> Pair:
    """(OH, OW) from the output-size formula floor((size + 2P - D*(K-1) - 1) / S) + 1."""
    OH, OW = (
        (size + 2 * P - D * (K - 1) - 1) // S + 1
        for size, K, S, P, D in zip(sizes, kernel, stride, padding, dilation)
    )
    return OH, OW


def _check_range(name: str, low: int, high: int) -> None:
    if not low <= high:
        raise ValueError(f"{name}: expected min <= max, got min {low} and max {high}")


def _check_positive(**bounds: int) -> None:
    for name, value in bounds.items():
        _check_range(name, 1, value)


# ----- shapes and arrays -----------------------------------------------------------------


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes: ``min_dims..max_dims`` axes, each of length ``min_side..max_side``.

    ``()`` (a 0-d array) is drawn when ``min_dims == 0``.
    """
    _check_range("shapes dims", min_dims, max_dims)
    _check_range("shapes side", min_side, max_side)
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
    _check_range("arrays value", min_value, max_value)
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


# ----- convolution and pooling settings ---------------------------------------------------


@dataclass(frozen=True)
class Conv2dConfig:
    """One valid ``conv2d`` call: sizes and per-axis (h, w) settings.

    Examples
    --------
    >>> cfg = Conv2dConfig(N=2, C_in=4, C_out=2, groups=2, H=7, W=5, kernel=(3, 2),
    ...                    stride=(2, 1), padding=(1, 0), dilation=(1, 2), bias=True)
    >>> cfg.weight_shape
    (2, 2, 3, 2)
    >>> cfg.output_shape  # OH = (7 + 2 - 2 - 1) // 2 + 1, OW = (5 + 0 - 2 - 1) // 1 + 1
    (2, 2, 4, 3)
    """

    N: int
    C_in: int
    C_out: int
    groups: int
    H: int
    W: int
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    bias: bool

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        """(N, C, H, W)."""
        return (self.N, self.C_in, self.H, self.W)

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """(F, C // groups, KH, KW)."""
        return (self.C_out, self.C_in // self.groups) + self.kernel

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        """(N, F, OH, OW) from the output-size formula."""
        spatial = (self.H, self.W), self.kernel, self.stride, self.padding, self.dilation
        return (self.N, self.C_out) + _out_shape(*spatial)


@dataclass(frozen=True)
class Pool2dConfig:
    """One valid ``max_pool2d``/``avg_pool2d`` call; ``stride`` None means the kernel size.

    Examples
    --------
    >>> cfg = Pool2dConfig(N=1, C=3, H=7, W=7, kernel=(2, 3), stride=None, padding=(1, 0))
    >>> cfg.output_shape  # OH = (7 + 2 - 2) // 2 + 1, OW = (7 + 0 - 3) // 3 + 1: floors
    (1, 3, 4, 2)
    """

    N: int
    C: int
    H: int
    W: int
    kernel: Pair
    stride: Pair | None
    padding: Pair

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        """(N, C, H, W)."""
        return (self.N, self.C, self.H, self.W)

    @property
    def effective_stride(self) -> Pair:
        """The stride actually used: the kernel size when ``stride`` is None."""
        return self.kernel if self.stride is None else self.stride

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        """(N, C, OH, OW) from the output-size formula."""
        spatial = (self.H, self.W), self.kernel, self.effective_stride, self.padding, (1, 1)
        return (self.N, self.C) + _out_shape(*spatial)


def _pair(draw: st.DrawFn, values: st.SearchStrategy[int], square: bool) -> Pair:
    """Draw an (h, w) pair; equal entries when ``square``."""
    h = draw(values)
    return (h, h) if square else (h, draw(values))


def _conv_axis(
    draw: st.DrawFn,
    bounds: tuple[int, int, int, int, int],
    settings: tuple[int, int, int, int] | None,
) -> tuple[int, tuple[int, int, int, int]]:
    """Size and (kernel, stride, padding, dilation) of one axis; the kernel fits the input.

    ``bounds`` are the maxima of (size, kernel, stride, padding, dilation). With ``settings``
    given (those of the other axis), only the size is drawn: that is how a square config
    shares its settings between both axes.
    """
    max_side, max_kernel, max_stride, max_padding, max_dilation = bounds
    if settings is None:
        padding = draw(st.integers(0, max_padding))
        dilation = draw(st.integers(1, max_dilation))
        # the dilated extent D*(K-1)+1 must fit the largest padded input max_side + 2P
        kernel = draw(st.integers(1, min(max_kernel, (max_side + 2 * padding - 1) // dilation + 1)))
        settings = (kernel, draw(st.integers(1, max_stride)), padding, dilation)
    kernel, _, padding, dilation = settings
    extent = dilation * (kernel - 1) + 1
    return draw(st.integers(max(1, extent - 2 * padding), max_side)), settings


@st.composite
def conv2d_configs(
    draw: st.DrawFn,
    max_batch: int = 2,
    max_channels: int = 4,
    max_groups: int = 2,
    max_side: int = 7,
    max_kernel: int = 3,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 2,
    bias: bool | None = None,
    square: bool = False,
) -> Conv2dConfig:
    """Valid ``conv2d`` settings, small enough by default to gradcheck every entry.

    Parameters
    ----------
    max_batch, max_channels, max_groups, max_side : int
        Upper bounds of N, C_in and C_out, groups, H and W.
    max_kernel, max_stride, max_padding, max_dilation : int
        Upper bounds of each axis' setting (lower bounds: 1, 1, 0, 1).
    bias : bool or None
        Fix the bias flag, or draw it when None.
    square : bool
        Equal h and w entries in kernel, stride, padding and dilation, so a test can pass
        them as ints too (H and W are still drawn separately).

    Raises
    ------
    ValueError
        If ``max_groups > max_channels`` or a bound is below its minimum.
    """
    _check_positive(
        max_batch=max_batch,
        max_groups=max_groups,
        max_side=max_side,
        max_kernel=max_kernel,
        max_stride=max_stride,
        max_dilation=max_dilation,
    )
    _check_range("max_padding", 0, max_padding)
    _check_range("groups and channels", max_groups, max_channels)
    groups = draw(st.integers(1, max_groups))
    per_group = st.integers(1, max_channels // groups)
    C_in, C_out = groups * draw(per_group), groups * draw(per_group)
    bounds = (max_side, max_kernel, max_stride, max_padding, max_dilation)
    H, settings_h = _conv_axis(draw, bounds, None)
    W, settings_w = _conv_axis(draw, bounds, settings_h if square else None)
    kernel, stride, padding, dilation = zip(settings_h, settings_w)
    return Conv2dConfig(
        N=draw(st.integers(1, max_batch)),
        C_in=C_in,
        C_out=C_out,
        groups=groups,
        H=H,
        W=W,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        bias=draw(st.booleans()) if bias is None else bias,
    )


@st.composite
def pool2d_configs(
    draw: st.DrawFn,
    max_batch: int = 2,
    max_channels: int = 3,
    max_side: int = 7,
    max_kernel: int = 3,
    max_stride: int = 3,
    square: bool = False,
) -> Pool2dConfig:
    """Valid pooling settings: padding <= kernel // 2 (PyTorch's rule), stride sometimes None.

    Sizes are drawn independently of the stride, so most draws leave a remainder that the
    output-size formula floors away.

    Parameters
    ----------
    max_batch, max_channels, max_side : int
        Upper bounds of N, C, H and W.
    max_kernel, max_stride : int
        Upper bounds of each axis' kernel size and (when not None) stride.
    square : bool
        Equal h and w entries in kernel, stride and padding (H and W are drawn separately).

    Raises
    ------
    ValueError
        If a bound is below 1.
    """
    _check_positive(
        max_batch=max_batch,
        max_channels=max_channels,
        max_side=max_side,
        max_kernel=max_kernel,
        max_stride=max_stride,
    )
    kernel = _pair(draw, st.integers(1, min(max_kernel, max_side)), square)
    stride = None if draw(st.booleans()) else _pair(draw, st.integers(1, max_stride), square)
    padding_h = draw(st.integers(0, kernel[0] // 2))
    padding_w = padding_h if square else draw(st.integers(0, kernel[1] // 2))
    padding = (padding_h, padding_w)
    # the kernel must fit the padded input: size >= K - 2P
    H, W = (draw(st.integers(max(1, k - 2 * p), max_side)) for k, p in zip(kernel, padding))
    return Pool2dConfig(
        N=draw(st.integers(1, max_batch)),
        C=draw(st.integers(1, max_channels)),
        H=H,
        W=W,
        kernel=kernel,
        stride=stride,
        padding=padding,
    )
