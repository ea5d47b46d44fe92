"""Tests of optim.py against updates computed by hand (or by a few-line float64 formula)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import nn, optim


def _param(*values: float) -> nn.Parameter:
    return nn.Parameter(np.array(values, dtype=np.float32))


def _set_grad(param: nn.Parameter, *values: float) -> None:
    param.grad = mt.Tensor(np.array(values, dtype=np.float32).reshape(param.shape))


# ----- SGD --------------------------------------------------------------------------------------
def test_sgd_plain_step_by_hand() -> None:
    p = _param(1.0, -2.0)
    opt = optim.SGD([p], lr=0.1)
    _set_grad(p, 0.5, -1.0)
    opt.step()
    np.testing.assert_allclose(p.numpy(), [1.0 - 0.05, -2.0 + 0.1], rtol=1e-6)


def test_sgd_momentum_buffer_starts_at_the_gradient() -> None:
    p = _param(1.0)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    _set_grad(p, 0.5)
    opt.step()  # buf = 0.5 (not 0.1 * 0.5): p = 1 - 0.1 * 0.5 = 0.95
    np.testing.assert_allclose(p.numpy(), [0.95], rtol=1e-6)
    _set_grad(p, 0.25)
    opt.step()  # buf = 0.9 * 0.5 + 0.25 = 0.7: p = 0.95 - 0.07 = 0.88
    np.testing.assert_allclose(p.numpy(), [0.88], rtol=1e-6)
    _set_grad(p, -1.0)
    opt.step()  # buf = 0.9 * 0.7 - 1 = -0.37: p = 0.88 + 0.037 = 0.917
    np.testing.assert_allclose(p.numpy(), [0.917], rtol=1e-6)


def test_sgd_weight_decay_adds_to_the_gradient() -> None:
    p = _param(2.0)
    opt = optim.SGD([p], lr=0.5, momentum=0.5, weight_decay=0.1)
    _set_grad(p, 1.0)
    opt.step()  # g = 1 + 0.1 * 2 = 1.2, buf = 1.2: p = 2 - 0.6 = 1.4
    np.testing.assert_allclose(p.numpy(), [1.4], rtol=1e-6)
    _set_grad(p, 1.0)
    opt.step()  # g = 1 + 0.14 = 1.14, buf = 0.6 + 1.14 = 1.74: p = 1.4 - 0.87 = 0.53
    np.testing.assert_allclose(p.numpy(), [0.53], rtol=1e-6)
    assert p.grad.tolist() == [1.0]  # the gradient itself is left as backward made it


# ----- Adam -------------------------------------------------------------------------------------
def _adam_reference(
    p0: float, grads: list[float], lr: float, b1: float, b2: float, eps: float
) -> float:
    """The Adam paper's Algorithm 1 in float64, one scalar."""
    p, m, v = p0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
    return p


def test_adam_first_step_moves_by_lr_times_sign() -> None:
    p = _param(1.0, 1.0)
    opt = optim.Adam([p], lr=0.1)
    _set_grad(p, 0.5, -3.0)
    opt.step()  # bias-corrected m = g, v = g^2: step = lr * g / (|g| + eps)
    np.testing.assert_allclose(p.numpy(), [0.9, 1.1], rtol=1e-6)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
def test_adam_matches_the_papers_algorithm(betas: tuple[float, float]) -> None:
    grads = [0.5, -0.2, 0.3, 1.5, -0.7]
    p = _param(0.25)
    opt = optim.Adam([p], lr=0.01, betas=betas, eps=1e-3)
    for g in grads:
        _set_grad(p, g)
        opt.step()
    expected = _adam_reference(0.25, grads, 0.01, betas[0], betas[1], 1e-3)
    np.testing.assert_allclose(p.numpy(), [expected], rtol=1e-5)
    assert opt.state[p]["step"] == 5


# ----- shared behaviour -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=np.float64(0.1), momentum=np.float64(0.9), weight_decay=0.01),
        lambda ps: optim.Adam(ps, lr=np.float64(0.1), betas=(np.float64(0.9), 0.99)),
    ],
)
def test_updates_are_in_place_and_stay_float32(make) -> None:
    p = _param(1.0, 2.0, 3.0)
    array = p.numpy()
    opt = make([p])
    for _ in range(3):
        _set_grad(p, 0.1, -0.2, 0.3)
        opt.step()
    assert p.numpy() is array and p.dtype == np.float32
    assert not np.array_equal(array, [1.0, 2.0, 3.0])
    group = opt.param_groups[0]
    assert all(type(group[k]) is float for k in ("lr", "weight_decay"))
    for state in opt.state.values():
        for value in state.values():
            assert not isinstance(value, np.ndarray) or value.dtype == np.float32


def test_parameters_without_gradient_are_left_alone() -> None:
    a, b = _param(1.0), _param(1.0)
    opt = optim.Adam([a, b], lr=0.1)
    _set_grad(a, 1.0)
    opt.step()
    assert b.numpy().tolist() == [1.0] and b not in opt.state and opt.state[a]["step"] == 1


def test_shared_parameter_is_updated_once() -> None:
    layer = nn.Linear(1, 1, bias=False, generator=np.random.default_rng(0))
    model = nn.Sequential(layer, layer)
    opt = optim.SGD([*model.parameters(), layer.weight], lr=1.0)
    assert len(opt.param_groups[0]["params"]) == 1
    before = layer.weight.numpy().copy()
    _set_grad(layer.weight, 1.0)
    opt.step()
    np.testing.assert_allclose(layer.weight.numpy(), before - 1.0, rtol=1e-6)


def test_zero_grad_clears_gradients() -> None:
    p = _param(1.0)
    _set_grad(p, 1.0)
    optim.SGD([p], lr=0.1).zero_grad()
    assert p.grad is None


def test_sgd_minimises_a_quadratic() -> None:
    target = np.array([3.0, -1.0, 0.5], dtype=np.float32)
    p = _param(0.0, 0.0, 0.0)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    for _ in range(200):
        loss = ((p - mt.tensor(target)) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(p.numpy(), target, atol=1e-4)


# ----- state_dict -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.05),
    ],
)
def test_state_dict_round_trip_continues_identically(make) -> None:
    grads = np.random.default_rng(0).standard_normal((6, 2, 3)).astype(np.float32)
    a = [_param(1.0, 2.0, 3.0), _param(-1.0, 0.0, 1.0)]
    opt_a = make(a)
    for g in grads[:3]:
        for p, row in zip(a, g):
            p.grad = mt.Tensor(row)
        opt_a.step()
    b = [nn.Parameter(p.numpy().copy()) for p in a]
    opt_b = make(b)
    opt_b.param_groups[0]["lr"] = 123.0  # overwritten by the load
    opt_b.load_state_dict(opt_a.state_dict())
    assert opt_b.param_groups[0]["lr"] == opt_a.param_groups[0]["lr"] == 0.05
    for g in grads[3:]:
        for pa, pb, row in zip(a, b, g):
            pa.grad, pb.grad = mt.Tensor(row), mt.Tensor(row.copy())
        opt_a.step()
        opt_b.step()
    for pa, pb in zip(a, b):
        assert np.array_equal(pa.numpy(), pb.numpy())


def test_state_dict_has_pytorchs_structure_and_is_copied() -> None:
    p = _param(1.0, 2.0)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    _set_grad(p, 1.0, 1.0)
    opt.step()
    state = opt.state_dict()
    assert sorted(state) == ["param_groups", "state"]
    assert state["param_groups"][0]["params"] == [0] and state["param_groups"][0]["lr"] == 0.1
    assert sorted(state["state"][0]) == ["momentum_buffer"]
    state["state"][0]["momentum_buffer"][0] = 99.0
    assert opt.state[p]["momentum_buffer"][0] == 1.0
    other = optim.SGD([_param(0.0, 0.0)], lr=0.5, momentum=0.5)
    other.load_state_dict(state)
    state["state"][0]["momentum_buffer"][1] = 42.0  # the loaded copy does not follow
    assert other.state[other.param_groups[0]["params"][0]]["momentum_buffer"].tolist() == [99, 1]


def test_load_state_dict_errors() -> None:
    p = _param(1.0, 2.0)
    opt = optim.Adam([p])
    good = opt.state_dict()
    group = {**good["param_groups"][0]}

    def load(state=None, **options):
        opt.load_state_dict({"state": state or {}, "param_groups": [{**group, **options}]})

    with pytest.raises(ValueError, match="keys 'state' and 'param_groups'"):
        opt.load_state_dict({"lr": 0.1})
    with pytest.raises(ValueError, match=r"lr must be in \[0.0, inf\), got -1"):
        load(lr=-1)
    with pytest.raises(ValueError, match="lr must be in"):
        load(lr=float("nan"))
    with pytest.raises(ValueError, match="no parameter 1"):
        load({1: {"step": 1, "exp_avg": np.zeros(2), "exp_avg_sq": np.zeros(2)}})
    with pytest.raises(ValueError, match=r"exp_avg has shape \(3,\), parameter 0 has shape \(2,\)"):
        load({0: {"step": 1, "exp_avg": np.zeros(3), "exp_avg_sq": np.zeros(2)}})
    with pytest.raises(ValueError, match="has no 'step'"):
        load({0: {"exp_avg": np.zeros(2), "exp_avg_sq": np.zeros(2)}})
    sgd = optim.SGD([p], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"momentum_buffer has shape \(\)"):
        sgd.load_state_dict(
            {
                "state": {0: {"momentum_buffer": np.float32(1)}},
                "param_groups": sgd.state_dict()["param_groups"],
            }
        )
    with pytest.raises(ValueError, match="momentum must be in"):
        sgd.load_state_dict(
            {"state": {}, "param_groups": [{**sgd.state_dict()["param_groups"][0], "momentum": -5}]}
        )
    assert opt.param_groups[0]["lr"] == 1e-3 and not opt.state  # nothing changed by a failure


def test_a_gradient_of_the_wrong_shape_is_refused() -> None:
    p = nn.Parameter(np.zeros((3, 3), dtype=np.float32))
    p._grad = mt.Tensor(np.ones(3, dtype=np.float32))  # past the grad setter's own check
    with pytest.raises(ValueError, match=r"its parameter's shape \(3, 3\), got \(3,\)"):
        optim.SGD([p], lr=0.1).step()


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), ValueError, r"lr must be in \[0.0, inf\), got -0.1"),
        (lambda p: optim.SGD(p, lr="0.1"), TypeError, "lr must be a float, got str"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), ValueError, "momentum must be in"),
        (
            lambda p: optim.Adam(p, betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\] must be in \[0.0, 1.0\), got 1.0",
        ),
        (lambda p: optim.Adam(p, betas=0.9), TypeError, "betas must be a pair"),
        (lambda p: optim.Adam(p, eps=-1e-8), ValueError, "eps must be in"),
        (lambda p: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda p: optim.SGD([mt.ones(2)], lr=0.1), TypeError, "requires_grad=True"),
        (lambda p: optim.SGD([p[0] * 2], lr=0.1), TypeError, "leaf Tensors"),
        (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "iterable of parameters.*got Parameter"),
        (
            lambda p: optim.Adam(nn.Linear(2, 2)),
            TypeError,
            r"got Linear \(pass model.parameters\(\)\)",
        ),
        (lambda p: optim.SGD(None, lr=0.1), TypeError, "iterable of parameters.*got NoneType"),
    ],
)
def test_constructor_arguments_are_validated(build, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build([_param(1.0)])
