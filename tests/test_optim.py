"""Tests of minitorch_cnn.optim: each update rule against a plain loop of PyTorch's documented
algorithm (written here, in float64), hand-computed steps, param groups, closures, state dicts
and every validation error.

Read next: ``tests/test_lr_scheduler.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import nn, optim

RNG = np.random.default_rng(0)
P0 = RNG.standard_normal((2, 3))
GRADS = RNG.standard_normal((5, 2, 3))


def _param(*values: float, dtype: type = np.float32) -> nn.Parameter:
    return nn.Parameter(np.array(values, dtype=dtype))


def _set_grad(param: mt.Tensor, *values: float) -> None:
    param.grad = mt.Tensor(np.array(values, dtype=param.dtype))


# ----- plain loops of PyTorch's documented algorithms (one parameter, float64) ---------------
def _sgd(
    p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False
):
    p, buf = p.copy(), None
    for t, grad in enumerate(grads):
        g = -grad if maximize else grad
        g = g + weight_decay * p
        if momentum:
            buf = g if t == 0 else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


def _adam(
    p,
    grads,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
):
    p, m, v, v_max = p.copy(), 0.0, 0.0, 0.0
    for t, grad in enumerate(grads, start=1):
        g = -grad if maximize else grad
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g**2
        m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - betas[1] ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def _adadelta(p, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    p, v, u = p.copy(), 0.0, 0.0
    for grad in grads:
        g = (-grad if maximize else grad) + weight_decay * p
        v = rho * v + (1 - rho) * g**2
        dx = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * dx**2
        p = p - lr * dx
    return p


def _rmsprop(
    p,
    grads,
    lr=1e-2,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    maximize=False,
):
    p, v, g_avg, buf = p.copy(), 0.0, 0.0, 0.0
    for grad in grads:
        g = (-grad if maximize else grad) + weight_decay * p
        v = alpha * v + (1 - alpha) * g**2
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg**2
        if momentum > 0:
            buf = momentum * buf + g / (np.sqrt(v_tilde) + eps)
            p = p - lr * buf
        else:
            p = p - lr * g / (np.sqrt(v_tilde) + eps)
    return p


CASES = [
    (optim.SGD, _sgd, dict(lr=0.1)),
    (optim.SGD, _sgd, dict(lr=0.1, momentum=0.9)),
    (optim.SGD, _sgd, dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    (optim.SGD, _sgd, dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.2)),
    (optim.SGD, _sgd, dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    (optim.Adam, _adam, dict(lr=0.01)),
    (optim.Adam, _adam, dict(lr=0.01, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.1)),
    (optim.Adam, _adam, dict(lr=0.01, amsgrad=True, maximize=True)),
    (
        optim.AdamW,
        lambda p, g, **k: _adam(p, g, decoupled=True, weight_decay=1e-2, **k),
        dict(lr=0.01),
    ),
    (
        optim.AdamW,
        lambda p, g, **k: _adam(p, g, decoupled=True, **k),
        dict(lr=0.1, weight_decay=0.3, amsgrad=True),
    ),
    (optim.Adadelta, _adadelta, dict()),
    (optim.Adadelta, _adadelta, dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1, maximize=True)),
    (optim.RMSprop, _rmsprop, dict()),
    (optim.RMSprop, _rmsprop, dict(momentum=0.9, weight_decay=0.1)),
    (optim.RMSprop, _rmsprop, dict(alpha=0.9, centered=True, momentum=0.5, maximize=True)),
]


def _run(make, p0: np.ndarray, grads: np.ndarray) -> mt.Tensor:
    param = mt.Tensor(p0.copy(), requires_grad=True)
    opt = make([param])
    for grad in grads:
        param.grad = mt.Tensor(grad.astype(p0.dtype))
        opt.step()
    return param


@pytest.mark.parametrize(("cls", "reference", "options"), CASES)
def test_update_rule_matches_the_documented_algorithm(cls, reference, options) -> None:
    expected = reference(P0, GRADS, **options)
    got = _run(lambda ps: cls(ps, **options), P0, GRADS)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)
    got32 = _run(lambda ps: cls(ps, **options), P0.astype(np.float32), GRADS)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32.numpy(), expected, rtol=2e-5, atol=1e-6)


# ----- steps by hand -----------------------------------------------------------------------------
def test_sgd_momentum_buffer_starts_at_the_gradient() -> None:
    p = _param(1.0)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    _set_grad(p, 0.5)
    opt.step()  # buf = 0.5 (not 0.1 * 0.5): p = 1 - 0.1 * 0.5 = 0.95
    np.testing.assert_allclose(p.numpy(), [0.95], rtol=1e-6)
    _set_grad(p, 0.25)
    opt.step()  # buf = 0.9 * 0.5 + 0.25 = 0.7: p = 0.95 - 0.07 = 0.88
    np.testing.assert_allclose(p.numpy(), [0.88], rtol=1e-6)


def test_sgd_nesterov_and_weight_decay_by_hand() -> None:
    p = _param(2.0)
    opt = optim.SGD([p], lr=0.5, momentum=0.5, weight_decay=0.1, nesterov=True)
    _set_grad(p, 1.0)
    opt.step()  # g = 1 + 0.2 = 1.2, buf = 1.2, step along g + 0.5 buf = 1.8: p = 2 - 0.9 = 1.1
    np.testing.assert_allclose(p.numpy(), [1.1], rtol=1e-6)
    _set_grad(p, 1.0)
    opt.step()  # g = 1.11, buf = 0.6 + 1.11 = 1.71, g + 0.5 buf = 1.965: p = 1.1 - 0.9825
    np.testing.assert_allclose(p.numpy(), [0.1175], rtol=1e-5)
    np.testing.assert_array_equal(p.grad, [1.0])  # the gradient is left as backward made it


def test_adam_first_step_moves_by_lr_times_sign() -> None:
    p = _param(1.0, 1.0)
    opt = optim.Adam([p], lr=0.1)
    _set_grad(p, 0.5, -3.0)
    opt.step()  # bias-corrected m = g, v = g^2: step = lr * g / (|g| + eps)
    np.testing.assert_allclose(p.numpy(), [0.9, 1.1], rtol=1e-6)
    assert opt.state[p]["step"] == 1


def test_adamw_shrinks_the_parameter_before_the_adam_step() -> None:
    p = _param(2.0)
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    _set_grad(p, 4.0)
    opt.step()  # p = 2 * (1 - 0.05) = 1.9, then the Adam step -0.1: 1.8
    np.testing.assert_allclose(p.numpy(), [1.8], rtol=1e-6)
    assert optim.AdamW([p]).defaults["weight_decay"] == 1e-2
    assert optim.AdamW([p]).param_groups[0]["decoupled_weight_decay"] is True


# ----- param groups, closures, zero_grad ---------------------------------------------------------
def test_param_groups_override_options_and_lr_changes_take_effect() -> None:
    a, b = mt.Tensor(P0.copy(), requires_grad=True), mt.Tensor(P0.copy(), requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.01, "momentum": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["momentum"] == 0.5 and opt.param_groups[0]["momentum"] == 0.0
    assert opt.param_groups[1]["params"] == [b] and list(opt.param_groups[0])[0] == "params"
    for t, grad in enumerate(GRADS):
        if t == 3:
            opt.param_groups[0]["lr"] = 0.2  # as a user or a scheduler would
        a.grad, b.grad = mt.Tensor(grad), mt.Tensor(grad)
        opt.step()
    expected_a = _sgd(_sgd(P0, GRADS[:3], lr=0.1), GRADS[3:], lr=0.2)
    np.testing.assert_allclose(a.numpy(), expected_a, rtol=1e-12)
    np.testing.assert_allclose(b.numpy(), _sgd(P0, GRADS, lr=0.01, momentum=0.5), rtol=1e-12)


def test_add_param_group_fills_in_the_defaults() -> None:
    a, b = _param(1.0), _param(1.0)
    opt = optim.Adam([a], lr=0.1, betas=(0.8, 0.9))
    opt.add_param_group({"params": [b], "eps": 1e-3})
    assert opt.param_groups[1]["betas"] == (0.8, 0.9) and opt.param_groups[1]["eps"] == 1e-3
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [b]})


def test_step_returns_the_closures_loss() -> None:
    p = _param(3.0)
    opt = optim.SGD([p], lr=0.25)
    calls = []

    def closure() -> mt.Tensor:
        calls.append(1)
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert calls == [1] and loss.item() == 9.0
    np.testing.assert_allclose(p.numpy(), [3.0 - 0.25 * 6.0])  # the closure's gradient was used


def test_zero_grad_to_none_or_in_place() -> None:
    p = _param(1.0, 2.0)
    opt = optim.SGD([p], lr=0.1)
    _set_grad(p, 1.0, 1.0)
    grad = np.asarray(p.grad)
    opt.zero_grad(set_to_none=False)
    assert np.asarray(p.grad) is grad and grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_parameters_without_gradient_are_left_alone() -> None:
    a, b, frozen = _param(1.0), _param(1.0), mt.tensor([1.0])  # frozen: requires_grad=False
    opt = optim.Adam([a, b, frozen], lr=0.1)
    _set_grad(a, 1.0)
    opt.step()
    assert b.numpy().tolist() == [1.0] and frozen.numpy().tolist() == [1.0]
    assert opt.state[a]["step"] == 1 and b not in opt.state


def test_a_parameter_listed_twice_is_updated_once() -> None:
    p = _param(1.0)
    with pytest.warns(UserWarning, match="lists a parameter twice"):
        opt = optim.SGD([p, p], lr=1.0)
    assert opt.param_groups[0]["params"] == [p]
    _set_grad(p, 0.5)
    opt.step()
    assert p.numpy().tolist() == [0.5]


def test_a_gradient_of_another_shape_is_an_error_and_nothing_moves() -> None:
    a, b = nn.Parameter(np.zeros((3, 3), np.float32)), _param(1.0)
    opt = optim.SGD([b, a], lr=1.0)
    _set_grad(b, 1.0)
    a._grad = mt.Tensor(np.ones(3, np.float32))  # past the setter's check: (3,) would broadcast
    with pytest.raises(
        ValueError, match=r"gradient of shape \(3,\) for a parameter of shape \(3, 3\)"
    ):
        opt.step()
    assert b.numpy().tolist() == [1.0] and not a.numpy().any()


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
        lambda ps: optim.Adadelta(ps, weight_decay=0.1),
        lambda ps: optim.RMSprop(ps, momentum=0.5, centered=True),
    ],
)
def test_updates_are_in_place_and_stay_float32(make) -> None:
    p = _param(1.0, 2.0, 3.0)
    array = p.numpy()
    opt = make([p])
    opt.param_groups[0]["lr"] = np.float64(0.1)  # a NumPy scalar does not upcast either
    for _ in range(3):
        p.grad = mt.Tensor(np.array([0.1, -0.2, 0.3]))  # a float64 gradient
        opt.step()
    assert p.numpy() is array and p.dtype == np.float32 and not np.array_equal(array, [1, 2, 3])
    for value in opt.state[p].values():
        assert not isinstance(value, np.ndarray) or value.dtype == np.float32


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


def test_repr_lists_each_group_as_pytorch() -> None:
    opt = optim.Adadelta([_param(1.0)])
    opt.add_param_group({"params": [_param(2.0)], "lr": 0.5})
    group = (
        "    capturable: False\n    differentiable: False\n    eps: 1e-06\n    foreach: None\n"
        "    lr: {}\n    maximize: False\n    rho: 0.9\n    weight_decay: 0\n"
    )
    assert repr(opt) == (  # sorted options, a blank line between groups, as PyTorch prints
        "Adadelta (\nParameter Group 0\n"
        + group.format(1.0)
        + "\nParameter Group 1\n"
        + group.format(0.5)
        + ")"
    )


# ----- state_dict / load_state_dict ---------------------------------------------------------------
MAKERS = [
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.05),
    lambda ps: optim.Adadelta(ps, weight_decay=0.01),
    lambda ps: optim.RMSprop(ps, momentum=0.5, centered=True),
]


def _two_groups(make, p0: np.ndarray = P0) -> tuple[list[mt.Tensor], optim.Optimizer]:
    params = [mt.Tensor(p0.copy(), requires_grad=True), mt.Tensor(p0[0].copy(), requires_grad=True)]
    opt = make([{"params": [params[0]]}])
    opt.add_param_group({"params": [params[1]], "lr": 0.01})
    return params, opt


def _steps(params: list[mt.Tensor], opt: optim.Optimizer, grads: np.ndarray) -> None:
    for grad in grads:
        params[0].grad, params[1].grad = mt.Tensor(grad.copy()), mt.Tensor(grad[0].copy())
        opt.step()


@pytest.mark.parametrize("make", MAKERS)
def test_state_dict_round_trip_continues_identically(make) -> None:
    a, opt_a = _two_groups(make)
    _steps(a, opt_a, GRADS[:3])
    b, opt_b = _two_groups(make, P0 + 5)
    opt_b.param_groups[0]["lr"] = 123.0  # overwritten by the load
    for pa, pb in zip(a, b):
        np.copyto(pb.numpy(), pa.numpy())
    opt_b.load_state_dict(opt_a.state_dict())
    assert [g["lr"] for g in opt_b.param_groups] == [g["lr"] for g in opt_a.param_groups]
    _steps(a, opt_a, GRADS[3:])
    _steps(b, opt_b, GRADS[3:])
    for pa, pb in zip(a, b):
        assert np.array_equal(pa.numpy(), pb.numpy())


def test_state_dict_has_pytorchs_structure_and_is_a_copy() -> None:
    a, b = _param(1.0, 2.0), _param(3.0)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    _set_grad(b, 1.0)
    opt.step()
    state = opt.state_dict()
    assert state["param_groups"] == [
        {
            "lr": 0.1,
            "momentum": 0.9,
            "dampening": 0.0,
            "weight_decay": 0.0,
            "nesterov": False,
            "maximize": False,
            "foreach": None,  # PyTorch's implementation switches, kept as it keeps them
            "differentiable": False,
            "fused": None,
            "params": [0, 1],
        }
    ]
    assert list(state["state"]) == [1] and state["state"][1]["momentum_buffer"].tolist() == [1.0]
    state["state"][1]["momentum_buffer"][0] = 99.0
    state["param_groups"][0]["lr"] = 5.0
    assert opt.state[b]["momentum_buffer"][0] == 1.0 and opt.param_groups[0]["lr"] == 0.1
    adam = optim.Adam([a])
    _set_grad(a, 1.0, 1.0)
    adam.step()
    assert sorted(adam.state_dict()["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert adam.state_dict()["state"][0]["step"] == 1


def test_load_state_dict_copies_so_two_optimizers_never_share_state() -> None:
    source = _param(1.0, 1.0)
    opt = optim.SGD([source], lr=0.1, momentum=0.9)
    _set_grad(source, 1.0, 1.0)
    opt.step()
    saved = opt.state_dict()
    pair = [_param(1.0, 1.0), _param(1.0, 1.0)]
    opts = [optim.SGD([p], lr=0.1, momentum=0.9) for p in pair]
    for o in opts:
        o.load_state_dict(saved)
    _set_grad(pair[0], 1.0, 1.0)
    opts[0].step()
    assert opts[1].state[pair[1]]["momentum_buffer"].tolist() == [1.0, 1.0]
    assert saved["state"][0]["momentum_buffer"].tolist() == [1.0, 1.0]  # the caller's dict too


def test_load_state_dict_keeps_extra_group_keys_and_accepts_pytorchs_step() -> None:
    p = _param(1.0, 2.0)
    opt = optim.Adam([p])
    group = {**opt.state_dict()["param_groups"][0], "foreach": None, "initial_lr": 0.5}
    group["betas"] = [0.8, 0.9]  # e.g. after a JSON round trip
    state = {0: {"step": np.float32(4.0), "exp_avg": [0.1, 0.2], "exp_avg_sq": np.ones(2)}}
    opt.load_state_dict({"state": state, "param_groups": [group]})
    assert opt.param_groups[0]["foreach"] is None and opt.param_groups[0]["initial_lr"] == 0.5
    assert opt.param_groups[0]["betas"] == (0.8, 0.9) and opt.state[p]["step"] == 4
    assert opt.state[p]["exp_avg"].dtype == np.float32


def _adam_state(**changes) -> dict:
    state = {"step": 2, "exp_avg": np.zeros(2), "exp_avg_sq": np.zeros(2)}
    return {"state": {0: {**state, **changes}}, "param_groups": [_ADAM_GROUP]}


_ADAM_GROUP = {
    "lr": 1e-3,
    "betas": (0.9, 0.999),
    "eps": 1e-8,
    "weight_decay": 0.0,
    "amsgrad": False,
    "maximize": False,
    "decoupled_weight_decay": False,
    "params": [0],
}


def _group(**changes) -> dict:
    return {"state": {}, "param_groups": [{**_ADAM_GROUP, **changes}]}


@pytest.mark.parametrize(
    ("saved", "error", "message"),
    [
        ([1, 2], TypeError, "expected a dict, got list"),
        ({"lr": 0.1, "state.0.exp_avg": 0}, ValueError, "expected keys 'state' and 'param_groups'"),
        (
            {"state": {}, "param_groups": [_ADAM_GROUP] * 2},
            ValueError,
            "has 2 parameter groups, this optimizer has 1",
        ),
        (_group(params=[0, 1]), ValueError, "group 0 has 2 parameters in the state dict, 1 in"),
        (
            {"state": {}, "param_groups": [{"lr": 0.1}]},
            TypeError,
            "list of dicts with a 'params' list",
        ),
        (_group(params=["0"]), TypeError, r"\['params'\] must be an int parameter index, got '0'"),
        (_group(lr=-1), ValueError, r"param_groups\[0\].lr must be in \[0.0, inf\), got -1"),
        (_group(lr=float("nan")), ValueError, "lr must be in .*got nan"),
        (_group(lr=math.inf), ValueError, "lr must be in .*got inf"),
        (_group(lr="0.1"), TypeError, "lr must be a float, got str"),
        (_group(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0.0, 1.0\), got 1.0"),
        (_group(betas=0.9), TypeError, "betas must be a pair"),
        (_group(eps=-1e-8), ValueError, "eps must be in"),
        (_group(weight_decay=-5), ValueError, "weight_decay must be in .*got -5"),
        (_group(amsgrad=1), TypeError, "amsgrad must be a bool, got int"),
        (_group(initial_lr=-1.0), ValueError, "initial_lr must be in"),
        (
            {"state": {}, "param_groups": [{"params": [0], "lr": 0.1}]},
            ValueError,
            r"missing options \['betas'",
        ),
        ({"state": [], "param_groups": [_ADAM_GROUP]}, TypeError, "state must be a dict, got list"),
        (
            {"state": {5: {}}, "param_groups": [_ADAM_GROUP]},
            ValueError,
            r"state for parameter 5: not in \[0\]",
        ),
        (
            {"state": {0: 1.0}, "param_groups": [_ADAM_GROUP]},
            TypeError,
            r"state\[0\] must be a dict",
        ),
        (
            _adam_state(step=None),
            ValueError,
            r"keeps \['step', 'exp_avg', 'exp_avg_sq'\].*got \['exp_avg'",
        ),
        (_adam_state(momentum_buffer=np.zeros(2)), ValueError, "got .*'momentum_buffer'"),
        (_adam_state(step=-1), ValueError, r"\['step'\] must be an integer >= 0, got -1"),
        (_adam_state(step=1.5), ValueError, "must be an integer >= 0, got 1.5"),
        (_adam_state(step=np.nan), ValueError, "must be an integer >= 0, got nan"),
        (_adam_state(step=True), TypeError, r"\['step'\] must hold real numbers, got dtype bool"),
        (
            _adam_state(exp_avg=np.zeros(3)),
            ValueError,
            r"\['exp_avg'\] has shape \(3,\), its parameter \(2,\)",
        ),
        (
            _adam_state(exp_avg=np.array(["a", "b"])),
            TypeError,
            "must hold real numbers, got dtype <U1",
        ),
        (
            _adam_state(exp_avg=[[1.0], [1.0, 2.0]]),
            TypeError,
            r"\['exp_avg'\] must be an array of numbers",
        ),
    ],
)
def test_load_state_dict_errors_change_nothing(saved, error: type, message: str) -> None:
    p = _param(1.0, 2.0)
    opt = optim.Adam([p], lr=0.5)
    _set_grad(p, 1.0, 1.0)
    opt.step()
    before = opt.state_dict()
    with pytest.raises(error, match=message):
        opt.load_state_dict(saved)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    assert all(np.array_equal(after["state"][0][k], v) for k, v in before["state"][0].items())


@pytest.mark.parametrize(
    ("make", "saved", "message"),
    [
        (
            lambda p: optim.SGD(p, momentum=0.9),
            lambda sd: sd["state"][0].update(momentum_buffer=np.float32(1.0)),
            r"\['momentum_buffer'\] has shape \(\), its parameter \(2,\)",
        ),
        (
            lambda p: optim.SGD(p, momentum=0.9),
            lambda sd: sd["param_groups"][0].update(momentum=-5.0),
            "momentum must be in .*got -5.0",
        ),
        (
            lambda p: optim.SGD(p, momentum=0.9),
            lambda sd: sd["param_groups"][0].update(nesterov=True, momentum=0.0),
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (
            lambda p: optim.Adadelta(p),
            lambda sd: sd["param_groups"][0].update(rho=1.5),
            r"rho must be in \[0.0, 1.0\], got 1.5",
        ),
        (
            lambda p: optim.RMSprop(p, momentum=0.5),
            lambda sd: sd["state"][0].pop("step"),
            r"keeps \['step', 'square_avg'\]",
        ),
        (
            lambda p: optim.Adam(p),
            lambda sd: sd["param_groups"][0].update(params=[0, 0]),
            "group 0 has 2 parameters",
        ),
    ],
)
def test_load_state_dict_errors_per_algorithm(make, saved, message: str) -> None:
    p = _param(1.0, 2.0)
    opt = make([p])
    _set_grad(p, 1.0, 1.0)
    opt.step()
    state = opt.state_dict()
    saved(state)
    with pytest.raises(ValueError, match=message):
        make([_param(1.0, 2.0)]).load_state_dict(state)


def test_a_parameter_index_twice_is_refused() -> None:
    a, b = _param(1.0), _param(2.0)
    opt = optim.SGD([a, b])
    state = opt.state_dict()
    state["param_groups"][0]["params"] = [0, 0]
    with pytest.raises(ValueError, match="a parameter index appears twice"):
        opt.load_state_dict(state)


# ----- constructor validation ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), ValueError, r"lr must be in \[0.0, inf\), got -0.1"),
        (lambda p: optim.SGD(p, lr="0.1"), TypeError, "lr must be a float, got str"),
        (lambda p: optim.SGD(p, lr=math.inf), ValueError, "lr must be in .*got inf"),
        (lambda p: optim.SGD(p, momentum=-1), ValueError, "momentum must be in .*got -1"),
        (lambda p: optim.SGD(p, dampening=math.nan), ValueError, "dampening must be .*got nan"),
        (
            lambda p: optim.SGD(p, nesterov=True),
            ValueError,
            "Nesterov momentum requires a momentum",
        ),
        (
            lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "zero dampening",
        ),
        (
            lambda p: optim.SGD(p, momentum=0.9, nesterov=1),
            TypeError,
            "nesterov must be a bool, got int",
        ),
        (lambda p: optim.SGD(p, maximize="no"), TypeError, "maximize must be a bool, got str"),
        (
            lambda p: optim.Adam(p, betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\] must be in \[0.0, 1.0\), got 1.0",
        ),
        (lambda p: optim.Adam(p, betas=0.9), TypeError, "betas must be a pair"),
        (lambda p: optim.Adam(p, eps=-1e-8), ValueError, "eps must be in"),
        (lambda p: optim.Adam(p, amsgrad=None), TypeError, "amsgrad must be a bool"),
        (lambda p: optim.AdamW(p, weight_decay=math.inf), ValueError, "weight_decay must be in"),
        (lambda p: optim.Adadelta(p, rho=1.5), ValueError, r"rho must be in \[0.0, 1.0\], got 1.5"),
        (lambda p: optim.RMSprop(p, alpha=-0.1), ValueError, "alpha must be in .*got -0.1"),
        (lambda p: optim.RMSprop(p, centered=0), TypeError, "centered must be a bool"),
        (lambda p: optim.SGD([]), ValueError, "empty parameter list"),
        (lambda p: optim.SGD([np.ones(2)]), TypeError, r"update Tensors .*got array\(\[1., 1.\]\)"),
        (lambda p: optim.SGD([p[0] * 2]), ValueError, "can't optimize a non-leaf Tensor"),
        (lambda p: optim.SGD(p[0]), TypeError, "iterable of parameters.*got Parameter"),
        (
            lambda p: optim.Adam(nn.Linear(2, 2)),
            TypeError,
            r"got Linear \(pass model.parameters\(\)\)",
        ),
        (lambda p: optim.SGD(None), TypeError, "iterable of parameters.*got NoneType"),
        (lambda p: optim.SGD([{"params": set(p)}]), TypeError, "must be ordered"),
        (lambda p: optim.SGD([{"lr": 0.1}]), ValueError, "a param group needs a 'params' entry"),
        (
            lambda p: optim.SGD([{"params": p}, p[0]]),
            TypeError,
            "param_group must be a dict, got Parameter",
        ),
        (
            lambda p: optim.SGD([{"params": p}, {"params": p}]),
            ValueError,
            "more than one parameter group",
        ),
        (
            lambda p: optim.SGD([{"params": p}, {"params": [_param(1.0)], "lr": -1}]),
            ValueError,
            r"param group 1: lr must be in \[0.0, inf\), got -1",
        ),
    ],
)
def test_constructor_arguments_are_validated(build, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build([_param(1.0)])


# ----- PyTorch's implementation switches (foreach, fused, capturable, differentiable) -------------
def test_implementation_switches_are_accepted_in_pytorchs_argument_order() -> None:
    p = _param(1.0)
    # RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered, capturable, foreach,
    # maximize, differentiable): all positional in PyTorch
    rms = optim.RMSprop([p], 0.1, 0.9, 1e-8, 0, 0, False, False, True, True, False)
    assert rms.param_groups[0]["foreach"] is True and rms.param_groups[0]["maximize"] is True
    assert optim.Adadelta([p], 1.0, 0.9, 1e-6, 0, False).defaults["foreach"] is False
    adam = optim.Adam([p], fused=True, foreach=False)
    assert (adam.defaults["fused"], adam.defaults["capturable"]) == (True, False)
    assert optim.AdamW([p], fused=None).defaults["decoupled_weight_decay"] is True
    assert sorted(optim.SGD([p]).defaults) == [
        "dampening", "differentiable", "foreach", "fused", "lr", "maximize", "momentum",
        "nesterov", "weight_decay",
    ]  # fmt: skip
    with pytest.raises(TypeError, match="foreach must be a bool, got str"):
        optim.SGD([p], foreach="yes")


def test_switches_only_choose_how_so_the_steps_are_equal() -> None:
    plain, switched = _param(1.0, -2.0), _param(1.0, -2.0)
    a = optim.Adam([plain], lr=0.1)
    b = optim.Adam([switched], lr=0.1, foreach=True, fused=True)
    for _ in range(3):
        _set_grad(plain, 0.5, 1.0)
        _set_grad(switched, 0.5, 1.0)
        a.step()
        b.step()
    np.testing.assert_array_equal(plain.numpy(), switched.numpy())


@pytest.mark.parametrize("switch", ["differentiable", "capturable"])
def test_autograd_through_the_step_and_graph_capture_are_refused_at_step(switch) -> None:
    p = _param(1.0)
    opt = optim.Adam([p], **{switch: True})  # PyTorch too fails only when stepping on a CPU leaf
    _set_grad(p, 1.0)
    with pytest.raises(ValueError, match=f"{switch}=True .* is not supported"):
        opt.step()
    assert p.numpy().tolist() == [1.0]


def test_a_state_dict_without_the_switches_loads_with_their_defaults() -> None:
    p = _param(1.0, 2.0)
    opt = optim.Adam([p])
    opt.load_state_dict(_adam_state())  # _ADAM_GROUP has no foreach/fused/...
    group = opt.param_groups[0]
    assert (group["foreach"], group["fused"], group["capturable"]) == (None, None, False)


def test_options_keep_the_users_python_number_and_never_upcast() -> None:
    p = _param(1.0)
    opt = optim.SGD([p], lr=np.float64(0.5), weight_decay=0)
    assert type(opt.defaults["lr"]) is float and type(opt.defaults["weight_decay"]) is int
    assert opt.state_dict()["param_groups"][0]["dampening"] == 0  # PyTorch's int default
    _set_grad(p, 1.0)
    opt.step()
    assert p.dtype == np.float32 and p.numpy().tolist() == [0.5]
