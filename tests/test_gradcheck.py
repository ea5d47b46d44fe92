"""Meta-tests: ``mt.gradcheck`` must pass correct backwards and *fail* wrong ones.

Every gradient test in the project trusts ``gradcheck``; these tests give it backwards that
are wrong in the ways real bugs are (one entry off, entries swapped, a missing factor, a
forgotten input) and check that it catches each one and says where.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn.autograd import Context, Function


class _SquareOneEntryOff(Function):
    """y = x * x with a backward that is wrong at flat entry 3 only."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        (x,) = ctx.saved
        grad_x = 2 * x * grad_out
        grad_x.flat[3] += 1.0
        return (grad_x,)


class _ReverseWithUnreversedBackward(Function):
    """y = x[::-1] whose backward forgets to reverse: right for sum(y), wrong for sum(y * g)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x[::-1].copy()

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return (grad_out,)


class _ProductForgettingB(Function):
    """y = a * b whose backward gives b no gradient."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        _, b = ctx.saved
        return grad_out * b, None


def _leaf(array: np.ndarray) -> mt.Tensor:
    return mt.tensor(array, requires_grad=True)


def test_a_wrong_backward_fails_naming_input_index_and_both_values() -> None:
    x = np.arange(6.0).reshape(2, 3)  # flat entry 3 is index (1, 0), where x = 3
    with pytest.raises(AssertionError) as failure:
        mt.gradcheck(lambda t: _SquareOneEntryOff.apply(t), [_leaf(x)])
    message = str(failure.value)
    assert "input 0" in message and "index (1, 0)" in message
    values = re.findall(r"(?:numeric|analytic) (-?[\d.e+-]+)", message)
    numeric, analytic = (float(v) for v in values)
    assert numeric != analytic
    assert abs(analytic - numeric) == pytest.approx(1.0, abs=1e-6)  # the +1 planted above


def test_the_same_function_with_a_right_backward_passes() -> None:
    x = np.arange(6.0).reshape(2, 3)
    assert mt.gradcheck(lambda t: t * t, [_leaf(x)]) is True


def test_a_swapped_gradient_is_caught_by_the_random_upstream_gradient() -> None:
    x = _leaf(np.array([1.0, 2.0, 3.0]))
    # sum(y) would not see the bug: every entry of its upstream gradient is 1
    _ReverseWithUnreversedBackward.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])
    with pytest.raises(AssertionError, match="input 0"):
        mt.gradcheck(lambda t: _ReverseWithUnreversedBackward.apply(t), [_leaf(np.arange(3.0))])


def test_the_failing_input_is_named() -> None:
    a, b = _leaf(np.array([1.0, 2.0])), _leaf(np.array([3.0, 4.0]))
    with pytest.raises(AssertionError, match=r"input 1 \(shape \(2,\)\) at index \(0,\)"):
        mt.gradcheck(lambda u, v: _ProductForgettingB.apply(u, v), [a, b])
    # with only the first input checked, the forgotten gradient is not asked for
    assert mt.gradcheck(lambda u, v: _ProductForgettingB.apply(u, v), [a, mt.tensor(b.numpy())])


def test_float32_inputs_are_checked_in_float64_and_left_untouched() -> None:
    original = np.array([[0.1, -0.7], [1.3, 2.9]], dtype=np.float32)
    x = _leaf(original.copy())
    seen: list[np.dtype] = []

    def fn(t: mt.Tensor) -> mt.Tensor:
        seen.append(t.dtype)
        return (t * t).exp() / (t * t + 1.0)

    assert mt.gradcheck(fn, [x])
    assert set(seen) == {np.dtype(np.float64)}
    assert x.dtype == np.float32 and x.grad is None
    np.testing.assert_array_equal(x.numpy(), original)


def test_non_tensor_arguments_pass_through() -> None:
    targets = np.array([1, 0])
    assert mt.gradcheck(
        lambda z, t, scale: mt.functional.cross_entropy(z * scale, t),
        [_leaf(np.array([[0.2, -0.4], [1.0, 0.3]])), targets, 3.0],
    )


def test_tolerances_decide() -> None:
    # a backward off by a factor 1 + 1e-4: inside rtol 1e-3, outside rtol 1e-6
    class SlightlyOff(Function):
        @staticmethod
        def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
            return 3.0 * x

        @staticmethod
        def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
            return (3.0 * (1 + 1e-4) * grad_out,)

    x = np.array([1.0, 2.0])
    assert mt.gradcheck(lambda t: SlightlyOff.apply(t), [_leaf(x)], rtol=1e-3)
    with pytest.raises(AssertionError, match="index"):
        mt.gradcheck(lambda t: SlightlyOff.apply(t), [_leaf(x)], atol=0.0, rtol=1e-6)


def test_needs_an_input_that_requires_grad() -> None:
    with pytest.raises(ValueError, match="at least one input Tensor with requires_grad=True"):
        mt.gradcheck(lambda t: t * 2.0, [mt.tensor([1.0])])


def test_fn_must_return_a_tensor() -> None:
    with pytest.raises(TypeError, match="fn must return a Tensor, got float"):
        mt.gradcheck(lambda t: 1.0, [_leaf(np.array([1.0]))])
