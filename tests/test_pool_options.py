"""Pooling's PyTorch options beyond the basics: adaptive pooling, max_unpool2d, unbatched
input, hand-derived numbers for ceil_mode and the divisors, every rejected combination, and
the layers' reprs. (Drawn dilation/ceil_mode/count_include_pad/divisor_override configs are
checked against the loop oracles in ``tests/test_pool.py``.)

Every expected value here was also checked against PyTorch 2 CPU by hand; the tests do not
import it.

Read next: ``tests/test_testing.py``.
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
from minitorch_cnn.testing import arrays, distinct_arrays, memory_layouts

TOLERANCE = {
    np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6),
    np.dtype(np.float64): dict(rtol=1e-12, atol=1e-12),
}
NAN, INF = np.nan, np.inf


def _image(rows: list[list[float]], dtype: type = np.float32) -> mt.Tensor:
    return mt.tensor(np.array(rows, dtype=dtype)[None, None], requires_grad=True)


# ----- adaptive pooling against the loop oracles ----------------------------------------------


@st.composite
def _adaptive_case(draw: st.DrawFn, elements: object = None, max_side: int = 8) -> tuple:
    """An input (drawn layout and dtype), an output size in one of PyTorch's spellings (int,
    pair, pair with None), the (OH, OW) it means, and an upstream gradient."""
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    H, W = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    shape = (N, C, H, W)
    x = draw(memory_layouts(draw(elements(shape, dtype) if elements else arrays(shape, dtype))))
    OH, OW = draw(st.integers(0, max_side + 2)), draw(st.integers(0, max_side + 2))
    spelling = draw(st.sampled_from(["pair", "int", "none-h", "none-w"]))
    if spelling == "int":
        output_size, OW = OH, OH
    elif spelling == "none-h":
        output_size, OH = (None, OW), H
    elif spelling == "none-w":
        output_size, OW = [OH, None], W
    else:
        output_size = (OH, OW)
    grad_out = draw(arrays((N, C, OH, OW), dtype))
    return x, output_size, (OH, OW), grad_out


@given(_adaptive_case())
def test_adaptive_avg_pool2d_matches_reference(case: tuple) -> None:
    x, output_size, size, grad_out = case
    leaf = mt.Tensor(x, requires_grad=True)
    out = F.adaptive_avg_pool2d(leaf, output_size)
    assert out.shape == x.shape[:2] + size and out.dtype == x.dtype
    np.testing.assert_allclose(out.numpy(), ref.adaptive_avg_pool2d(x, size), **TOLERANCE[x.dtype])
    (out * mt.Tensor(grad_out)).sum().backward()
    expected = ref.adaptive_avg_pool2d_backward(x.shape, grad_out, size)
    assert leaf.grad.dtype == x.dtype
    np.testing.assert_allclose(leaf.grad, expected, **TOLERANCE[x.dtype])


@st.composite
def _ties_nans_infs(draw: st.DrawFn, shape: tuple, dtype: type) -> np.ndarray:
    """Integer values (ties are common), with NaNs and -infs at drawn places."""
    x = np.round(draw(arrays(shape, dtype)))
    size = int(np.prod(shape))
    kinds = np.array(draw(st.lists(st.sampled_from([0, 0, 0, 1, 2]), min_size=size, max_size=size)))
    kinds = kinds.reshape(shape)  # 0: the value, 1: NaN, 2: -inf
    return np.where(kinds == 1, NAN, np.where(kinds == 2, -INF, x)).astype(dtype)


@pytest.mark.parametrize("elements", [None, _ties_nans_infs], ids=["finite", "ties-nan-inf"])
@given(data=st.data())
def test_adaptive_max_pool2d_matches_reference(elements: object, data: st.DataObject) -> None:
    """Values, winners' indices and gradients, with PyTorch's rules: first maximum on ties,
    the last NaN wins, a window of -inf keeps its first pixel."""
    x, output_size, size, grad_out = data.draw(_adaptive_case(elements))
    leaf = mt.Tensor(x, requires_grad=True)
    out, indices = F.adaptive_max_pool2d(leaf, output_size, return_indices=True)
    expected, expected_indices = ref.adaptive_max_pool2d(x, size)
    assert out.shape == x.shape[:2] + size and out.dtype == x.dtype
    np.testing.assert_array_equal(out.numpy(), expected)  # a selection: exact
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.numpy(), expected_indices)
    out.backward(grad_out)
    expected_grad = ref.adaptive_max_pool2d_backward(x, grad_out, size)
    np.testing.assert_allclose(leaf.grad, expected_grad, **TOLERANCE[x.dtype])


@given(_adaptive_case(max_side=5))
def test_adaptive_avg_pool2d_gradcheck(case: tuple) -> None:
    x, output_size, _, _ = case
    leaf = mt.Tensor(x.astype(np.float64), requires_grad=True)
    assert mt.gradcheck(lambda t: F.adaptive_avg_pool2d(t, output_size), [leaf])


@given(_adaptive_case(elements=distinct_arrays, max_side=5))
def test_adaptive_max_pool2d_gradcheck(case: tuple) -> None:
    x, output_size, _, _ = case
    leaf = mt.Tensor(x.astype(np.float64), requires_grad=True)
    assert mt.gradcheck(lambda t: F.adaptive_max_pool2d(t, output_size), [leaf])


def test_adaptive_windows_by_hand() -> None:
    """5 columns to 3: windows [0, 2), [1, 4), [3, 5) (floor(o*5/3) to ceil((o+1)*5/3));
    2 columns to 3 (growing): [0, 1), [0, 2), [1, 2)."""
    x = _image([[1, 5, 2, 0, 4]])
    np.testing.assert_allclose(
        F.adaptive_avg_pool2d(x, (1, 3)).numpy()[0, 0], [[3.0, 7.0 / 3.0, 2.0]], rtol=1e-6
    )
    out, indices = F.adaptive_max_pool2d(x, (1, 3), return_indices=True)
    np.testing.assert_array_equal(out.numpy()[0, 0], [[5, 5, 4]])
    np.testing.assert_array_equal(indices.numpy()[0, 0], [[1, 1, 4]])
    out.sum().backward()  # the 5 wins two overlapping windows: it collects both gradients
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 2, 0, 0, 1]])
    grow = _image([[0, 1], [2, 3]])
    np.testing.assert_array_equal(
        F.adaptive_avg_pool2d(grow, 3).numpy()[0, 0],
        [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]],
    )
    np.testing.assert_array_equal(F.adaptive_max_pool2d(grow, (3, 3)).numpy()[0, 0][1], [2, 3, 3])
    empty = F.adaptive_avg_pool2d(grow, (0, 2))
    assert empty.shape == (1, 1, 0, 2)


@pytest.mark.parametrize(
    "rows, value, index",
    [
        ([[1, NAN, 3], [NAN, 2, 1], [5, 5, 0]], NAN, 3),  # the last NaN
        ([[1, 5, 0], [5, 1, 0]], 5, 1),  # the first of two maxima
        ([[-INF, -INF], [-INF, -INF]], -INF, 0),  # nothing beats -inf: the first pixel
    ],
)
def test_adaptive_max_pool2d_winner_rules(rows: list, value: float, index: int) -> None:
    out, indices = F.adaptive_max_pool2d(_image(rows), 1, return_indices=True)
    np.testing.assert_array_equal(out.numpy().ravel(), [value])
    assert indices.item() == index


# ----- max_unpool2d ---------------------------------------------------------------------------


@st.composite
def _unpool_case(draw: st.DrawFn) -> tuple:
    """Distinct values max-pooled with stride >= kernel (each index at most once), an output
    size within PyTorch's range -- the input's own (H, W) is always in it -- and an upstream
    gradient."""
    KH, KW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    SH, SW = draw(st.integers(KH, 4)), draw(st.integers(KW, 4))
    PH, PW = draw(st.integers(0, KH // 2)), draw(st.integers(0, KW // 2))
    H = draw(st.integers(max(1, KH - 2 * PH), 8))
    W = draw(st.integers(max(1, KW - 2 * PW), 8))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = draw(distinct_arrays((draw(st.integers(1, 2)), draw(st.integers(1, 2)), H, W), dtype))
    kwargs = dict(kernel_size=(KH, KW), stride=(SH, SW), padding=(PH, PW))
    pooled, indices = F.max_pool2d(x, **kwargs, return_indices=True)
    OH, OW = pooled.shape[2:]
    default = ((OH - 1) * SH + KH - 2 * PH, (OW - 1) * SW + KW - 2 * PW)  # PyTorch's formula
    in_range = st.tuples(
        *(st.integers(max(d - s + 1, 0), d + s - 1) for d, s in zip(default, (SH, SW)))
    )
    size = draw(st.just((H, W)) | in_range)
    grad_out = draw(arrays(pooled.shape[:2] + size, dtype))
    return pooled.numpy(), indices.numpy(), kwargs, size, default, grad_out, (H, W)


@given(_unpool_case())
def test_max_unpool2d_matches_reference(case: tuple) -> None:
    """Values and gradients; an index past a smaller output plane is refused, as by PyTorch."""
    values, indices, kwargs, size, default, grad_out, _ = case
    for output_size in (size, None):
        OH, OW = default if output_size is None else size
        if indices.max() >= OH * OW:
            with pytest.raises(ValueError, match=rf"must lie in \[0, {OH * OW}\)"):
                F.max_unpool2d(values, indices, **kwargs, output_size=output_size)
            continue
        leaf = mt.Tensor(values, requires_grad=True)
        out = F.max_unpool2d(leaf, indices, **kwargs, output_size=output_size)
        assert out.shape == values.shape[:2] + (OH, OW) and out.dtype == values.dtype
        np.testing.assert_array_equal(out.numpy(), ref.max_unpool2d(values, indices, (OH, OW)))
        if output_size is size:
            out.backward(grad_out)
            np.testing.assert_array_equal(leaf.grad, ref.max_unpool2d_backward(indices, grad_out))


@given(_unpool_case())
def test_max_unpool2d_gradcheck(case: tuple) -> None:
    values, indices, kwargs, _, _, _, input_size = case  # the pooled input's plane holds them all
    leaf = mt.Tensor(values.astype(np.float64), requires_grad=True)
    unpool = lambda t: F.max_unpool2d(t, indices, **kwargs, output_size=input_size)  # noqa: E731
    assert mt.gradcheck(unpool, [leaf])


def test_max_unpool2d_by_hand() -> None:
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    out, indices = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(indices.numpy()[0, 0], [[5, 7], [13, 15]])
    # a 5x5 output reads the same flat indices with rows of 5: 5 -> (1, 0), 7 -> (1, 2), ...
    wide = F.max_unpool2d(out, indices, 2, output_size=(1, 1, 5, 5)).numpy()[0, 0]
    assert wide[1, 0] == 6 and wide[1, 2] == 8 and wide[2, 3] == 14 and wide[3, 0] == 16
    assert wide.sum() == 6 + 8 + 14 + 16
    # a repeated index: the gradient is still a gather, each entry the gradient at its index
    values = mt.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True)
    repeated = mt.tensor(np.array([[[[0, 0], [0, 3]]]], dtype=np.int64))
    unpooled = F.max_unpool2d(values, repeated, 2)
    assert unpooled.numpy()[0, 0, 0, 0] in (1, 2, 3) and unpooled.numpy()[0, 0, 0, 3] == 4
    (unpooled * mt.tensor(np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4))).sum().backward()
    np.testing.assert_array_equal(values.grad[0, 0], [[1, 1], [1, 4]])


# ----- unbatched (C, H, W) input -------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda t: F.max_pool2d(t, 3, 2, 1, 2, True, True),
        lambda t: F.avg_pool2d(t, 3, 2, 1, True, False),
        lambda t: F.adaptive_avg_pool2d(t, (2, None)),
        lambda t: F.adaptive_max_pool2d(t, 3, return_indices=True),
    ],
    ids=["max", "avg", "adaptive-avg", "adaptive-max"],
)
def test_unbatched_input_is_a_batch_of_one(call: object) -> None:
    x = np.random.default_rng(0).standard_normal((2, 6, 5)).astype(np.float32)
    single, batch = mt.Tensor(x, requires_grad=True), mt.Tensor(x[None], requires_grad=True)
    outs, batch_outs = call(single), call(batch)
    outs, batch_outs = (outs, batch_outs) if isinstance(outs, tuple) else ((outs,), (batch_outs,))
    for out, batch_out in zip(outs, batch_outs):
        assert out.shape == batch_out.shape[1:]
        np.testing.assert_array_equal(out.numpy(), batch_out.numpy()[0])
    outs[0].sum().backward()
    batch_outs[0].sum().backward()
    np.testing.assert_array_equal(single.grad, batch.grad[0])


def test_unbatched_unpool_round_trip() -> None:
    x = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4)
    out, indices = F.max_pool2d(x, 2, return_indices=True)
    assert out.shape == indices.shape == (2, 2, 2)
    back = F.max_unpool2d(out, indices, 2).numpy()
    assert back.shape == (2, 4, 4)
    np.testing.assert_array_equal(back[:, 1::2, 1::2], x[:, 1::2, 1::2])  # the maxima
    assert (back[:, ::2, :] == 0).all()


# ----- hand-derived numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "size, kernel, stride, padding, floor, ceil",
    [
        (5, 2, 2, 0, 2, 3),  # last = 3: floor(3/2) + 1 = 2, ceil(3/2) + 1 = 3
        (6, 3, 2, 1, 3, 4),  # last = 5: 3 and 4; the 4th starts at padded 6 < 6 + 1
        (5, 3, 3, 1, 2, 2),  # last = 4: ceil gives 3, but window 3 starts at 6 = 5 + 1: dropped
        (6, 2, 4, 1, 2, 2),  # last = 6: ceil 3, window 3 would start at 8 >= 7: dropped
        (4, 2, 3, 0, 1, 2),  # last = 2: the partial window starts at 3, the input's last pixel
    ],
)
def test_ceil_mode_output_sizes(
    size: int, kernel: int, stride: int, padding: int, floor: int, ceil: int
) -> None:
    assert F.conv_output_size(size, kernel, stride, padding) == floor
    assert F.conv_output_size(size, kernel, stride, padding, ceil_mode=True) == ceil
    x = mt.zeros(1, 1, size, size)
    for pool in (F.max_pool2d, F.avg_pool2d):
        assert pool(x, kernel, stride, padding, ceil_mode=True).shape == (1, 1, ceil, ceil)


def test_ceil_mode_accepts_a_kernel_larger_than_the_input() -> None:
    """6 pixels, kernel 7 (stride 7): the floor has no window; the ceil one, starting at
    pixel 0, is partial -- its divisor is the 6 taps inside the (unpadded) input."""
    x = mt.ones(1, 1, 6, 6)
    with pytest.raises(ValueError, match="floor"):
        F.avg_pool2d(x, 7)
    assert F.avg_pool2d(x, 7, ceil_mode=True).item() == 1.0
    assert F.max_pool2d(x, 7, ceil_mode=True).item() == 1.0


def test_avg_pool_divisors_by_hand() -> None:
    """6x6 ones, k=3, s=2, p=1, ceil_mode: windows start at rows -1, 1, 3, 5. Along an axis
    the first window holds padding + 2 pixels (divisor 3 with padding, 2 without); the last
    covers row 5, padding row 6 and row 7 past the padded input: its divisor is 2 with
    padding (rows 5, 6), 1 without."""
    x = mt.ones(1, 1, 6, 6)
    out = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True).numpy()[0, 0]
    rows = np.array([2 / 3, 1, 1, 1 / 2])  # real pixels / divisor, per axis
    np.testing.assert_allclose(out, rows[:, None] * rows[None, :], rtol=1e-6)
    exclude = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)
    np.testing.assert_array_equal(exclude.numpy(), np.ones((1, 1, 4, 4)))
    # divisor_override divides every sum by the same number, even a negative one
    sums = np.array([2, 3, 3, 1])
    for divisor in (2, -4):
        override = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, divisor_override=divisor)
        np.testing.assert_allclose(override.numpy()[0, 0], np.outer(sums, sums) / divisor)
    leaf = _image([[1, 1], [1, 1]])
    F.avg_pool2d(leaf, 2, 1, 1, count_include_pad=False).sum().backward()
    # the four corner windows hold one pixel each (divisor 1), the edges two, the centre four
    np.testing.assert_array_equal(leaf.grad[0, 0], np.full((2, 2), 1 + 0.5 + 0.5 + 0.25))


def test_dilated_max_pool_by_hand() -> None:
    """5x5 of 0..24, k=3, s=2, p=1, dilation 2: window (i, j) reads rows 2i - 1, 2i + 1,
    2i + 3; every window reaches pixel (3, 3) = 18, the largest it holds."""
    x = _image(np.arange(25).reshape(5, 5).tolist())
    out, indices = F.max_pool2d(x, 3, 2, 1, dilation=2, return_indices=True)
    np.testing.assert_array_equal(out.numpy()[0, 0], np.full((2, 2), 18))
    np.testing.assert_array_equal(indices.numpy()[0, 0], np.full((2, 2), 18))
    out.sum().backward()
    grad = np.asarray(x.grad)[0, 0]
    assert grad[3, 3] == 4 and grad.sum() == 4
    # 5x5, k=2, ceil_mode: the third window of each axis holds only row/column 4
    ceil, ceil_indices = F.max_pool2d(x, 2, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(ceil.numpy()[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    np.testing.assert_array_equal(ceil_indices.numpy()[0, 0], ceil.numpy()[0, 0])


def test_return_indices_takes_any_truthy_value() -> None:
    x = mt.ones(1, 1, 4, 4)
    assert isinstance(F.max_pool2d(x, 2, return_indices=1), tuple)
    assert isinstance(F.adaptive_max_pool2d(x, 2, return_indices="yes"), tuple)
    assert isinstance(F.max_pool2d(x, 2, return_indices=0), mt.Tensor)


def test_an_empty_batch_is_accepted() -> None:
    x = mt.zeros(0, 2, 4, 4)
    assert F.max_pool2d(x, 2).shape == (0, 2, 2, 2)
    assert F.avg_pool2d(x, 2, ceil_mode=True).shape == (0, 2, 2, 2)
    assert F.adaptive_max_pool2d(x, 3).shape == (0, 2, 3, 3)
    assert F.adaptive_avg_pool2d(mt.zeros(1, 0, 4, 4), 3).shape == (1, 0, 3, 3)  # C = 0 too
    indices = np.zeros((0, 2, 2, 2), dtype=np.int64)
    assert F.max_unpool2d(mt.zeros(0, 2, 2, 2), indices, 2).shape == (0, 2, 4, 4)


# ----- rejected arguments (the conditions PyTorch rejects) ------------------------------------


def _mentions(*patterns: str) -> str:
    """A regex matching a message that contains every pattern, in any order."""
    return "(?s)" + "".join(f"(?=.*(?:{p}))" for p in patterns)


X = mt.zeros(1, 1, 6, 6)
POOLED, INDICES = F.max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)


@pytest.mark.parametrize(
    "call, error, patterns",
    [
        # padding is compared with half the kernel, not half the dilated span
        (lambda: F.max_pool2d(X, 2, padding=2, dilation=3), ValueError, ["padding", r"\(2, 2\)"]),
        (lambda: F.max_pool2d(X, 2, dilation=0), ValueError, ["dilation", r"\b0\b"]),
        (lambda: F.max_pool2d(X, 2, dilation=1.0), TypeError, ["dilation", "1.0"]),
        (lambda: F.max_pool2d(X, 2, ceil_mode=1), TypeError, ["ceil_mode", "bool", "int"]),
        (lambda: F.max_pool2d(X, 2, ceil_mode=None), TypeError, ["ceil_mode", "None"]),
        (lambda: F.max_pool2d(X, 3, dilation=3), ValueError, ["floor", r"\b7\b", r"\b6\b"]),
        (lambda: F.max_pool2d(X, 7, ceil_mode=False), ValueError, ["height", r"\b7\b"]),
        # dilation 3 steps over a 2x2 input: window 0 reads padding row -1 and row 2
        (
            lambda: F.max_pool2d(mt.zeros(1, 1, 2, 2), 2, 1, 1, 3),
            ValueError,
            ["height", "at least one input pixel", "dilation 3"],
        ),
        (lambda: F.max_pool2d(mt.zeros(6, 6), 2), ValueError, ["3-D", "4-D", r"\(6, 6\)"]),
        (lambda: F.max_pool2d(mt.zeros(1, 1, 1, 6, 6), 2), ValueError, ["3-D", "5-D"]),
        (lambda: F.max_pool2d(mt.zeros(1, 0, 6, 6), 2), ValueError, ["empty", "C"]),
        (lambda: F.max_pool2d(mt.zeros(0, 6, 6), 2), ValueError, ["empty", "C"]),
        (lambda: F.avg_pool2d(mt.zeros(1, 1, 0, 6), 2), ValueError, ["empty", "H"]),
        (lambda: F.avg_pool2d(X, 2, ceil_mode="yes"), TypeError, ["ceil_mode", "'yes'"]),
        (lambda: F.avg_pool2d(X, 2, count_include_pad=0), TypeError, ["count_include_pad"]),
        (lambda: F.avg_pool2d(X, 2, divisor_override=0), ValueError, ["divisor_override", "0"]),
        (lambda: F.avg_pool2d(X, 2, divisor_override=2.0), TypeError, ["divisor", "2.0"]),
        (lambda: F.avg_pool2d(X, 2, divisor_override=True), TypeError, ["divisor", "True"]),
        (lambda: F.avg_pool2d(X, 3, padding=2), ValueError, ["half the kernel", r"\(3, 3\)"]),
        (lambda: F.avg_pool2d(mt.zeros(6, 6), 2), ValueError, ["3-D", r"\(6, 6\)"]),
        (lambda: F.adaptive_avg_pool2d(X, None), TypeError, ["output_size", "None"]),
        (lambda: F.adaptive_avg_pool2d(X, 2.0), TypeError, ["output_size", "2.0"]),
        (lambda: F.adaptive_avg_pool2d(X, (2,)), ValueError, ["output_size", "length 1"]),
        (lambda: F.adaptive_avg_pool2d(X, (2, 2, 2)), ValueError, ["output_size", "length 3"]),
        (lambda: F.adaptive_avg_pool2d(X, -1), ValueError, ["output_size", ">= 0", "-1"]),
        (lambda: F.adaptive_max_pool2d(X, (2, -1)), ValueError, ["output_size", "-1"]),
        (lambda: F.adaptive_avg_pool2d(mt.zeros(6, 6), 2), ValueError, ["3-D", r"\(6, 6\)"]),
        (lambda: F.adaptive_avg_pool2d(mt.zeros(1, 1, 0, 6), 2), ValueError, ["empty", "H"]),
        (lambda: F.adaptive_max_pool2d(mt.zeros(1, 0, 6, 6), 2), ValueError, ["empty", "C"]),
        (
            lambda: F.adaptive_max_pool2d(np.zeros((1, 1, 6, 6), dtype=np.int64), 2),
            TypeError,
            ["floating point", "int64"],
        ),
        (
            lambda: F.max_unpool2d(POOLED, INDICES.numpy().astype(np.int32), 2),
            TypeError,
            ["indices", "int64", "int32"],
        ),
        (
            lambda: F.max_unpool2d(POOLED, INDICES.numpy().astype(np.float32), 2),
            TypeError,
            ["indices", "int64", "float32"],
        ),
        (
            lambda: F.max_unpool2d(POOLED, INDICES[..., :1], 2),
            ValueError,
            ["indices", r"\(1, 1, 2, 2\)", r"\(1, 1, 2, 1\)"],
        ),
        (lambda: F.max_unpool2d(POOLED, INDICES + 100, 2), ValueError, [r"\[0, 16\)", "105"]),
        (lambda: F.max_unpool2d(POOLED, INDICES - 100, 2), ValueError, [r"\[0, 16\)", "-95"]),
        (
            lambda: F.max_unpool2d(POOLED, INDICES, 2, output_size=(3, 3)),
            ValueError,
            [r"\[0, 9\)", "3x3", r"\b13\b"],
        ),
        # PyTorch's range: strictly between default - stride and default + stride (2 and 6)
        (
            lambda: F.max_unpool2d(POOLED, INDICES, 2, output_size=(6, 6)),
            ValueError,
            ["output_size", r"\b2\b", r"\b6\b"],
        ),
        (lambda: F.max_unpool2d(POOLED, INDICES, 2, output_size=5), TypeError, ["output_size"]),
        (
            lambda: F.max_unpool2d(POOLED, INDICES, 2, output_size=(1, 5, 5)),
            ValueError,
            ["output_size", "2 or 4", "length 3"],
        ),
        (lambda: F.max_unpool2d(POOLED, INDICES, 2, padding=3), ValueError, ["negative", "-2"]),
        (
            lambda: F.max_unpool2d(POOLED[0, 0], INDICES[0, 0], 2),
            ValueError,
            ["3-D", "4-D", r"\(2, 2\)"],
        ),
        (lambda: nn.MaxPool2d(2, ceil_mode=1), TypeError, ["ceil_mode"]),
        (lambda: nn.AvgPool2d(2, count_include_pad="no"), TypeError, ["count_include_pad"]),
        (lambda: nn.MaxPool2d(2, dilation=0), ValueError, ["dilation", r"\b0\b"]),
        (lambda: nn.AdaptiveAvgPool2d(-1), ValueError, ["output_size", "-1"]),
        (lambda: nn.AdaptiveMaxPool2d("a"), TypeError, ["output_size", "'a'"]),
    ],
)
def test_pooling_rejects(call: object, error: type, patterns: list[str]) -> None:
    with pytest.raises(error, match=_mentions(*patterns)):
        call()


# ----- layers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, text",
    [
        (
            nn.MaxPool2d(2),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        ),
        (
            nn.MaxPool2d((2, 3), 1, (1, 0), 2, True, True),
            "MaxPool2d(kernel_size=(2, 3), stride=1, padding=(1, 0), dilation=2, ceil_mode=True)",
        ),
        (
            nn.MaxPool2d(3, stride=[1, 2]),
            "MaxPool2d(kernel_size=3, stride=[1, 2], padding=0, dilation=1, ceil_mode=False)",
        ),
        (nn.AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
        (nn.AvgPool2d(3, 2, 1, True, False, 5), "AvgPool2d(kernel_size=3, stride=2, padding=1)"),
        (nn.AvgPool2d((2, 3)), "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0)"),
        (nn.MaxUnpool2d(2), "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"),
        (
            nn.MaxUnpool2d((2, 3), 1, 1),
            "MaxUnpool2d(kernel_size=(2, 3), stride=(1, 1), padding=(1, 1))",
        ),
        (nn.AdaptiveAvgPool2d(3), "AdaptiveAvgPool2d(output_size=3)"),
        (nn.AdaptiveAvgPool2d((None, 3)), "AdaptiveAvgPool2d(output_size=(None, 3))"),
        (nn.AdaptiveAvgPool2d([2, None]), "AdaptiveAvgPool2d(output_size=[2, None])"),
        (nn.AdaptiveMaxPool2d((2, 3), True), "AdaptiveMaxPool2d(output_size=(2, 3))"),
    ],
)
def test_layer_reprs_are_pytorchs(layer: nn.Module, text: str) -> None:
    assert repr(layer) == text


def test_layers_apply_their_options() -> None:
    x = mt.tensor(np.random.default_rng(1).standard_normal((2, 3, 7, 6)).astype(np.float32))
    settings = dict(kernel_size=3, stride=2, padding=1)
    layer = nn.MaxPool2d(**settings, dilation=2, return_indices=True, ceil_mode=True)
    out, indices = layer(x)
    expected, expected_indices = F.max_pool2d(
        x, **settings, dilation=2, ceil_mode=True, return_indices=True
    )
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
    unpooled = nn.MaxUnpool2d(3, 2, 1)(*F.max_pool2d(x, **settings, return_indices=True), (7, 6))
    assert unpooled.shape == (2, 3, 7, 6)
    avg = nn.AvgPool2d(**settings, ceil_mode=True, count_include_pad=False, divisor_override=3)
    np.testing.assert_array_equal(
        avg(x).numpy(),
        F.avg_pool2d(
            x, **settings, ceil_mode=True, count_include_pad=False, divisor_override=3
        ).numpy(),
    )
    assert nn.AdaptiveAvgPool2d((None, 2))(x).shape == (2, 3, 7, 2)
    out, indices = nn.AdaptiveMaxPool2d(2, return_indices=True)(x)
    assert out.shape == indices.shape == (2, 3, 2, 2)
