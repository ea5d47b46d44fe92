"""``Tensor`` and ``tensor``: the dtype rules, conversions, operands from NumPy, factories.

The rule that matters most for speed is that nothing silently becomes float64: a Python
number, a NumPy scalar or a 0-d array combined with a float32 tensor keeps float32, in the
forward output *and* in every gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn.testing import arrays, broadcastable_shapes

# ----- construction and dtype rules -----------------------------------------------------


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1, np.int64),
        (2.5, np.float32),
        (True, np.bool_),
        ([1, 2], np.int64),
        ([1, 2.0], np.float32),
    ],
)
def test_tensor_infers_the_dtype_of_python_data_as_torch_tensor(data: object, dtype: type) -> None:
    assert mt.tensor(data).dtype == dtype


@pytest.mark.parametrize("data", [1, 2.5, True, [1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], (1, 2.0)])
def test_the_tensor_class_makes_python_data_float32(data: object) -> None:
    t = mt.Tensor(data)  # as torch.Tensor
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.numpy(), np.asarray(data, dtype=np.float32))


@pytest.mark.parametrize("make", [mt.tensor, mt.Tensor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_float_arrays_keep_their_dtype_and_can_require_grad(make: Callable, dtype: type) -> None:
    array = np.arange(6, dtype=dtype).reshape(2, 3)
    t = make(array, requires_grad=True)
    assert t.dtype == dtype and t.requires_grad and t.shape == (2, 3)
    assert t.numpy() is array  # wrapped, not copied


@pytest.mark.parametrize("make", [mt.tensor, mt.Tensor])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_int_arrays_stay_int_and_never_require_grad(make: Callable, dtype: type) -> None:
    array = np.ones(3, dtype=dtype)
    assert make(array).dtype == dtype
    assert not make(array).requires_grad
    words = f"only floating point tensors can require grad, got dtype {np.dtype(dtype)}"
    with pytest.raises(TypeError, match=words):
        make(array, requires_grad=True)


def test_numpy_scalars_keep_their_dtype() -> None:
    assert mt.tensor(np.float64(1.5)).dtype == np.float64
    assert mt.tensor(np.float32(1.5)).dtype == np.float32
    assert mt.tensor(np.int64(3)).dtype == np.int64


def test_explicit_dtype_wins() -> None:
    assert mt.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert mt.tensor(np.arange(3), dtype=np.float32, requires_grad=True).dtype == np.float32
    assert mt.tensor(np.ones(2), dtype=np.int32).dtype == np.int32


def test_a_tensor_wraps_another_tensors_array() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = mt.Tensor(x)
    assert y.numpy() is x.numpy() and not y.requires_grad and y.grad is None


@pytest.mark.parametrize(
    "data, words",
    [
        ("abc", "got str"),
        (None, "got NoneType"),
        ({1: 2}, "got dict"),
        (np.ones(2, dtype=complex), "numeric data .* got an array of dtype complex128"),
        (np.array(["a"]), "got an array of dtype <U1"),
    ],
)
def test_bad_data_is_a_type_error(data: object, words: str) -> None:
    with pytest.raises(TypeError, match=words):
        mt.tensor(data)


def test_properties_and_conversions() -> None:
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = mt.tensor(array)
    assert (t.shape, t.ndim, t.numel(), len(t), t.dtype) == ((2, 3), 2, 6, 2, np.float32)
    assert t.numpy() is array
    assert t.T.shape == (3, 2)
    assert t.grad is None and not t.requires_grad
    assert mt.tensor([[7.0]]).item() == 7.0 and isinstance(mt.tensor(7.0).item(), float)
    with pytest.raises(RuntimeError, match=r"needs one element, got shape \(2, 3\)"):
        t.item()


def test_repr_shows_values_dtype_and_grad_flag() -> None:
    assert repr(mt.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(mt.tensor(np.array([1.0]))) == "tensor([1.], dtype=torch.float64)"


# ----- operators with NumPy and Python operands -------------------------------------------

OPERATORS: dict[str, Callable] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
@pytest.mark.parametrize(
    "scalar", [2, 0.5, np.float64(0.5), np.float32(0.5), np.int64(2), np.array(0.5), np.array(2)]
)
def test_scalars_from_either_side_keep_float32(symbol: str, scalar: object) -> None:
    op = OPERATORS[symbol]
    values = np.array([0.5, 1.0, 2.0], dtype=np.float32)
    exact = values.astype(np.float64)
    for side in ("left", "right"):
        t = mt.tensor(values, requires_grad=True)
        out = op(t, scalar) if side == "right" else op(scalar, t)
        expected = op(exact, float(scalar)) if side == "right" else op(float(scalar), exact)
        assert isinstance(out, mt.Tensor), side
        assert out.dtype == np.float32, (side, out.dtype)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
        out.backward(np.ones(3, dtype=np.float32))
        assert t.grad.dtype == np.float32, side


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
@given(data=st.data())
def test_numpy_arrays_from_either_side_broadcast_like_numpy(
    symbol: str, data: st.DataObject
) -> None:
    op = OPERATORS[symbol]
    shape_a, shape_b = data.draw(broadcastable_shapes(max_dims=3, max_side=3))
    a = data.draw(arrays(shape_a, dtype=np.float32, min_value=0.5, max_value=2.0))
    b = data.draw(arrays(shape_b, dtype=np.float32, min_value=0.5, max_value=2.0))
    for out in (op(mt.tensor(a), b), op(a, mt.tensor(b))):
        assert isinstance(out, mt.Tensor) and out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), op(a, b), rtol=1e-6)


def test_float64_array_operand_promotes_like_numpy() -> None:
    t = mt.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    out = t * np.full(3, 2.0)
    assert out.dtype == np.result_type(np.float32, np.float64)
    out.sum().backward()
    assert t.grad.dtype == np.float32  # the gradient still has its input's dtype


@pytest.mark.parametrize("symbol", ["+", "-", "*", "/"])
def test_int_meets_float_as_in_pytorch(symbol: str) -> None:
    """An int tensor or array meeting a float32 one gives float32 (NumPy alone says float64)."""
    op = OPERATORS[symbol]
    ints = np.array([1, 2, 3])
    floats = np.array([0.5, 4.0, 8.0], dtype=np.float32)
    cases = [  # (result, the same computation in float64)
        (op(mt.tensor(ints), 0.5), op(ints.astype(np.float64), 0.5)),
        (
            op(mt.tensor(ints), mt.tensor(floats)),
            op(ints.astype(np.float64), floats.astype(np.float64)),
        ),
        (op(mt.tensor(floats), ints), op(floats.astype(np.float64), ints.astype(np.float64))),
        (op(ints, mt.tensor(floats)), op(ints.astype(np.float64), floats.astype(np.float64))),
    ]
    for result, expected in cases:
        assert result.dtype == np.float32
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


def test_unary_minus_and_lists_as_operands() -> None:
    t = mt.tensor([1.0, -2.0])
    np.testing.assert_array_equal((-t).numpy(), [-1.0, 2.0])
    np.testing.assert_array_equal((t + [1, 1]).numpy(), [2.0, -1.0])
    np.testing.assert_array_equal(([1, 1] - t).numpy(), [0.0, 3.0])


@pytest.mark.parametrize("operand", ["a", None, {1: 2}])
def test_bad_operands_are_type_errors(operand: object) -> None:
    with pytest.raises(TypeError, match=f"got {type(operand).__name__}"):
        mt.ones(2) + operand


def test_incompatible_shapes_name_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(Add\): shapes \(2, 3\) and \(4, 3\)"):
        mt.ones(2, 3) + mt.ones(4, 3)


# ----- every op keeps float32 in its output and in its gradient -----------------------------

X32 = np.array([[0.5, 1.5, -2.0], [3.0, -0.25, 1.0]], dtype=np.float32)
TARGETS = np.array([2, 0])
EVERY_OP: dict[str, Callable] = {
    "add": lambda x: x + 0.5,
    "radd": lambda x: 0.5 + x,
    "sub": lambda x: x - 0.5,
    "rsub": lambda x: 1 - x,
    "mul": lambda x: x * 0.5,
    "rmul": lambda x: np.float64(2) * x,
    "div": lambda x: x / 3,
    "rdiv": lambda x: 1.0 / x,
    "pow": lambda x: x**2,
    "rpow": lambda x: 2.0**x,
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: (x * x).log(),
    "relu": lambda x: x.relu(),
    "sum": lambda x: x.sum(axis=0),
    "mean": lambda x: x.mean(axis=(0, 1)),
    "max": lambda x: x.max(axis=1, keepdims=True),
    "reshape": lambda x: x.reshape(3, 2),
    "transpose": lambda x: x.T,
    "getitem": lambda x: x[[1, 1], 1:],
    "matmul": lambda x: x @ x.T,
    "matvec": lambda x: x @ np.array([1.0, 2.0, 3.0], dtype=np.float32),
    "log_softmax": lambda x: F.log_softmax(x, dim=0),
    "cross_entropy": lambda x: F.cross_entropy(x, TARGETS),
    "linear": lambda x: F.linear(
        x, mt.tensor(np.ones((4, 3), x.dtype)), mt.tensor(np.ones(4, x.dtype))
    ),
    "flatten": lambda x: F.flatten(x, 0),
    "dropout": lambda x: F.dropout(x, 0.5, generator=np.random.default_rng(0)),
    "mixed_scalars": lambda x: (x * np.float64(0.1) + np.array(0.3)) / np.float64(7),
}


@pytest.mark.parametrize("name", sorted(EVERY_OP))
def test_float32_in_float32_out_and_float32_grad(name: str) -> None:
    x = mt.tensor(X32, requires_grad=True)
    out = EVERY_OP[name](x)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32 and x.grad.shape == X32.shape


@pytest.mark.parametrize("name", sorted(EVERY_OP))
def test_float32_gradient_agrees_with_float64(name: str) -> None:
    grads = []
    for dtype in (np.float32, np.float64):
        x = mt.tensor(X32.astype(dtype), requires_grad=True)
        out = EVERY_OP[name](x)
        out.backward(np.linspace(-1, 1, out.numel()).reshape(out.shape))
        grads.append(x.grad)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-6)


# ----- factories ------------------------------------------------------------------------

FACTORIES = [mt.zeros, mt.ones, mt.rand, mt.randn]


@pytest.mark.parametrize("factory", FACTORIES)
def test_factories_are_float32_and_take_sizes_or_a_tuple(factory: Callable) -> None:
    for t in (factory(2, 3), factory((2, 3)), factory([2, 3])):
        assert t.shape == (2, 3) and t.dtype == np.float32 and not t.requires_grad
    assert factory(4).shape == (4,) and factory().shape == ()
    assert factory(2, requires_grad=True).requires_grad


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("bad", [(-1,), (2.0,), ("3",), (True,)])
def test_factories_reject_bad_sizes(factory: Callable, bad: tuple) -> None:
    with pytest.raises(ValueError, match="sizes must be non-negative ints"):
        factory(*bad)


def test_zeros_and_ones_values() -> None:
    np.testing.assert_array_equal(mt.zeros(2, 2).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(mt.ones(3).numpy(), np.ones(3))


@pytest.mark.parametrize("factory", [mt.rand, mt.randn])
def test_random_factories_follow_the_generator(factory: Callable) -> None:
    a = factory(50, generator=np.random.default_rng(3)).numpy()
    b = factory(50, generator=np.random.default_rng(3)).numpy()
    c = factory(50, generator=np.random.default_rng(4)).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("factory", [mt.rand, mt.randn])
def test_manual_seed_makes_the_default_generator_reproducible(factory: Callable) -> None:
    mt.manual_seed(123)
    first = [factory(5).numpy(), factory(2, 2).numpy()]
    mt.manual_seed(123)
    second = [factory(5).numpy(), factory(2, 2).numpy()]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], factory(5).numpy())  # the stream moves on


def test_random_values_have_the_right_distribution() -> None:
    gen = np.random.default_rng(0)
    u, n = mt.rand(20000, generator=gen).numpy(), mt.randn(20000, generator=gen).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0
    # standard errors: 0.002 for the uniform mean, 0.007 for the normal mean and std
    assert abs(u.mean() - 0.5) < 0.01
    assert abs(n.mean()) < 0.04 and abs(n.std() - 1.0) < 0.04
