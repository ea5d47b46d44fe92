"""conv2d and conv_output_size: against the loop oracles, finite differences and the chapter.

Read next: ``tests/test_pool.py``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
import reference as ref
from hypothesis import example, given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import nn
from minitorch_cnn.testing import Conv2dConfig, arrays, conv2d_configs, memory_layouts

TOLERANCE = {
    np.dtype(np.float32): dict(rtol=1e-4, atol=1e-4),
    np.dtype(np.float64): dict(rtol=1e-10, atol=1e-10),
}


def _mentions(*patterns: str) -> str:
    """A regex matching a message that contains every pattern, in any order."""
    return "(?s)" + "".join(f"(?=.*(?:{p}))" for p in patterns)


def _setting(value: Any, as_int: bool) -> Any:
    """The int form of a square (h, w) setting; anything else (groups, "same") unchanged."""
    if isinstance(value, tuple) and as_int and value[0] == value[1]:
        return value[0]
    return value


@st.composite
def _conv_case(draw: st.DrawFn, dtype: np.dtype | None = None, **bounds: int) -> tuple:
    """A config, its arrays (in drawn memory layouts), the F.conv2d keyword arguments (int
    forms of square settings when drawn so) and a random upstream gradient."""
    cfg: Conv2dConfig = draw(
        st.booleans().flatmap(
            lambda square: conv2d_configs(square=square, padding_mode="zeros", **bounds)
        )
    )
    dtype = dtype or draw(st.sampled_from([np.float32, np.float64]))
    x = draw(memory_layouts(draw(arrays(cfg.input_shape, dtype))))
    weight = draw(memory_layouts(draw(arrays(cfg.weight_shape, dtype))))
    bias = draw(arrays((cfg.out_channels,), dtype)) if cfg.bias else None
    as_int = draw(st.booleans())
    kwargs = {name: _setting(value, as_int) for name, value in cfg.kwargs.items()}
    grad_out = draw(arrays(cfg.output_shape, dtype))
    return cfg, x, weight, bias, kwargs, grad_out


def _reference_settings(cfg: Conv2dConfig) -> dict:
    """The oracle's settings for the input zero-padded by ``_zero_padded``."""
    return dict(stride=cfg.stride, padding=(0, 0), dilation=cfg.dilation, groups=cfg.groups)


def _zero_padded(x: np.ndarray, cfg: Conv2dConfig) -> np.ndarray:
    """x with the config's padding (possibly one more at the bottom/right) made of zeros."""
    left, right, top, bottom = cfg.pad
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))


def _unpadded(grad_x_pad: np.ndarray, cfg: Conv2dConfig) -> np.ndarray:
    """The gradient of x from that of the zero-padded x: padding with zeros is a copy into
    the middle of a larger array, whose adjoint reads the middle back."""
    left, _, top, _ = cfg.pad
    return grad_x_pad[:, :, top : top + cfg.H, left : left + cfg.W]


# ----- forward and backward against the loop oracle ---------------------------------------


@given(_conv_case())
def test_conv2d_forward_and_gradients_match_reference(case: tuple) -> None:
    cfg, x, weight, bias, kwargs, grad_out = case
    x_before = x.copy()
    x_t, w_t = mt.Tensor(x, requires_grad=True), mt.Tensor(weight, requires_grad=True)
    b_t = None if bias is None else mt.Tensor(bias, requires_grad=True)

    out = F.conv2d(x_t, w_t, b_t, **kwargs)
    assert out.shape == cfg.output_shape
    assert out.dtype == x.dtype
    tol = TOLERANCE[x.dtype]
    x_pad = _zero_padded(x, cfg)
    expected = ref.conv2d(x_pad, weight, bias, **_reference_settings(cfg))
    np.testing.assert_allclose(out.numpy(), expected, **tol)

    (out * mt.Tensor(grad_out)).sum().backward()
    grad_x_pad, grad_w, grad_b = ref.conv2d_backward(
        x_pad, weight, grad_out, **_reference_settings(cfg)
    )
    grad_x = _unpadded(grad_x_pad, cfg)
    assert x_t.grad.dtype == w_t.grad.dtype == x.dtype
    np.testing.assert_allclose(x_t.grad, grad_x, **tol)
    np.testing.assert_allclose(w_t.grad, grad_w, **tol)
    if bias is not None:
        assert b_t.grad.dtype == x.dtype
        np.testing.assert_allclose(b_t.grad, grad_b, **tol)
    np.testing.assert_array_equal(x, x_before)  # the input was only read


@given(_conv_case(dtype=np.float64, max_batch=1, max_channels=3, max_side=5))
def test_conv2d_gradcheck(case: tuple) -> None:
    cfg, x, weight, bias, kwargs, _ = case
    inputs = [
        mt.Tensor(x, requires_grad=True),
        mt.Tensor(weight, requires_grad=True),
        None if bias is None else mt.Tensor(bias, requires_grad=True),
    ]
    assert mt.gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), inputs)


@given(arrays((1, 2, 4, 3)), arrays((2, 2, 2, 2)), arrays((1, 2, 4, 2)))
def test_reference_conv2d_backward_is_the_adjoint_of_its_forward(
    x: np.ndarray, weight: np.ndarray, grad_out: np.ndarray
) -> None:
    """conv is bilinear, so <conv(x, w), g> = <x, grad_x> = <w, grad_w>: checks the oracle."""
    settings = dict(stride=(1, 1), padding=(1, 0), dilation=(2, 1), groups=1)
    out = ref.conv2d(x, weight, None, **settings)
    grad_x, grad_w, grad_b = ref.conv2d_backward(x, weight, grad_out, **settings)
    inner = (out * grad_out).sum()
    np.testing.assert_allclose((x * grad_x).sum(), inner, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose((weight * grad_w).sum(), inner, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad_b, grad_out.sum(axis=(0, 2, 3)), rtol=1e-10, atol=1e-10)


# ----- output size ------------------------------------------------------------------------


@given(
    st.integers(1, 40), st.integers(1, 9), st.integers(1, 6), st.integers(0, 5), st.integers(1, 4)
)
@example(size=8, kernel=3, stride=2, padding=0, dilation=1)  # (8 - 3) / 2 = 2.5 floors to 2
@example(size=2, kernel=5, stride=1, padding=1, dilation=1)  # kernel 5 > padded input 4
def test_conv_output_size_matches_counting_windows(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    count = ref.output_size(size, kernel, stride, padding, dilation)
    if count >= 1:
        assert F.conv_output_size(size, kernel, stride, padding, dilation) == count
    else:
        with pytest.raises(ValueError, match=_mentions(str(size), str(kernel))):
            F.conv_output_size(size, kernel, stride, padding, dilation)


def test_conv_output_size_chapter_patterns() -> None:
    assert F.conv_output_size(32, 3, stride=1, padding=1) == 32  # same padding
    assert F.conv_output_size(32, 3, stride=2, padding=1) == 16  # (32 + 2 - 3) / 2 = 15.5: 15 + 1
    assert F.conv_output_size(28, 3) == 26  # no padding: shrinks by K - 1
    assert F.conv_output_size(224, 16, stride=16) == 14
    assert F.conv_output_size(7, 3, dilation=3) == 1  # dilated extent 7 fits exactly


@given(
    conv2d_configs(
        max_batch=1,
        max_channels=2,
        max_side=12,
        max_kernel=5,
        max_stride=4,
        max_padding=3,
        max_dilation=3,
    )
)
def test_conv2d_output_shape_is_the_formula(cfg: Conv2dConfig) -> None:
    out = F.conv2d(mt.zeros(*cfg.input_shape), mt.zeros(*cfg.weight_shape), **cfg.kwargs)
    left, right, top, bottom = cfg.pad
    # an odd "same" pixel at the bottom/right counts as one more input pixel
    formula = tuple(
        F.conv_output_size(size + after - before, k, s, before, d)
        for size, k, s, d, (before, after) in zip(
            (cfg.H, cfg.W),
            cfg.kernel_size,
            cfg.stride,
            cfg.dilation,
            ((top, bottom), (left, right)),
        )
    )
    assert out.shape == cfg.output_shape == (cfg.N, cfg.out_channels) + formula
    padded_shape = (cfg.N, cfg.in_channels, cfg.H + top + bottom, cfg.W + left + right)
    assert out.shape == ref.conv2d_output_shape(
        padded_shape, cfg.weight_shape, cfg.stride, (0, 0), cfg.dilation
    )


# ----- translation equivariance -----------------------------------------------------------


@given(st.data())
def test_conv2d_is_translation_equivariant(data: st.DataObject) -> None:
    r"""Shifting the input by (a, b) shifts the output by (a, b), in the interior.

    One axis suffices (the other is the same argument; channels only add terms). Let
    ``y[r] = x[r - a]`` for ``a <= r < H`` and ``y[r] = 0`` for ``r < a`` (zero fill), and
    read every array outside ``[0, H)`` as 0 (that is what padding P means). Then
    ``y[r] = x[r - a]`` for *every* ``r < H``. With stride 1 and P pixels of padding
    before the input (top or left; "same" may put one more after it),
    ``conv(y)[i] = sum_u w[u] y[i - P + u D]``. If ``i >= a`` and the window's last tap
    ``i - P + (K-1) D < H``, every tap is ``< H``, so
    ``conv(y)[i] = sum_u w[u] x[(i - a) - P + u D] = conv(x)[i - a]``.
    Outside that region the shifted-out rows of x or the zero fill make the two differ.
    """
    cfg = data.draw(conv2d_configs(max_stride=1, padding_mode="zeros"))
    x = data.draw(arrays(cfg.input_shape))
    weight = data.draw(arrays(cfg.weight_shape))
    # interior rows i: a <= i and i - P + (K-1) D <= H - 1, i.e. i < i_end (likewise columns)
    (PW, _, PH, _), (DH, DW), (KH, KW) = cfg.pad, cfg.dilation, cfg.kernel_size
    i_end, j_end = cfg.H + PH - (KH - 1) * DH, cfg.W + PW - (KW - 1) * DW
    a = data.draw(st.integers(0, max(0, min(cfg.H, i_end) - 1)))  # non-empty interior if possible
    b = data.draw(st.integers(0, max(0, min(cfg.W, j_end) - 1)))
    y = np.zeros_like(x)
    y[:, :, a:, b:] = x[:, :, : cfg.H - a, : cfg.W - b]
    settings = dict(padding=cfg.padding, dilation=cfg.dilation, groups=cfg.groups)
    out_x = F.conv2d(mt.Tensor(x), mt.Tensor(weight), **settings).numpy()
    out_y = F.conv2d(mt.Tensor(y), mt.Tensor(weight), **settings).numpy()
    rows, cols = max(0, i_end - a), max(0, j_end - b)
    np.testing.assert_allclose(
        out_y[:, :, a : a + rows, b : b + cols], out_x[:, :, :rows, :cols], rtol=1e-10, atol=1e-10
    )


# ----- the chapter's worked examples ------------------------------------------------------


def test_chapter_5x5_example() -> None:
    x = np.array(
        [[1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7], [4, 5, 6, 7, 8], [5, 6, 7, 8, 9]],
        dtype=np.float32,
    )
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float32)
    # By hand: x[r, s] = r + s + 1 and the kernel's five taps sit at offsets (0,0), (0,2),
    # (1,1), (2,0), (2,2), so output[i, j] = (i+j+1) + (i+j+3) + (i+j+3) + (i+j+3) + (i+j+5)
    # = 5 (i + j) + 15; output[0, 0] = 1 + 3 + 3 + 3 + 5 = 15, as in the chapter.
    expected = np.array([[15, 20, 25], [20, 25, 30], [25, 30, 35]], dtype=np.float32)
    out = F.conv2d(mt.tensor(x[None, None]), mt.tensor(kernel[None, None]))
    assert out.shape == (1, 1, 3, 3)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy()[0, 0], expected)


def test_vit_patch_embedding() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 224, 224), dtype=np.float32)
    weight = rng.standard_normal((768, 3, 16, 16), dtype=np.float32)
    bias = rng.standard_normal(768, dtype=np.float32)
    x_t, w_t = mt.Tensor(x, requires_grad=True), mt.Tensor(weight, requires_grad=True)
    out = F.conv2d(x_t, w_t, mt.Tensor(bias), stride=16)
    assert out.shape == (1, 768, 14, 14)
    assert out.shape[2] * out.shape[3] == 196  # patches, each a 768-vector
    for f, i, j in [(0, 0, 0), (767, 13, 13), (300, 5, 9)]:
        patch = x[0, :, 16 * i : 16 * i + 16, 16 * j : 16 * j + 16]
        np.testing.assert_allclose(
            out.numpy()[0, f, i, j], (patch * weight[f]).sum() + bias[f], rtol=1e-4, atol=1e-3
        )
    out.sum().backward()
    # dL/dw[f] is the sum of all 196 patches (the same for every f); dL/dx is sum_f w[f] tiled
    patch_sum = x.reshape(3, 14, 16, 14, 16).sum(axis=(1, 3))
    np.testing.assert_allclose(w_t.grad[0], patch_sum, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(w_t.grad[767], patch_sum, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(
        x_t.grad[0, :, 16:32, 48:64], weight.sum(axis=0), rtol=1e-4, atol=1e-3
    )


def test_conv2d_parameter_counts() -> None:
    first = nn.Conv2d(3, 64, kernel_size=3, bias=False)
    assert sum(p.numpy().size for p in first.parameters()) == 3 * 3 * 3 * 64 == 1728
    second = nn.Conv2d(32, 64, kernel_size=3)
    assert second.weight.shape == (64, 32, 3, 3)
    assert sum(p.numpy().size for p in second.parameters()) == 32 * 64 * 9 + 64 == 18496
    out = F.conv2d(mt.zeros(1, 32, 5, 5), second.weight, second.bias)
    assert out.shape == (1, 64, 3, 3)


# ----- bad arguments ----------------------------------------------------------------------


def _x(*shape: int) -> mt.Tensor:
    return mt.zeros(*shape)


@pytest.mark.parametrize(
    "x, weight, kwargs, error, patterns",
    [
        # channel mismatch: weight expects 7 input channels, x has 5
        (_x(1, 5, 6, 6), _x(2, 7, 3, 3), {}, ValueError, ["5", "7"]),
        # groups must divide the input channels (6 by 4) ...
        (_x(1, 6, 6, 6), _x(4, 3, 3, 3), {"groups": 4}, ValueError, ["6", "4"]),
        # ... and the output channels (5 by 3)
        (_x(1, 6, 6, 6), _x(5, 2, 3, 3), {"groups": 3}, ValueError, ["5", "3"]),
        (_x(1, 6, 6, 6), _x(6, 6, 3, 3), {"groups": 0}, ValueError, ["groups", r"\b0\b"]),
        # input neither 4-D nor unbatched 3-D; a weight not 4-D
        (_x(6, 6), _x(2, 5, 3, 3), {}, ValueError, ["4", r"\(6, 6\)"]),
        (_x(1, 5, 6, 6), _x(2, 5, 3), {}, ValueError, ["4", r"\(2, 5, 3\)|\b3\b"]),
        # stride, dilation < 1; negative padding; an empty kernel
        (_x(1, 2, 6, 6), _x(3, 2, 3, 3), {"stride": 0}, ValueError, ["stride", "0"]),
        (_x(1, 2, 6, 6), _x(3, 2, 3, 3), {"stride": (1, -2)}, ValueError, ["stride", "-2"]),
        (_x(1, 2, 6, 6), _x(3, 2, 3, 3), {"dilation": 0}, ValueError, ["dilation", "0"]),
        (_x(1, 2, 6, 6), _x(3, 2, 3, 3), {"padding": -1}, ValueError, ["padding", "-1"]),
        (_x(1, 2, 6, 6), _x(3, 2, 0, 3), {}, ValueError, ["0"]),
        # kernel 7 larger than the padded input 4 + 2*1 = 6; dilated extent 2*(4-1)+1 = 7 too
        (_x(1, 2, 4, 4), _x(3, 2, 7, 7), {"padding": 1}, ValueError, ["7", r"\b6\b|\b4\b"]),
        (
            _x(1, 2, 4, 4),
            _x(3, 2, 4, 4),
            {"padding": 1, "dilation": 2},
            ValueError,
            ["7", r"\b6\b|\b4\b"],
        ),
        # setting of the wrong kind or length
        (_x(1, 2, 6, 6), _x(3, 2, 3, 3), {"stride": 1.5}, TypeError, ["stride", "float|1.5"]),
        (
            _x(1, 2, 6, 6),
            _x(3, 2, 3, 3),
            {"padding": (1, 1, 1)},
            ValueError,
            ["padding", r"\(1, 1, 1\)"],
        ),
    ],
)
def test_conv2d_rejects_bad_arguments(
    x: mt.Tensor, weight: mt.Tensor, kwargs: dict, error: type, patterns: list[str]
) -> None:
    with pytest.raises(error, match=_mentions(*patterns)):
        F.conv2d(x, weight, **kwargs)


def test_conv2d_rejects_bias_of_wrong_shape() -> None:
    with pytest.raises(ValueError, match=_mentions(r"\b3\b", r"\b5\b")):
        F.conv2d(_x(1, 2, 6, 6), _x(3, 2, 3, 3), bias=_x(5))


def test_conv2d_rejects_non_tensor_input() -> None:
    with pytest.raises(TypeError, match=re.escape("list")):
        F.conv2d([[[[1.0]]]], _x(1, 1, 1, 1))
