"""Tests of the stride-trick machinery in ``ops/windows.py``: views, values, and the adjoint.

The adjoint identity ``<windows(x), y> == <x, windows_adjoint(y)>`` is what makes every
backward built on windows correct; it is checked over hypothesis-drawn shapes, strides and
dilations, with float64 data so the two sums agree to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minitorch_cnn.ops.windows import (
    im2col,
    output_size,
    pad2d,
    tap_slices,
    windows,
    windows_adjoint,
)


@st.composite
def window_configs(draw: st.DrawFn) -> dict:
    """A valid (shape, kernel, stride, dilation), built so the dilated kernel always fits."""
    KH, KW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    DH, DW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    SH, SW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H = DH * (KH - 1) + 1 + draw(st.integers(0, 5))
    W = DW * (KW - 1) + 1 + draw(st.integers(0, 5))
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return dict(
        shape=(N, C, H, W),
        kernel=(KH, KW),
        stride=(SH, SW),
        dilation=(DH, DW),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def _loop_windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Every window by plain indexing: the oracle for the strided view."""
    N, C, H, W = x.shape
    (KH, KW), (SH, SW), (DH, DW) = kernel, stride, dilation
    OH, OW = (H - DH * (KH - 1) - 1) // SH + 1, (W - DW * (KW - 1) - 1) // SW + 1
    out = np.empty((N, C, OH, OW, KH, KW), dtype=x.dtype)
    for oh in range(OH):
        for ow in range(OW):
            for i in range(KH):
                for j in range(KW):
                    out[:, :, oh, ow, i, j] = x[:, :, oh * SH + i * DH, ow * SW + j * DW]
    return out


@given(window_configs())
def test_adjoint_identity(config: dict) -> None:
    rng = np.random.default_rng(config["seed"])
    x = rng.standard_normal(config["shape"])
    view = windows(x, config["kernel"], config["stride"], config["dilation"])
    y = rng.standard_normal(view.shape)
    back = windows_adjoint(y, x.shape, config["stride"], config["dilation"])
    assert back.shape == x.shape
    lhs, rhs = np.sum(view * y), np.sum(x * back)
    assert np.isclose(lhs, rhs, rtol=1e-10, atol=1e-10), (lhs, rhs)


@given(window_configs())
def test_adjoint_counts_how_often_each_pixel_is_read(config: dict) -> None:
    """The adjoint of all-ones is, per pixel, the number of windows containing it."""
    N, C, H, W = config["shape"]
    stride, dilation = config["stride"], config["dilation"]
    view = windows(np.zeros(config["shape"]), config["kernel"], stride, dilation)
    counts = windows_adjoint(np.ones(view.shape), config["shape"], stride, dilation)
    expected = np.zeros((H, W))
    (KH, KW), (SH, SW), (DH, DW) = config["kernel"], config["stride"], config["dilation"]
    for oh in range(view.shape[2]):
        for ow in range(view.shape[3]):
            for i in range(KH):
                for j in range(KW):
                    expected[oh * SH + i * DH, ow * SW + j * DW] += 1
    np.testing.assert_array_equal(counts, np.broadcast_to(expected, (N, C, H, W)))


@given(window_configs(), st.sampled_from(["contiguous", "channel-major", "reversed", "sliced"]))
def test_view_matches_loop_for_any_memory_layout(config: dict, layout: str) -> None:
    rng = np.random.default_rng(config["seed"])
    N, C, H, W = config["shape"]
    if layout == "channel-major":
        x = rng.standard_normal((C, N, H, W)).astype(np.float32).transpose(1, 0, 2, 3)
    elif layout == "reversed":
        x = rng.standard_normal((N, C, H, W)).astype(np.float32)[:, ::-1, ::-1, ::-1]
    elif layout == "sliced":
        x = rng.standard_normal((N, C, 2 * H, 3 * W)).astype(np.float32)[:, :, ::2, ::3]
    else:
        x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    view = windows(x, config["kernel"], config["stride"], config["dilation"])
    np.testing.assert_array_equal(
        view, _loop_windows(x, config["kernel"], config["stride"], config["dilation"])
    )
    assert view.dtype == np.float32
    assert np.shares_memory(view, x)
    assert not view.flags.writeable


def test_view_strides_are_the_input_strides_times_stride_and_dilation() -> None:
    x = np.zeros((2, 3, 9, 11), dtype=np.float32)
    sN, sC, sH, sW = x.strides
    view = windows(x, (2, 3), stride=(2, 3), dilation=(3, 2))
    assert view.shape == (2, 3, 3, 3, 2, 3)
    assert view.strides == (sN, sC, 2 * sH, 3 * sW, 3 * sH, 2 * sW)


def test_writing_through_the_view_is_refused() -> None:
    view = windows(np.zeros((1, 1, 4, 4), dtype=np.float32), (2, 2))
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0, 0, 0, 0, 0] = 1.0


def test_im2col_is_a_view_in_column_order() -> None:
    x = np.arange(2 * 3 * 5 * 6, dtype=np.float32).reshape(2, 3, 5, 6)
    columns = im2col(x, (2, 3), stride=(1, 2))
    assert columns.shape == (3, 2, 3, 2, 4, 2)  # (C, KH, KW, N, OH, OW)
    assert np.shares_memory(columns, x) and not columns.flags.writeable
    matrix = columns.reshape(3 * 2 * 3, 2 * 4 * 2)  # the copy, made by the caller
    # column (n, oh, ow) is the window of output pixel (n, oh, ow), flattened as (C, KH, KW)
    n, oh, ow = 1, 2, 1
    window = x[n, :, oh : oh + 2, 2 * ow : 2 * ow + 3]
    np.testing.assert_array_equal(matrix[:, (n * 4 + oh) * 2 + ow], window.ravel())


def test_tap_slices_select_the_same_values_as_the_view() -> None:
    x = np.random.default_rng(0).standard_normal((2, 2, 10, 9))
    kernel, stride, dilation = (3, 2), (2, 3), (2, 3)
    view = windows(x, kernel, stride, dilation)
    for i in range(3):
        for j in range(2):
            rows, cols = tap_slices((i, j), view.shape[2:4], stride, dilation)
            np.testing.assert_array_equal(x[:, :, rows, cols], view[..., i, j])


def test_adjoint_of_a_channel_major_array_is_channel_major() -> None:
    grad_columns = np.random.default_rng(1).standard_normal((3 * 2 * 2, 2 * 3 * 3))
    grad_windows = grad_columns.reshape(3, 2, 2, 2, 3, 3).transpose(3, 0, 4, 5, 1, 2)
    back = windows_adjoint(grad_windows, (2, 3, 4, 4))
    assert back.strides[1] > back.strides[0]  # an (N, C, H, W) view of a (C, N, H, W) buffer
    contiguous = windows_adjoint(np.ascontiguousarray(grad_windows), (2, 3, 4, 4))
    np.testing.assert_allclose(back, contiguous)


def test_adjoint_of_a_batch_innermost_array_is_batch_innermost() -> None:
    # The layout conv2d's backward uses: gradient columns ordered (C, KH, KW, OH, OW, N).
    grad_columns = np.random.default_rng(2).standard_normal((3 * 2 * 2, 3 * 3 * 2))
    grad_windows = grad_columns.reshape(3, 2, 2, 3, 3, 2).transpose(5, 0, 3, 4, 1, 2)
    back = windows_adjoint(grad_windows, (2, 3, 4, 4))
    sN, sC, sH, sW = back.strides
    assert sC > sH > sW > sN == 8  # an (N, C, H, W) view of a (C, H, W, N) float64 buffer
    contiguous = windows_adjoint(np.ascontiguousarray(grad_windows), (2, 3, 4, 4))
    np.testing.assert_allclose(back, contiguous)
    assert contiguous.flags.c_contiguous


def test_pad2d() -> None:
    x = np.ones((1, 2, 2, 3), dtype=np.float32)
    assert pad2d(x, (0, 0)) is x
    padded = pad2d(x, (1, 2), value=-np.inf)
    assert padded.shape == (1, 2, 4, 7) and padded.dtype == np.float32
    assert np.isneginf(padded).sum() == 2 * (4 * 7 - 2 * 3)
    np.testing.assert_array_equal(padded[:, :, 1:3, 2:5], x)


def test_padding_keeps_a_channel_major_layout() -> None:
    x = np.arange(3 * 2 * 4 * 5, dtype=np.float32).reshape(3, 2, 4, 5).transpose(1, 0, 2, 3)
    padded = pad2d(x, (1, 2))
    assert padded.strides[1] > padded.strides[0]  # C outside N, like x
    np.testing.assert_array_equal(padded[:, :, 1:5, 2:7], x)
    assert padded[:, :, 0].sum() == 0 and padded[:, :, :, :2].sum() == 0


@given(
    st.integers(0, 30), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3)
)
def test_output_size_counts_the_window_starts_that_fit(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    span = dilation * (kernel - 1) + 1
    fitting = [s for s in range(0, size + 2 * padding, stride) if s + span <= size + 2 * padding]
    if fitting:
        assert output_size(size, kernel, stride, padding, dilation) == len(fitting)
    else:
        assert output_size(size, kernel, stride, padding, dilation) < 1


def test_a_kernel_that_does_not_fit_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"3x3 kernel .* 2x5"):
        windows(np.zeros((1, 1, 2, 5)), (3, 3))
