"""Bad input gets a plain answer: the catalogue of wrong calls to every public function.

One parametrized test per public function or layer constructor (DESIGN.md's list) runs its
wrong calls: wrong ranks, mismatched shapes, non-positive sizes, wrong dtypes (int weights,
object arrays, strings), wrong kinds of argument. Each must raise ``ValueError`` or
``TypeError`` (``IndexError`` for an index, ``RuntimeError`` for a graph misuse, as in
PyTorch) whose message repeats what the caller gave -- never an error raised deep inside
NumPy or Python. The second half checks that legal but unusual input -- empty batches,
non-contiguous, negative-stride, zero-stride and read-only arrays, bool and list data --
gives the right answer, computed independently in float64 (``tests/reference.py`` for conv and
pooling, NumPy formulas for the rest).

Read next: ``tests/test_numerics.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import reference as ref

import minitorch_cnn as mt
from minitorch_cnn import data, models, nn, optim
from minitorch_cnn import functional as F

# Phrases of errors raised inside NumPy or Python rather than by the library's own checks.
RAW_PHRASES = (
    "operands could not be broadcast",
    "cannot reshape array",
    "inhomogeneous",
    "AxisError",
    "object has no attribute",
    "is not iterable",
    "not supported between instances",
    "cannot be interpreted as an integer",
    "Cannot cast array data",
    "could not convert",
    "did not contain a loop",
    "zero-size array",
    "by zero",
    "Value after *",
    "object is not callable",
    "slice indices must be",
)


def _case(name: str, call: Callable[[], object], error: type, match: str) -> object:
    return pytest.param(call, error, match, id=name)


def _assert_plain_error(call: Callable[[], object], error: type, match: str) -> None:
    """``call()`` raises exactly ``error`` with a message matching ``match`` and no raw phrase."""
    with pytest.raises(Exception) as info:
        call()
    message = str(info.value)
    assert type(info.value) is error, f"expected {error.__name__}, got {info.typename}: {message}"
    assert re.search(match, message), f"{message!r} does not match {match!r}"
    assert not [p for p in RAW_PHRASES if p in message], f"raw NumPy/Python error: {message!r}"


def _ones(*shape: int, dtype: type = np.float32) -> mt.Tensor:
    return mt.tensor(np.ones(shape, dtype=dtype))


RNG = np.random.default_rng
T23 = mt.ones(2, 3)
BOOL = mt.tensor(np.array([True, False]))


# ----- the catalogue: one test per public function or constructor ---------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "ragged-list",
            lambda: mt.tensor([[1, 2], [3]]),
            ValueError,
            r"ragged.*\[\[1, 2\], \[3\]\]",
        ),
        _case("string", lambda: mt.Tensor("abc"), TypeError, "got str"),
        _case("list-of-strings", lambda: mt.tensor(["a", "b"]), TypeError, "dtype <U1"),
        _case("object-array", lambda: mt.tensor(np.array([1.0, None])), TypeError, "dtype object"),
        _case("complex", lambda: mt.tensor(np.ones(2, complex)), TypeError, "dtype complex128"),
        _case("dict", lambda: mt.tensor({1: 2}), TypeError, "got dict"),
        _case("none", lambda: mt.Tensor(None), TypeError, "got NoneType"),
        _case(
            "dtype-str",
            lambda: mt.tensor([1.0], dtype=str),
            TypeError,
            "dtype must be .*got <class 'str'>",
        ),
        _case(
            "dtype-unknown", lambda: mt.tensor([1.0], dtype="float33"), TypeError, "got 'float33'"
        ),
        _case(
            "int-requires-grad",
            lambda: mt.tensor(np.arange(3), requires_grad=True),
            TypeError,
            "floating point .* got dtype int64",
        ),
        _case(
            "bool-requires-grad",
            lambda: mt.Tensor(np.array([True]), requires_grad=True),
            TypeError,
            "got dtype bool",
        ),
    ],
)
def test_tensor_constructor(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "add",
            lambda: T23 + mt.ones(4, 3),
            ValueError,
            r"\+ b \(Add\): shapes \(2, 3\) and \(4, 3\) .*axis -2 has lengths 2 and 4",
        ),
        _case(
            "rsub-ndarray",
            lambda: np.ones((4, 3)) - T23,
            ValueError,
            r"\(Sub\): shapes \(4, 3\) and \(2, 3\)",
        ),
        _case(
            "mul-3d",
            lambda: mt.ones(5, 2, 3) * mt.ones(4, 1, 3),
            ValueError,
            r"\(Mul\): shapes \(5, 2, 3\) and \(4, 1, 3\).*axis -3 has lengths 5 and 4",
        ),
        _case(
            "div-list", lambda: T23 / [1.0, 2.0], ValueError, r"\(Div\): shapes \(2, 3\) and \(2,\)"
        ),
        _case(
            "pow",
            lambda: T23 ** mt.ones(3, 2),
            ValueError,
            r"\(Pow\): shapes \(2, 3\) and \(3, 2\)",
        ),
        _case("matmul", lambda: T23 @ T23, ValueError, r"matmul shapes \(2, 3\) and \(2, 3\)"),
        _case("matmul-scalar", lambda: T23 @ 2.0, ValueError, r"at least 1-D .*\(2, 3\) and \(\)"),
        _case("add-str", lambda: T23 + "a", TypeError, "got str"),
        _case("mul-none", lambda: None * T23, TypeError, "got NoneType"),
        _case("sub-bools", lambda: BOOL - BOOL, TypeError, "got dtypes bool and bool"),
        _case("neg-bool", lambda: -BOOL, TypeError, "got dtype bool"),
        _case(
            "int-negative-power",
            lambda: mt.tensor(np.array([2])) ** mt.tensor(np.array([-1])),
            ValueError,
            "negative integer powers",
        ),
    ],
)
def test_tensor_operators(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


def _backward(grad: object = None) -> None:
    (mt.ones(2, 3, requires_grad=True) * 2.0).backward(grad)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "sum-axis",
            lambda: T23.sum(axis=2),
            ValueError,
            "axis 2 is out of range for a tensor with 2",
        ),
        _case(
            "sum-axis-str", lambda: T23.sum(axis="a"), TypeError, "axis must be an int .*got 'a'"
        ),
        _case(
            "mean-repeated-axis",
            lambda: T23.mean(axis=(0, 0)),
            ValueError,
            r"axis \(0, 0\) repeats",
        ),
        _case("max-axis-float", lambda: T23.max(axis=1.0), TypeError, "got 1.0"),
        _case(
            "sum-keepdims-str",
            lambda: T23.sum(keepdims="yes"),
            TypeError,
            "keepdims must be a bool, got 'yes'",
        ),
        _case(
            "max-empty", lambda: mt.zeros(0, 3).max(), ValueError, r"empty tensor of shape \(0, 3\)"
        ),
        _case(
            "reshape-size",
            lambda: T23.reshape(4, 2),
            ValueError,
            r"\(2, 3\) \(6 entries\) into \(4, 2\)",
        ),
        _case("reshape-two-unknown", lambda: T23.reshape(-1, -1), ValueError, r"into \(-1, -1\)"),
        _case("reshape-str", lambda: T23.reshape("a"), TypeError, r"ints, got \('a',\)"),
        _case("reshape-float", lambda: T23.reshape(3, 2.0), TypeError, r"ints, got \(3, 2.0\)"),
        _case(
            "transpose-repeat",
            lambda: T23.permute(0, 0),
            ValueError,
            r"permutation of 0..1, got \(0, 0\)",
        ),
        _case("transpose-range", lambda: T23.permute(0, 2), ValueError, r"got \(0, 2\)"),
        _case("transpose-str", lambda: T23.permute("a"), TypeError, r"ints, got \('a',\)"),
        _case("index-range", lambda: T23[5], IndexError, r"shape \(2, 3\) with 5"),
        _case("index-str", lambda: T23["a"], IndexError, r"shape \(2, 3\) with 'a'"),
        _case(
            "index-float-array", lambda: T23[np.array([0.5])], IndexError, r"with array\(\[0.5\]\)"
        ),
        _case("item", lambda: T23.item(), RuntimeError, r"needs one element, got shape \(2, 3\)"),
        _case(
            "backward-no-grad", lambda: T23.sum().backward(), RuntimeError, "does not require grad"
        ),
        _case(
            "backward-non-scalar",
            lambda: _backward(),
            RuntimeError,
            r"one-element .*got shape \(2, 3\)",
        ),
        _case(
            "backward-grad-shape",
            lambda: _backward(np.ones(3)),
            ValueError,
            r"shape \(2, 3\), got \(3,\)",
        ),
        _case("backward-grad-str", lambda: _backward("a"), TypeError, "got str"),
    ],
)
def test_tensor_methods(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "zeros-negative",
            lambda: mt.zeros(2, -1),
            ValueError,
            r"non-negative ints, got shape \(2, -1\)",
        ),
        _case("ones-float", lambda: mt.ones(2.5), ValueError, r"got shape \(2.5,\)"),
        _case("rand-str", lambda: mt.rand("3"), ValueError, r"got shape \('3',\)"),
        _case(
            "rand-generator-int",
            lambda: mt.rand(2, generator=5),
            TypeError,
            "np.random.Generator .*got int",
        ),
        _case(
            "randn-legacy-generator",
            lambda: mt.randn(2, generator=np.random.RandomState(0)),
            TypeError,
            "got RandomState",
        ),
    ],
)
def test_factories(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


def _square(a: mt.Tensor) -> mt.Tensor:
    return a * a


X_GRAD = mt.ones(2, requires_grad=True)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "fn-not-callable",
            lambda: mt.gradcheck(5, [X_GRAD]),
            TypeError,
            "fn must be callable, got int",
        ),
        _case(
            "inputs-a-tensor",
            lambda: mt.gradcheck(_square, X_GRAD),
            TypeError,
            "inputs must be a list or tuple .*got Tensor",
        ),
        _case(
            "no-input-requires-grad",
            lambda: mt.gradcheck(_square, [mt.ones(2)]),
            ValueError,
            "requires_grad=True",
        ),
        _case(
            "eps-zero",
            lambda: mt.gradcheck(_square, [X_GRAD], eps=0),
            ValueError,
            "eps must be positive .*got 0",
        ),
        _case(
            "eps-str",
            lambda: mt.gradcheck(_square, [X_GRAD], eps="a"),
            TypeError,
            "eps must be a float, got 'a'",
        ),
        _case(
            "atol-negative",
            lambda: mt.gradcheck(_square, [X_GRAD], atol=-1.0),
            ValueError,
            "got -1.0 and 0.001",
        ),
        _case(
            "seed-str",
            lambda: mt.gradcheck(_square, [X_GRAD], seed="a"),
            TypeError,
            "seed must be an int, got 'a'",
        ),
        _case(
            "returns-array",
            lambda: mt.gradcheck(lambda a: a.numpy(), [X_GRAD]),
            TypeError,
            "must return a Tensor, got ndarray",
        ),
    ],
)
def test_gradcheck(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


W = _ones(4, 3, 3, 3)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "input-2d",
            lambda: F.conv2d(_ones(8, 8), W),
            ValueError,
            r"4-D \(N, C, H, W\) or unbatched 3-D \(C, H, W\), got shape \(8, 8\)",
        ),
        _case(
            "weight-5d",
            lambda: F.conv2d(_ones(1, 3, 8, 8), _ones(4, 3, 3, 3, 1)),
            ValueError,
            r"weight must be 4-D .*\(4, 3, 3, 3, 1\)",
        ),
        _case(
            "channels",
            lambda: F.conv2d(_ones(2, 1, 8, 8), W),
            ValueError,
            r"expects 3 input channels.*C=1",
        ),
        _case(
            "groups",
            lambda: F.conv2d(_ones(1, 3, 8, 8), W, groups=2),
            ValueError,
            "groups=2 must divide .*C=3",
        ),
        _case(
            "bias-shape",
            lambda: F.conv2d(_ones(1, 3, 8, 8), W, _ones(3)),
            ValueError,
            r"\(4,\) .*got \(3,\)",
        ),
        _case(
            "stride-zero",
            lambda: F.conv2d(_ones(1, 3, 8, 8), W, stride=0),
            ValueError,
            "stride must be >= 1, got 0",
        ),
        _case(
            "padding-negative",
            lambda: F.conv2d(_ones(1, 3, 8, 8), W, padding=(0, -1)),
            ValueError,
            r"padding must be >= 0, got \(0, -1\)",
        ),
        _case(
            "dilation-float",
            lambda: F.conv2d(_ones(1, 3, 8, 8), W, dilation=1.5),
            TypeError,
            "got 1.5",
        ),
        _case(
            "kernel-too-big",
            lambda: F.conv2d(_ones(1, 3, 2, 8), W),
            ValueError,
            r"\(1, 3, 2, 8\), along the height",
        ),
        _case(
            "int-weight",
            lambda: F.conv2d(_ones(1, 3, 8, 8), _ones(4, 3, 3, 3, dtype=np.int64)),
            TypeError,
            "weight must be a floating point tensor, got dtype int64",
        ),
        _case(
            "bool-input",
            lambda: F.conv2d(_ones(1, 3, 8, 8, dtype=bool), W),
            TypeError,
            "got dtype bool",
        ),
        _case(
            "object-input",
            lambda: F.conv2d(np.ones((1, 3, 8, 8), object), W),
            TypeError,
            "dtype object",
        ),
        _case(
            "list-input",
            lambda: F.conv2d([[1.0]], W),
            TypeError,
            "x must be a Tensor or np.ndarray, got list",
        ),
        _case(
            "float64-input",
            lambda: F.conv2d(np.ones((1, 3, 8, 8)), W),
            TypeError,
            "dtype float64, got float32",
        ),
        _case(
            "no-filters",
            lambda: F.conv2d(_ones(1, 3, 8, 8), _ones(0, 3, 3, 3)),
            ValueError,
            r"\(0, 3, 3, 3\)",
        ),
    ],
)
def test_conv2d(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d], ids=["max", "avg"])
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        pytest.param(
            dict(x=_ones(8, 8), kernel_size=2),
            ValueError,
            r"got shape \(8, 8\)",
            id="input-2d",
        ),
        pytest.param(
            dict(x=_ones(1, 1, 8, 8), kernel_size=0),
            ValueError,
            "kernel_size must be >= 1, got 0",
            id="kernel-0",
        ),
        pytest.param(
            dict(x=_ones(1, 1, 8, 8), kernel_size=(2,)),
            ValueError,
            r"\(2,\) of length 1",
            id="kernel-1-tuple",
        ),
        pytest.param(
            dict(x=_ones(1, 1, 8, 8), kernel_size=2.0), TypeError, "got 2.0", id="kernel-float"
        ),
        pytest.param(
            dict(x=_ones(1, 1, 8, 3), kernel_size=4),
            ValueError,
            r"along the width",
            id="kernel-too-big",
        ),
        pytest.param(
            dict(x=_ones(1, 1, 8, 8), kernel_size=2, stride=0),
            ValueError,
            "stride must be >= 1, got 0",
            id="stride-0",
        ),
        pytest.param(
            dict(x=_ones(1, 1, 8, 8), kernel_size=2, padding=2),
            ValueError,
            r"half the kernel size \(2, 2\), got \(2, 2\)",
            id="padding-too-big",
        ),
        pytest.param(
            dict(x=_ones(1, 1, 8, 8, dtype=np.int32), kernel_size=2),
            TypeError,
            "got dtype int32",
            id="int-input",
        ),
        pytest.param(dict(x=[[1.0]], kernel_size=2), TypeError, "got list", id="list-input"),
    ],
)
def test_pooling(pool: Callable[..., mt.Tensor], kwargs: dict, error: type, match: str) -> None:
    _assert_plain_error(lambda: pool(**kwargs), error, match)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "kernel-too-big",
            lambda: F.conv_output_size(2, 5),
            ValueError,
            r"floor\(\(2 \+ 2\*0 - 1\*\(5 - 1\)",
        ),
        _case(
            "size-str",
            lambda: F.conv_output_size("28", 3),
            TypeError,
            r"size must be an int, got '28'",
        ),
        _case(
            "size-negative",
            lambda: F.conv_output_size(-1, 1),
            ValueError,
            "size must be >= 0, got -1",
        ),
        _case(
            "stride-0",
            lambda: F.conv_output_size(28, 3, stride=0),
            ValueError,
            "stride must be >= 1, got 0",
        ),
        _case(
            "padding-negative", lambda: F.conv_output_size(28, 3, padding=-2), ValueError, "got -2"
        ),
    ],
)
def test_conv_output_size(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "relu-list",
            lambda: F.relu([1.0, -1.0]),
            TypeError,
            "input must be a Tensor or np.ndarray, got list",
        ),
        _case("relu-str", lambda: nn.ReLU()("x"), TypeError, "got str"),
        _case(
            "linear-weight-1d",
            lambda: F.linear(T23, _ones(3)),
            ValueError,
            r"2-D .*got shape \(3,\)",
        ),
        _case(
            "linear-in-features",
            lambda: F.linear(mt.ones(2, 5), _ones(4, 3)),
            ValueError,
            r"last axis 3 \(in_features\), got shape \(2, 5\)",
        ),
        _case(
            "linear-bias",
            lambda: F.linear(T23, _ones(4, 3), _ones(3)),
            ValueError,
            r"\(4,\), got \(3,\)",
        ),
        _case(
            "linear-0d",
            lambda: F.linear(mt.tensor(1.0), _ones(4, 3)),
            ValueError,
            r"got shape \(\)",
        ),
        _case(
            "linear-int-weight",
            lambda: F.linear(T23, _ones(4, 3, dtype=np.int64)),
            TypeError,
            "int64",
        ),
        _case(
            "linear-float64-weight",
            lambda: F.linear(T23, _ones(4, 3, dtype=np.float64)),
            TypeError,
            "float32.*float64|float64.*float32",
        ),
        _case(
            "flatten-start",
            lambda: F.flatten(_ones(2, 3, 4, 4), 4),
            ValueError,
            "start_dim 4 is out of range for a 4-D",
        ),
        _case(
            "flatten-start-str", lambda: F.flatten(_ones(2, 3), "a"), TypeError, "start_dim .*'a'"
        ),
        _case(
            "flatten-start-float", lambda: F.flatten(_ones(2, 3), 1.0), TypeError, "start_dim .*1.0"
        ),
        _case(
            "log-softmax-axis",
            lambda: F.log_softmax(T23, 2),
            ValueError,
            "dim 2 is out of range for a 2-D",
        ),
        _case("log-softmax-dim-str", lambda: F.log_softmax(T23, dim="a"), TypeError, "'a'"),
        _case(
            "log-softmax-int",
            lambda: F.log_softmax(_ones(2, 3, dtype=np.int64), dim=1),
            TypeError,
            "got dtype int64",
        ),
        _case("dropout-p", lambda: F.dropout(T23, 1.5), ValueError, r"\[0, 1\], got 1.5"),
        _case("dropout-p-str", lambda: F.dropout(T23, "a"), TypeError, "'a'"),
        _case(
            "dropout-generator",
            lambda: F.dropout(T23, 0.5, generator=5),
            TypeError,
            "Generator.*int",
        ),
    ],
)
def test_functional_layers(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


LOGITS = mt.zeros(2, 3)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "logits-1d",
            lambda: F.cross_entropy(mt.zeros(3), np.array([0])),
            ValueError,
            r"shape \(\) for input of shape \(3,\), got \(1,\)",
        ),
        _case(
            "targets-shape",
            lambda: F.cross_entropy(LOGITS, np.zeros(3, int)),
            ValueError,
            r"\(2,\) .*got \(3,\)",
        ),
        _case(
            "targets-float",
            lambda: F.cross_entropy(LOGITS, np.array([0.0, 1.0])),
            ValueError,
            "probability targets must have the input's shape",
        ),
        _case(
            "targets-bool",
            lambda: F.cross_entropy(LOGITS, np.array([True, False])),
            TypeError,
            "bool",
        ),
        _case("targets-str", lambda: F.cross_entropy(LOGITS, "ab"), TypeError, "<U2"),
        _case(
            "targets-range",
            lambda: F.cross_entropy(LOGITS, np.array([0, 3])),
            ValueError,
            r"\[0, 3\) \(or ignore_index -100\), got values from 0 to 3",
        ),
        _case(
            "targets-negative",
            lambda: F.cross_entropy(LOGITS, np.array([-1, 0])),
            ValueError,
            "from -1 to 0",
        ),
        _case(
            "int-logits",
            lambda: F.cross_entropy(_ones(2, 3, dtype=np.int64), np.zeros(2, int)),
            TypeError,
            "int64",
        ),
    ],
)
def test_cross_entropy(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "conv-in-0", lambda: nn.Conv2d(0, 4, 3), ValueError, "in_channels must be >= 1, got 0"
        ),
        _case(
            "conv-out-float",
            lambda: nn.Conv2d(1, 4.0, 3),
            TypeError,
            r"out_channels must be an int, got 4.0",
        ),
        _case("conv-kernel-str", lambda: nn.Conv2d(1, 4, "3"), TypeError, "kernel_size .*'3'"),
        _case(
            "conv-stride-0",
            lambda: nn.Conv2d(1, 4, 3, stride=0),
            ValueError,
            "stride must be >= 1, got 0",
        ),
        _case(
            "conv-groups",
            lambda: nn.Conv2d(3, 4, 3, groups=2),
            ValueError,
            r"in_channels \(3\) .*groups \(2\)",
        ),
        _case(
            "conv-generator", lambda: nn.Conv2d(1, 4, 3, generator=5), TypeError, "Generator.*int"
        ),
        _case(
            "conv-forward-channels",
            lambda: nn.Conv2d(3, 4, 3)(_ones(2, 1, 8, 8)),
            ValueError,
            "3 input channels",
        ),
        _case("maxpool-0", lambda: nn.MaxPool2d(0), ValueError, "kernel_size must be >= 1, got 0"),
        _case("maxpool-stride-str", lambda: nn.MaxPool2d(2, stride="1"), TypeError, "stride .*'1'"),
        _case(
            "maxpool-forward-2d",
            lambda: nn.MaxPool2d(2)(_ones(8, 8)),
            ValueError,
            r"\(8, 8\)",
        ),
        _case(
            "avgpool-padding",
            lambda: nn.AvgPool2d(2, padding=-1),
            ValueError,
            "padding must be >= 0, got -1",
        ),
        _case(
            "linear-in-0", lambda: nn.Linear(0, 3), ValueError, "in_features must be >= 1, got 0"
        ),
        _case(
            "linear-out-float",
            lambda: nn.Linear(3, 2.5),
            TypeError,
            "out_features must be an int, got 2.5",
        ),
        _case(
            "linear-generator",
            lambda: nn.Linear(3, 2, generator="seed"),
            TypeError,
            "Generator.*str",
        ),
        _case(
            "linear-forward",
            lambda: nn.Linear(3, 2)(mt.zeros(4, 5)),
            ValueError,
            r"last axis 3 .*\(4, 5\)",
        ),
        _case(
            "flatten-str", lambda: nn.Flatten("a"), TypeError, "start_dim must be an int, got 'a'"
        ),
        _case(
            "sequential-int",
            lambda: nn.Sequential(nn.ReLU(), 3),
            TypeError,
            "Modules, got int at position 1",
        ),
        _case(
            "sequential-list",
            lambda: nn.Sequential([nn.ReLU()]),
            TypeError,
            "got list at position 0",
        ),
        _case("dropout-p", lambda: nn.Dropout(-0.1), ValueError, r"\[0, 1\], got -0.1"),
        _case("dropout-str", lambda: nn.Dropout("a"), TypeError, "got str 'a'"),
        _case("parameter-list", lambda: nn.Parameter([1.0]), TypeError, "got list"),
        _case("parameter-int", lambda: nn.Parameter(np.ones(3, int)), TypeError, "dtype int64"),
        _case(
            "parameter-object", lambda: nn.Parameter(np.ones(3, object)), TypeError, "dtype object"
        ),
    ],
)
def test_layer_constructors(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


def _load(state: object) -> None:
    nn.Linear(3, 2).load_state_dict(state)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "missing",
            lambda: _load({"weight": np.ones((2, 3))}),
            ValueError,
            r"missing keys \['bias'\]",
        ),
        _case(
            "unexpected",
            lambda: _load({"weight": np.ones((2, 3)), "bias": np.ones(2), "b2": 1}),
            ValueError,
            r"unexpected keys \['b2'\]",
        ),
        _case(
            "shape",
            lambda: _load({"weight": np.ones((3, 2)), "bias": np.ones(2)}),
            ValueError,
            r"weight: expected \(2, 3\), got \(3, 2\)",
        ),
        _case(
            "other-architecture",
            lambda: nn.Conv2d(1, 2, 3).load_state_dict(nn.Conv2d(1, 2, 5).state_dict()),
            ValueError,
            r"expected \(2, 1, 3, 3\), got \(2, 1, 5, 5\)",
        ),
        _case("not-a-mapping", lambda: _load(None), TypeError, "NoneType"),
        _case(
            "strings",
            lambda: _load({"weight": np.full((2, 3), "a"), "bias": np.ones(2)}),
            TypeError,
            "weight.*<U1",
        ),
        _case(
            "objects",
            lambda: _load({"weight": np.ones((2, 3)), "bias": np.ones(2, object)}),
            TypeError,
            "bias.*object",
        ),
    ],
)
def test_load_state_dict(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


def _params() -> list[nn.Parameter]:
    return list(nn.Linear(3, 2).parameters())


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "sgd-lr-negative",
            lambda: optim.SGD(_params(), lr=-1),
            ValueError,
            "lr must be in .*got -1",
        ),
        _case(
            "sgd-lr-str",
            lambda: optim.SGD(_params(), lr="0.1"),
            TypeError,
            "lr must be a float, got str",
        ),
        _case("sgd-lr-nan", lambda: optim.SGD(_params(), lr=float("nan")), ValueError, "got nan"),
        _case(
            "sgd-momentum",
            lambda: optim.SGD(_params(), lr=0.1, momentum=-0.5),
            ValueError,
            "got -0.5",
        ),
        _case(
            "sgd-weight-decay",
            lambda: optim.SGD(_params(), lr=0.1, weight_decay=-1e-4),
            ValueError,
            "got -0.0001",
        ),
        _case("sgd-empty", lambda: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        _case(
            "sgd-arrays",
            lambda: optim.SGD([np.ones(3)], lr=0.1),
            TypeError,
            r"array\(\[1., 1., 1.\]\)",
        ),
        _case(
            "sgd-non-leaf",
            lambda: optim.SGD([_params()[0] * 2], lr=0.1),
            ValueError,
            "can't optimize a non-leaf Tensor",
        ),
        _case("sgd-int", lambda: optim.SGD(5, lr=0.1), TypeError, "iterable of .*got int"),
        _case("sgd-none", lambda: optim.SGD(None, lr=0.1), TypeError, "iterable of .*got NoneType"),
        _case(
            "sgd-module",
            lambda: optim.SGD(nn.Linear(3, 2), lr=0.1),
            TypeError,
            r"got Linear.*parameters\(\)",
        ),
        _case(
            "sgd-one-parameter",
            lambda: optim.SGD(nn.Parameter(np.zeros(3)), lr=0.1),
            TypeError,
            "iterable of .*got Parameter",
        ),
        _case(
            "adam-beta2",
            lambda: optim.Adam(_params(), betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\] .*got 1.0",
        ),
        _case(
            "adam-beta1",
            lambda: optim.Adam(_params(), betas=(-0.1, 0.9)),
            ValueError,
            r"betas\[0\] .*got -0.1",
        ),
        _case(
            "adam-three-betas",
            lambda: optim.Adam(_params(), betas=(0.9, 0.9, 0.9)),
            TypeError,
            "pair",
        ),
        _case(
            "adam-beta-str",
            lambda: optim.Adam(_params(), betas=("a", 0.9)),
            TypeError,
            "got str 'a'",
        ),
        _case(
            "adam-eps",
            lambda: optim.Adam(_params(), eps=-1.0),
            ValueError,
            "eps must be in .*got -1.0",
        ),
        _case("adam-lr", lambda: optim.Adam(_params(), lr=-1e-3), ValueError, "got -0.001"),
    ],
)
def test_optimizer_constructors(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


IMAGES, LABELS = np.zeros((5, 28, 28), np.uint8), np.arange(5)


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case("root-int", lambda: data.load_mnist(5), TypeError, "root must be .*got int"),
        _case(
            "train-str",
            lambda: data.load_mnist(train="yes"),
            TypeError,
            "train must be a bool, got 'yes'",
        ),
        _case(
            "download-int",
            lambda: data.load_mnist(download=1),
            TypeError,
            "download must be a bool, got 1",
        ),
        _case(
            "batch-0",
            lambda: data.DataLoader(IMAGES, LABELS, batch_size=0),
            ValueError,
            "batch_size must be >= 1, got 0",
        ),
        _case(
            "batch-float",
            lambda: data.DataLoader(IMAGES, LABELS, batch_size=2.0),
            TypeError,
            "got 2.0",
        ),
        _case(
            "images-float",
            lambda: data.DataLoader(IMAGES / 255, LABELS),
            TypeError,
            "uint8 .*got float64",
        ),
        _case(
            "images-4d",
            lambda: data.DataLoader(IMAGES[:, None], LABELS),
            ValueError,
            r"\(5, 1, 28, 28\)",
        ),
        _case(
            "labels-count",
            lambda: data.DataLoader(IMAGES, LABELS[:4]),
            ValueError,
            r"\(5,\) .*got \(4,\)",
        ),
        _case(
            "labels-list", lambda: data.DataLoader(IMAGES, [0, 1, 2, 3, 4]), TypeError, "got list"
        ),
        _case(
            "seed-negative",
            lambda: data.DataLoader(IMAGES, LABELS, seed=-1),
            ValueError,
            "seed must be >= 0, got -1",
        ),
        _case(
            "shuffle-str",
            lambda: data.DataLoader(IMAGES, LABELS, shuffle="yes"),
            TypeError,
            "got 'yes'",
        ),
    ],
)
def test_data(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


def test_load_mnist_root_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    _assert_plain_error(
        lambda: data.load_mnist(tmp_path / "file"), ValueError, "must be a directory, got the file"
    )


@pytest.mark.parametrize(
    "call, error, match",
    [
        _case(
            "simplecnn-generator",
            lambda: models.SimpleCNN(generator=5),
            TypeError,
            "Generator.*int",
        ),
        _case(
            "mnistconvnet-generator",
            lambda: models.MNISTConvNet(generator="a"),
            TypeError,
            "Generator.*str",
        ),
        _case("mlp-hidden-int", lambda: models.MLP(hidden=5), TypeError, "hidden .*got 5"),
        _case(
            "mlp-hidden-0",
            lambda: models.MLP(hidden=(0,)),
            ValueError,
            "out_features must be >= 1, got 0",
        ),
        _case("mlp-hidden-float", lambda: models.MLP(hidden=(16.5,)), TypeError, "got 16.5"),
        _case(
            "simplecnn-32x32",
            lambda: models.SimpleCNN(generator=RNG(0))(_ones(2, 1, 32, 32)),
            ValueError,
            r"3136 \(in_features\), got shape \(2, 4096\)",
        ),
        _case(
            "simplecnn-rgb",
            lambda: models.SimpleCNN(generator=RNG(0))(_ones(2, 3, 28, 28)),
            ValueError,
            r"expects 1 input channels .*\(2, 3, 28, 28\)",
        ),
        _case(
            "simplecnn-uint8",
            lambda: models.SimpleCNN(generator=RNG(0))(_ones(2, 1, 28, 28, dtype=np.uint8)),
            TypeError,
            "got dtype uint8",
        ),
    ],
)
def test_models(call: Callable[[], object], error: type, match: str) -> None:
    _assert_plain_error(call, error, match)


# ----- legal but unusual input gives the right answer ----------------------------------------


def _layout(array: np.ndarray, kind: str) -> np.ndarray:
    """``array``'s values in another memory layout (``broadcast`` repeats the first row)."""
    if kind == "transposed":  # axes stored in reverse order
        return np.ascontiguousarray(array.T).T
    if kind == "strided":  # every other element of a larger buffer
        buffer = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), array.dtype)
        buffer[..., ::2] = array
        return buffer[..., ::2]
    if kind == "reversed":  # negative strides on every axis
        flip = (slice(None, None, -1),) * array.ndim
        return np.ascontiguousarray(array[flip])[flip]
    if kind == "broadcast":  # a zero stride on axis 0, read-only
        return np.broadcast_to(array[:1], array.shape)
    raise AssertionError(kind)


LAYOUTS = ["transposed", "strided", "reversed", "broadcast"]


def _grads(inputs: list[np.ndarray], fn: Callable, grad_out: np.ndarray) -> list[np.ndarray]:
    """Forward value and the gradient of every input of ``fn``, run on tensors of ``inputs``."""
    tensors = [mt.tensor(a, requires_grad=True) for a in inputs]
    out = fn(*tensors)
    out.backward(grad_out.astype(out.dtype))
    return [out.numpy()] + [t.grad for t in tensors]


@pytest.mark.parametrize("kind", LAYOUTS)
def test_conv_and_pooling_read_any_layout(kind: str) -> None:
    rng = RNG(1)
    x = _layout(rng.standard_normal((2, 3, 6, 5)).astype(np.float32), kind)
    w = _layout(rng.standard_normal((4, 3, 3, 2)).astype(np.float32), kind)
    b = rng.standard_normal(4).astype(np.float32)
    settings = dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2))
    conv_args = (settings["stride"], settings["padding"], settings["dilation"], 1)
    grad_out = rng.standard_normal(ref.conv2d_output_shape(x.shape, w.shape, *conv_args[:3]))
    got = _grads([x, w, b], lambda *t: F.conv2d(*t, **settings), grad_out)
    expected = [ref.conv2d(x, w, b, *conv_args), *ref.conv2d_backward(x, w, grad_out, *conv_args)]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)
    pool_args = ((3, 2), (2, 2), (1, 1))
    grad_out = rng.standard_normal(ref.pool2d_output_shape(x.shape, *pool_args))
    for pool, forward, backward in (
        (F.max_pool2d, ref.max_pool2d, ref.max_pool2d_backward),
        (F.avg_pool2d, ref.avg_pool2d, None),
    ):
        out, grad_x = _grads(
            [x], lambda t, pool=pool, pool_args=pool_args: pool(t, *pool_args), grad_out
        )
        np.testing.assert_allclose(out, forward(x, *pool_args), rtol=1e-6, atol=1e-6)
        expected_grad = (
            backward(x, grad_out, *pool_args)
            if backward
            else ref.avg_pool2d_backward(x.shape, grad_out, *pool_args)
        )
        np.testing.assert_allclose(grad_x, expected_grad, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", LAYOUTS)
def test_dense_ops_read_any_layout(kind: str) -> None:
    rng = RNG(2)
    x = _layout(rng.standard_normal((4, 5)).astype(np.float32), kind)
    w = _layout(rng.standard_normal((3, 5)).astype(np.float32), kind)
    b = _layout(rng.standard_normal((1, 3)).astype(np.float32), kind)[0]
    g = rng.standard_normal((4, 3))
    x64, w64, b64 = (a.astype(np.float64) for a in (x, w, b))
    out, grad_x, grad_w, grad_b = _grads([x, w, b], F.linear, g)
    np.testing.assert_allclose(out, x64 @ w64.T + b64, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_x, g @ w64, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_w, g.T @ x64, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_b, g.sum(axis=0), rtol=1e-5, atol=1e-6)

    shifted = x64 - x64.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    out, grad_x = _grads([x], lambda t: F.log_softmax(t, dim=1), np.ones((4, 5)))
    np.testing.assert_allclose(out, log_p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_x, 1 - 5 * np.exp(log_p), rtol=1e-5, atol=1e-6)
    targets = _layout(np.array([[0, 4, 2, 1]]), kind)[0]
    out, grad_x = _grads([x], lambda t: F.cross_entropy(t, targets), np.ones(()))
    np.testing.assert_allclose(out, -log_p[np.arange(4), targets].mean(), rtol=1e-5)
    np.testing.assert_allclose(
        grad_x, (np.exp(log_p) - np.eye(5)[targets]) / 4, rtol=1e-5, atol=1e-7
    )

    out, grad_x = _grads([x], lambda t: F.flatten(t.T * 2.0, 0), np.arange(20.0))
    np.testing.assert_array_equal(out, (x.T * 2).reshape(-1))
    np.testing.assert_array_equal(grad_x, 2 * np.arange(20.0).reshape(5, 4).T)


def test_empty_batches_and_0d_tensors_flow_through_every_layer() -> None:
    x = mt.zeros(0, 1, 28, 28, requires_grad=True)
    model = models.SimpleCNN(generator=RNG(0))
    logits = model(x)
    assert logits.shape == (0, 10) and logits.dtype == np.float32
    logits.sum().backward()
    assert x.grad.shape == (0, 1, 28, 28)
    conv = model.conv_layers[0]
    np.testing.assert_array_equal(conv.weight.grad, np.zeros_like(conv.weight.numpy()))
    np.testing.assert_array_equal(conv.bias.grad, np.zeros(32, np.float32))
    for layer in (nn.AvgPool2d(2), nn.ReLU(), nn.Dropout(0.5, generator=RNG(0))):
        assert layer(mt.zeros(0, 3, 4, 4)).shape[0] == 0
    assert F.log_softmax(mt.zeros(0, 10), dim=1).shape == (0, 10)
    assert F.log_softmax(mt.zeros(3, 0), dim=1).shape == (3, 0)
    np.testing.assert_array_equal(F.flatten(mt.tensor(2.0), 0).numpy(), [2.0])  # as PyTorch
    assert list(data.DataLoader(IMAGES[:0], LABELS[:0], batch_size=2)) == []


def test_bool_and_list_inputs() -> None:
    assert mt.tensor([True, False]).dtype == np.bool_  # as torch.tensor
    assert mt.Tensor([True, False]).dtype == np.float32  # as torch.Tensor
    np.testing.assert_array_equal(mt.Tensor([True, False]).numpy(), [1.0, 0.0])
    t = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    mask = np.array([True, False])  # a bool array operand counts as 0/1
    out = (t * mask + [10, 20]) @ [[1.0], [1.0]]
    np.testing.assert_array_equal(out.numpy(), [[31.0], [33.0]])
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(t[np.array([True, False])].numpy(), [[1.0, 2.0]])
    np.testing.assert_array_equal(
        (BOOL + BOOL).numpy(), [True, False]
    )  # logical or, as NumPy/PyTorch
    np.testing.assert_array_equal(
        F.cross_entropy(mt.zeros(2, 3), [0, 2]).numpy(), np.log(3, dtype=np.float32)
    )


def test_read_only_arrays_can_be_trained() -> None:
    """A parameter made from a read-only (e.g. memory-mapped or broadcast) array still steps."""
    frozen = np.ones((2, 3), np.float32)
    frozen.flags.writeable = False
    for data_ in (frozen, np.broadcast_to(np.float32(1.0), (2, 3))):
        param = nn.Parameter(data_)
        opt = optim.SGD([param], lr=0.5)
        (param * param).sum().backward()
        opt.step()
        np.testing.assert_array_equal(param.numpy(), np.zeros((2, 3)))  # 1 - 0.5 * 2
        np.testing.assert_array_equal(data_, np.ones((2, 3)))  # the source is untouched
