"""Batch normalization against its formulas written out here in NumPy: training output and
gradients, running statistics over several steps (exponential and cumulative averages), eval
mode, the layers' state and PyTorch's errors; float64 gradchecks of input, weight and bias."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import nn


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _axes(x: np.ndarray) -> tuple[int, ...]:
    return (0,) + tuple(range(2, x.ndim))


def _per_channel(values: np.ndarray, ndim: int) -> np.ndarray:
    return values.reshape((1, -1) + (1,) * (ndim - 2))


def _train_formula(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """gamma * (x - mean) / sqrt(biased var + eps) + beta per channel, in float64."""
    x = x.astype(np.float64)
    mean = x.mean(axis=_axes(x), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=_axes(x), keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return _per_channel(gamma, x.ndim) * x_hat + _per_channel(beta, x.ndim)


def _batch_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batch's mean and *unbiased* variance per channel (the running statistics' inputs)."""
    x = x.astype(np.float64)
    m = x.size // x.shape[1]
    mean = x.mean(axis=_axes(x))
    return mean, ((x - _per_channel(mean, x.ndim)) ** 2).sum(axis=_axes(x)) / (m - 1)


SHAPES = [(6, 3), (4, 3, 5), (3, 3, 4, 2)]


# ----- the function ----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_training_output_matches_the_formula(shape: tuple[int, ...]) -> None:
    rng = _rng(len(shape))
    x = (rng.standard_normal(shape) * 3 + 2).astype(np.float32)
    gamma, beta = (
        rng.standard_normal(3).astype(np.float32),
        rng.standard_normal(3).astype(np.float32),
    )
    y = F.batch_norm(mt.tensor(x), None, None, mt.tensor(gamma), mt.tensor(beta), training=True)
    np.testing.assert_allclose(
        y.numpy(), _train_formula(x, gamma, beta, 1e-5), rtol=1e-5, atol=1e-5
    )
    assert y.dtype == np.float32
    plain = F.batch_norm(mt.tensor(x), None, None, training=True, eps=0.1).numpy()
    np.testing.assert_allclose(plain, _train_formula(x, np.ones(3), np.zeros(3), 0.1), atol=1e-5)


def test_a_hand_computed_case() -> None:
    # channel 0 holds 1, 3: mean 2, biased var 1; channel 1 holds 10, 30: mean 20, var 100
    x = mt.tensor([[1.0, 10.0], [3.0, 30.0]])
    y = F.batch_norm(x, None, None, mt.tensor([2.0, 1.0]), mt.tensor([0.5, 0.0]), True, eps=0.0001)
    np.testing.assert_allclose(
        y.numpy(),
        [
            [0.5 - 2 / np.sqrt(1.0001), -10 / np.sqrt(100.0001)],
            [0.5 + 2 / np.sqrt(1.0001), 10 / np.sqrt(100.0001)],
        ],
        rtol=1e-6,
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_training_backward_matches_the_closed_form(shape: tuple[int, ...]) -> None:
    rng = _rng(7)
    x64 = rng.standard_normal(shape)
    gamma, beta, g = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(shape)
    x, w, b = (mt.tensor(a, requires_grad=True) for a in (x64, gamma, beta))
    F.batch_norm(x, None, None, w, b, training=True, eps=1e-5).backward(g)
    axes, m = _axes(x64), x64.size // 3
    mean = x64.mean(axis=axes, keepdims=True)
    inv_std = 1 / np.sqrt(((x64 - mean) ** 2).mean(axis=axes, keepdims=True) + 1e-5)
    x_hat = (x64 - mean) * inv_std
    np.testing.assert_allclose(b.grad.numpy(), g.sum(axis=axes), rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), (g * x_hat).sum(axis=axes), rtol=1e-10)
    # dx = (1/m) * gamma * inv_std * (m g - sum g - x_hat * sum(g x_hat)), written out
    sum_g = g.sum(axis=axes, keepdims=True)
    sum_gx = (g * x_hat).sum(axis=axes, keepdims=True)
    dx = _per_channel(gamma, len(shape)) * inv_std / m * (m * g - sum_g - x_hat * sum_gx)
    np.testing.assert_allclose(x.grad.numpy(), dx, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_training_gradcheck_of_input_weight_and_bias(shape: tuple[int, ...]) -> None:
    rng = _rng(11)
    x, w, b = (
        mt.tensor(a, requires_grad=True)
        for a in (rng.standard_normal(shape) * 2, rng.standard_normal(3), rng.standard_normal(3))
    )
    assert mt.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, w, b])


def test_eval_gradcheck_and_output() -> None:
    rng = _rng(12)
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    x, w, b = (
        mt.tensor(a, requires_grad=True)
        for a in (rng.standard_normal((4, 3, 2)), rng.standard_normal(3), rng.standard_normal(3))
    )

    def fn(x, w, b):
        return F.batch_norm(x, mt.tensor(mean), mt.tensor(var), w, b, training=False, eps=0.01)

    assert mt.gradcheck(fn, [x, w, b])
    expected = (x.numpy() - _per_channel(mean, 3)) / np.sqrt(_per_channel(var, 3) + 0.01)
    expected = expected * _per_channel(w.numpy(), 3) + _per_channel(b.numpy(), 3)
    np.testing.assert_allclose(fn(x, w, b).numpy(), expected, rtol=1e-12)


def test_running_statistics_move_with_momentum_and_the_unbiased_variance() -> None:
    rng = _rng(3)
    running_mean, running_var = mt.zeros(3), mt.ones(3)
    expected_mean, expected_var = np.zeros(3), np.ones(3)
    for step in range(4):
        x = (rng.standard_normal((5, 3, 2, 2)) * (step + 1) + step).astype(np.float32)
        F.batch_norm(mt.tensor(x), running_mean, running_var, training=True, momentum=0.3)
        mean, var = _batch_stats(x)
        expected_mean = 0.7 * expected_mean + 0.3 * mean
        expected_var = 0.7 * expected_var + 0.3 * var
        np.testing.assert_allclose(running_mean.numpy(), expected_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(running_var.numpy(), expected_var, rtol=1e-5)
    before = running_mean.numpy().copy()
    F.batch_norm(mt.tensor(x), running_mean, running_var, training=False)
    np.testing.assert_array_equal(running_mean.numpy(), before)  # eval never updates


# ----- the layers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "shape"),
    [(nn.BatchNorm1d, (8, 3)), (nn.BatchNorm1d, (4, 3, 5)), (nn.BatchNorm2d, (4, 3, 3, 2))],
)
def test_layer_over_several_steps_then_eval(layer, shape) -> None:
    rng = _rng(4)
    bn = layer(3, momentum=0.1)
    with mt.no_grad():
        bn.weight.copy_(rng.standard_normal(3))
        bn.bias.copy_(rng.standard_normal(3))
    gamma, beta = bn.weight.numpy().astype(np.float64), bn.bias.numpy().astype(np.float64)
    expected_mean, expected_var = np.zeros(3), np.ones(3)
    for step in range(3):
        x = (rng.standard_normal(shape) * 2 + step).astype(np.float32)
        y = bn(mt.tensor(x))
        np.testing.assert_allclose(y.numpy(), _train_formula(x, gamma, beta, 1e-5), atol=1e-5)
        mean, var = _batch_stats(x)
        expected_mean, expected_var = (
            0.9 * expected_mean + 0.1 * mean,
            0.9 * expected_var + 0.1 * var,
        )
    np.testing.assert_allclose(bn.running_mean.numpy(), expected_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), expected_var, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 3 and bn.num_batches_tracked.dtype == np.int64
    bn.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    y = bn(mt.tensor(x)).numpy()
    expected = (x - _per_channel(expected_mean, x.ndim)) / np.sqrt(
        _per_channel(expected_var, x.ndim) + 1e-5
    )
    expected = expected * _per_channel(gamma, x.ndim) + _per_channel(beta, x.ndim)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert bn.num_batches_tracked.item() == 3  # eval counts nothing


def test_momentum_none_is_the_cumulative_average() -> None:
    rng = _rng(5)
    bn = nn.BatchNorm2d(2, momentum=None)
    batches = [
        (rng.standard_normal((3, 2, 2, 2)) * (k + 1) + k).astype(np.float32) for k in range(4)
    ]
    for x in batches:
        bn(mt.tensor(x))
    stats = [_batch_stats(x) for x in batches]
    np.testing.assert_allclose(
        bn.running_mean.numpy(), np.mean([s[0] for s in stats], axis=0), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        bn.running_var.numpy(), np.mean([s[1] for s in stats], axis=0), rtol=1e-5
    )
    assert (
        repr(bn)
        == "BatchNorm2d(2, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)"
    )


def test_defaults_buffers_and_state_dict_keys() -> None:
    bn = nn.BatchNorm2d(4)
    np.testing.assert_array_equal(bn.weight.numpy(), np.ones(4, dtype=np.float32))
    np.testing.assert_array_equal(bn.bias.numpy(), np.zeros(4, dtype=np.float32))
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(4))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(4))
    assert bn.num_batches_tracked.shape == () and bn.num_batches_tracked.item() == 0
    assert not bn.running_mean.requires_grad
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))
    assert "1.running_var" in model.state_dict() and "1.num_batches_tracked" in model.state_dict()


def test_state_dict_round_trip_carries_the_running_statistics() -> None:
    source = nn.BatchNorm1d(3)
    source(mt.tensor(_rng(6).standard_normal((5, 3)).astype(np.float32)))
    target = nn.BatchNorm1d(3)
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(target.running_mean.numpy(), source.running_mean.numpy())
    np.testing.assert_array_equal(target.running_var.numpy(), source.running_var.numpy())
    assert target.num_batches_tracked.item() == 1


def test_affine_false_and_no_running_statistics() -> None:
    bn = nn.BatchNorm2d(3, affine=False, track_running_stats=False)
    assert bn.weight is None and bn.bias is None and bn.running_mean is None
    assert list(bn.parameters()) == [] and list(bn.state_dict()) == []
    assert (
        repr(bn)
        == "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)"
    )
    x = _rng(8).standard_normal((2, 3, 2, 2)).astype(np.float32)
    expected = _train_formula(x, np.ones(3), np.zeros(3), 1e-5)
    np.testing.assert_allclose(bn.eval()(mt.tensor(x)).numpy(), expected, atol=1e-5)  # batch stats
    no_bias = nn.BatchNorm1d(3, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict())[0] == "weight"


def test_repr_and_reset() -> None:
    assert (
        repr(nn.BatchNorm2d(8))
        == "BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    bn = nn.BatchNorm1d(2, eps=0.001, momentum=0.5)
    assert (
        repr(bn)
        == "BatchNorm1d(2, eps=0.001, momentum=0.5, affine=True, bias=True, track_running_stats=True)"
    )
    bn(mt.tensor([[1.0, 2.0], [3.0, 5.0]]))
    bn.reset_parameters()
    assert bn.num_batches_tracked.item() == 0 and bn.running_var.numpy().tolist() == [1.0, 1.0]
    assert nn.BatchNorm2d(2, dtype=mt.float64).running_mean.dtype == np.float64


def test_an_empty_batch_leaves_the_running_statistics_alone() -> None:
    bn = nn.BatchNorm2d(3)
    x = mt.zeros(0, 3, 2, 2, requires_grad=True)
    y = bn(x)
    assert y.shape == (0, 3, 2, 2)
    y.sum().backward()
    np.testing.assert_array_equal(bn.weight.grad.numpy(), np.zeros(3))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(3))
    assert bn.num_batches_tracked.item() == 1  # counted all the same, as in PyTorch


def test_the_layer_trains_with_gradients_to_weight_and_bias() -> None:
    bn = nn.BatchNorm2d(2)
    x = mt.tensor(_rng(9).standard_normal((3, 2, 2, 2)).astype(np.float32), requires_grad=True)
    # upstream 0..23: channel 0 gets 0-3, 8-11, 16-19 (sum 114), channel 1 the rest (162)
    (bn(x) * mt.tensor(np.arange(24, dtype=np.float32).reshape(3, 2, 2, 2))).sum().backward()
    assert bn.weight.grad.shape == (2,) and bn.bias.grad.numpy().tolist() == [114.0, 162.0]
    assert bn.running_mean.grad is None


# ----- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: nn.BatchNorm2d(3)(mt.ones(3, 2, 2)),
            ValueError,
            r"expected 4D input \(got 3D input\)",
        ),
        (
            lambda: nn.BatchNorm1d(3)(mt.ones(2, 3, 2, 2)),
            ValueError,
            r"expected 2D or 3D input \(got 4D input\)",
        ),
        (
            lambda: nn.BatchNorm2d(3)(mt.ones(2, 4, 2, 2)),
            ValueError,
            "running_mean should contain 4 elements",
        ),
        (
            lambda: nn.BatchNorm2d(3, track_running_stats=False)(mt.ones(2, 4, 2, 2)),
            ValueError,
            "weight should contain 4",
        ),
        (
            lambda: nn.BatchNorm1d(3)(mt.ones(1, 3)),
            ValueError,
            "Expected more than 1 value per channel when training",
        ),
        (
            lambda: nn.BatchNorm2d(3)(mt.ones(1, 3, 1, 1)),
            ValueError,
            r"got input size \(1, 3, 1, 1\)",
        ),
        (
            lambda: nn.BatchNorm2d(3)(mt.tensor(np.ones((2, 3, 2, 2), dtype=np.int64))),
            TypeError,
            "floating point",
        ),
        (
            lambda: nn.BatchNorm2d(3)(mt.tensor(np.ones((2, 3, 2, 2)))),
            TypeError,
            "input's dtype float64, got float32",
        ),
        (lambda: nn.BatchNorm2d(-1), ValueError, "num_features must be >= 0, got -1"),
        (lambda: nn.BatchNorm2d(2.5), TypeError, "num_features must be an int"),
        (lambda: nn.BatchNorm2d(2, dtype=mt.int64), TypeError, "float32 or float64"),
        (
            lambda: F.batch_norm(mt.ones(2, 3), mt.zeros(3), None),
            ValueError,
            "both be given or both be None",
        ),
        (lambda: F.batch_norm(mt.ones(2, 3), None, None), ValueError, "needed in evaluation mode"),
        (
            lambda: F.batch_norm(mt.ones(2, 3), None, None, training=True, eps=0),
            ValueError,
            "eps must be positive during training",
        ),
        (
            lambda: F.batch_norm(mt.ones(2, 3), mt.zeros(3), mt.ones(3), eps=-1),
            ValueError,
            "eps must be non-negative",
        ),
        (
            lambda: F.batch_norm(mt.ones(2, 3), None, None, training=1),
            TypeError,
            "training must be a bool",
        ),
        (
            lambda: F.batch_norm(mt.ones(2, 3), None, None, training=True, momentum=None),
            TypeError,
            "momentum",
        ),
        (
            lambda: F.batch_norm(mt.ones(3), None, None, training=True),
            ValueError,
            "at least 2 dims",
        ),
        (
            lambda: F.batch_norm(mt.ones(2, 3), mt.zeros(3, 1), mt.ones(3), training=True),
            ValueError,
            r"got shape \(3, 1\)",
        ),
        (
            lambda: F.batch_norm(mt.ones(2, 3), mt.zeros(3, requires_grad=True), mt.ones(3)),
            ValueError,
            "cannot require grad",
        ),
    ],
)
def test_errors_under_pytorchs_conditions(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


def test_what_pytorch_accepts_is_accepted() -> None:
    # a weight of C elements in another shape, one sample of length 2, 5-D input, 0 channels
    y = F.batch_norm(mt.ones(4, 3), None, None, mt.ones(3, 1), None, training=True)
    assert y.shape == (4, 3)
    assert nn.BatchNorm1d(3)(mt.ones(1, 3, 2)).shape == (1, 3, 2)
    assert nn.BatchNorm1d(3).eval()(mt.ones(1, 3)).shape == (1, 3)  # eval: one value is fine
    assert F.batch_norm(mt.ones(2, 3, 2, 2, 2), mt.zeros(3), mt.ones(3)).shape == (2, 3, 2, 2, 2)
    assert nn.BatchNorm2d(0)(mt.ones(2, 0, 2, 2)).shape == (2, 0, 2, 2)
