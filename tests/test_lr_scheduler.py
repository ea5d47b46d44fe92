"""Tests of minitorch_cnn.optim.lr_scheduler: the rates each schedule writes into the optimizer
against closed forms written here, PyTorch's construction rules, state dicts and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minitorch_cnn
from minitorch_cnn import nn, optim
from minitorch_cnn.optim import lr_scheduler

BASE = (0.1, 0.02)  # two param groups with their own starting rates


def _optimizer() -> optim.Optimizer:
    groups = [{"params": [nn.Parameter(np.zeros(2, np.float32))], "lr": lr} for lr in BASE]
    return optim.SGD(groups, lr=1.0, momentum=0.9)


def _rates(scheduler: lr_scheduler.LRScheduler, epochs: int) -> np.ndarray:
    """(epochs, groups): the rates the optimizer's groups hold during each epoch."""
    rates = []
    for _ in range(epochs):
        rates.append([group["lr"] for group in scheduler.optimizer.param_groups])
        assert scheduler.get_last_lr() == rates[-1]
        scheduler.optimizer.step()
        scheduler.step()
    return np.array(rates)


def _closed(formula, epochs: int) -> np.ndarray:
    return np.array([[formula(base, e) for base in BASE] for e in range(epochs)])


def test_import_paths_are_pytorchs() -> None:
    assert minitorch_cnn.optim.lr_scheduler.StepLR is lr_scheduler.StepLR
    from minitorch_cnn.optim.lr_scheduler import CosineAnnealingLR  # noqa: F401

    assert issubclass(lr_scheduler._LRScheduler, lr_scheduler.LRScheduler)


def test_step_lr() -> None:
    got = _rates(lr_scheduler.StepLR(_optimizer(), step_size=3, gamma=0.5), 10)
    np.testing.assert_allclose(got, _closed(lambda b, e: b * 0.5 ** (e // 3), 10), rtol=1e-12)


def test_multi_step_lr_counts_a_repeated_milestone_twice() -> None:
    got = _rates(lr_scheduler.MultiStepLR(_optimizer(), [2, 5, 5], gamma=0.1), 8)
    passed = [0, 0, 1, 1, 1, 3, 3, 3]
    np.testing.assert_allclose(got, _closed(lambda b, e: b * 0.1 ** passed[e], 8), rtol=1e-12)


def test_exponential_lr() -> None:
    got = _rates(lr_scheduler.ExponentialLR(_optimizer(), gamma=0.9), 12)
    np.testing.assert_allclose(got, _closed(lambda b, e: b * 0.9**e, 12), rtol=1e-12)


@pytest.mark.parametrize(("T_max", "eta_min"), [(7, 0.0), (10, 1e-3), (1, 0.005)])
def test_cosine_annealing_matches_the_closed_form_over_two_periods(
    T_max: int, eta_min: float
) -> None:
    epochs = 4 * T_max + 1  # two full periods of 2 * T_max, down and back up twice
    got = _rates(lr_scheduler.CosineAnnealingLR(_optimizer(), T_max, eta_min), epochs)
    expected = _closed(
        lambda b, e: eta_min + (b - eta_min) * (1 + math.cos(math.pi * e / T_max)) / 2, epochs
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert got[T_max] == pytest.approx([eta_min, eta_min], abs=1e-12)


def test_lambda_lr_one_function_or_one_per_group() -> None:
    got = _rates(lr_scheduler.LambdaLR(_optimizer(), lambda e: 1 / (e + 1)), 5)
    np.testing.assert_allclose(got, _closed(lambda b, e: b / (e + 1), 5), rtol=1e-12)
    both = lr_scheduler.LambdaLR(_optimizer(), [lambda e: 0.5**e, lambda e: e + 1.0])
    np.testing.assert_allclose(_rates(both, 4)[:, 1], [0.02 * (e + 1) for e in range(4)])


def test_construction_records_initial_lr_and_keeps_the_rates() -> None:
    opt = _optimizer()
    scheduler = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    assert scheduler.last_epoch == 0 and scheduler.base_lrs == list(BASE)
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASE)
    assert [g["lr"] for g in opt.param_groups] == list(BASE)
    _stepped(scheduler)
    again = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)  # initial_lr is kept
    assert again.base_lrs == list(BASE) and again.get_last_lr() == [0.05, 0.01]


def test_recursive_form_carries_on_from_a_rate_changed_by_hand() -> None:
    opt = _optimizer()
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.param_groups[0]["lr"] = 1.0
    _stepped(scheduler)
    assert scheduler.get_last_lr() == [0.5, 0.01]


def test_resuming_needs_initial_lr() -> None:
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
        lr_scheduler.StepLR(_optimizer(), step_size=2, last_epoch=3)
    opt = _optimizer()
    for group in opt.param_groups:
        group["initial_lr"] = group["lr"]
    scheduler = lr_scheduler.StepLR(opt, step_size=2, last_epoch=3)  # as PyTorch: epoch 4 now
    assert scheduler.last_epoch == 4 and scheduler.get_last_lr() == pytest.approx([0.01, 0.002])


def test_step_with_an_epoch_uses_the_closed_form_and_warns() -> None:
    scheduler = lr_scheduler.CosineAnnealingLR(_optimizer(), T_max=4)
    scheduler.optimizer.step()
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(2)
    assert scheduler.last_epoch == 2 and scheduler.get_last_lr() == pytest.approx([0.05, 0.01])


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_scheduler.StepLR(o, 2, 0.5),
        lambda o: lr_scheduler.MultiStepLR(o, [1, 3]),
        lambda o: lr_scheduler.CosineAnnealingLR(o, 3),
        lambda o: lr_scheduler.LambdaLR(o, lambda e: 0.9**e),
    ],
)
def test_state_dict_round_trip(make) -> None:
    first = make(_optimizer())
    _rates(first, 4)
    saved = first.state_dict()
    assert saved["last_epoch"] == 4 and "optimizer" not in saved
    second = make(_optimizer())  # as PyTorch says: the scheduler first, then the optimizer's
    second.optimizer.load_state_dict(first.optimizer.state_dict())  # state (which has the lr)
    second.load_state_dict(saved)
    np.testing.assert_array_equal(_rates(second, 5), _rates(first, 5))
    saved["base_lrs"][0] = 99.0  # the saved dict does not alias the scheduler
    assert first.base_lrs[0] == 0.1


def test_lambda_lr_state_dict_saves_no_function() -> None:
    assert lr_scheduler.LambdaLR(_optimizer(), lambda e: 1.0).state_dict()["lr_lambdas"] == [
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda o: lr_scheduler.StepLR([], 2), TypeError, "list is not an Optimizer"),
        (lambda o: lr_scheduler.StepLR(o, 0), ValueError, "step_size must be > 0, got 0"),
        (lambda o: lr_scheduler.StepLR(o, "2"), TypeError, "step_size must be a number of epochs"),
        (lambda o: lr_scheduler.ExponentialLR(o, math.nan), ValueError, "gamma must be in .*nan"),
        (lambda o: lr_scheduler.MultiStepLR(o, [1, "2"]), TypeError, "milestones must be an int"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, 0), ValueError, "T_max must be > 0, got 0"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, 5, math.inf), ValueError, "eta_min must be"),
        (lambda o: lr_scheduler.LambdaLR(o, [abs]), ValueError, "Expected 2 lr_lambdas, but got 1"),
        (lambda o: lr_scheduler.LambdaLR(o, 0.5), TypeError, "lr_lambda must be a function"),
        (
            lambda o: lr_scheduler.StepLR(o, 2, last_epoch=-2),
            ValueError,
            "last_epoch must be >= -1",
        ),
    ],
)
def test_arguments_are_validated(build, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build(_optimizer())


def test_what_pytorch_accepts_is_accepted() -> None:
    """A float step size, a negative gamma or eta_min, and rates below 0 run as in PyTorch."""
    rates = _rates(lr_scheduler.StepLR(_optimizer(), 2.0, gamma=-0.5), 5)
    np.testing.assert_allclose(rates[:, 0], [0.1, 0.1, -0.05, -0.05, 0.025])
    scheduler = lr_scheduler.LambdaLR(_optimizer(), lambda e: -float(e))
    _stepped(scheduler)
    assert scheduler.get_last_lr() == [-0.1, -0.02]


def _stepped(scheduler: lr_scheduler.LRScheduler) -> None:
    """One epoch in PyTorch's order: the optimizer steps, then the schedule."""
    scheduler.optimizer.step()
    scheduler.step()


def test_the_first_schedule_step_before_any_optimizer_step_warns_as_pytorch() -> None:
    scheduler = lr_scheduler.StepLR(_optimizer(), 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()  # only the first step is checked, as in PyTorch
        _stepped(lr_scheduler.StepLR(_optimizer(), 2))


def test_get_lr_outside_step_warns_to_use_get_last_lr() -> None:
    scheduler = lr_scheduler.ExponentialLR(_optimizer(), 0.5)
    _stepped(scheduler)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        scheduler.get_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _stepped(scheduler)
    assert scheduler.get_last_lr() == pytest.approx([0.025, 0.005])


def test_linear_warm_up_matches_its_closed_form() -> None:
    rates = _rates(lr_scheduler.LinearLR(_optimizer()), 8)  # 1/3 -> 1 over 5 epochs
    np.testing.assert_allclose(rates, _closed(lambda b, e: b * (1 + 2 * min(e, 5) / 5) / 3, 8))
    down = _rates(lr_scheduler.LinearLR(_optimizer(), 1.0, 0.5, total_iters=2), 4)
    np.testing.assert_allclose(down[:, 0], [0.1, 0.075, 0.05, 0.05])
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        lr_scheduler.LinearLR(_optimizer(), start_factor=0.0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        lr_scheduler.LinearLR(_optimizer(), end_factor=1.5)


def _plateau_rates(metrics: list[float], **options) -> list[float]:
    scheduler = lr_scheduler.ReduceLROnPlateau(_optimizer(), **options)
    rates = []
    for value in metrics:
        scheduler.step(value)
        rates.append(scheduler.get_last_lr()[0])
    return rates


def test_reduce_on_plateau_counts_bad_epochs_beyond_patience() -> None:
    # 1.0 and 0.9 improve; each later 0.9 is a bad epoch; the 3rd bad one (> patience 2)
    # halves the rate and the count starts again
    rates = _plateau_rates([1.0, 0.9] + [0.9] * 6, factor=0.5, patience=2)
    assert rates == pytest.approx([0.1] * 4 + [0.05] * 3 + [0.025])
    # cooldown 2: the two epochs after a reduction count no bad epochs
    rates = _plateau_rates([1.0] * 6, factor=0.5, patience=0, cooldown=2)
    assert rates == pytest.approx([0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
    # mode max with an absolute threshold 0.1: 1.05 is no improvement on 1.0; floor min_lr
    rates = _plateau_rates([1.0, 1.05, 1.2, 1.0], mode="max", threshold=0.1,
                           threshold_mode="abs", patience=0, min_lr=0.07)  # fmt: skip
    assert rates == pytest.approx([0.1, 0.07, 0.07, 0.07])


def test_reduce_on_plateau_arguments_and_state() -> None:
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(_optimizer(), factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        lr_scheduler.ReduceLROnPlateau(_optimizer(), mode="avg")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        lr_scheduler.ReduceLROnPlateau(_optimizer(), min_lr=[0.0])
    scheduler = lr_scheduler.ReduceLROnPlateau(_optimizer(), patience=0)
    scheduler.step(mt_tensor_one())
    state = scheduler.state_dict()
    assert state["best"] == 1.0 and state["last_epoch"] == 1 and "optimizer" not in state
    other = lr_scheduler.ReduceLROnPlateau(_optimizer())
    other.load_state_dict(state)
    other.step(2.0)  # worse than the restored best, patience 0: reduced
    assert other.get_last_lr() == pytest.approx([0.01, 0.002])


def mt_tensor_one() -> minitorch_cnn.Tensor:
    """A one-element tensor: a loss as a training loop passes it."""
    return minitorch_cnn.tensor(1.0)


def _one_cycle(opt: optim.Optimizer, **options) -> tuple[list[float], list[float]]:
    """Rates and momenta during each of 10 steps of a one-cycle schedule (max_lr 1)."""
    scheduler = lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10, div_factor=10.0, **options)
    rates, momenta = [], []
    for _ in range(10):
        group = opt.param_groups[0]
        rates.append(group["lr"])
        momenta.append(group["betas"][0] if "betas" in group else group["momentum"])
        opt.step()
        scheduler.step()
    return rates, momenta


def test_one_cycle_climbs_then_anneals() -> None:
    opt = optim.SGD([nn.Parameter(np.zeros(1, np.float32))], lr=0.1, momentum=0.9)
    rates, momenta = _one_cycle(opt)
    # climb 0.1 -> 1 over steps 0..2 (pct_start 0.3 of 10: the climb ends at step 3 - 1), the
    # cosine midpoint at step 1 is 1 + (0.1 - 1) / 2 = 0.55; then down to 0.1 / 1e4 at step 9
    assert rates[:3] == pytest.approx([0.1, 0.55, 1.0])
    middle = 1e-5 + (1 - 1e-5) * (1 + math.cos(math.pi * 3.5 / 7)) / 2  # step 5.5 of 2..9
    assert (rates[5] + rates[6]) / 2 == pytest.approx(middle, rel=0.05)
    assert rates[9] == pytest.approx(1e-5)
    assert momenta[0] == 0.95 and momenta[2] == pytest.approx(0.85)  # the opposite way
    assert momenta[9] == pytest.approx(0.95)
    assert opt.param_groups[0]["max_lr"] == 1.0 and opt.param_groups[0]["initial_lr"] == 0.1


def test_one_cycle_linear_three_phase_on_adams_beta1() -> None:
    opt = optim.Adam([nn.Parameter(np.zeros(1, np.float32))])
    rates, momenta = _one_cycle(
        opt, anneal_strategy="linear", three_phase=True, pct_start=0.2, max_momentum=0.9
    )
    # up over steps 0..1, back down over 1..2, then linear to 1e-5 over 2..9
    assert rates[:3] == pytest.approx([0.1, 1.0, 0.1])
    assert rates[9] == pytest.approx(1e-5) and rates[5] == pytest.approx(0.1 - 3 * (0.1 - 1e-5) / 7)
    assert (
        momenta[:3] == pytest.approx([0.9, 0.85, 0.9]) and opt.param_groups[0]["betas"][1] == 0.999
    )


def test_one_cycle_errors_as_pytorch() -> None:
    opt = optim.SGD([nn.Parameter(np.zeros(1, np.float32))], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="either total_steps OR"):
        lr_scheduler.OneCycleLR(opt, 1.0)
    with pytest.raises(ValueError, match="positive integer total_steps"):
        lr_scheduler.OneCycleLR(opt, 1.0, total_steps=0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        lr_scheduler.OneCycleLR(opt, 1.0, 5, anneal_strategy="exp")
    with pytest.raises(ValueError, match="must support momentum"):
        lr_scheduler.OneCycleLR(optim.Adadelta([nn.Parameter(np.zeros(1, np.float32))]), 1.0, 5)
    scheduler = lr_scheduler.OneCycleLR(opt, 1.0, epochs=1, steps_per_epoch=2)
    for _ in range(2):
        opt.step()
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        scheduler.step()
