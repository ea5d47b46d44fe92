"""The strategies of ``minitorch_cnn.testing`` produce what they promise.

Read next: ``minitorch_cnn/testing/`` itself, if a strategy here surprised you.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from hypothesis import find, given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import nn
from minitorch_cnn.testing import (
    DISTINCT_GAP,
    PADDING_MODES,
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


def _sides(cfg: Conv2dConfig) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) from the F.pad widths (left, right, top, bottom)."""
    left, right, top, bottom = cfg.pad
    return (top, bottom), (left, right)


def _check_conv_config(cfg: Conv2dConfig) -> None:
    assert cfg.in_channels % cfg.groups == 0 and cfg.out_channels % cfg.groups == 0
    assert cfg.padding_mode in PADDING_MODES
    axes = zip((cfg.H, cfg.W), cfg.kernel_size, cfg.stride, cfg.dilation, _sides(cfg))
    for size, k, s, d, (before, after) in axes:
        assert k >= 1 and s >= 1 and d >= 1 and size >= 1 and before >= 0 and after >= 0
        assert d * (k - 1) + 1 <= size + before + after  # the dilated kernel fits
        if cfg.padding == "same":
            assert s == 1 and before + after == d * (k - 1) and after - before in (0, 1)
        if cfg.padding_mode == "reflect":  # F.pad's reflect copies from inside the axis
            assert max(before, after) < size
        if cfg.padding_mode == "circular":  # and circular wraps at most once
            assert max(before, after) <= size
    if cfg.padding == "valid":
        assert cfg.pad == (0, 0, 0, 0)
    elif cfg.padding != "same":
        (PH, PW) = cfg.padding
        assert cfg.pad == (PW, PW, PH, PH)
    assert cfg.weight_shape == (cfg.out_channels, cfg.in_channels // cfg.groups) + cfg.kernel_size
    # count windows with the oracle; an odd "same" pixel after the input lengthens it by one
    counts = tuple(
        ref.output_size(size + after - before, k, s, before, d)
        for size, k, s, d, (before, after) in zip(
            (cfg.H, cfg.W), cfg.kernel_size, cfg.stride, cfg.dilation, _sides(cfg)
        )
    )
    assert cfg.output_shape == (cfg.N, cfg.out_channels) + counts
    assert min(cfg.output_shape) >= 1
    assert cfg.kwargs == dict(
        stride=cfg.stride, padding=cfg.padding, dilation=cfg.dilation, groups=cfg.groups
    )


@given(conv2d_configs())
def test_conv2d_configs_are_valid_and_small(cfg: Conv2dConfig) -> None:
    _check_conv_config(cfg)
    assert cfg.N <= 2 and cfg.in_channels <= 4 and cfg.out_channels <= 4
    assert cfg.H <= 7 and cfg.W <= 7


@given(conv2d_configs())
def test_conv2d_configs_are_accepted_by_the_function_and_the_layer(cfg: Conv2dConfig) -> None:
    x, weight = mt.zeros(*cfg.input_shape), mt.zeros(*cfg.weight_shape)
    assert F.conv2d(x, weight, **cfg.kwargs).shape == cfg.output_shape
    layer = nn.Conv2d(**cfg.module_kwargs)
    assert (layer.padding_mode, layer.bias is not None) == (cfg.padding_mode, cfg.bias)
    assert layer(x).shape == cfg.output_shape


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
    st.sampled_from(PADDING_MODES),
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
    padding_mode: str,
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
            padding_mode=padding_mode,
        )
    )
    _check_conv_config(cfg)
    assert cfg.N == 1 and not cfg.bias and cfg.groups <= max_groups
    assert cfg.padding_mode == padding_mode
    assert max(cfg.in_channels, cfg.out_channels) <= max_channels
    assert max(cfg.H, cfg.W) <= max_side
    assert max(cfg.kernel_size) <= max_kernel and max(cfg.stride) <= max_stride
    assert max(cfg.dilation) <= max_dilation
    if not isinstance(cfg.padding, str):
        assert max(cfg.padding) <= max_padding
    if square:
        for pair in (cfg.kernel_size, cfg.stride, cfg.dilation, _sides(cfg)):
            assert pair[0] == pair[1]


def test_conv2d_configs_reach_every_feature() -> None:
    configs = conv2d_configs()
    assert find(configs, lambda c: c.groups > 1 and c.bias).groups == 2
    assert max(find(configs, lambda c: min(c.dilation) > 1 and c.pad[0] > 0).dilation) > 1
    # the output-size floor: some stride leaves a remainder
    cfg = find(
        configs,
        lambda c: (
            (c.H + 2 * c.pad[2] - c.dilation[0] * (c.kernel_size[0] - 1) - 1) % c.stride[0] != 0
        ),
    )
    assert cfg.stride[0] > 1
    # "same" with an odd total: the extra pixel goes on the right
    left, right, _, _ = find(configs, lambda c: c.padding == "same" and c.pad[1] > c.pad[0]).pad
    assert right == left + 1
    assert find(configs, lambda c: c.padding == "valid").pad == (0, 0, 0, 0)
    for mode in PADDING_MODES:
        assert find(configs, lambda c, mode=mode: c.padding_mode == mode).padding_mode == mode
    # the limits of the copying modes are reached, not just respected
    edge = find(configs, lambda c: c.padding_mode == "reflect" and c.pad[1] == c.W - 1 > 0)
    assert edge.pad[1] == edge.W - 1
    edge = find(configs, lambda c: c.padding_mode == "circular" and c.pad[1] == c.W > 0)
    assert edge.pad[1] == edge.W


def test_conv2d_configs_reject_impossible_bounds() -> None:
    with pytest.raises(ValueError, match=r"3.*2"):
        find(conv2d_configs(max_groups=3, max_channels=2), lambda _: True)
    with pytest.raises(ValueError, match="max_stride"):
        find(conv2d_configs(max_stride=0), lambda _: True)
    with pytest.raises(ValueError, match="'zero'"):
        find(conv2d_configs(padding_mode="zero"), lambda _: True)


POOLS = {None: (F.max_pool2d, F.avg_pool2d), "max": (F.max_pool2d,), "avg": (F.avg_pool2d,)}
LAYERS = {None: (nn.MaxPool2d, nn.AvgPool2d), "max": (nn.MaxPool2d,), "avg": (nn.AvgPool2d,)}


@given(
    st.integers(1, 9),
    st.integers(1, 5),
    st.integers(1, 4),
    st.integers(1, 3),
    st.booleans(),
    st.sampled_from([None, "max", "avg"]),
    st.data(),
)
def test_pool2d_configs_are_valid(
    max_side: int,
    max_kernel: int,
    max_stride: int,
    max_dilation: int,
    square: bool,
    kind: str | None,
    data: st.DataObject,
) -> None:
    cfg: Pool2dConfig = data.draw(
        pool2d_configs(
            max_side=max_side,
            max_kernel=max_kernel,
            max_stride=max_stride,
            square=square,
            kind=kind,
            max_dilation=max_dilation,
        )
    )
    assert cfg.kind == kind
    axes = zip((cfg.H, cfg.W), cfg.kernel_size, cfg.effective_stride, cfg.padding, cfg.dilation)
    for size, k, s, p, d in axes:
        assert 1 <= k <= max_kernel and 1 <= s and 0 <= p <= k // 2 and 1 <= size <= max_side
        assert 1 <= d <= (max_dilation if kind == "max" else 1)
        # a window must start in the input or its left padding: in floor mode it also fits
        assert d * (k - 1) + 1 <= size + 2 * p or cfg.ceil_mode
    if cfg.stride is None:
        assert cfg.effective_stride == cfg.kernel_size and "stride" not in cfg.kwargs
    else:
        assert max(cfg.stride) <= max_stride and cfg.kwargs["stride"] == cfg.stride
    if kind != "avg":
        assert cfg.count_include_pad and cfg.divisor_override is None
    expected = ref.pool2d_output_shape(
        cfg.input_shape,
        cfg.kernel_size,
        cfg.effective_stride,
        cfg.padding,
        cfg.dilation,
        cfg.ceil_mode,
    )
    assert cfg.output_shape == expected and min(expected) >= 1
    if square:
        assert cfg.kernel_size[0] == cfg.kernel_size[1] and cfg.padding[0] == cfg.padding[1]


@given(st.sampled_from([None, "max", "avg"]).flatmap(lambda kind: pool2d_configs(kind=kind)))
def test_pool2d_configs_are_accepted_by_the_functions_and_layers(cfg: Pool2dConfig) -> None:
    x = mt.zeros(*cfg.input_shape)
    for pool in POOLS[cfg.kind]:
        assert pool(x, **cfg.kwargs).shape == cfg.output_shape
    for layer in LAYERS[cfg.kind]:
        assert layer(**cfg.kwargs)(x).shape == cfg.output_shape
    options = {"max": {"dilation"}, "avg": {"count_include_pad", "divisor_override"}}
    shared = {"kernel_size", "stride", "padding", "ceil_mode"}
    assert set(cfg.kwargs) <= shared | options.get(cfg.kind, set())
    assert set(cfg.kwargs) >= (shared - {"stride"}) | options.get(cfg.kind, set())


def test_pool2d_configs_reach_every_feature() -> None:
    configs = pool2d_configs()
    assert find(configs, lambda c: c.stride is None).effective_stride is not None
    overlapping = find(configs, lambda c: c.stride is not None and c.stride[0] < c.kernel_size[0])
    assert overlapping.stride[0] < overlapping.kernel_size[0]
    assert max(find(configs, lambda c: max(c.padding) > 0).padding) > 0
    cfg = find(
        configs,
        lambda c: (c.H + 2 * c.padding[0] - c.kernel_size[0]) % c.effective_stride[0] != 0,
    )
    assert cfg.effective_stride[0] > 1  # the floor in the output size is exercised

    def floor_rows(c: Pool2dConfig) -> int:
        return ref.output_size(c.H, c.kernel_size[0], c.effective_stride[0], c.padding[0])

    # ceil mode adds a partial window; and a kernel larger than the padded input still
    # gives one when it starts inside the input
    assert find(configs, lambda c: c.ceil_mode and c.output_shape[2] > floor_rows(c)).ceil_mode
    big = find(configs, lambda c: c.kernel_size[0] > c.H + 2 * c.padding[0])
    assert big.ceil_mode and big.output_shape[2] == 1
    assert max(find(pool2d_configs(kind="max"), lambda c: c.dilation[0] > 1).dilation) > 1
    averages = pool2d_configs(kind="avg")
    assert find(averages, lambda c: c.divisor_override is not None).divisor_override >= 1
    assert not find(averages, lambda c: not c.count_include_pad).count_include_pad


def test_pool2d_configs_reject_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="'min'"):
        find(pool2d_configs(kind="min"), lambda _: True)
    with pytest.raises(ValueError, match="max_dilation"):
        find(pool2d_configs(kind="max", max_dilation=0), lambda _: True)
