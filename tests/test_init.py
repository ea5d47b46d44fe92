"""Initializers (``nn.init``) against their formulas, written out here: fans, gains, the
bounds of the uniform draws and the standard deviations of the normal ones (sample
statistics with tolerances of several standard errors), in place and in the tensor's dtype."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import nn
from minitorch_cnn.nn import init

CONV = (64, 32, 3, 3)  # (F, C, KH, KW): fan_in = C*KH*KW = 288, fan_out = F*KH*KW = 576


def _param(shape: tuple[int, ...], dtype: type = np.float32) -> mt.Tensor:
    return mt.tensor(np.zeros(shape, dtype), requires_grad=True)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_fans_of_linear_and_conv_weights() -> None:
    assert init._calculate_fan_in_and_fan_out(mt.zeros(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(mt.zeros(*CONV)) == (32 * 9, 64 * 9)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(mt.zeros(4))


@pytest.mark.parametrize(
    ("nonlinearity", "param", "gain"),
    [
        ("linear", None, 1.0),
        ("conv2d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", 1, 1.0),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(nonlinearity: str, param, gain: float) -> None:
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_errors() -> None:
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


def _check_uniform(values: np.ndarray, bound: float) -> None:
    """Inside [-bound, bound], reaching close to both ends, std bound / sqrt(3)."""
    assert np.abs(values).max() <= bound
    assert values.max() > 0.99 * bound and values.min() < -0.99 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def _check_normal(values: np.ndarray, std: float) -> None:
    # the sample std of n draws has a relative standard error ~ 1 / sqrt(2 n): < 0.5% here
    assert values.std() == pytest.approx(std, rel=0.02)
    assert abs(values.mean()) < 5 * std / math.sqrt(values.size)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xavier(dtype) -> None:
    w = _param(CONV, dtype)
    assert init.xavier_uniform_(w, gain=2.0, generator=_rng()) is w
    assert w.dtype == dtype and w.grad is None
    _check_uniform(w.numpy(), 2.0 * math.sqrt(6 / (288 + 576)))
    init.xavier_normal_(w, gain=0.5, generator=_rng())
    _check_normal(w.numpy(), 0.5 * math.sqrt(2 / (288 + 576)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kaiming_defaults_and_modes(dtype) -> None:
    w = _param(CONV, dtype)
    # defaults: a = 0, fan_in, leaky_relu -> gain sqrt(2 / (1 + 0)) = sqrt(2)
    assert init.kaiming_uniform_(w, generator=_rng()) is w
    _check_uniform(w.numpy(), math.sqrt(2) * math.sqrt(3 / 288))
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=_rng())
    _check_normal(w.numpy(), math.sqrt(2) / math.sqrt(576))
    init.kaiming_normal_(w, a=0.2, mode="FAN_IN", generator=_rng())
    _check_normal(w.numpy(), math.sqrt(2 / 1.04) / math.sqrt(288))
    # a = sqrt(5), PyTorch's default for Linear and Conv2d: bound 1 / sqrt(fan_in)
    init.kaiming_uniform_(w, a=math.sqrt(5), generator=_rng())
    _check_uniform(w.numpy(), 1 / math.sqrt(288))
    assert w.dtype == dtype


def test_kaiming_errors_and_empty_tensors() -> None:
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(_param((3, 4)), mode="fan_avg")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_normal_(_param((4,)))
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        init.kaiming_uniform_(_param((0, 3)))


def test_uniform_normal_and_trunc_normal() -> None:
    t = _param((200, 300))
    init.uniform_(t, -2.0, 3.0, generator=_rng())
    values = t.numpy()
    assert values.min() >= -2.0 and values.max() < 3.0
    assert values.mean() == pytest.approx(0.5, abs=0.02)
    assert values.std() == pytest.approx(5 / math.sqrt(12), rel=0.02)
    init.normal_(t, mean=1.0, std=2.0, generator=_rng())
    assert t.numpy().mean() == pytest.approx(1.0, abs=0.03)
    assert t.numpy().std() == pytest.approx(2.0, rel=0.02)
    init.trunc_normal_(t, std=1.0, a=-1.0, b=1.0, generator=_rng())
    values = t.numpy()
    assert values.min() >= -1.0 and values.max() <= 1.0
    # N(0, 1) conditioned on [-1, 1]: variance 1 - 2 phi(1) / (2 Phi(1) - 1)
    phi = math.exp(-0.5) / math.sqrt(2 * math.pi)
    mass = math.erf(1 / math.sqrt(2))
    assert values.std() == pytest.approx(math.sqrt(1 - 2 * phi / mass), rel=0.02)
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(t, 1.0, 0.0)
    with pytest.raises(ValueError, match="std >= 0"):
        init.normal_(t, std=-1.0)
    with pytest.warns(UserWarning, match="more than 2 std from"):
        init.trunc_normal_(_param((3,)), mean=5.0, a=-1.0, b=1.5, generator=_rng())


def test_generator_makes_draws_reproducible() -> None:
    a, b = _param((4, 5)), _param((4, 5))
    init.xavier_uniform_(a, generator=mt.Generator().manual_seed(7))
    init.xavier_uniform_(b, generator=mt.Generator().manual_seed(7))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    init.normal_(b, generator=_rng(1))
    assert not np.array_equal(a.numpy(), b.numpy())


def test_constant_fills_in_place_on_a_parameter() -> None:
    layer = nn.Linear(3, 2)
    array = layer.weight.numpy()
    assert init.constant_(layer.weight, 0.3) is layer.weight
    np.testing.assert_array_equal(layer.weight.numpy(), np.full((2, 3), 0.3, np.float32))
    assert layer.weight.numpy() is array or np.shares_memory(layer.weight.numpy(), array)
    init.zeros_(layer.bias)
    np.testing.assert_array_equal(layer.bias.numpy(), [0.0, 0.0])
    init.ones_(layer.bias)
    np.testing.assert_array_equal(layer.bias.numpy(), [1.0, 1.0])
    init.eye_(layer.weight)
    np.testing.assert_array_equal(layer.weight.numpy(), [[1, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(layer.bias)
    assert layer.weight.grad is None and layer.weight.requires_grad


def test_orthogonal_rows_or_columns_are_orthonormal() -> None:
    for shape, gain in (((6, 4), 1.0), ((3, 2, 2), 2.0)):
        w = init.orthogonal_(_param(shape, np.float64), gain=gain, generator=_rng())
        flat = w.numpy().reshape(shape[0], -1)
        small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(small, gain**2 * np.eye(len(small)), atol=1e-12)


def test_an_initializer_writes_no_graph_and_bumps_the_version() -> None:
    x = mt.zeros(2, 3, requires_grad=True)
    y = x * 2.0  # saves x for backward
    init.uniform_(x, generator=_rng())
    assert x.grad_fn is None and x.is_leaf
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_random_initializers_need_float_tensors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="floating point"):
            init.normal_(mt.tensor([1, 2]))
        with pytest.raises(TypeError, match="fills a Tensor in place"):
            init.zeros_(np.zeros(3))
