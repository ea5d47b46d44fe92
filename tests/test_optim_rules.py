"""The new optimizers against plain loops of PyTorch's documented rules; the schedules
against their closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import nn, optim
from minitorch_cnn.optim import lr_scheduler


def _run(make, grads, p0=0.5):
    p = nn.Parameter(np.array([p0], dtype=np.float64))
    opt = make([p])
    for g in grads:
        p.grad = mt.Tensor(np.array([g]))
        opt.step()
    return p.numpy()[0]


GRADS = [0.3, -1.2, 0.5, 0.8, -0.1]


def test_adadelta_rule() -> None:
    p, s, u = 0.5, 0.0, 0.0
    for g in GRADS:
        g = g + 0.1 * p
        s = 0.9 * s + 0.1 * g * g
        delta = math.sqrt(u + 1e-6) / math.sqrt(s + 1e-6) * g
        u = 0.9 * u + 0.1 * delta * delta
        p -= 1.0 * delta
    assert _run(lambda ps: optim.Adadelta(ps, weight_decay=0.1), GRADS) == pytest.approx(p)


@pytest.mark.parametrize(
    "centered, momentum", [(False, 0.0), (True, 0.0), (False, 0.9), (True, 0.5)]
)
def test_rmsprop_rule(centered: bool, momentum: float) -> None:
    p, s, ga, b = 0.5, 0.0, 0.0, 0.0
    for g in GRADS:
        s = 0.99 * s + 0.01 * g * g
        ga = 0.99 * ga + 0.01 * g
        avg = math.sqrt(s - ga * ga if centered else s) + 1e-8
        if momentum:
            b = momentum * b + g / avg
            p -= 0.01 * b
        else:
            p -= 0.01 * g / avg
    got = _run(lambda ps: optim.RMSprop(ps, centered=centered, momentum=momentum), GRADS)
    assert got == pytest.approx(p)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_decouples_the_decay_and_amsgrad_keeps_the_max(amsgrad: bool) -> None:
    p, m, v, vmax = 0.5, 0.0, 0.0, 0.0
    for t, g in enumerate(GRADS, start=1):
        p *= 1 - 0.01 * 0.1
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        vmax = max(vmax, v)
        used = vmax if amsgrad else v
        p -= 0.01 / (1 - 0.9**t) * m / (math.sqrt(used) / math.sqrt(1 - 0.999**t) + 1e-8)
    got = _run(lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1, amsgrad=amsgrad), GRADS)
    assert got == pytest.approx(p)


def test_sgd_nesterov_dampening_and_maximize() -> None:
    p, buf = 0.5, None
    for g in GRADS:
        g = -g  # maximize
        buf = g if buf is None else 0.9 * buf + g
        p -= 0.1 * (g + 0.9 * buf)
    got = _run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, maximize=True), GRADS)
    assert got == pytest.approx(p)
    p, buf = 0.5, None
    for g in GRADS:
        buf = g if buf is None else 0.9 * buf + 0.5 * g
        p -= 0.1 * buf
    assert _run(
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5), GRADS
    ) == pytest.approx(p)
    with pytest.raises(
        ValueError, match="Nesterov momentum requires a momentum and zero dampening"
    ):
        optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1, nesterov=True)


def test_param_groups_have_their_own_options() -> None:
    a, b = nn.Parameter(np.ones(1)), nn.Parameter(np.ones(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = mt.Tensor(np.ones(1)), mt.Tensor(np.ones(1))
    opt.step()
    assert a.numpy()[0] == pytest.approx(0.9) and b.numpy()[0] == pytest.approx(0.0)
    opt.param_groups[0]["lr"] = 0.5  # a user's change is used by the next step
    opt.step()
    assert a.numpy()[0] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def _lrs(scheduler_factory, epochs: int = 12, lr: float = 0.1) -> list[float]:
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=lr)
    scheduler = scheduler_factory(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [opt.param_groups[0]["lr"]]
    return lrs


def test_schedules_match_their_closed_forms() -> None:
    step = _lrs(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5))
    assert step == pytest.approx([0.1 * 0.5 ** (e // 3) for e in range(12)])
    expo = _lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9))
    assert expo == pytest.approx([0.1 * 0.9**e for e in range(12)])
    multi = _lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5], gamma=0.1))
    assert multi == pytest.approx([0.1 * 0.1 ** ((e >= 2) + (e >= 5)) for e in range(12)])
    lam = _lrs(lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (e + 1)))
    assert lam == pytest.approx([0.1 / (e + 1) for e in range(12)])
    cos = _lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01), epochs=20)
    closed = [0.01 + 0.09 * (1 + math.cos(math.pi * e / 5)) / 2 for e in range(20)]
    assert cos == pytest.approx(closed, abs=1e-9)  # two periods and more


def test_scheduler_state_dict_round_trip() -> None:
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    for _ in range(3):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert state["last_epoch"] == 3 and "optimizer" not in state
    other = lr_scheduler.StepLR(optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1), step_size=5)
    other.load_state_dict(state)
    assert other.last_epoch == 3 and other.step_size == 2
