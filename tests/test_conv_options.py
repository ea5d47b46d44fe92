"""PyTorch's convolution options: F.pad, padding="same"/"valid", padding_mode, flatten's dims.

The padding oracle below follows the definition of each mode (which input pixel a padded
pixel copies: mirror, clamp, wrap), independently of ``np.pad`` and of the code under test;
as a matrix P it gives both the padded image (P x) and the gradient (P^T g). The hand-made
numbers with negative widths are PyTorch's own outputs.

Read next: ``tests/test_pool.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import nn
from minitorch_cnn.testing import PADDING_MODES, Conv2dConfig, arrays, conv2d_configs, shapes

TOLERANCE = {
    np.dtype(np.float32): dict(rtol=1e-4, atol=1e-4),
    np.dtype(np.float64): dict(rtol=1e-10, atol=1e-10),
}
PAD_MODES = ("constant", "reflect", "replicate", "circular")
# nn.Conv2d's padding_mode -> F.pad's mode
PAD_MODE_OF = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}


def _mentions(*patterns: str) -> str:
    """A regex matching a message that contains every pattern, in any order."""
    return "(?s)" + "".join(f"(?=.*(?:{p}))" for p in patterns)


# ----- the padding oracle --------------------------------------------------------------------


def _sources(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each padded position along one axis, the input index it copies (-1: the constant)."""
    j = np.arange(-before, size + after)  # positions relative to the input's first entry
    if mode == "reflect":  # mirror at 0 and at size - 1, the edge itself not repeated
        j = np.abs(j)
        return np.where(j >= size, 2 * (size - 1) - j, j)
    if mode == "replicate":
        return np.clip(j, 0, size - 1)
    if mode == "circular":
        return j % size
    return np.where((j >= 0) & (j < size), j, -1)


def _padding_matrix(H: int, W: int, pad: tuple[int, int, int, int], mode: str) -> np.ndarray:
    """P, shape (Hp*Wp, H*W): padded plane = P @ plane, one 1 per row (none: the constant)."""
    left, right, top, bottom = pad
    rows, cols = _sources(H, top, bottom, mode), _sources(W, left, right, mode)
    source = np.where(
        (rows[:, None] >= 0) & (cols[None, :] >= 0), rows[:, None] * W + cols[None, :], -1
    )
    return (source.reshape(-1, 1) == np.arange(H * W)).astype(np.float64)


def _pad_reference(
    x: np.ndarray, pad: tuple[int, int, int, int], mode: str, value: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """(the padded x, P) for padding the last two axes of x with (left, right, top, bottom)."""
    *lead, H, W = x.shape
    P = _padding_matrix(H, W, pad, mode)
    left, right, top, bottom = pad
    planes = x.reshape(-1, H * W).astype(np.float64) @ P.T + value * (1 - P.sum(axis=1))
    return planes.reshape(*lead, H + top + bottom, W + left + right), P


def _pad_adjoint(grad: np.ndarray, P: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """P^T applied to each padded plane of ``grad``: the gradient of the unpadded input."""
    return (grad.reshape(-1, P.shape[0]).astype(np.float64) @ P).reshape(shape)


def test_the_oracle_knows_the_modes() -> None:
    """x = 0 1 2 3 4 padded by 2 on both sides, as drawn in ops/pad.py."""
    assert _sources(5, 2, 2, "reflect").tolist() == [2, 1, 0, 1, 2, 3, 4, 3, 2]
    assert _sources(5, 2, 2, "replicate").tolist() == [0, 0, 0, 1, 2, 3, 4, 4, 4]
    assert _sources(5, 2, 2, "circular").tolist() == [3, 4, 0, 1, 2, 3, 4, 0, 1]
    assert _sources(5, 2, 2, "constant").tolist() == [-1, -1, 0, 1, 2, 3, 4, -1, -1]


# ----- F.pad ---------------------------------------------------------------------------------


@st.composite
def _pad_case(draw: st.DrawFn, dtype: type | None = None, max_side: int = 4) -> tuple:
    """(x, pad tuple, mode, value, upstream gradient): widths within what the mode allows."""
    mode = draw(st.sampled_from(PAD_MODES))
    two_axes = draw(st.booleans())  # pad (left, right, top, bottom), else only (left, right)
    ndim = draw(st.sampled_from([3, 4] if two_axes else [2, 3]))
    shape = draw(shapes(ndim, ndim, 1, max_side))
    dtype = dtype or draw(st.sampled_from([np.float32, np.float64]))
    x = draw(arrays(shape, dtype))
    limit = {"reflect": lambda size: size - 1, "circular": lambda size: size}.get(
        mode, lambda size: 3
    )
    W, H = shape[-1], shape[-2] if two_axes else 1
    pad = tuple(draw(st.integers(0, limit(size))) for size in (W, W, H, H))
    if not two_axes:
        pad = pad[:2]
    value = draw(st.floats(-2, 2, width=32)) if mode == "constant" else None
    padded = shape[:-2] + (H + sum(pad[2:]),) if two_axes else shape[:-1]
    grad_out = draw(arrays(padded + (W + pad[0] + pad[1],), dtype))
    return x, pad, mode, value, grad_out


@given(_pad_case())
def test_pad_matches_the_definition_of_its_mode(case: tuple) -> None:
    x, pad, mode, value, grad_out = case
    full = pad + (0, 0) if len(pad) == 2 else pad
    plane = x if len(pad) == 4 else x[..., None, :]  # one padded axis: a plane of height 1
    expected, P = _pad_reference(plane, full, mode, value or 0.0)
    x_t = mt.Tensor(x, requires_grad=True)
    out = F.pad(x_t, pad, mode=mode, value=value)
    assert out.dtype == x.dtype
    np.testing.assert_allclose(out.numpy(), expected.reshape(out.shape), **TOLERANCE[x.dtype])
    (out * mt.Tensor(grad_out)).sum().backward()
    expected_grad = _pad_adjoint(grad_out, P, x.shape)
    assert x_t.grad.dtype == x.dtype
    np.testing.assert_allclose(x_t.grad.numpy(), expected_grad, **TOLERANCE[x.dtype])


@pytest.mark.parametrize("mode", PAD_MODES)
@given(data=st.data())
def test_pad_gradcheck(mode: str, data: st.DataObject) -> None:
    x = data.draw(arrays(shapes(4, 4, 1, 3), np.float64))
    H, W = x.shape[2:]
    limit = {"reflect": (H - 1, W - 1), "circular": (H, W)}.get(mode, (2, 2))
    left, right = (data.draw(st.integers(0, limit[1])) for _ in range(2))
    top, bottom = (data.draw(st.integers(0, limit[0])) for _ in range(2))
    pad = (left, right, top, bottom)
    assert mt.gradcheck(lambda t: F.pad(t, pad, mode=mode), [mt.Tensor(x, requires_grad=True)])


def test_pad_by_hand_on_a_3x4_image() -> None:
    x = mt.tensor(np.arange(12.0).reshape(1, 1, 3, 4))
    pad = (1, 2, 0, 1)  # one column left, two right, one row at the bottom
    expected = {
        "reflect": [[1, 0, 1, 2, 3, 2, 1], [5, 4, 5, 6, 7, 6, 5], [9, 8, 9, 10, 11, 10, 9]],
        "replicate": [[0, 0, 1, 2, 3, 3, 3], [4, 4, 5, 6, 7, 7, 7], [8, 8, 9, 10, 11, 11, 11]],
        "circular": [[3, 0, 1, 2, 3, 0, 1], [7, 4, 5, 6, 7, 4, 5], [11, 8, 9, 10, 11, 8, 9]],
        "constant": [[7, 0, 1, 2, 3, 7, 7], [7, 4, 5, 6, 7, 7, 7], [7, 8, 9, 10, 11, 7, 7]],
    }
    # the bottom row copies row 1 (reflect), row 2 (replicate), row 0 (circular) or is 7
    bottom = {"reflect": 1, "replicate": 2, "circular": 0}
    for mode, rows in expected.items():
        value = 7.0 if mode == "constant" else None
        last = [7] * 7 if mode == "constant" else rows[bottom[mode]]
        out = F.pad(x, pad, mode=mode, value=value).numpy()[0, 0]
        np.testing.assert_array_equal(out, rows + [last])


@pytest.mark.parametrize(
    "mode, counts",
    [
        ("reflect", [1, 2, 3, 2, 1]),  # 2 1 | 0 1 2 3 4 | 3 2
        ("replicate", [3, 1, 1, 1, 3]),  # 0 0 | 0 1 2 3 4 | 4 4
        ("circular", [2, 2, 1, 2, 2]),  # 3 4 | 0 1 2 3 4 | 0 1
        ("constant", [1, 1, 1, 1, 1]),
    ],
)
def test_pad_gradient_counts_the_copies(mode: str, counts: list[int]) -> None:
    x = mt.tensor(np.arange(5.0)[None], requires_grad=True)
    F.pad(x, (2, 2), mode=mode).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0], counts)


@pytest.mark.parametrize(
    "mode, pad, values, counts",
    [  # PyTorch's outputs for x = 0 1 2 3 4
        ("constant", (-1, 2), [1, 2, 3, 4, 0, 0], [0, 1, 1, 1, 1]),
        ("constant", (-3, -2), [], [0, 0, 0, 0, 0]),
        ("replicate", (1, -3), [0, 0, 1], [2, 1, 0, 0, 0]),
        ("reflect", (-1, 4), [1, 2, 3, 4, 3, 2, 1, 0], [1, 2, 2, 2, 1]),
        # reflect pads the whole axis, then crops: the mirror reaches the cropped 4
        ("reflect", (4, -1), [4, 3, 2, 1, 0, 1, 2, 3], [1, 2, 2, 2, 1]),
        # circular crops first, then wraps what is left
        ("circular", (-2, 3), [2, 3, 4, 2, 3, 4], [0, 0, 2, 2, 2]),
        ("circular", (3, -2), [0, 1, 2, 0, 1, 2], [2, 2, 2, 0, 0]),
    ],
)
def test_pad_negative_widths_crop_as_in_pytorch(
    mode: str, pad: tuple, values: list, counts: list
) -> None:
    x = mt.tensor(np.arange(5.0)[None], requires_grad=True)
    out = F.pad(x, pad, mode=mode)
    np.testing.assert_array_equal(out.numpy().reshape(-1), values)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0], counts)


def test_pad_accepts_what_pytorch_accepts() -> None:
    x = mt.zeros(1, 1, 3, 4)
    assert F.pad(x, [1, 1]).shape == (1, 1, 3, 6)  # a list, and one axis of a 4-D input
    assert F.pad(x, ()).shape == x.shape
    assert F.pad(x, (1, 1, 1, 1, 1, 1)).shape == (1, 3, 5, 6)  # constant pads any axis
    assert F.pad(x, (4, 4, 3, 3), mode="circular").shape == (1, 1, 9, 12)  # wraps once
    assert F.pad(x, (1, 1, 0, 0), mode="reflect", value=0.0).shape == (1, 1, 3, 6)  # 0: none
    assert F.pad(mt.zeros(0, 1, 3, 3), (1, 1, 1, 1), mode="reflect").shape == (0, 1, 5, 5)
    assert F.pad(mt.zeros(1, 0, 3, 3), (1, 1, 1, 1), mode="circular").shape == (1, 0, 5, 5)
    ints = F.pad(mt.tensor(np.arange(3)), (1, 1), value=2.5).numpy()
    assert ints.dtype == np.int64 and ints.tolist() == [2, 0, 1, 2, 2]  # cast like PyTorch
    assert F.pad(mt.zeros(5), (-3, -2)).shape == (0,)
    # reflect and replicate only need one padded axis to keep an entry (PyTorch's check)
    assert F.pad(x, (0, 0, -3, 0), mode="replicate").shape == (1, 1, 0, 4)
    assert F.pad(mt.zeros(1, 2), (3, -4), mode="replicate").numpy().tolist() == [[0.0]]


@pytest.mark.parametrize(
    "shape, pad, kwargs, error, patterns",
    [
        ((1, 1, 3, 4), (1, 1, 1), {}, ValueError, ["even", r"\(1, 1, 1\)"]),
        ((2, 3, 4), (1,) * 8, {}, ValueError, ["8", "3"]),
        ((2, 3, 4), 1, {}, TypeError, ["tuple", "int"]),
        ((2, 3, 4), (1.0, 1), {}, TypeError, ["tuple of ints", "1.0"]),
        ((2, 3, 4), (True, 1), {}, TypeError, ["tuple of ints", "True"]),
        ((2, 3, 4), (1, 1), {"mode": "zeros"}, ValueError, ["mode", "'zeros'"]),
        ((2, 3, 4), (1, 1), {"mode": None}, TypeError, ["mode", "None"]),
        ((2, 3, 4), (1, 1), {"value": "a"}, TypeError, ["value", "'a'"]),
        ((2, 3, 4), (1, 1), {"mode": "reflect", "value": 2.0}, ValueError, ["reflect", "2.0"]),
        # non-constant modes: pad length 2 for 2-3-D, 4 for 3-4-D, 6 for 4-5-D inputs
        ((1, 1, 3, 4), (1, 1), {"mode": "reflect"}, ValueError, ["length 2", "4-D"]),
        ((3, 4), (1, 1, 1, 1), {"mode": "replicate"}, ValueError, ["length 4", "2-D"]),
        ((2, 3, 4), (1,) * 6, {"mode": "circular"}, ValueError, ["length 6", "3-D"]),
        ((5,), (1, 1), {"mode": "reflect"}, ValueError, ["length 2", "1-D"]),
        # reflect: less than the axis; circular: at most the axis, after cropping
        ((1, 1, 3, 4), (0, 0, 3, 0), {"mode": "reflect"}, ValueError, [r"\(3, 0\)", "size 3"]),
        ((1, 3, 4), (4, 0), {"mode": "reflect"}, ValueError, [r"\(4, 0\)", "size 4"]),
        ((1, 5), (6, -1), {"mode": "circular"}, ValueError, ["wrap", r"\(6, -1\)"]),
        ((1, 5), (-3, -3), {"mode": "circular"}, ValueError, [r"\(-3, -3\)"]),
        # every axis but the batch axis non-empty (reflect, replicate)
        ((1, 0, 3, 3), (1, 1, 1, 1), {"mode": "reflect"}, ValueError, [r"\(1, 0, 3, 3\)"]),
        ((0, 3, 3), (1, 1, 1, 1), {"mode": "replicate"}, ValueError, [r"\(0, 3, 3\)"]),
        # constant and circular crop first: no more than the axis, even if padding follows
        ((1, 5), (-3, -3), {}, ValueError, [r"\(-3, -3\)", "more than the whole axis"]),
        ((1, 3), (3, -4), {}, ValueError, [r"\(3, -4\)", "more than the whole axis"]),
        # reflect and replicate: no negative size, and some padded axis keeps an entry
        ((1, 1, 3, 4), (0, 0, -3, -1), {"mode": "reflect"}, ValueError, ["-1 entries"]),
        ((1, 5), (-5, 0), {"mode": "reflect"}, ValueError, [r"\(-5, 0\)", "no entry"]),
        ((1, 5), (-4, -1), {"mode": "replicate"}, ValueError, [r"\(-4, -1\)", "no entry"]),
        ((1, 1, 3, 4), (-4, 0, -3, 0), {"mode": "replicate"}, ValueError, ["no entry"]),
    ],
)
def test_pad_rejects_what_pytorch_rejects(
    shape: tuple, pad: tuple, kwargs: dict, error: type, patterns: list[str]
) -> None:
    with pytest.raises(error, match=_mentions(*patterns)):
        F.pad(mt.zeros(*shape), pad, **kwargs)


# ----- conv2d's padding strings --------------------------------------------------------------


def test_same_padding_puts_the_odd_pixel_at_the_bottom_right() -> None:
    x = mt.tensor(np.arange(1.0, 10.0, dtype=np.float32).reshape(1, 1, 3, 3))
    out = F.conv2d(x, mt.ones(1, 1, 2, 2), padding="same")
    # each output sums the 2x2 block starting at its pixel; outside the image is 0
    expected = [[1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 3 + 6], [4 + 5 + 7 + 8, 5 + 6 + 8 + 9, 6 + 9]]
    np.testing.assert_array_equal(out.numpy()[0, 0], expected + [[7 + 8, 8 + 9, 9]])
    # "valid" is no padding; a kernel larger than the image still keeps its size with "same"
    assert F.conv2d(x, mt.ones(1, 1, 2, 2), padding="valid").shape == (1, 1, 2, 2)
    assert F.conv2d(mt.zeros(1, 2, 1, 1), mt.zeros(3, 2, 4, 4), padding="same").shape == (
        1,
        3,
        1,
        1,
    )


@given(st.data(), st.sampled_from([np.float32, np.float64]))
def test_same_padding_keeps_the_size_with_any_kernel(data: st.DataObject, dtype: type) -> None:
    """Even kernels and dilations included: D*(K - 1) pixels in all, the odd one after."""
    H, W, KH, KW = (data.draw(st.integers(1, 5)) for _ in range(4))
    DH, DW = (data.draw(st.integers(1, 3)) for _ in range(2))
    x = data.draw(arrays((2, 3, H, W), dtype))
    weight = data.draw(arrays((2, 3, KH, KW), dtype))
    grad_out = data.draw(arrays((2, 2, H, W), dtype))
    (half_h, odd_h), (half_w, odd_w) = (divmod(d * (k - 1), 2) for d, k in ((DH, KH), (DW, KW)))
    top, bottom, left, right = half_h, half_h + odd_h, half_w, half_w + odd_w  # odd: after
    x_pad = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    settings = dict(stride=(1, 1), padding=(0, 0), dilation=(DH, DW), groups=1)
    x_t = mt.Tensor(x, requires_grad=True)
    out = F.conv2d(x_t, mt.Tensor(weight), padding="same", dilation=(DH, DW))
    assert out.shape == (2, 2, H, W)
    tol = TOLERANCE[x.dtype]
    np.testing.assert_allclose(out.numpy(), ref.conv2d(x_pad, weight, None, **settings), **tol)
    (out * mt.Tensor(grad_out)).sum().backward()
    grad_x_pad = ref.conv2d_backward(x_pad, weight, grad_out, **settings)[0]
    np.testing.assert_allclose(
        x_t.grad.numpy(), grad_x_pad[:, :, top : top + H, left : left + W], **tol
    )


def test_unbatched_input_is_a_batch_of_one() -> None:
    rng = np.random.default_rng(0)
    x, weight = rng.standard_normal((2, 5, 6)), rng.standard_normal((3, 2, 2, 3))
    x_t = mt.tensor(x, requires_grad=True)
    out = F.conv2d(x_t, mt.tensor(weight), padding="same", dilation=2)
    batched = F.conv2d(mt.tensor(x[None]), mt.tensor(weight), padding="same", dilation=2)
    assert out.shape == (3, 5, 6)
    np.testing.assert_array_equal(out.numpy(), batched.numpy()[0])
    assert mt.gradcheck(
        lambda t: F.conv2d(t, mt.tensor(weight), padding="same"), [mt.tensor(x, requires_grad=True)]
    )


@pytest.mark.parametrize(
    "kwargs, patterns",
    [
        ({"padding": "foo"}, ["'same' or 'valid'", "'foo'"]),
        ({"padding": "SAME"}, ["'same' or 'valid'", "'SAME'"]),
        ({"padding": "same", "stride": 2}, ["strided", r"\(2, 2\)"]),
        ({"padding": "same", "stride": (1, 2)}, ["strided", r"\(1, 2\)"]),
    ],
)
def test_padding_strings_rejected_as_in_pytorch(kwargs: dict, patterns: list[str]) -> None:
    with pytest.raises(ValueError, match=_mentions(*patterns)):
        F.conv2d(mt.zeros(1, 2, 5, 5), mt.zeros(3, 2, 3, 3), **kwargs)
    with pytest.raises(ValueError, match=_mentions(*patterns)):
        nn.Conv2d(2, 3, 3, **kwargs)


# ----- nn.Conv2d's padding modes -------------------------------------------------------------


@st.composite
def _layer_case(draw: st.DrawFn, dtype: type | None = None, **bounds: object) -> tuple:
    """A config, a layer built from it (in the drawn dtype), an input and an upstream grad."""
    cfg: Conv2dConfig = draw(
        st.booleans().flatmap(lambda square: conv2d_configs(square=square, **bounds))
    )
    dtype = dtype or draw(st.sampled_from([np.float32, np.float64]))
    layer = nn.Conv2d(
        **cfg.module_kwargs, dtype=dtype, generator=np.random.default_rng(draw(st.integers(0, 9)))
    )
    x = draw(arrays(cfg.input_shape, dtype))
    return cfg, layer, x, draw(arrays(cfg.output_shape, dtype))


@given(_layer_case())
def test_conv2d_layer_matches_padding_then_the_reference(case: tuple) -> None:
    cfg, layer, x, grad_out = case
    weight = layer.weight.numpy()
    bias = None if layer.bias is None else layer.bias.numpy()
    x_pad, P = _pad_reference(x, cfg.pad, PAD_MODE_OF[cfg.padding_mode])
    settings = dict(stride=cfg.stride, padding=(0, 0), dilation=cfg.dilation, groups=cfg.groups)
    x_t = mt.Tensor(x, requires_grad=True)
    out = layer(x_t)
    tol = TOLERANCE[x.dtype]
    assert out.shape == cfg.output_shape and out.dtype == x.dtype
    np.testing.assert_allclose(out.numpy(), ref.conv2d(x_pad, weight, bias, **settings), **tol)
    (out * mt.Tensor(grad_out)).sum().backward()
    grad_x_pad, grad_w, grad_b = ref.conv2d_backward(x_pad, weight, grad_out, **settings)
    assert x_t.grad.dtype == layer.weight.grad.dtype == x.dtype
    np.testing.assert_allclose(x_t.grad.numpy(), _pad_adjoint(grad_x_pad, P, x.shape), **tol)
    np.testing.assert_allclose(layer.weight.grad.numpy(), grad_w, **tol)
    if bias is not None:
        np.testing.assert_allclose(layer.bias.grad.numpy(), grad_b, **tol)


@pytest.mark.parametrize("padding_mode", PADDING_MODES)
@given(data=st.data())
def test_conv2d_layer_gradcheck(padding_mode: str, data: st.DataObject) -> None:
    bounds = dict(max_batch=1, max_channels=2, max_side=4, padding_mode=padding_mode)
    cfg, layer, x, _ = data.draw(_layer_case(np.float64, **bounds))

    assert mt.gradcheck(layer, [mt.Tensor(x, requires_grad=True)])  # the layer, through x

    def forward(x: mt.Tensor, weight: mt.Tensor, bias: mt.Tensor | None) -> mt.Tensor:
        """The layer's computation (pad in the mode, then convolve unpadded) on gradcheck's
        float64 copies of the weight and bias, which a layer cannot hold as parameters."""
        x_pad = F.pad(x, cfg.pad, mode=PAD_MODE_OF[padding_mode])
        return F.conv2d(x_pad, weight, bias, cfg.stride, 0, cfg.dilation, cfg.groups)

    bias = None if layer.bias is None else mt.Tensor(layer.bias.numpy(), requires_grad=True)
    weight = mt.Tensor(layer.weight.numpy(), requires_grad=True)
    assert mt.gradcheck(forward, [mt.Tensor(x, requires_grad=True), weight, bias])


def test_same_padding_with_a_copying_mode_splits_as_pytorch() -> None:
    layer = nn.Conv2d(1, 1, (2, 4), padding="same", dilation=(1, 3), padding_mode="reflect")
    # width: D*(K - 1) = 9 -> 4 left, 5 right; height: 1 -> 0 top, 1 bottom (F.pad's order)
    assert layer._reversed_padding_repeated_twice == [4, 5, 0, 1]
    assert layer(mt.zeros(1, 1, 2, 6)).shape == (1, 1, 2, 6)
    with pytest.raises(ValueError, match=_mentions("reflect", r"\(4, 5\)", "size 5")):
        layer(mt.zeros(1, 1, 2, 5))  # reflecting 5 pixels needs a width above 5


@pytest.mark.parametrize(
    "padding_mode, padding, size, patterns",
    [
        ("reflect", 2, 2, ["reflect", r"\(2, 2\)", "size 2"]),
        ("circular", 3, 2, ["wrap", r"\(3, 3\)"]),
    ],
)
def test_conv2d_layer_padding_must_fit_its_mode(
    padding_mode: str, padding: int, size: int, patterns: list[str]
) -> None:
    layer = nn.Conv2d(2, 3, 3, padding=padding, padding_mode=padding_mode)
    with pytest.raises(ValueError, match=_mentions(*patterns)):
        layer(mt.zeros(1, 2, size, 5))
    fits = nn.Conv2d(2, 3, 3, padding=padding - 1, padding_mode=padding_mode)
    assert fits(mt.zeros(1, 2, size, 5)).shape[1] == 3


@pytest.mark.parametrize(
    "kwargs, error, patterns",
    [
        ({"padding_mode": "zero"}, ValueError, ["padding_mode", "'zero'"]),
        ({"padding_mode": None}, ValueError, ["padding_mode", "None"]),
        ({"dtype": mt.int64}, TypeError, ["floating point", "int64"]),
        ({"device": "cuda"}, RuntimeError, ["'cuda'", "CPU"]),
    ],
)
def test_conv2d_layer_rejects_what_pytorch_rejects(
    kwargs: dict, error: type, patterns: list[str]
) -> None:
    with pytest.raises(error, match=_mentions(*patterns)):
        nn.Conv2d(2, 3, 3, **kwargs)


def test_conv2d_layer_dtype_and_device() -> None:
    layer = nn.Conv2d(2, 3, 3, device="cpu", dtype=mt.float64)
    assert layer.weight.dtype == layer.bias.dtype == np.float64
    assert layer(mt.zeros(1, 2, 4, 4, dtype=mt.float64)).dtype == np.float64
    assert nn.Conv2d(2, 3, 3, device=mt.device("cpu"), dtype=None).weight.dtype == np.float32
    k = 1 / np.sqrt(2 * 9)  # the same initial range in float64
    assert np.abs(layer.weight.numpy()).max() <= k


@pytest.mark.parametrize(
    "layer, text",
    [  # PyTorch's reprs, settings shown only when not default
        (
            nn.Conv2d(2, 3, 3, padding="same", padding_mode="reflect", bias=False),
            "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False, "
            "padding_mode=reflect)",
        ),
        (
            nn.Conv2d(2, 3, 3, padding="valid"),
            "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=valid)",
        ),
        (
            nn.Conv2d(2, 3, 3, padding=(0, 0), dilation=1, groups=1, padding_mode="zeros"),
            "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1))",
        ),
        (
            nn.Conv2d(
                2,
                4,
                (3, 2),
                stride=(2, 1),
                padding=(1, 0),
                dilation=2,
                groups=2,
                padding_mode="circular",
            ),
            "Conv2d(2, 4, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 2), "
            "groups=2, padding_mode=circular)",
        ),
        (nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"),
        (nn.Flatten(0, 2), "Flatten(start_dim=0, end_dim=2)"),
    ],
)
def test_reprs_are_pytorchs(layer: nn.Module, text: str) -> None:
    assert repr(layer) == text


# ----- flatten -------------------------------------------------------------------------------


@given(shapes(0, 4, 0, 3), st.data())
def test_flatten_merges_the_dims_between(shape: tuple, data: st.DataObject) -> None:
    ndim = max(len(shape), 1)  # a 0-d tensor counts as 1-D
    start = data.draw(st.integers(-ndim, ndim - 1))
    end = data.draw(st.integers(start % ndim, ndim - 1)) - data.draw(st.sampled_from([0, ndim]))
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    full = shape or (1,)
    s, e = start % ndim, end % ndim
    expected = full[:s] + (int(np.prod(full[s : e + 1])),) + full[e + 1 :]
    t = mt.tensor(x, requires_grad=True)
    for out in (F.flatten(t, start, end), t.flatten(start, end), mt.flatten(t, start, end)):
        assert out.shape == expected
        np.testing.assert_array_equal(out.numpy().reshape(-1), x.reshape(-1))
    assert F.flatten(t).shape == t.flatten().shape == (x.size,)  # the defaults: every dim
    if x.size:
        assert mt.gradcheck(lambda t: F.flatten(t, start, end), [t])


def test_flatten_layer_keeps_the_batch() -> None:
    x = mt.zeros(32, 1, 5, 5)
    assert nn.Flatten()(x).shape == (32, 25)
    assert nn.Flatten(0, 2)(x).shape == (160, 5)
    assert nn.Flatten(-2)(x).shape == (32, 1, 25)


@pytest.mark.parametrize(
    "args, error, patterns",
    [
        ((2, 1), ValueError, ["start_dim 2", "end_dim 1"]),
        ((-1, -2), ValueError, ["start_dim -1", "end_dim -2"]),
        ((4,), ValueError, ["start_dim 4", "4-D"]),
        ((0, -5), ValueError, ["end_dim -5", "4-D"]),
        ((1.0,), TypeError, ["start_dim", "1.0"]),
        ((0, True), TypeError, ["end_dim", "True"]),
    ],
)
def test_flatten_rejects_what_pytorch_rejects(
    args: tuple, error: type, patterns: list[str]
) -> None:
    x = mt.zeros(2, 3, 4, 5)
    for flatten in (F.flatten, mt.flatten, lambda t, *a: t.flatten(*a)):
        with pytest.raises(error, match=_mentions(*patterns)):
            flatten(x, *args)
