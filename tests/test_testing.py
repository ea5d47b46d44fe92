"""The strategies of ``minitorch_cnn.testing`` produce what they promise.

Read next: ``minitorch_cnn/testing.py`` itself, if a strategy here surprised you.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from hypothesis import find, given
from hypothesis import strategies as st

from minitorch_cnn.testing import (
    DISTINCT_GAP,
    Conv2dConfig,
    Pool2dConfig,
    arrays,
    broadcastable_shapes,
    conv2d_configs,
    distinct_arrays,
    memory_layouts,
    pool2d_configs,
    shapes,
)


@given(st.data(), st.integers(0, 3), st.integers(0, 2), st.integers(1, 3), st.integers(0, 3))
def test_shapes_respect_bounds(
    data: st.DataObject, min_dims: int, extra_dims: int, min_side: int, extra_side: int
) -> None:
    shape = data.draw(shapes(min_dims, min_dims + extra_dims, min_side, min_side + extra_side))
    assert isinstance(shape, tuple)
    assert min_dims <= len(shape) <= min_dims + extra_dims
    assert all(isinstance(side, int) for side in shape)
    assert all(min_side <= side <= min_side + extra_side for side in shape)


@given(st.data(), st.sampled_from([np.float32, np.float64]))
def test_arrays_are_finite_bounded_and_of_the_asked_shape(data: st.DataObject, dtype: type) -> None:
    fixed = data.draw(arrays((2, 3), dtype, min_value=-1.0, max_value=0.5))
    assert fixed.shape == (2, 3) and fixed.dtype == dtype
    assert np.isfinite(fixed).all() and (fixed >= -1.0).all() and (fixed <= 0.5).all()
    drawn = data.draw(arrays(shapes(1, 2, 2, 3), dtype))
    assert 1 <= drawn.ndim <= 2 and all(2 <= side <= 3 for side in drawn.shape)
    assert np.isfinite(data.draw(arrays())).all()


def test_arrays_reject_integer_dtypes() -> None:
    with pytest.raises(TypeError, match="int64"):
        arrays((2,), np.int64)


@given(broadcastable_shapes())
def test_broadcastable_shapes_broadcast(pair: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = pair
    assert len(a) <= 4 and len(b) <= 4
    full = np.broadcast_shapes(a, b)
    np.broadcast_to(np.zeros(a), full)
    np.broadcast_to(np.zeros(b), full)


def test_broadcastable_shapes_stretch_both_ways() -> None:
    def stretched(small: tuple[int, ...], big: tuple[int, ...]) -> bool:
        """Some axis of ``small`` is 1 or missing where ``big`` has a size > 1."""
        padded = (1,) * (len(big) - len(small)) + small
        return any(s == 1 and g > 1 for s, g in zip(padded[::-1], big[::-1]))  # align right

    a, b = find(broadcastable_shapes(), lambda p: stretched(p[0], p[1]) and stretched(p[1], p[0]))
    assert np.broadcast_shapes(a, b) not in (a, b)  # neither shape is the result
    a, b = find(broadcastable_shapes(), lambda p: len(p[0]) != len(p[1]))
    assert len(np.broadcast_shapes(a, b)) == max(len(a), len(b))


@given(st.data(), shapes(1, 4, 1, 4), st.sampled_from([np.float32, np.float64]))
def test_distinct_arrays_keep_their_margins(data: st.DataObject, shape: tuple, dtype: type) -> None:
    x = data.draw(distinct_arrays(shape, dtype))
    assert x.dtype == dtype and x.shape == shape
    values = np.sort(x.ravel())
    assert (np.diff(values) >= DISTINCT_GAP).all()
    assert (np.abs(values) >= DISTINCT_GAP / 2).all()
    assert data.draw(distinct_arrays(shapes(2, 2, 3, 3))).shape == (3, 3)


@given(st.data())
def test_memory_layouts_keep_values(data: st.DataObject) -> None:
    x = data.draw(arrays(shapes(2, 4, 1, 4)))
    y = data.draw(memory_layouts(x))
    assert y.shape == x.shape and y.dtype == x.dtype
    np.testing.assert_array_equal(y, x)


def test_memory_layouts_include_non_contiguous_and_negative_strides() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    layouts = memory_layouts(x)
    assert find(layouts, lambda y: not y.flags.c_contiguous and min(y.strides) > 0) is not None
    assert min(find(layouts, lambda y: min(y.strides) < 0).strides) < 0
    with pytest.raises(ValueError, match=r"\(4,\)"):
        find(memory_layouts(np.zeros(4)), lambda _: True)


def _check_conv_config(cfg: Conv2dConfig) -> None:
    assert cfg.C_in % cfg.groups == 0 and cfg.C_out % cfg.groups == 0
    for size, k, s, p, d in zip((cfg.H, cfg.W), cfg.kernel, cfg.stride, cfg.padding, cfg.dilation):
        assert k >= 1 and s >= 1 and p >= 0 and d >= 1 and size >= 1
        assert d * (k - 1) + 1 <= size + 2 * p  # the dilated kernel fits the padded input
    assert cfg.weight_shape == (cfg.C_out, cfg.C_in // cfg.groups) + cfg.kernel
    assert cfg.output_shape == ref.conv2d_output_shape(
        cfg.input_shape, cfg.weight_shape, cfg.stride, cfg.padding, cfg.dilation
    )
    assert min(cfg.output_shape) >= 1


@given(conv2d_configs())
def test_conv2d_configs_are_valid_and_small(cfg: Conv2dConfig) -> None:
    _check_conv_config(cfg)
    assert cfg.N <= 2 and cfg.C_in <= 4 and cfg.C_out <= 4 and cfg.H <= 7 and cfg.W <= 7


@given(
    st.data(),
    st.integers(1, 3),
    st.integers(1, 8),
    st.integers(1, 12),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(0, 4),
    st.integers(1, 4),
    st.booleans(),
)
def test_conv2d_configs_honour_their_bounds(
    data: st.DataObject,
    max_groups: int,
    extra_channels: int,
    max_side: int,
    max_kernel: int,
    max_stride: int,
    max_padding: int,
    max_dilation: int,
    square: bool,
) -> None:
    max_channels = max_groups + extra_channels
    cfg = data.draw(
        conv2d_configs(
            max_batch=1,
            max_channels=max_channels,
            max_groups=max_groups,
            max_side=max_side,
            max_kernel=max_kernel,
            max_stride=max_stride,
            max_padding=max_padding,
            max_dilation=max_dilation,
            bias=False,
            square=square,
        )
    )
    _check_conv_config(cfg)
    assert cfg.N == 1 and not cfg.bias and cfg.groups <= max_groups
    assert max(cfg.C_in, cfg.C_out) <= max_channels and max(cfg.H, cfg.W) <= max_side
    assert max(cfg.kernel) <= max_kernel and max(cfg.stride) <= max_stride
    assert max(cfg.padding) <= max_padding and max(cfg.dilation) <= max_dilation
    if square:
        for pair in (cfg.kernel, cfg.stride, cfg.padding, cfg.dilation):
            assert pair[0] == pair[1]


def test_conv2d_configs_reach_every_feature() -> None:
    configs = conv2d_configs()
    assert find(configs, lambda c: c.groups > 1 and c.bias).groups == 2
    assert max(find(configs, lambda c: min(c.dilation) > 1 and min(c.padding) > 0).dilation) > 1
    # the output-size floor: some stride leaves a remainder
    cfg = find(
        configs,
        lambda c: (
            (c.H + 2 * c.padding[0] - c.dilation[0] * (c.kernel[0] - 1) - 1) % c.stride[0] != 0
        ),
    )
    assert cfg.stride[0] > 1


def test_conv2d_configs_reject_impossible_bounds() -> None:
    with pytest.raises(ValueError, match=r"3.*2"):
        find(conv2d_configs(max_groups=3, max_channels=2), lambda _: True)
    with pytest.raises(ValueError, match="max_stride"):
        find(conv2d_configs(max_stride=0), lambda _: True)


@given(st.integers(1, 9), st.integers(1, 5), st.integers(1, 4), st.booleans(), st.data())
def test_pool2d_configs_are_valid(
    max_side: int, max_kernel: int, max_stride: int, square: bool, data: st.DataObject
) -> None:
    cfg: Pool2dConfig = data.draw(
        pool2d_configs(
            max_side=max_side, max_kernel=max_kernel, max_stride=max_stride, square=square
        )
    )
    for size, k, s, p in zip((cfg.H, cfg.W), cfg.kernel, cfg.effective_stride, cfg.padding):
        assert 1 <= k <= max_kernel and 1 <= s and 0 <= p <= k // 2 and 1 <= size <= max_side
        assert k <= size + 2 * p
    if cfg.stride is None:
        assert cfg.effective_stride == cfg.kernel
    else:
        assert max(cfg.stride) <= max_stride
    assert cfg.output_shape == ref.pool2d_output_shape(
        cfg.input_shape, cfg.kernel, cfg.effective_stride, cfg.padding
    )
    assert min(cfg.output_shape) >= 1
    if square:
        assert cfg.kernel[0] == cfg.kernel[1] and cfg.padding[0] == cfg.padding[1]


def test_pool2d_configs_reach_every_feature() -> None:
    configs = pool2d_configs()
    assert find(configs, lambda c: c.stride is None).effective_stride is not None
    overlapping = find(configs, lambda c: c.stride is not None and c.stride[0] < c.kernel[0])
    assert overlapping.stride[0] < overlapping.kernel[0]
    assert max(find(configs, lambda c: max(c.padding) > 0).padding) > 0
    cfg = find(
        configs, lambda c: (c.H + 2 * c.padding[0] - c.kernel[0]) % c.effective_stride[0] != 0
    )
    assert cfg.effective_stride[0] > 1  # the floor in the output size is exercised
