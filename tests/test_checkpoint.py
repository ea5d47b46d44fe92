"""Tests of checkpoint.py: round trips, clear errors, atomic writes and exact resumption."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import functional, models, nn, optim
from minitorch_cnn.checkpoint import load_checkpoint, save_checkpoint


def _tiny_cnn(seed: int) -> nn.Module:
    """(N, 1, 8, 8) -> (N, 3): a conv, a pool and a linear layer, small enough to train fast."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, generator=rng),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3, generator=rng),
    )


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(123)
    return rng.standard_normal((40, 1, 8, 8)).astype(np.float32), rng.integers(0, 3, 40)


def _train(model: nn.Module, opt: optim.Optimizer, rng: np.random.Generator, steps: int) -> None:
    """Steps on random mini-batches of 8 drawn from ``rng`` (so resuming needs its state)."""
    images, labels = _data()
    for _ in range(steps):
        index = rng.choice(len(labels), size=8, replace=False)
        loss = functional.cross_entropy(model(mt.Tensor(images[index])), labels[index])
        opt.zero_grad()
        loss.backward()
        opt.step()


def _state(model: nn.Module, opt: optim.Optimizer) -> dict[str, np.ndarray]:
    return {
        **model.state_dict(),
        **{
            f"opt.{i}.{k}": np.asarray(v)
            for i, state in opt.state_dict()["state"].items()
            for k, v in state.items()
        },
        "opt.groups": repr(opt.state_dict()["param_groups"]),
    }


def test_round_trip_restores_everything(tmp_path: Path) -> None:
    model = models.MLP(hidden=(16,), generator=np.random.default_rng(0))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for p in model.parameters():
        p.grad = mt.Tensor(np.ones_like(p.numpy()))
    opt.step()
    rng = np.random.default_rng(5)
    rng.random(3)
    path = tmp_path / "run.npz"
    save_checkpoint(path, model, opt, epoch=2, step=1876, generator=rng)
    expected_draws = rng.random(4)
    saved = _state(model, opt)

    other = models.MLP(hidden=(16,), generator=np.random.default_rng(1))
    other_opt = optim.SGD(other.parameters(), lr=0.5, momentum=0.9)
    other_rng = np.random.default_rng(99)
    info = load_checkpoint(path, other, other_opt, generator=other_rng)
    assert info == {"epoch": 2, "step": 1876, "model": "MLP", "optimizer": "SGD"}
    restored = _state(other, other_opt)
    assert sorted(restored) == sorted(saved)
    for key, value in saved.items():
        assert np.array_equal(restored[key], value), key
    assert np.array_equal(other_rng.random(4), expected_draws)
    assert all(type(other_opt.param_groups[0][k]) is float for k in ("lr", "momentum"))


def test_model_only_checkpoint(tmp_path: Path) -> None:
    model = models.MLP(hidden=(8,), generator=np.random.default_rng(0))
    save_checkpoint(tmp_path / "m.npz", model)
    other = models.MLP(hidden=(8,), generator=np.random.default_rng(1))
    assert load_checkpoint(tmp_path / "m.npz", other)["optimizer"] == ""
    assert all(
        np.array_equal(a.numpy(), b.numpy()) for a, b in zip(model.parameters(), other.parameters())
    )
    with pytest.raises(ValueError, match="holds the state of a missing optimizer, expected Adam"):
        load_checkpoint(tmp_path / "m.npz", other, optim.Adam(other.parameters()))
    with pytest.raises(ValueError, match="saved without a generator state"):
        load_checkpoint(tmp_path / "m.npz", other, generator=np.random.default_rng())


def test_other_architecture_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "simple.npz", models.SimpleCNN(generator=np.random.default_rng(0)))
    target = models.MNISTConvNet(generator=np.random.default_rng(1))
    before = target.state_dict()
    with pytest.raises(
        ValueError,
        match=r"holds a SimpleCNN, which does not fit this MNISTConvNet.*"
        r"fc_layers.1.weight: expected \(256, 3136\), got \(128, 3136\)",
    ):
        load_checkpoint(tmp_path / "simple.npz", target)
    save_checkpoint(tmp_path / "mlp.npz", models.MLP(generator=np.random.default_rng(0)))
    with pytest.raises(ValueError, match=r"holds a MLP.*missing keys \['conv_layers.0.weight'"):
        load_checkpoint(tmp_path / "mlp.npz", target)
    for key, value in target.state_dict().items():
        assert np.array_equal(value, before[key])


def test_other_optimizer_is_a_clear_error(tmp_path: Path) -> None:
    model = models.MLP(hidden=(8,), generator=np.random.default_rng(0))
    save_checkpoint(tmp_path / "c.npz", model, optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="holds the state of a SGD optimizer, expected Adam"):
        load_checkpoint(tmp_path / "c.npz", model, optim.Adam(model.parameters()))


def test_not_a_checkpoint(tmp_path: Path) -> None:
    np.savez(tmp_path / "plain.npz", weights=np.zeros(3))
    with pytest.raises(
        ValueError, match=r"plain.npz is not a readable minitorch_cnn checkpoint \(.*meta/format"
    ):
        load_checkpoint(tmp_path / "plain.npz", models.MLP())


def test_interrupted_save_leaves_the_previous_checkpoint_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.npz"
    first = models.MLP(hidden=(8,), generator=np.random.default_rng(0))
    save_checkpoint(path, first, epoch=1)
    original_bytes = path.read_bytes()

    written = []
    real_write_array = np.lib.format.write_array

    def write_then_fail(fp, array, *args, **kwargs):  # dies after two arrays are on disk
        if len(written) == 2:
            raise OSError("disk full (simulated)")
        written.append(array.shape)
        return real_write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    second = models.MLP(hidden=(8,), generator=np.random.default_rng(1))
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, second, epoch=2)
    monkeypatch.undo()

    assert len(written) == 2  # the failure really happened midway
    assert path.read_bytes() == original_bytes
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # no temporary file left behind
    check = models.MLP(hidden=(8,), generator=np.random.default_rng(2))
    assert load_checkpoint(path, check)["epoch"] == 1
    assert all(
        np.array_equal(a.numpy(), b.numpy()) for a, b in zip(first.parameters(), check.parameters())
    )


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda ps: optim.Adam(ps, lr=0.01),
        lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    ],
)
def test_resume_is_bit_for_bit_identical(tmp_path: Path, make_opt) -> None:
    straight = _tiny_cnn(seed=0)
    straight_opt = make_opt(straight.parameters())
    _train(straight, straight_opt, np.random.default_rng(7), steps=10)

    first = _tiny_cnn(seed=0)
    first_opt = make_opt(first.parameters())
    rng = np.random.default_rng(7)
    _train(first, first_opt, rng, steps=4)
    save_checkpoint(tmp_path / "k.npz", first, first_opt, step=4, generator=rng)
    del first, first_opt, rng  # a new process would start from nothing but the file

    resumed = _tiny_cnn(seed=42)  # different initial weights: all overwritten by the load
    resumed_opt = make_opt(resumed.parameters())
    resumed_rng = np.random.default_rng(0)
    assert (
        load_checkpoint(tmp_path / "k.npz", resumed, resumed_opt, generator=resumed_rng)["step"]
        == 4
    )
    _train(resumed, resumed_opt, resumed_rng, steps=6)

    expected, got = _state(straight, straight_opt), _state(resumed, resumed_opt)
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert np.array_equal(got[key], expected[key]), key
