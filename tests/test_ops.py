"""Every engine op: forward against NumPy, backward against float64 finite differences.

``mt.gradcheck`` reduces a non-scalar output with a random upstream gradient, copies float32
inputs to float64 and checks every entry, so each ``@given`` test below is "for every drawn
shape (broadcasting pairs included), the analytic gradient equals the numeric one".
Ops with kinks (relu, max) draw ``distinct_arrays``: no finite-difference step crosses a kink.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn.testing import arrays, broadcastable_shapes, distinct_arrays, shapes

SMALL = shapes(0, 3, 1, 3)  # at most 27 entries: every entry is gradchecked


def _leaf(array: np.ndarray) -> mt.Tensor:
    return mt.tensor(array, requires_grad=True)


@st.composite
def _array_pairs(
    draw: st.DrawFn,
    low: float = -3.0,
    high: float = 3.0,
    b_low: float | None = None,
    b_high: float | None = None,
) -> tuple:
    """Two float64 arrays of broadcastable shapes; ``b`` may have its own value range."""
    shape_a, shape_b = draw(broadcastable_shapes(max_dims=3, max_side=3))
    a = draw(arrays(shape_a, min_value=low, max_value=high))
    b = draw(
        arrays(
            shape_b,
            min_value=low if b_low is None else b_low,
            max_value=high if b_high is None else b_high,
        )
    )
    return a, b


@st.composite
def _axis_args(draw: st.DrawFn, shape: tuple[int, ...]) -> int | tuple[int, ...] | None:
    """None, one axis, or a tuple of distinct axes of ``shape``, some written negative."""
    ndim = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"] if ndim else ["none"]))
    if kind == "none":
        return None
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    signed = [a - ndim if draw(st.booleans()) else a for a in chosen]
    return signed[0] if kind == "int" else tuple(signed)


# ----- binary elementwise ops, broadcasting in both directions ---------------------------

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=_array_pairs())
def test_binary_op_forward_and_gradient(name: str, pair: tuple) -> None:
    op, reference = BINARY[name]
    a, b = pair
    out = op(_leaf(a), _leaf(b))
    assert out.shape == np.broadcast_shapes(a.shape, b.shape)
    np.testing.assert_allclose(out.numpy(), reference(a, b), rtol=1e-12)
    assert mt.gradcheck(op, [_leaf(a), _leaf(b)])


@given(pair=_array_pairs(b_low=0.5, b_high=3.0))
def test_div_forward_and_gradient(pair: tuple) -> None:
    a, b = pair
    b = b * np.where(np.arange(b.size).reshape(b.shape) % 2, -1.0, 1.0)  # both signs, |b| >= 0.5
    np.testing.assert_allclose((_leaf(a) / _leaf(b)).numpy(), a / b, rtol=1e-12)
    assert mt.gradcheck(lambda x, y: x / y, [_leaf(a), _leaf(b)])


@given(pair=_array_pairs(low=0.5, high=2.0, b_low=-2.0, b_high=2.0))
def test_pow_gradient_with_respect_to_base_and_exponent(pair: tuple) -> None:
    a, b = pair
    np.testing.assert_allclose((_leaf(a) ** _leaf(b)).numpy(), a**b, rtol=1e-12)
    assert mt.gradcheck(lambda x, y: x**y, [_leaf(a), _leaf(b)])


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.0, 0])
@given(x=arrays(SMALL, min_value=0.5, max_value=3.0))
def test_pow_by_constant(exponent: float, x: np.ndarray) -> None:
    sign = -1.0 if isinstance(exponent, int) else 1.0  # integer powers of negatives are real
    assert mt.gradcheck(lambda t: t**exponent, [_leaf(sign * x)])


def test_pow_zero_exponent_has_zero_gradient_even_at_zero() -> None:
    x = _leaf(np.array([0.0, 2.0, -1.0], dtype=np.float32))
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


@given(pair=_array_pairs())
def test_reverse_operators_match_numpy(pair: tuple) -> None:
    a, b = pair
    t = _leaf(b)
    for result, expected in [
        (a + t, a + b),
        (a - t, a - b),
        (a * t, a * b),
        (2.5 - t, 2.5 - b),
        (3 * t, 3 * b),
        (np.float64(2) * t, 2 * b),
        (1.0 / (t * t + 1.0), 1.0 / (b * b + 1.0)),
        (2.0**t, 2.0**b),
    ]:
        assert isinstance(result, mt.Tensor)
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-12)
    assert mt.gradcheck(lambda u: 1.5 - 2.0 * u + 3.0 / (u * u + 1.0) + 2.0**u, [t])


# ----- unary ops ---------------------------------------------------------------------------


@given(x=arrays(SMALL))
def test_neg_and_exp(x: np.ndarray) -> None:
    np.testing.assert_array_equal((-_leaf(x)).numpy(), -x)
    np.testing.assert_allclose(_leaf(x).exp().numpy(), np.exp(x), rtol=1e-12)
    assert mt.gradcheck(lambda t: -t, [_leaf(x)])
    assert mt.gradcheck(lambda t: t.exp(), [_leaf(x)])


@given(x=arrays(SMALL, min_value=0.5, max_value=5.0))
def test_log(x: np.ndarray) -> None:
    np.testing.assert_allclose(_leaf(x).log().numpy(), np.log(x), rtol=1e-12)
    assert mt.gradcheck(lambda t: t.log(), [_leaf(x)])


@given(x=distinct_arrays(SMALL))
def test_relu_away_from_the_kink(x: np.ndarray) -> None:
    np.testing.assert_array_equal(_leaf(x).relu().numpy(), np.maximum(x, 0))
    assert mt.gradcheck(lambda t: t.relu(), [_leaf(x)])
    assert mt.gradcheck(F.relu, [_leaf(x)])


def test_relu_gradient_at_zero_is_zero() -> None:
    x = _leaf(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
    x.relu().backward(np.array([5.0, 5.0, 5.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 5.0])


# ----- reductions -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sum", "mean"])
@given(data=st.data(), keepdims=st.booleans())
def test_sum_and_mean(name: str, data: st.DataObject, keepdims: bool) -> None:
    x = data.draw(arrays(SMALL))
    axis = data.draw(_axis_args(x.shape))
    out = getattr(_leaf(x), name)(axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert mt.gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), [_leaf(x)])


@given(data=st.data(), keepdims=st.booleans())
def test_max_without_ties(data: st.DataObject, keepdims: bool) -> None:
    x = data.draw(distinct_arrays(SMALL))
    axis = data.draw(_axis_args(x.shape))
    out = _leaf(x).max(axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(out.numpy(), np.max(x, axis=axis, keepdims=keepdims))
    assert mt.gradcheck(lambda t: t.max(axis=axis, keepdims=keepdims), [_leaf(x)])


def test_max_splits_the_gradient_equally_among_ties() -> None:
    x = _leaf(np.array([1.0, 3.0, 3.0], dtype=np.float32))
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])

    y = _leaf(np.array([[2.0, 2.0, 1.0], [4.0, 4.0, 4.0], [0.0, 5.0, -1.0]], dtype=np.float32))
    y.max(axis=1).backward(np.array([6.0, 3.0, 1.0]))
    np.testing.assert_array_equal(y.grad, [[3.0, 3.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])


@given(data=st.data(), keepdims=st.booleans())
def test_max_gradient_with_frequent_ties(data: st.DataObject, keepdims: bool) -> None:
    """Each group's gradient: equal on its maxima, zero elsewhere, adding up to upstream."""
    shape = data.draw(shapes(1, 3, 1, 4))
    size = int(np.prod(shape))
    values = data.draw(st.lists(st.integers(0, 2), min_size=size, max_size=size))
    x = np.array(values, dtype=np.float32).reshape(shape)  # 3 distinct values: many ties
    axis = data.draw(_axis_args(shape))
    t = _leaf(x)
    out = t.max(axis=axis, keepdims=keepdims)
    upstream = np.arange(1, out.numel() + 1, dtype=np.float32).reshape(out.shape)
    out.backward(upstream)
    kept = np.max(x, axis=axis, keepdims=True)
    up_kept = upstream.reshape(kept.shape)
    is_max = x == kept
    reduced = tuple(range(x.ndim)) if axis is None else axis
    count = is_max.sum(axis=reduced, keepdims=True)
    expected = np.where(is_max, np.broadcast_to(up_kept / count, x.shape), 0.0)
    np.testing.assert_allclose(t.grad, expected, rtol=1e-6)
    np.testing.assert_allclose(t.grad.sum(axis=reduced, keepdims=True), up_kept, rtol=1e-6)


@pytest.mark.parametrize("method", ["sum", "mean", "max"])
def test_reduction_axis_errors(method: str) -> None:
    t = mt.ones(2, 3)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        getattr(t, method)(axis=2)
    with pytest.raises(ValueError, match="repeats an axis"):
        getattr(t, method)(axis=(1, -1))
    with pytest.raises(TypeError, match="axis must be an int"):
        getattr(t, method)(axis=1.0)


def test_reductions_of_a_0d_tensor_accept_axis_0_and_minus_1() -> None:
    for axis in (0, -1, None):
        x = mt.tensor(3.0, requires_grad=True)
        x.sum(axis=axis).backward()
        assert x.grad == 1.0


def test_max_of_an_empty_tensor_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        mt.zeros(0, 3).max()


# ----- shape ops ------------------------------------------------------------------------


@given(data=st.data())
def test_reshape(data: st.DataObject) -> None:
    x = data.draw(arrays(SMALL))
    target = list(data.draw(st.permutations(x.shape)))
    if target and data.draw(st.booleans()):
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    target = tuple(target)
    np.testing.assert_array_equal(_leaf(x).reshape(target).numpy(), x.reshape(target))
    if target:  # t.reshape() without a shape is a TypeError, as in NumPy
        np.testing.assert_array_equal(_leaf(x).reshape(*target).numpy(), x.reshape(target))
    assert mt.gradcheck(lambda t: t.reshape(target), [_leaf(x)])


def test_reshape_to_a_wrong_size_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"shape \(2, 3\) \(6 entries\) into \(4,\)"):
        mt.ones(2, 3).reshape(4)


@given(data=st.data())
def test_transpose_with_positive_and_negative_axes(data: st.DataObject) -> None:
    x = data.draw(arrays(SMALL))
    axes = data.draw(st.permutations(range(x.ndim)))
    signed = tuple(a - x.ndim if data.draw(st.booleans()) else a for a in axes)
    np.testing.assert_array_equal(_leaf(x).permute(signed).numpy(), x.transpose(axes))
    np.testing.assert_array_equal(_leaf(x).T.numpy(), x.transpose())
    np.testing.assert_array_equal(_leaf(x).T.numpy(), x.T)
    assert mt.gradcheck(lambda t: t.permute(*signed), [_leaf(x)])
    assert mt.gradcheck(lambda t: t.T, [_leaf(x)])


def test_transpose_swaps_two_dims_as_pytorch() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(_leaf(x).transpose(0, 2).numpy(), np.swapaxes(x, 0, 2))
    np.testing.assert_array_equal(_leaf(x[0]).transpose(0, 1).numpy(), x[0].T)  # not identity
    np.testing.assert_array_equal(_leaf(x).transpose(-1, 1).numpy(), np.swapaxes(x, 1, 2))
    assert mt.gradcheck(lambda t: t.transpose(0, 2), [_leaf(x)])


@pytest.mark.parametrize("axes", [(0, 3, 1), (0, 0, 1), (0, 1), (-4, 0, 1)])
def test_transpose_rejects_a_non_permutation(axes: tuple) -> None:
    with pytest.raises(ValueError, match="permutation of 0..2"):
        mt.ones(2, 3, 4).permute(axes)


@st.composite
def _basic_index(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple:
    """An int or a slice (any step, negative too) per axis, maybe with None and Ellipsis."""
    parts: list = []
    for side in shape:
        if draw(st.booleans()):
            parts.append(draw(st.integers(-side, side - 1)))
        else:
            step = draw(st.sampled_from([1, 2, -1, -2]))
            start = draw(st.none() | st.integers(-side, side))
            stop = draw(st.none() | st.integers(-side, side))
            parts.append(slice(start, stop, step))
    if parts and draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    if parts and draw(st.booleans()):
        cut = draw(st.integers(0, len(parts) - 1))
        parts = parts[:cut] + [Ellipsis]
    return tuple(parts)


@given(data=st.data())
def test_basic_indexing_scatters_the_gradient_back(data: st.DataObject) -> None:
    x = data.draw(arrays(shapes(1, 3, 1, 4)))
    index = data.draw(_basic_index(x.shape))
    np.testing.assert_array_equal(_leaf(x)[index].numpy(), x[index])
    assert mt.gradcheck(lambda t: t[index], [_leaf(x)])


@given(data=st.data())
def test_integer_array_indexing_adds_up_repeated_picks(data: st.DataObject) -> None:
    x = data.draw(arrays(shapes(1, 3, 1, 4)))
    rows = np.array(
        data.draw(st.lists(st.integers(-x.shape[0], x.shape[0] - 1), min_size=1, max_size=6))
    )
    np.testing.assert_array_equal(_leaf(x)[rows].numpy(), x[rows])
    assert mt.gradcheck(lambda t: t[rows], [_leaf(x)])
    as_list, as_tensor = rows.tolist(), mt.tensor(rows)
    assert mt.gradcheck(lambda t: t[as_list] * t[as_tensor], [_leaf(x)])


def test_indexing_gradient_by_hand() -> None:
    x = _leaf(np.arange(12, dtype=np.float32).reshape(3, 4))
    (
        x[[0, 0, 2]].sum() + x[1, 1:3].sum() + x[np.array([[True, False, False, True]] * 3)].sum()
    ).backward()
    np.testing.assert_array_equal(
        x.grad, [[3.0, 2.0, 2.0, 3.0], [1.0, 1.0, 1.0, 1.0], [2.0, 1.0, 1.0, 2.0]]
    )
    assert x.grad.dtype == np.float32


def test_mixed_array_and_slice_index() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    index = (np.array([1, 0, 1]), slice(None), np.array([3, 0, 3]))
    np.testing.assert_array_equal(_leaf(x)[index].numpy(), x[index])
    assert mt.gradcheck(lambda t: t[index], [_leaf(x)])


def test_bad_index_names_the_shape() -> None:
    with pytest.raises(IndexError, match=r"shape \(3, 4\)"):
        mt.ones(3, 4)[5]


# ----- matmul ---------------------------------------------------------------------------


@st.composite
def _matmul_shapes(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Operand shapes NumPy's matmul accepts: 1-D vectors, matrices, broadcast stacks."""
    M, K, N = (draw(st.integers(1, 3)) for _ in range(3))
    stack_a, stack_b = draw(broadcastable_shapes(max_dims=2, max_side=2))
    a = (K,) if draw(st.booleans()) else stack_a + (M, K)
    b = (K,) if draw(st.booleans()) else stack_b + (K, N)
    return a, b


@given(data=st.data())
def test_matmul_of_vectors_matrices_and_stacks(data: st.DataObject) -> None:
    shape_a, shape_b = data.draw(_matmul_shapes())
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    out = _leaf(a) @ _leaf(b)
    assert out.shape == np.matmul(a, b).shape
    np.testing.assert_allclose(out.numpy(), np.matmul(a, b), rtol=1e-10, atol=1e-12)
    assert mt.gradcheck(lambda x, y: x @ y, [_leaf(a), _leaf(b)])


def test_matmul_with_numpy_operands_from_either_side() -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = _leaf(np.ones((3, 2), dtype=np.float32))
    left, right = a @ t, t.T @ a.T
    assert isinstance(left, mt.Tensor) and isinstance(right, mt.Tensor)
    np.testing.assert_array_equal(left.numpy(), a @ np.ones((3, 2)))
    (left.sum() + right.sum()).backward()
    np.testing.assert_array_equal(t.grad, 2 * np.repeat(a.sum(axis=0)[:, None], 2, axis=1))


@pytest.mark.parametrize(
    "shape_a, shape_b, words",
    [
        ((2, 3), (4, 2), "last axis \\(3\\) must equal b's second-to-last axis \\(4\\)"),
        ((3,), (4,), "b's only axis \\(4\\)"),
        ((2, 2, 3), (3, 3, 2), "stack axes \\(2,\\) and \\(3,\\) do not broadcast"),
    ],
)
def test_matmul_shape_errors(shape_a: tuple, shape_b: tuple, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        mt.ones(shape_a) @ mt.ones(shape_b)


def test_matmul_of_a_0d_operand_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least 1-D"):
        mt.tensor(2.0) @ mt.ones(2)


# ----- log_softmax and cross_entropy ----------------------------------------------------


@given(data=st.data())
def test_log_softmax(data: st.DataObject) -> None:
    x = data.draw(arrays(shapes(1, 3, 1, 4), min_value=-5, max_value=5))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    y = F.log_softmax(_leaf(x), axis=axis).numpy()
    np.testing.assert_allclose(np.exp(y).sum(axis=axis), 1.0, rtol=1e-12)
    shift = x - y  # log-sum-exp, the same for every entry along the axis
    np.testing.assert_allclose(
        shift, np.broadcast_to(shift.max(axis=axis, keepdims=True), x.shape), rtol=1e-12
    )
    np.testing.assert_array_equal(F.log_softmax(_leaf(x), dim=axis).numpy(), y)
    assert mt.gradcheck(lambda t: F.log_softmax(t, axis=axis), [_leaf(x)])


def test_log_softmax_of_huge_logits_is_finite() -> None:
    x = _leaf(np.array([[1e4, 0.0, -1e4], [3e4, 3e4, 3e4]], dtype=np.float32))
    y = F.log_softmax(x, dim=1)
    np.testing.assert_allclose(y.numpy(), [[0.0, -1e4, -2e4], [-np.log(3)] * 3], rtol=1e-6)
    y.backward(np.ones((2, 3), dtype=np.float32))
    assert np.isfinite(x.grad).all()


def test_log_softmax_rejects_a_bad_axis_and_int_input() -> None:
    with pytest.raises(ValueError, match="axis 2 is out of range for a 2-D tensor"):
        F.log_softmax(mt.ones(2, 3), axis=2)
    with pytest.raises(TypeError, match="floating point"):
        F.log_softmax(mt.tensor(np.arange(3)), dim=0)


@st.composite
def _classification(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    N, K = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    logits = draw(arrays((N, K), min_value=-4, max_value=4))
    targets = np.array(draw(st.lists(st.integers(0, K - 1), min_size=N, max_size=N)))
    return logits, targets


@given(_classification())
def test_cross_entropy_value_and_gradient(case: tuple) -> None:
    logits, targets = case
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # naive: fine for |z|<=4
    expected = -np.log(probs[np.arange(len(targets)), targets]).mean()
    np.testing.assert_allclose(F.cross_entropy(_leaf(logits), targets).item(), expected, rtol=1e-10)
    assert mt.gradcheck(F.cross_entropy, [_leaf(logits), targets])
    assert mt.gradcheck(F.cross_entropy, [_leaf(logits), mt.tensor(targets)])


def test_cross_entropy_of_huge_float32_logits_is_finite() -> None:
    logits = _leaf(np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1.0]], dtype=np.float32))
    loss = F.cross_entropy(logits, np.array([0, 2]))
    loss.backward()
    assert loss.dtype == np.float32 and logits.grad.dtype == np.float32
    np.testing.assert_allclose(loss.item(), (0.0 + (1e4 - 1.0)) / 2, rtol=1e-6)
    np.testing.assert_allclose(logits.grad, [[0.0, 0.0, 0.0], [0.0, 0.5, -0.5]], atol=1e-6)


@pytest.mark.parametrize(
    "targets, error, words",
    [
        (
            np.array([0, 3]),
            ValueError,
            r"in \[0, 3\) \(or ignore_index -100\), got values from 0 to 3",
        ),
        (
            np.array([-1, 0]),
            ValueError,
            r"in \[0, 3\) \(or ignore_index -100\), got values from -1",
        ),
        (np.array([0.0, 1.0]), ValueError, r"probability targets must have the input's shape"),
        (mt.tensor([0.0, 1.0]), ValueError, r"input's shape \(2, 3\), got \(2,\)"),
        (np.array([0, 1, 2]), ValueError, r"shape \(2,\) for input of shape \(2, 3\), got \(3,\)"),
    ],
)
def test_cross_entropy_rejects_bad_targets(targets: object, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        F.cross_entropy(mt.zeros(2, 3), targets)


def test_cross_entropy_rejects_bad_logits() -> None:
    with pytest.raises(ValueError, match=r"shape \(2, 1\) for input of shape \(2, 3, 1\)"):
        F.cross_entropy(mt.zeros(2, 3, 1), np.array([0, 1]))
    with pytest.raises(TypeError, match="input must be a Tensor or np.ndarray, got list"):
        F.cross_entropy([[0.0, 1.0]], np.array([0]))


# ----- linear, flatten, dropout ---------------------------------------------------------


@given(data=st.data(), with_bias=st.booleans())
def test_linear(data: st.DataObject, with_bias: bool) -> None:
    in_features, out_features = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    lead = data.draw(shapes(0, 2, 1, 3))
    x = data.draw(arrays(lead + (in_features,)))
    w = data.draw(arrays((out_features, in_features)))
    b = data.draw(arrays((out_features,)))
    expected = x @ w.T + (b if with_bias else 0.0)
    inputs = [_leaf(x), _leaf(w)] + ([_leaf(b)] if with_bias else [])
    np.testing.assert_allclose(F.linear(*inputs).numpy(), expected, rtol=1e-10, atol=1e-12)
    assert mt.gradcheck(F.linear, inputs)


def test_linear_shape_errors_name_the_sizes() -> None:
    with pytest.raises(ValueError, match=r"last axis 3 \(in_features\), got shape \(2, 4\)"):
        F.linear(mt.ones(2, 4), mt.ones(5, 3))
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\), got \(3,\)"):
        F.linear(mt.ones(2, 3), mt.ones(5, 3), mt.ones(3))
    with pytest.raises(ValueError, match="must be 2-D"):
        F.linear(mt.ones(2, 3), mt.ones(3))


@pytest.mark.parametrize(
    "start_dim, expected",
    [(1, (2, 12)), (0, (24,)), (2, (2, 3, 4)), (-2, (2, 12)), (-1, (2, 3, 4))],
)
def test_flatten(start_dim: int, expected: tuple) -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    out = F.flatten(_leaf(x), start_dim)
    assert out.shape == expected
    np.testing.assert_array_equal(out.numpy().ravel(), x.ravel())
    assert mt.gradcheck(lambda t: F.flatten(t, start_dim), [_leaf(x)])
    with pytest.raises(ValueError, match="start_dim 3 is out of range for a 3-D tensor"):
        F.flatten(mt.tensor(x), 3)


def test_dropout_is_the_identity_when_not_training() -> None:
    x = mt.randn(4, 5, generator=np.random.default_rng(0))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_zeroes_and_rescales_and_is_reproducible() -> None:
    x = mt.ones(200, 100)
    first = F.dropout(x, 0.25, generator=np.random.default_rng(7)).numpy()
    again = F.dropout(x, 0.25, generator=np.random.default_rng(7)).numpy()
    other = F.dropout(x, 0.25, generator=np.random.default_rng(8)).numpy()
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert set(np.unique(first)) == {np.float32(0.0), np.float32(1 / 0.75)}
    # 20,000 Bernoulli(0.75) draws: the kept fraction's std is 0.003; 6 sigma apart
    assert abs((first != 0).mean() - 0.75) < 0.02
    assert abs(first.mean() - 1.0) < 0.03  # expectation preserved
    assert F.dropout(x, 1.0).numpy().sum() == 0.0


def test_dropout_gradient_uses_the_same_mask() -> None:
    x = mt.tensor(np.full((10, 10), 2.0, dtype=np.float32), requires_grad=True)
    out = F.dropout(x, 0.5, generator=np.random.default_rng(3))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.numpy() / 2.0)


def test_dropout_rejects_a_bad_probability() -> None:
    with pytest.raises(ValueError, match="must be in \\[0, 1\\], got 1.5"):
        F.dropout(mt.ones(3), 1.5)


# ----- operands stored in different memory layouts ----------------------------------------


def _batch_innermost(array: np.ndarray) -> np.ndarray:
    """The same values stored with the first axis innermost, as conv2d hands out arrays."""
    order = list(range(1, array.ndim)) + [0]
    return np.ascontiguousarray(array.transpose(order)).transpose(np.argsort(order))


@st.composite
def _mixed_layout_operands(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """a, b and an upstream gradient of one shape (2-4 axes), in different memory layouts."""
    shape = draw(shapes(2, 4, 2, 4))
    a, b, grad = (draw(arrays(shape, min_value=0.5, max_value=3.0)) for _ in range(3))
    layouts = [_batch_innermost, np.ascontiguousarray, lambda x: np.asfortranarray(x)]
    pick = st.sampled_from(layouts)
    return draw(pick)(a), draw(pick)(b), draw(pick)(grad)


@pytest.mark.parametrize(
    "op, grads",
    [
        ("add", lambda a, b, g: (g, g)),
        ("sub", lambda a, b, g: (g, -g)),
        ("mul", lambda a, b, g: (g * b, g * a)),
        ("truediv", lambda a, b, g: (g / b, -g * a / b**2)),
    ],
)
@given(operands=_mixed_layout_operands())
def test_binary_ops_on_operands_stored_in_different_layouts(op: str, grads, operands) -> None:
    a, b, grad = operands
    ta, tb = _leaf(a), _leaf(b)
    out = getattr(ta, f"__{op}__")(tb)
    np.testing.assert_allclose(
        out.numpy(), getattr(np.ascontiguousarray(a), f"__{op}__")(b), rtol=1e-12
    )
    out.backward(grad)
    for leaf, expected in zip((ta, tb), grads(a, b, grad)):
        np.testing.assert_allclose(leaf.grad, expected, rtol=1e-12)
