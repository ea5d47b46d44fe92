"""Long runs: memory stays flat, conv and pooling allocate only what they must, and a checkpoint
survives any interruption.

Memory is measured with ``tracemalloc``, which NumPy reports its array allocations to; only
growth and bounds derived from array sizes are asserted, never times. ``tests/test_memory.py``
counts live graph objects on a tiny network; here the real CNN trains on real MNIST.

Read next: ``tests/test_checkpoint.py``.
"""

from __future__ import annotations

import copy
import gc
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import data, models, nn, optim, safetensors_format
from minitorch_cnn import functional as F
from minitorch_cnn.checkpoint import load_checkpoint, save_checkpoint

# ----- a training loop keeps its peak memory flat -----------------------------------------------

WINDOW = 50  # steps per measurement window
WINDOWS = 6  # 300 measured steps
# tracemalloc also sees the interpreter's own caches (tuple and slice free lists) fill up with
# blocks allocated after tracing began: measured up to ~190 KB here, bounded, not a leak
# (sys.getallocatedblocks() stays constant over thousands of steps).
INTERPRETER_ALLOWANCE = 256 * 1024


def _training_steps(mnist_dir: Path) -> Iterator[float]:
    """Endless SGD steps of MNISTConvNet on batches of 16 real test-set images; yields losses."""
    images, labels = data.load_mnist(mnist_dir, train=False)
    model = models.MNISTConvNet(generator=np.random.default_rng(0))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    while True:
        for x, y in data.DataLoader(images, labels, batch_size=16, seed=0, drop_last=True):
            loss = F.cross_entropy(model(mt.Tensor(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            yield loss.item()


@pytest.mark.slow
def test_300_training_steps_keep_peak_memory_flat(mnist_dir: Path) -> None:
    steps = _training_steps(mnist_dir)
    tracemalloc.start()
    try:
        first_losses = [next(steps) for _ in range(20)]  # warm-up: momentum buffers, caches
        peaks, retained = [], []
        for _ in range(WINDOWS):
            tracemalloc.reset_peak()
            losses = [next(steps) for _ in range(WINDOW)]
            current, peak = tracemalloc.get_traced_memory()
            peaks.append(peak)
            retained.append(current)
    finally:
        tracemalloc.stop()
    assert np.mean(losses) < 0.7 * np.mean(first_losses)  # it really trained
    # A leak of b bytes per step raises the last window's peak by 250 * b. The tolerance,
    # 1% of a step's peak (~180 KB) plus the interpreter allowance, catches anything from
    # ~1.8 KB per step: every activation of the network (the smallest, the 256-wide hidden
    # layer of 16 images, is 16 KiB), let alone a kept graph.
    tolerance = 0.01 * peaks[0] + INTERPRETER_ALLOWANCE
    growth = [p - peaks[0] for p in peaks]
    assert max(growth) <= tolerance, (
        f"peak per window grew by {growth} bytes (tolerance {tolerance:.0f})"
    )
    kept = [r - retained[0] for r in retained]
    assert max(kept) <= tolerance, f"memory kept between steps grew by {kept} bytes"


# ----- conv and pooling allocate what must exist, once -----------------------------------------


def _peak_bytes(run: Callable[[], object]) -> int:
    """Peak of the bytes allocated while ``run()`` executes (inputs made before are not counted)."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_conv2d_materialises_one_column_matrix_at_a_time() -> None:
    rng = np.random.default_rng(0)
    N, C, H, W, F_, K, P = 8, 16, 32, 32, 32, 3, 1
    x = mt.tensor(rng.standard_normal((N, C, H, W), dtype=np.float32), requires_grad=True)
    weight = mt.tensor(rng.standard_normal((F_, C, K, K), dtype=np.float32), requires_grad=True)
    bias = mt.tensor(rng.standard_normal(F_, dtype=np.float32), requires_grad=True)
    grad_out = rng.standard_normal((N, F_, H, W), dtype=np.float32)  # OH = OW = 32
    item = 4
    column_bytes = C * K * K * N * H * W * item  # (C*KH*KW, N*OH*OW): 4.5 MiB
    padded_bytes = N * C * (H + 2 * P) * (W + 2 * P) * item
    out_bytes = grad_out.nbytes
    # What must exist, allocated inside the call:
    #   forward:  the padded copy of x, the column matrix (kept for dL/dW), the output;
    #   backward: the column matrix, reused in place for its gradient dL/dX (the columns
    #             are dead once dL/dW is computed, so no second one), the output (held
    #             by the caller), grad_out in filter-major order (output-sized), dL/dx_pad,
    #             and the leaves' gradients (x.grad, weight.grad, bias.grad).
    # A second copy of the windows in either pass -- e.g. materialising the 6-D window view
    # before reshaping it -- would add a whole column matrix (the slack below is half of one).
    io_bytes = (
        padded_bytes
        + 2 * out_bytes
        + x.numpy().nbytes
        + weight.numpy().nbytes
        + bias.numpy().nbytes
    )
    outputs = []
    forward_peak = _peak_bytes(lambda: outputs.append(F.conv2d(x, weight, bias, padding=P)))
    assert forward_peak <= column_bytes + padded_bytes + out_bytes + 0.5 * column_bytes, (
        f"forward peak {forward_peak / column_bytes:.2f} column matrices"
    )
    x.zero_grad(), weight.zero_grad(), bias.zero_grad()

    def forward_and_backward() -> None:
        y = F.conv2d(x, weight, bias, padding=P)
        y.backward(grad_out)

    peak = _peak_bytes(forward_and_backward)
    assert peak <= 1.5 * column_bytes + io_bytes, f"peak {peak / column_bytes:.2f} column matrices"
    assert peak >= column_bytes + padded_bytes  # the measurement sees the column matrix


def test_max_pooling_never_copies_its_windows() -> None:
    """3x3 windows at stride 1: a copy of the (N, C, OH, OW, KH, KW) windows would be 9 times
    the input. What must exist: the -inf padded input, the output, one tap buffer, three
    byte-sized masks/argmax (forward); the padded input gradient, one output-sized product,
    x.grad (backward) -- under 5 times the input."""
    rng = np.random.default_rng(1)
    x = mt.tensor(rng.standard_normal((16, 32, 28, 28), dtype=np.float32), requires_grad=True)
    grad_out = rng.standard_normal((16, 32, 28, 28), dtype=np.float32)

    def forward_and_backward() -> None:
        F.max_pool2d(x, 3, stride=1, padding=1).backward(grad_out)

    assert _peak_bytes(forward_and_backward) < 5 * x.numpy().nbytes


# ----- checkpoints survive interruptions ------------------------------------------------------


def _small_model(seed: int) -> nn.Module:
    return models.MLP(hidden=(32,), generator=np.random.default_rng(seed))


@pytest.mark.parametrize("error", [KeyboardInterrupt, MemoryError, OSError])
@pytest.mark.parametrize("where", ["safetensors_format.write", "os.fsync", "os.replace"])
def test_an_interrupted_save_keeps_the_previous_checkpoint_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: type
) -> None:
    """Complements tests/test_checkpoint.py (an OSError midway through writing): Ctrl-C and other
    exceptions while writing, while flushing to disk, or at the rename itself."""
    path = tmp_path / "run.npz"
    first = _small_model(0)
    save_checkpoint(path, first, epoch=1)
    before = path.read_bytes()
    module, name = where.rsplit(".", 1)
    owner = {"safetensors_format": safetensors_format, "os": os}[module]

    def interrupted(*args: object, **kwargs: object) -> None:
        raise error("interrupted (simulated)")

    monkeypatch.setattr(owner, name, interrupted)
    with pytest.raises(error, match="simulated"):
        save_checkpoint(path, _small_model(1), epoch=2)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]
    restored = _small_model(2)
    assert load_checkpoint(path, restored)["epoch"] == 1
    assert all(
        np.array_equal(a.numpy(), b.numpy())
        for a, b in zip(first.parameters(), restored.parameters())
    )


def test_an_interrupted_first_save_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(tmp_path / "run.npz", _small_model(0))
    assert list(tmp_path.iterdir()) == []


_SAVER = textwrap.dedent("""
    import sys, numpy as np
    from minitorch_cnn import models
    from minitorch_cnn.checkpoint import save_checkpoint
    model = models.MLP(generator=np.random.default_rng(0))  # 235,146 parameters, ~1 MB
    for epoch in range(10**6):
        for p in model.parameters():
            p.numpy()[...] = epoch  # every weight tells which save it belongs to
        save_checkpoint(sys.argv[1], model, epoch=epoch)
""")


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.13])
def test_a_killed_training_process_leaves_a_complete_checkpoint(
    tmp_path: Path, delay: float
) -> None:
    """SIGKILL (no cleanup runs) a process saving checkpoints back to back: whatever moment it
    dies, the file at the path is one complete checkpoint, never a mix of two. A temporary
    file may be left over (nothing can remove it); it never has the checkpoint's name."""
    path = tmp_path / "run.npz"
    env = dict(os.environ, PYTHONPATH=str(Path(mt.__file__).parents[1]))
    saver = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline and saver.poll() is None:
            time.sleep(0.01)
        time.sleep(delay)
    finally:
        saver.send_signal(signal.SIGKILL)
        saver.wait()
    assert saver.returncode == -signal.SIGKILL
    model = models.MLP(generator=np.random.default_rng(1))
    epoch = load_checkpoint(path, model)["epoch"]
    assert all((p.numpy() == epoch).all() for p in model.parameters())
    leftovers = {p.name for p in tmp_path.iterdir()} - {"run.npz"}
    assert all(name.startswith(".run.npz.") and name.endswith(".tmp") for name in leftovers)


def test_a_truncated_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "run.npz"
    save_checkpoint(path, _small_model(0))
    whole = path.read_bytes()
    damaged = {"half.npz": whole[: len(whole) // 2], "empty.npz": b"", "text.npz": b"hello"}
    for name, content in damaged.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=rf"{name} is not a readable minitorch_cnn checkpoint"):
            load_checkpoint(tmp_path / name, _small_model(1))


def test_a_failed_load_changes_nothing(tmp_path: Path) -> None:
    """The model is loaded before the optimizer and the generator: if their part does not fit,
    the model must be left as it was too (all or nothing)."""
    path = tmp_path / "run.npz"
    saved = _small_model(0)
    opt = optim.SGD(saved.parameters(), lr=0.1, momentum=0.9)
    for p in saved.parameters():
        p.grad = mt.Tensor(np.ones_like(p.numpy()))
    opt.step()
    save_checkpoint(path, saved, opt)  # no generator state
    target = _small_model(1)
    before = copy.deepcopy(target.state_dict())  # state_dict() shares memory
    fewer = optim.SGD(list(target.parameters())[:2], lr=0.1, momentum=0.9)  # 2 of 4 parameters
    with pytest.raises(ValueError, match="group 0 has 4 parameters in the state dict, 2 in"):
        load_checkpoint(path, target, fewer)
    with pytest.raises(ValueError, match="saved without a generator state"):
        load_checkpoint(path, target, generator=np.random.default_rng(0))
    for key, value in target.state_dict().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)
    assert not any(fewer.state.values())  # no momentum buffer was loaded either
