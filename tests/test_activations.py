"""Activations and dropout against formulas written out here in NumPy (float64), PyTorch's
conventions (implicit softmax dim, inplace, reprs) and float64 gradchecks of every op."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import nn


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _leaf(array: np.ndarray) -> mt.Tensor:
    return mt.tensor(array, requires_grad=True)


def _softmax_formula(z: np.ndarray, axis: int) -> np.ndarray:
    """exp(z) / sum(exp(z)) in float64, fine for the moderate logits it is given."""
    e = np.exp(z.astype(np.float64))
    return e / e.sum(axis=axis, keepdims=True)


X = np.linspace(-6, 6, 25).reshape(5, 5).astype(np.float32)


# ----- sigmoid and tanh ---------------------------------------------------------------------


def test_sigmoid_and_tanh_match_their_definitions() -> None:
    x64 = X.astype(np.float64)
    np.testing.assert_allclose(F.sigmoid(mt.tensor(X)).numpy(), 1 / (1 + np.exp(-x64)), rtol=1e-6)
    tanh = (np.exp(x64) - np.exp(-x64)) / (np.exp(x64) + np.exp(-x64))
    np.testing.assert_allclose(F.tanh(mt.tensor(X)).numpy(), tanh, rtol=1e-6, atol=1e-7)
    assert F.sigmoid(mt.tensor(X)).dtype == np.float32
    assert F.tanh(mt.tensor(X.astype(np.float64))).dtype == np.float64


def test_sigmoid_saturates_without_overflow_warnings() -> None:
    x = mt.tensor([-1000.0, -100.0, 0.0, 100.0, 1000.0, -np.inf, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would be a RuntimeWarning
        y = F.sigmoid(x).numpy()
        t = F.tanh(x).numpy()
    np.testing.assert_array_equal(y, [0.0, np.float32(1 / (1 + np.exp(100.0))), 0.5, 1, 1, 0, 1])
    np.testing.assert_array_equal(t, [-1, -1, 0, 1, 1, -1, 1])


def test_sigmoid_and_tanh_of_int_tensors_are_float32() -> None:
    ints = mt.tensor([0, 1, -2])
    np.testing.assert_allclose(mt.sigmoid(ints).numpy(), 1 / (1 + np.exp([0.0, -1.0, 2.0])))
    assert mt.sigmoid(ints).dtype == np.float32 and mt.tanh(mt.tensor([True])).dtype == np.float32


def test_backwards_use_the_derivative_formulas() -> None:
    x, g = _leaf(X), _rng().standard_normal(X.shape).astype(np.float32)
    s = 1 / (1 + np.exp(-X.astype(np.float64)))
    F.sigmoid(x).backward(g)
    np.testing.assert_allclose(x.grad.numpy(), g * s * (1 - s), rtol=1e-5, atol=1e-7)
    x = _leaf(X)
    F.tanh(x).backward(g)
    np.testing.assert_allclose(x.grad.numpy(), g * (1 - np.tanh(X) ** 2), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "fn", [F.sigmoid, F.tanh, mt.sigmoid, mt.tanh], ids=["sig", "tanh", "mt.sig", "mt.tanh"]
)
def test_sigmoid_and_tanh_gradcheck(fn) -> None:
    x = _leaf(_rng(1).standard_normal((3, 4)) * 3)
    assert mt.gradcheck(fn, [x])


# ----- softmax and log_softmax --------------------------------------------------------------


@given(st.integers(1, 4), st.data())
def test_softmax_and_log_softmax_match_the_formula_along_every_dim(ndim: int, data) -> None:
    shape = data.draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim))
    z = _rng(len(shape)).standard_normal(shape).astype(np.float32) * 3
    dim = data.draw(st.integers(-ndim, ndim - 1))
    expected = _softmax_formula(z, dim)
    np.testing.assert_allclose(F.softmax(mt.tensor(z), dim).numpy(), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(
        F.log_softmax(mt.tensor(z), dim=dim).numpy(), np.log(expected), rtol=1e-5, atol=1e-5
    )


def test_softmax_of_huge_logits_is_finite() -> None:
    y = F.softmax(mt.tensor([[0.0, 1e4], [-1e4, -1e4], [3e38, 0.0]]), dim=1).numpy()
    np.testing.assert_array_equal(y, [[0, 1], [0.5, 0.5], [1, 0]])


@pytest.mark.parametrize(
    ("shape", "implicit"), [((), 0), ((3,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 2, 2), 1)]
)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_dim_none_is_pytorchs_implicit_choice_with_a_warning(shape, implicit, name) -> None:
    z = _rng().standard_normal(shape).astype(np.float32)
    fn = getattr(F, name)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}") as record:
        y = fn(mt.tensor(z))
    assert record[0].filename == __file__  # points at the caller, as PyTorch's does
    expected = _softmax_formula(z.reshape(z.shape or (1,)), implicit).reshape(shape)
    if name == "log_softmax":
        expected = np.log(expected)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_layers_with_dim_none_warn_at_the_line_that_calls_them() -> None:
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax") as record:
        nn.Softmax()(mt.ones(2, 3))
    assert record[0].filename == __file__
    with pytest.warns(UserWarning, match="log_softmax") as record:
        nn.LogSoftmax()(mt.ones(2, 3))
    assert record[0].filename == __file__


def test_a_given_dim_never_warns_and_0d_input_has_dims_0_and_minus_1() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.softmax(mt.tensor(3.0), -1).item() == 1.0
        assert F.log_softmax(mt.tensor(3.0), 0).item() == 0.0
        assert F.softmax(mt.zeros(2, 0), 1).shape == (2, 0)


def test_softmax_dtype_casts_first_and_int_input_needs_it() -> None:
    y = F.softmax(mt.tensor([1, 2]), 0, dtype=mt.float64)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), _softmax_formula(np.array([1.0, 2.0]), 0), rtol=1e-12)
    x = _leaf(np.array([0.5, -1.0], dtype=np.float32))
    F.log_softmax(x, 0, dtype=mt.float64).sum().backward()  # the cast is differentiable
    assert x.grad.dtype == np.float32
    with pytest.raises(TypeError, match="floating point.*int64"):
        F.softmax(mt.tensor([1, 2]), 0)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: F.softmax(mt.ones(2, 3), 2),
            ValueError,
            r"dim 2 is out of range for a 2-D tensor \(expected a value in \[-2, 1\]\)",
        ),
        (lambda: F.softmax(mt.ones(2, 3), 1.0), TypeError, "dim must be an int, got 1.0"),
        (lambda: F.log_softmax(mt.ones(2, 3), axis=-3), ValueError, "axis -3 is out of range"),
        (lambda: F.log_softmax(mt.ones(2, 3), 1, axis=1), TypeError, "dim or axis, not both"),
        (lambda: F.softmax(mt.ones(2), 0, dtype="complex64"), TypeError, "dtype"),
        (lambda: nn.Softmax(1.5)(mt.ones(2, 3)), TypeError, "dim must be an int"),
    ],
)
def test_softmax_rejects_bad_arguments(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_softmax_gradcheck(dim: int) -> None:
    z = _leaf(_rng(dim + 5).standard_normal((2, 3, 4)))
    assert mt.gradcheck(lambda t: F.softmax(t, dim), [z])


def test_softmax_backward_is_y_times_g_minus_the_weighted_sum() -> None:
    z, g = _rng(2).standard_normal((3, 4)), _rng(3).standard_normal((3, 4))
    x = _leaf(z)
    F.softmax(x, 1).backward(g)
    y = _softmax_formula(z, 1)
    jacobian_product = np.stack(
        [(np.diag(row) - np.outer(row, row)) @ grad for row, grad in zip(y, g)]
    )  # the full Jacobian diag(y) - y y^T, row by row
    np.testing.assert_allclose(x.grad.numpy(), jacobian_product, rtol=1e-10)


def test_tensor_methods_and_top_level_functions() -> None:
    z = mt.tensor(X)
    np.testing.assert_array_equal(z.softmax(1).numpy(), F.softmax(z, 1).numpy())
    np.testing.assert_array_equal(mt.softmax(z, dim=0).numpy(), F.softmax(z, 0).numpy())
    np.testing.assert_array_equal(z.log_softmax(dim=1).numpy(), F.log_softmax(z, 1).numpy())
    np.testing.assert_array_equal(mt.log_softmax(z, 1).numpy(), F.log_softmax(z, 1).numpy())
    np.testing.assert_array_equal(z.sigmoid().numpy(), F.sigmoid(z).numpy())
    np.testing.assert_array_equal(mt.tanh(z).numpy(), z.tanh().numpy())
    with pytest.raises(TypeError, match="dim"):
        z.softmax()  # required, as in PyTorch


# ----- relu and leaky_relu ------------------------------------------------------------------


def test_leaky_relu_values_and_slope_at_zero() -> None:
    x = _leaf(np.array([-2.0, 0.0, 3.0], dtype=np.float32))
    y = F.leaky_relu(x, 0.1)
    np.testing.assert_allclose(y.numpy(), [-0.2, 0.0, 3.0], rtol=1e-6)
    y.backward(np.array([1.0, 1.0, 1.0], dtype=np.float32))
    np.testing.assert_allclose(x.grad.numpy(), [0.1, 0.1, 1.0], rtol=1e-6)  # 0 takes the slope
    np.testing.assert_allclose(F.leaky_relu(mt.tensor([-100.0])).numpy(), [-1.0])  # 0.01 default
    np.testing.assert_allclose(nn.LeakyReLU(-0.5)(mt.tensor([-2.0, 2.0])).numpy(), [1.0, 2.0])


@pytest.mark.parametrize("slope", [0.01, 0.3, -0.5, 2.0])
def test_leaky_relu_gradcheck(slope: float) -> None:
    values = np.array([-2.0, -0.7, -0.1, 0.2, 0.9, 1.5])  # away from the kink
    x = _leaf(_rng().permutation(values).reshape(2, 3))
    assert mt.gradcheck(lambda t: F.leaky_relu(t, slope), [x])


def test_leaky_relu_rejects_a_non_number_slope_and_int_input() -> None:
    with pytest.raises(TypeError, match="negative_slope must be a number, got str"):
        F.leaky_relu(mt.ones(2), "a")
    with pytest.raises(TypeError, match="floating point"):
        F.leaky_relu(mt.tensor([1, -2]))


def test_inplace_writes_into_a_tensor_outside_the_graph() -> None:
    for call, expected in [
        (lambda t: F.relu(t, inplace=True), [0.0, 2.0]),
        (lambda t: nn.ReLU(inplace=True)(t), [0.0, 2.0]),
        (lambda t: F.leaky_relu(t, 0.5, True), [-0.5, 2.0]),
        (lambda t: nn.LeakyReLU(0.5, inplace=True)(t), [-0.5, 2.0]),
    ]:
        x = mt.tensor([-1.0, 2.0])
        y = call(x)
        assert y is x
        np.testing.assert_allclose(x.numpy(), expected)


def test_inplace_on_a_leaf_that_requires_grad_is_an_error_and_inside_the_graph_a_new_tensor() -> (
    None
):
    with pytest.raises(RuntimeError, match="in-place"):
        F.relu(mt.tensor([1.0], requires_grad=True), inplace=True)
    w = mt.tensor([-1.0, 2.0], requires_grad=True)
    h = w * 3
    y = F.relu(h, inplace=True)
    y.sum().backward()
    np.testing.assert_allclose(y.numpy(), [0.0, 6.0])
    np.testing.assert_allclose(w.grad.numpy(), [0.0, 3.0])


def test_relu_layers_and_reprs() -> None:
    assert [repr(m) for m in (nn.ReLU(), nn.ReLU(inplace=True), nn.ReLU(True))] == [
        "ReLU()",
        "ReLU(inplace=True)",
        "ReLU(inplace=True)",
    ]
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.LeakyReLU(0.2, True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)" and repr(nn.Softmax()) == "Softmax(dim=None)"
    assert repr(nn.LogSoftmax(1)) == "LogSoftmax(dim=1)"
    assert repr(nn.Sigmoid()) == "Sigmoid()" and repr(nn.Tanh()) == "Tanh()"
    z = mt.tensor(X)
    np.testing.assert_array_equal(nn.Sigmoid()(z).numpy(), F.sigmoid(z).numpy())
    np.testing.assert_array_equal(nn.Tanh()(z).numpy(), F.tanh(z).numpy())
    np.testing.assert_array_equal(nn.Softmax(0)(z).numpy(), F.softmax(z, 0).numpy())
    np.testing.assert_array_equal(nn.LogSoftmax(1)(z).numpy(), F.log_softmax(z, 1).numpy())


# ----- dropout and dropout2d ----------------------------------------------------------------


def test_dropout_signature_reprs_and_identities() -> None:
    x = mt.ones(4, 5)
    assert F.dropout(x, training=False) is x and F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.5, False, False) is x
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Dropout(0.2, True)) == "Dropout(p=0.2, inplace=True)"
    assert repr(nn.Dropout2d(p=0.3)) == "Dropout2d(p=0.3, inplace=False)"
    maps = mt.ones(2, 3, 4, 4)
    assert nn.Dropout2d(0.3).eval()(maps) is maps


def test_dropout_with_p_1_multiplies_by_zero() -> None:
    y = F.dropout(mt.tensor([np.nan, 2.0, -3.0]), 1.0).numpy()
    np.testing.assert_array_equal(y, [np.nan, 0.0, -0.0])  # nan * 0 stays nan, as PyTorch
    assert np.array_equal(F.dropout2d(mt.ones(2, 3, 2, 2), 1.0).numpy(), np.zeros((2, 3, 2, 2)))


def test_dropout_inplace_and_seeded_runs() -> None:
    a = F.dropout(mt.ones(50), 0.5, generator=_rng(7)).numpy()
    b = F.dropout(mt.ones(50), 0.5, generator=_rng(7)).numpy()
    np.testing.assert_array_equal(a, b)
    x = mt.ones(50)
    assert F.dropout(x, 0.5, True, True, generator=_rng(7)) is x
    np.testing.assert_array_equal(x.numpy(), a)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.dropout(mt.ones(3), 1.5), ValueError, r"\[0, 1\], got 1.5"),
        (lambda: F.dropout2d(mt.ones(2, 3, 2, 2), -0.1), ValueError, r"\[0, 1\], got -0.1"),
        (lambda: nn.Dropout2d("a"), TypeError, "got str 'a'"),
        (lambda: F.dropout(mt.tensor([1, 2]), 0.5), TypeError, "floating point"),
        (lambda: F.dropout2d(mt.ones(3), 0.5), ValueError, "at least 2 dims, got shape"),
        (lambda: F.dropout2d(mt.ones(2, 2, 2, 2), 0.5, generator=3), TypeError, "Generator"),
    ],
)
def test_dropout_rejects_bad_arguments(call, error, match) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout2d's warning about a 1-D input
        with pytest.raises(error, match=match):
            call()


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest() -> None:
    N, C, H, W, p = 40, 50, 3, 4, 0.3
    x = mt.tensor(_rng(1).uniform(1, 2, (N, C, H, W)).astype(np.float32))
    y = nn.Dropout2d(p, generator=_rng(2))(x).numpy()
    dropped = (y == 0).all(axis=(2, 3))  # (N, C)
    kept = ~dropped
    assert ((y != 0).all(axis=(2, 3)) == kept).all()  # a channel is all zero or all kept
    np.testing.assert_allclose(y[kept], x.numpy()[kept] / (1 - p), rtol=1e-6)
    assert abs(dropped.mean() - p) < 0.05  # 2,000 channels: 5 standard deviations
    assert y.dtype == np.float32


def test_dropout2d_gradient_is_the_channel_mask_times_the_scale() -> None:
    x = _leaf(np.ones((3, 4, 2, 2), dtype=np.float32))
    y = F.dropout2d(x, 0.5, generator=_rng(3))
    g = _rng(4).standard_normal(x.shape).astype(np.float32)
    y.backward(g)
    np.testing.assert_allclose(x.grad.numpy(), g * y.numpy(), rtol=1e-6)  # y = mask * 2


def test_dropout2d_reads_3d_input_as_n_c_l_and_warns_for_other_dims() -> None:
    with pytest.warns(UserWarning, match=r"\(N, C, L\)"):
        y = F.dropout2d(mt.ones(30, 20, 5), 0.5, generator=_rng(5)).numpy()
    per_channel = y.reshape(30 * 20, 5)
    assert all(len(set(row.tolist())) == 1 for row in per_channel)  # constant along L
    assert set(per_channel[:, 0].tolist()) == {0.0, 2.0}
    with pytest.warns(UserWarning, match="2-D"):
        F.dropout2d(mt.ones(4, 3), 0.5, training=False)
