"""The engine: graph order, accumulation, ``no_grad``, ``detach``, anomaly detection, errors.

Gradient values here come from hand derivations (written beside each assertion) or from
``mt.gradcheck``; none is produced by the code under test.
"""

from __future__ import annotations

import importlib
import inspect
import sys

import numpy as np
import pytest
from hypothesis import given

import minitorch_cnn as mt
from minitorch_cnn.autograd import Context, Function, unbroadcast
from minitorch_cnn.testing import broadcastable_shapes, distinct_arrays


class _CountingIdentity(Function):
    """y = x, counting how often backward runs and what gradient it receives."""

    calls: list[np.ndarray] = []

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x.copy()

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        _CountingIdentity.calls.append(np.array(grad_out))
        return (grad_out,)


# ----- order and accumulation -------------------------------------------------------------


def test_each_node_runs_backward_once_with_the_sum_of_all_uses() -> None:
    """A node reached by three paths of different lengths must wait for all three."""
    _CountingIdentity.calls = []
    x = mt.tensor(2.0, requires_grad=True)
    a = _CountingIdentity.apply(x)
    long_path = ((a * 3.0) * 1.0) * 1.0
    out = a * 5.0 + long_path + (a * a)  # dout/da = 5 + 3 + 2a = 12 at a = 2
    out.backward()
    assert len(_CountingIdentity.calls) == 1
    assert _CountingIdentity.calls[0] == 12.0
    assert x.grad == 12.0


def test_diamond_graph_gradient_by_hand() -> None:
    # a = 2x, b = exp(a), out = (a * b + a) * b = a b^2 + a b;  with x = 0.5: a = 1, b = e
    # dout/da = b^2 + 2 a b db/da + b + a db/da  with db/da = b
    #         = e^2 + 2 e^2 + e + e = 3 e^2 + 2 e;  dout/dx = 2 * that
    x = mt.tensor(np.float64(0.5), requires_grad=True)
    a = x * 2.0
    b = a.exp()
    ((a * b + a) * b).backward()
    e = np.e
    np.testing.assert_allclose(x.grad, 2 * (3 * e**2 + 2 * e), rtol=1e-12)


def test_a_tensor_used_twice_in_one_op() -> None:
    x = mt.tensor([1.0, -3.0], requires_grad=True)
    (x * x).sum().backward()  # d/dx x^2 = 2x
    np.testing.assert_array_equal(x.grad, [2.0, -6.0])
    y = mt.tensor([1.0, -3.0], requires_grad=True)
    (y + y + y).sum().backward()
    np.testing.assert_array_equal(y.grad, [3.0, 3.0])


def test_gradients_accumulate_across_calls_until_zeroed() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    (x.sum() * 2.0).backward()  # Sum's gradient is a broadcast view: must not alias .grad
    np.testing.assert_array_equal(x.grad, [8.0, 8.0])
    x.zero_grad()
    assert x.grad is None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_leaf_grad_is_owned_not_an_alias_of_the_upstream_gradient() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    upstream = np.array([1.0, 1.0], dtype=np.float32)
    x.backward(upstream)
    (x * 1.0).backward(upstream)
    np.testing.assert_array_equal(upstream, [1.0, 1.0])  # accumulating did not write into it
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


class _FreshTwice(Function):
    """y = a + b, whose backward hands one freshly made array to both inputs."""

    made: list[np.ndarray] = []

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        fresh = grad_out.copy()
        _FreshTwice.made.append(fresh)
        return fresh, fresh


def test_leaf_gradients_never_alias_each_other_the_callers_array_or_a_read_only_view() -> None:
    upstream = np.arange(6, dtype=np.float32).reshape(2, 3)
    a = mt.tensor(np.ones((2, 3)), requires_grad=True)
    b = mt.tensor(np.ones((2, 3)), requires_grad=True)
    (a + b).backward(upstream)  # Add hands grad_out itself to both inputs
    x = mt.tensor(np.ones((3, 2)), requires_grad=True)
    x.reshape(2, 3).backward(upstream)  # a view of the caller's array
    y = mt.tensor(np.ones((2, 3)), requires_grad=True)
    y.sum().backward()  # a read-only broadcast
    _FreshTwice.made = []
    c = mt.tensor(np.ones((2, 3)), requires_grad=True)
    d = mt.tensor(np.ones((2, 3)), requires_grad=True)
    _FreshTwice.apply(c, d).backward(upstream)  # one fresh array for two inputs
    grads = [a.grad, b.grad, x.grad, y.grad, c.grad, d.grad]
    arrays = [grad.numpy() for grad in grads]
    for i, grad in enumerate(arrays):
        assert grad.flags.writeable
        assert not np.shares_memory(grad, upstream)
        assert not any(np.shares_memory(grad, other) for other in arrays[i + 1 :])
    arrays[0] += 100  # changing one gradient changes no other array
    np.testing.assert_array_equal(b.grad, upstream)
    np.testing.assert_array_equal(upstream, np.arange(6).reshape(2, 3))


def test_a_cropped_view_is_copied_so_the_padding_it_hides_is_freed() -> None:
    """A padded convolution's input gradient is a view into a larger padded buffer."""
    x = mt.tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    weight = mt.tensor(np.ones((1, 1, 3, 3)))
    mt.functional.conv2d(x, weight, padding=2).sum().backward()
    grad = x.grad.numpy()
    assert grad.base is None or grad.nbytes == grad.base.nbytes


def test_gradients_reaching_a_node_have_its_dtype() -> None:
    """A float64 operand must not make the float32 part of the graph run in float64."""
    _CountingIdentity.calls = []
    x = mt.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    hidden = _CountingIdentity.apply(x)
    (hidden * np.full(3, 2.0)).sum().backward()  # the product and its gradient are float64
    assert _CountingIdentity.calls[0].dtype == np.float32
    assert x.grad.dtype == np.float32


def test_intermediates_keep_no_grad_and_leaves_do() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2.0
    (hidden * hidden).sum().backward()
    assert hidden.grad is None
    np.testing.assert_array_equal(x.grad, [8.0, 16.0])  # d/dx (2x)^2 = 8x


@given(shapes=broadcastable_shapes(max_dims=3, max_side=3))
def test_broadcast_gradients_are_summed_back_to_each_input_shape(shapes: tuple) -> None:
    shape_a, shape_b = shapes
    a = mt.tensor(np.ones(shape_a, dtype=np.float32), requires_grad=True)
    b = mt.tensor(np.ones(shape_b, dtype=np.float32), requires_grad=True)
    out = a * b
    out.sum().backward()
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    # each entry's gradient counts the output entries it was copied to
    total = int(np.prod(out.shape))
    np.testing.assert_array_equal(a.grad, np.full(shape_a, total / max(a.numel(), 1)))
    np.testing.assert_array_equal(b.grad, np.full(shape_b, total / max(b.numel(), 1)))


def test_unbroadcast_sums_prepended_and_stretched_axes() -> None:
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(grad, (3, 1)), grad.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(grad, ()), grad.sum())
    np.testing.assert_array_equal(unbroadcast(grad, (1, 3, 4)), grad.sum(axis=0, keepdims=True))
    assert unbroadcast(grad, (2, 3, 4)) is grad


@given(offsets=distinct_arrays((3,)))
def test_a_long_mixed_expression_passes_gradcheck(offsets: np.ndarray) -> None:
    x = 1.0 + offsets  # positive and distinct: no tie in the max

    def fn(t: mt.Tensor) -> mt.Tensor:
        u = t * t
        v = (u + 1.0).log() * t.exp()
        return (v / (u + 2.0) - u.max() + v[::-1] * t).mean(axis=0, keepdims=True)

    assert mt.gradcheck(fn, [mt.tensor(x, requires_grad=True)])


def test_a_10000_op_chain_needs_no_recursion() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # the default: a recursive graph walk would die here
    try:
        x = mt.tensor(np.float64(1.0), requires_grad=True)
        y = x
        for _ in range(5000):
            y = (y * 1.0001) + 0.5  # 10,000 ops
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    np.testing.assert_allclose(x.grad, 1.0001**5000, rtol=1e-10)


# ----- backward errors ------------------------------------------------------------------


def test_backward_of_a_non_scalar_needs_a_gradient() -> None:
    x = mt.tensor([[1.0, 2.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*got shape \(1, 2\)"):
        (x * 2.0).backward()
    (x * 2.0).backward(np.array([[1.0, -1.0]]))
    np.testing.assert_array_equal(x.grad, [[2.0, -2.0]])


def test_backward_of_a_one_element_tensor_defaults_to_one() -> None:
    x = mt.tensor([[3.0]], requires_grad=True)
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[6.0]])


def test_backward_gradient_of_the_wrong_shape() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"tensor's shape \(2,\), got \(3,\)"):
        (x * 2.0).backward(np.ones(3))


def test_backward_on_a_tensor_without_grad() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        (mt.ones(2) * 2.0).sum().backward()


def test_a_second_backward_through_a_released_graph_is_an_error() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2.0
    loss = (hidden * hidden).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="a second time"):
        loss.backward()
    with pytest.raises(RuntimeError, match="Mul a second time"):
        (hidden * 3.0).sum().backward()


def test_backward_returning_the_wrong_number_of_gradients() -> None:
    class TwoGrads(Function):
        @staticmethod
        def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
            return x * 2

        @staticmethod
        def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
            return grad_out, grad_out

    with pytest.raises(RuntimeError, match="TwoGrads.backward returned 2 gradients for 1 inputs"):
        TwoGrads.apply(mt.tensor(1.0, requires_grad=True)).backward()


# ----- requires_grad, no_grad, detach ----------------------------------------------------


def test_requires_grad_propagates_from_any_input() -> None:
    w, c = mt.tensor([1.0], requires_grad=True), mt.tensor([2.0])
    assert (w * c).requires_grad and (c * w).requires_grad and (w + 1).requires_grad
    assert not (c * c).requires_grad and not (c + 1).requires_grad
    w_times_c = c * w
    w_times_c.backward(np.ones(1))
    assert c.grad is None  # an input that needs no gradient gets none
    np.testing.assert_array_equal(w.grad, [2.0])


def test_no_grad_records_nothing_and_restores_the_mode() -> None:
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    assert mt.is_grad_enabled()
    with mt.no_grad():
        assert not mt.is_grad_enabled()
        y = (w * 2.0).exp()
        with mt.no_grad():
            pass
        assert not mt.is_grad_enabled()  # leaving a nested block keeps the outer one
    assert mt.is_grad_enabled()
    assert not y.requires_grad and y._ctx is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()
    with pytest.raises(KeyError):
        with mt.no_grad():
            raise KeyError("boom")
    assert mt.is_grad_enabled()  # restored after an exception too


def test_detach_shares_data_and_stops_the_gradient() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert d.numpy() is x.numpy() and not d.requires_grad and d._ctx is None
    (x * x.detach()).sum().backward()  # d/dx (x * const) = const = x
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])


# ----- detect_anomaly -------------------------------------------------------------------


def test_detect_anomaly_names_the_op_in_forward() -> None:
    x = mt.tensor([0.0, 1.0], requires_grad=True)
    with mt.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"Log forward .*1 of 2 entries"):
            (x.log() * 2.0).sum()  # the -inf is born in Log, not in Mul or Sum


def test_detect_anomaly_names_the_op_in_backward() -> None:
    x = mt.tensor([0.0, 4.0], requires_grad=True)
    with mt.detect_anomaly():
        y = (x**0.5).sum()  # forward finite: sqrt(0) = 0; backward 0.5 / sqrt(0) = inf
        with pytest.raises(FloatingPointError, match="Pow backward"):
            y.backward()


def test_without_detect_anomaly_non_finite_values_pass_silently() -> None:
    x = mt.tensor([0.0, 4.0], requires_grad=True)
    (x**0.5).sum().backward()
    assert np.isinf(x.grad[0]) and x.grad[1] == 0.25
    with mt.detect_anomaly():
        (x * 2.0).sum().backward()  # finite: no error
    np.testing.assert_array_equal(x.grad[1], 2.25)


# ----- documentation of the engine ------------------------------------------------------

ENGINE_MODULES = [
    "autograd",
    "tensor",
    "creation",
    "gradcheck",
    "ops.elementwise",
    "ops.reduce",
    "ops.shape",
    "ops.matmul",
    "ops.loss",
]


@pytest.mark.parametrize("module_name", ENGINE_MODULES)
def test_every_public_engine_name_has_a_docstring(module_name: str) -> None:
    module = importlib.import_module(f"minitorch_cnn.{module_name}")
    assert "Read next" in (module.__doc__ or ""), "each module says which file to read next"
    missing = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        members = [(name, obj)] + [
            (f"{name}.{attr}", getattr(obj, attr))
            for attr, value in vars(obj).items()
            if inspect.isclass(obj)
            and not attr.startswith("_")
            and (callable(value) or isinstance(value, (property, staticmethod, classmethod)))
        ]
        missing += [label for label, member in members if not inspect.getdoc(member)]
    assert not missing, f"public names without a docstring: {missing}"


def test_a_gradient_summed_over_broadcast_axes_is_right_and_aliases_nothing() -> None:
    """The bias of ``x + bias`` gets grad_out summed over the batch (a new array, kept);
    ``x`` gets grad_out itself (the caller's array, copied)."""
    x = mt.tensor(np.ones((4, 3)), requires_grad=True)
    bias = mt.tensor(np.zeros(3), requires_grad=True)
    upstream = np.arange(12, dtype=np.float32).reshape(4, 3)
    (x + bias).backward(upstream)
    np.testing.assert_array_equal(bias.grad, upstream.sum(axis=0))
    assert not np.shares_memory(x.grad, upstream) and not np.shares_memory(bias.grad, upstream)


def test_a_function_written_as_in_pytorchs_tutorial() -> None:
    """``ctx.saved_tensors`` and a bare gradient for the one input, as PyTorch's
    LegendrePolynomial3 example writes them (here on arrays)."""

    class Cube(Function):
        @staticmethod
        def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx: Context, grad_out: np.ndarray) -> np.ndarray:
            (x,) = ctx.saved_tensors
            return grad_out * 3 * x**2

    x = mt.tensor([1.0, -2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0])
