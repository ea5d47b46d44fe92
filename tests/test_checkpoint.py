"""Tests of checkpoint.py: round trips, clear errors, atomic writes and exact resumption."""

from __future__ import annotations

import copy
import io
import json
import math
import os
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import functional, models, nn, optim
from minitorch_cnn.checkpoint import checkpoint_info, load_checkpoint, save_checkpoint


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


def _flatten(prefix: str, value: Any) -> dict[str, Any]:
    """Nested dicts/lists (any optimizer state_dict layout) as {dotted key: leaf}."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return {prefix: np.asarray(value)}
    return {k: v for key, item in items for k, v in _flatten(f"{prefix}.{key}", item).items()}


def _state(model: nn.Module, opt: optim.Optimizer) -> dict[str, np.ndarray]:
    return {**_flatten("model", model.state_dict()), **_flatten("opt", opt.state_dict())}


def test_round_trip_restores_everything(tmp_path: Path) -> None:
    model = models.MLP(hidden=(16,), generator=np.random.default_rng(0))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for p in model.parameters():
        p.grad = mt.Tensor(np.ones(p.shape, dtype=np.float32))
    opt.step()
    rng = np.random.default_rng(5)
    rng.random(3)
    path = tmp_path / "run.pt"
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
    save_checkpoint(tmp_path / "m.pt", model)
    other = models.MLP(hidden=(8,), generator=np.random.default_rng(1))
    assert load_checkpoint(tmp_path / "m.pt", other)["optimizer"] == ""
    assert all(
        np.array_equal(a.numpy(), b.numpy()) for a, b in zip(model.parameters(), other.parameters())
    )
    with pytest.raises(ValueError, match="holds the state of a missing optimizer, expected Adam"):
        load_checkpoint(tmp_path / "m.pt", other, optim.Adam(other.parameters()))
    with pytest.raises(ValueError, match="saved without a generator state"):
        load_checkpoint(tmp_path / "m.pt", other, generator=np.random.default_rng())


def test_other_architecture_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "simple.pt", models.SimpleCNN(generator=np.random.default_rng(0)))
    target = models.MNISTConvNet(generator=np.random.default_rng(1))
    before = copy.deepcopy(target.state_dict())  # state_dict() shares memory
    with pytest.raises(
        ValueError,
        match=r"holds a SimpleCNN, which does not fit this MNISTConvNet.*"
        r"fc_layers.1.weight: expected \(256, 3136\), got \(128, 3136\)",
    ):
        load_checkpoint(tmp_path / "simple.pt", target)
    save_checkpoint(tmp_path / "mlp.pt", models.MLP(generator=np.random.default_rng(0)))
    with pytest.raises(ValueError, match=r"holds a MLP.*missing keys \['conv_layers.0.weight'"):
        load_checkpoint(tmp_path / "mlp.pt", target)
    for key, value in target.state_dict().items():
        assert np.array_equal(value, before[key])


def test_other_optimizer_is_a_clear_error(tmp_path: Path) -> None:
    model = models.MLP(hidden=(8,), generator=np.random.default_rng(0))
    save_checkpoint(tmp_path / "c.pt", model, optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="holds the state of a SGD optimizer, expected Adam"):
        load_checkpoint(tmp_path / "c.pt", model, optim.Adam(model.parameters()))


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
    save_checkpoint(tmp_path / "k.pt", first, first_opt, step=4, generator=rng)
    del first, first_opt, rng  # a new process would start from nothing but the file

    resumed = _tiny_cnn(seed=42)  # different initial weights: all overwritten by the load
    resumed_opt = make_opt(resumed.parameters())
    resumed_rng = np.random.default_rng(0)
    assert (
        load_checkpoint(tmp_path / "k.pt", resumed, resumed_opt, generator=resumed_rng)["step"] == 4
    )
    _train(resumed, resumed_opt, resumed_rng, steps=6)

    expected, got = _state(straight, straight_opt), _state(resumed, resumed_opt)
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert np.array_equal(got[key], expected[key]), key


# ----- hostile and careless input (issue 13) -----------------------------------------------
def _peak_bytes(fn) -> int:
    """Peak memory traced while ``fn()`` runs (NumPy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _npz_with_member(path: Path, shape: tuple[int, ...], payload_bytes: int) -> None:
    """An .npz whose one member's .npy header claims ``shape`` float32 but holds
    ``payload_bytes`` zeros, deflated (a zip bomb when the claim is honest and large)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": shape}
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("model/w.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            for _ in range(payload_bytes >> 20):
                member.write(bytes(1 << 20))


def test_npz_bombs_are_refused_in_bounded_memory(tmp_path: Path) -> None:
    """Issue 13.1: a 1.1 MB .npz inflating to 256 MiB, and a member claiming 10^12 floats,
    are refused from their first bytes: nothing is inflated or allocated."""
    _npz_with_member(tmp_path / "bomb.pt", (64 << 20,), 256 << 20)
    assert (tmp_path / "bomb.pt").stat().st_size < 2 << 20
    _npz_with_member(tmp_path / "huge.pt", (10**12,), 0)
    for name in ("bomb.pt", "huge.pt"):
        model = models.MLP(hidden=(8,), generator=np.random.default_rng(0))

        def attempt(name: str = name, model: nn.Module = model) -> None:
            with pytest.raises(ValueError, match=r"not a safetensors file: it is an \.npz"):
                load_checkpoint(tmp_path / name, model)

        assert _peak_bytes(attempt) < 1 << 20


@pytest.mark.parametrize(
    "shape, offsets",
    [([10**12], [0, 4 * 10**12]), ([2**62, 2**62], [0, 0]), ([10], [0, 40])],
)
def test_safetensors_header_lies_are_refused_in_bounded_memory(
    tmp_path: Path, shape: list[int], offsets: list[int]
) -> None:
    """A header claiming more bytes than the file has is refused before any allocation."""
    text = json.dumps({"w": {"dtype": "F32", "shape": shape, "data_offsets": offsets}}).encode()
    (tmp_path / "lie.pt").write_bytes(len(text).to_bytes(8, "little") + text + bytes(8))
    model = models.MLP(hidden=(8,), generator=np.random.default_rng(0))

    def attempt() -> None:
        with pytest.raises(ValueError, match="damaged or hostile safetensors header"):
            load_checkpoint(tmp_path / "lie.pt", model)

    assert _peak_bytes(attempt) < 1 << 20


def test_npy_and_old_npz_checkpoints_get_clear_errors(tmp_path: Path) -> None:
    """Issue 13.5: an .npy given as a checkpoint raised a TypeError about context managers."""
    np.save(tmp_path / "w.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"w\.npy is not a safetensors file: it is an \.npy file"):
        load_checkpoint(tmp_path / "w.npy", models.MLP())
    np.savez(tmp_path / "plain.npz", weights=np.zeros(3))
    with pytest.raises(ValueError, match=r"plain\.npz is not a safetensors file: it is an \.npz"):
        load_checkpoint(tmp_path / "plain.npz", models.MLP())
    mt.save(models.MLP().state_dict(), tmp_path / "weights.pt")  # a state dict, not a checkpoint
    with pytest.raises(
        ValueError,
        match=r"weights\.pt is not a readable minitorch_cnn checkpoint: its format is None",
    ):
        load_checkpoint(tmp_path / "weights.pt", models.MLP())


def _damage(path: Path, change) -> None:
    contents = mt.load(path)
    change(contents)
    mt.save(contents, path)


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(contents: dict) -> None:
        for key in keys[:-1]:
            contents = contents[key]
        contents[keys[-1]] = value

    return change


_DAMAGES = {
    "model_class missing": lambda c: c.pop("model_class"),
    "epoch a str": _set("epoch", "three"),
    "epoch negative": _set("epoch", -1),
    "epoch a float": _set("epoch", 2.5),
    "step a bool": _set("step", True),
    "lr negative": lambda c: _hyper_set(c["optimizer"], "lr", -5.0),
    "lr nan": lambda c: _hyper_set(c["optimizer"], "lr", math.nan),
    "momentum negative": lambda c: _hyper_set(c["optimizer"], "momentum", -5.0),
    "generator garbage": _set("generator", "state", "garbage"),
    "generator other kind": _set("generator", "bit_generator", "MT19937"),
    "generator state too wide": _set("generator", "state", "state", 2**130),
    "generator has_uint32 out of range": _set("generator", "has_uint32", 7),
    "generator missing": _set("generator", None),
    "optimizer missing": _set("optimizer", None),
    "model weight of another shape": lambda c: c["model"].update(
        {next(iter(c["model"])): np.zeros(3, np.float32)}
    ),
    "momentum buffer of another shape": lambda c: _buffer_set(c["optimizer"], np.zeros(2)),
}


def _hyper_set(state: dict, name: str, value: float) -> None:
    """Set hyperparameter ``name`` wherever the optimizer's layout keeps it."""
    for group in state.get("param_groups", [state]):
        group[name] = value


def _buffer_set(state: dict, value: np.ndarray) -> None:
    """Replace the first momentum buffer, whatever the optimizer's layout."""
    flat = state["state"][0] if "state" in state else state
    key = next(k for k in flat if "momentum_buffer" in str(k))
    flat[key] = value


@pytest.mark.parametrize("damage", _DAMAGES.values(), ids=_DAMAGES.keys())
def test_damaged_checkpoint_is_refused_and_changes_nothing(tmp_path: Path, damage) -> None:
    """Issue 13.5: validate every piece first; model, optimizer and generator stay as they were."""
    source = models.MLP(hidden=(8,), generator=np.random.default_rng(0))
    source_opt = optim.SGD(source.parameters(), lr=0.1, momentum=0.9)
    for p in source.parameters():
        p.grad = mt.Tensor(np.ones(p.shape, dtype=np.float32))
    source_opt.step()
    save_checkpoint(
        tmp_path / "c.pt", source, source_opt, epoch=2, generator=np.random.default_rng(1)
    )
    _damage(tmp_path / "c.pt", damage)

    target = models.MLP(hidden=(8,), generator=np.random.default_rng(5))
    target_opt = optim.SGD(target.parameters(), lr=0.5, momentum=0.5)
    for p in target.parameters():
        p.grad = mt.Tensor(np.full(p.shape, 2.0, dtype=np.float32))
    target_opt.step()
    rng = np.random.default_rng(9)
    before, rng_before = _state(target, target_opt), rng.bit_generator.state
    with pytest.raises(ValueError, match=r"c\.pt"):
        load_checkpoint(tmp_path / "c.pt", target, target_opt, generator=rng)
    after = _state(target, target_opt)
    assert sorted(after) == sorted(before)
    assert all(np.array_equal(after[k], before[k]) for k in before)
    assert rng.bit_generator.state == rng_before


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"])
def test_every_numpy_bit_generator_round_trips(tmp_path: Path, name: str) -> None:
    """Issue 13.6: only PCG64 worked (the others' array states broke the JSON)."""
    rng = np.random.Generator(getattr(np.random, name)(7))
    rng.random(5)
    save_checkpoint(tmp_path / "g.pt", models.MLP(hidden=(4,)), generator=rng)
    expected = rng.random(3)
    other = np.random.Generator(getattr(np.random, name)(0))
    load_checkpoint(tmp_path / "g.pt", models.MLP(hidden=(4,)), generator=other)
    assert np.array_equal(other.random(3), expected)


def test_mt19937_position_past_its_key_is_refused(tmp_path: Path) -> None:
    """NumPy accepts pos = 10^6 and would then read past the 624-word key."""
    rng = np.random.Generator(np.random.MT19937(0))
    save_checkpoint(tmp_path / "g.pt", models.MLP(hidden=(4,)), generator=rng)
    _damage(tmp_path / "g.pt", _set("generator", "state", "pos", 10**6))
    with pytest.raises(ValueError, match=r"generator\.state\.pos must be an int in \[0, 624\]"):
        load_checkpoint(tmp_path / "g.pt", models.MLP(hidden=(4,)), generator=rng)


class _OwnBitGenerator(np.random.PCG64):
    """Not one of NumPy's bit generators: its state cannot be promised to round-trip."""


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"model": {"w": np.zeros(3)}}, "model must be an nn.Module, got dict"),
        ({"model": None}, "model must be an nn.Module, got NoneType"),
        ({"optimizer": "MODEL"}, r"optimizer must be an optim.Optimizer .*\(the model passed"),
        ({"optimizer": 0.1}, "optimizer must be an optim.Optimizer or None, got float"),
        ({"generator": np.random.RandomState(0)}, "generator must be a np.random.Generator"),
        ({"generator": 0}, "generator must be a np.random.Generator .* got int"),
        ({"generator": np.random.Generator(_OwnBitGenerator())}, "one of NumPy's"),
        ({"epoch": "3"}, "epoch must be an int, got str"),
        ({"step": 2.0}, "step must be an int, got float"),
        ({"epoch": True}, "epoch must be an int, got bool"),
    ],
)
def test_save_checkpoint_checks_its_arguments(tmp_path: Path, kwargs: dict, match: str) -> None:
    """Issue 13.19: AttributeErrors before, and the model accepted as the optimizer."""
    model = models.MLP(hidden=(4,))
    arguments = {"model": model, **kwargs}
    if arguments.get("optimizer") == "MODEL":
        arguments["optimizer"] = model
    with pytest.raises(TypeError, match=match):
        save_checkpoint(tmp_path / "x.pt", **arguments)
    assert os.listdir(tmp_path) == []


def test_negative_epoch_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="epoch must be >= 0, got -1"):
        save_checkpoint(tmp_path / "x.pt", models.MLP(hidden=(4,)), epoch=-1)


def test_interrupted_save_leaves_the_previous_checkpoint_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.pt"
    first = models.MLP(hidden=(8,), generator=np.random.default_rng(0))
    save_checkpoint(path, first, epoch=1)
    original_bytes = path.read_bytes()

    class DiskFull(io.FileIO):
        """A file that takes 5,000 bytes, then fails as a full disk does."""

        def write(self, data) -> int:
            if self.tell() + memoryview(data).nbytes > 5000:
                raise OSError("disk full (simulated)")
            return super().write(data)

    monkeypatch.setattr(os, "fdopen", lambda descriptor, mode: DiskFull(descriptor, "wb"))
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, models.MLP(hidden=(8,), generator=np.random.default_rng(1)), epoch=2)
    monkeypatch.undo()

    assert path.read_bytes() == original_bytes
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # no temporary file left behind
    check = models.MLP(hidden=(8,), generator=np.random.default_rng(2))
    assert load_checkpoint(path, check)["epoch"] == 1
    assert all(
        np.array_equal(a.numpy(), b.numpy()) for a, b in zip(first.parameters(), check.parameters())
    )


def test_directory_is_fsynced_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13.25: the rename is durable only once the directory itself is fsynced."""
    events: list[tuple] = []
    real_open, real_fsync, real_replace = os.open, os.fsync, os.replace

    def recording_open(path, flags, *args, **kwargs):
        descriptor = real_open(path, flags, *args, **kwargs)
        events.append(("open", Path(path), bool(flags & os.O_DIRECTORY), descriptor))
        return descriptor

    def recording_fsync(descriptor):
        events.append(("fsync", descriptor))
        return real_fsync(descriptor)

    def recording_replace(source, target):
        events.append(("replace", Path(target)))
        return real_replace(source, target)

    monkeypatch.setattr(os, "open", recording_open)
    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    save_checkpoint(tmp_path / "c.pt", models.MLP(hidden=(4,)))
    monkeypatch.undo()

    kinds = [event[0] for event in events]
    assert kinds == ["open", "fsync", "replace", "open", "fsync"]
    file_open, file_sync, _, dir_open, dir_sync = events
    assert not file_open[2] and file_sync[1] == file_open[3]  # the data, before the rename
    assert events[2] == ("replace", tmp_path / "c.pt")
    assert dir_open[1] == tmp_path and dir_open[2] and dir_sync[1] == dir_open[3]


def test_checkpoint_info_names_the_saved_model_without_loading_it(tmp_path: Path) -> None:
    model = models.MLP(hidden=(4,))
    save_checkpoint(tmp_path / "c.pt", model, optim.SGD(model.parameters(), lr=0.1), epoch=4)
    assert checkpoint_info(tmp_path / "c.pt") == {
        "epoch": 4,
        "step": 0,
        "model": "MLP",
        "optimizer": "SGD",
    }
    with pytest.raises(ValueError, match="is not a readable minitorch_cnn checkpoint: .* is empty"):
        (tmp_path / "e.pt").write_bytes(b"")
        checkpoint_info(tmp_path / "e.pt")
