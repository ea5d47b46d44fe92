"""Training on real MNIST, bounded: a small CNN learns, the models train, the program runs.

Every test here reads the real MNIST files (the ``mnist_dir`` fixture) and stays within a few
seconds to a few tens of seconds on 2 cores.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minitorch_cnn import data, load, models, nn, optim
from minitorch_cnn.train import evaluate, main, train_step

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mnist(mnist_dir: Path) -> dict[str, np.ndarray]:
    train_images, train_labels = data.load_mnist(mnist_dir, train=True, download=False)
    test_images, test_labels = data.load_mnist(mnist_dir, train=False, download=False)
    return {
        "train_images": train_images,
        "train_labels": train_labels,
        "test_images": test_images,
        "test_labels": test_labels,
    }


def test_small_cnn_reaches_90_percent_on_held_out_images(mnist: dict[str, np.ndarray]) -> None:
    """4,000 training images, 2 epochs of 63 steps, scored on 2,000 unseen test images."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, generator=rng),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, generator=rng),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10, generator=rng),
    )
    opt = optim.Adam(model.parameters(), lr=3e-3)
    loader = data.DataLoader(
        mnist["train_images"][:4000], mnist["train_labels"][:4000], 64, seed=rng
    )
    _, accuracy_before = evaluate(model, mnist["test_images"][:2000], mnist["test_labels"][:2000])
    for _ in range(2):
        for images, labels in loader:
            train_step(model, opt, images, labels)
    loss, accuracy = evaluate(model, mnist["test_images"][:2000], mnist["test_labels"][:2000])
    assert accuracy_before < 0.3
    assert accuracy >= 0.90 and loss < 0.35  # 92-93% over seeds 0-3


@pytest.mark.parametrize("build", [models.MNISTConvNet, models.SimpleCNN, models.MLP])
def test_models_fit_a_real_batch(build, mnist: dict[str, np.ndarray]) -> None:
    """Each model starts near chance (loss ~ ln 10) and overfits one real batch in 15 steps."""
    model = build(generator=np.random.default_rng(0))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    images = data.normalize(mnist["train_images"][:32])  # (32, 1, 28, 28) float32
    labels = mnist["train_labels"][:32]
    losses = [train_step(model, opt, images, labels)[0] for _ in range(15)]
    assert abs(losses[0] - np.log(10)) < 0.5
    assert losses[-1] < 0.2 * losses[0]
    assert train_step(model, opt, images, labels)[1] == 32  # every image now right


def _run_program(*args: str, mnist_dir: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "minitorch_cnn.train", "--data-dir", str(mnist_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parents[1],
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_program_prints_progress_and_test_accuracy(mnist_dir: Path) -> None:
    out = _run_program(
        "--limit", "512", "--epochs", "1", "--test-limit", "1000", mnist_dir=mnist_dir
    )
    lines = out.splitlines()
    assert lines[0] == (
        "MNISTConvNet (824,458 parameters), sgd lr 0.05 x 0.5 per epoch, "
        "batch 64, seed 0; 512 training / 1000 test images"
    )
    assert lines[1] == "malloc keeps freed memory for reuse (minitorch_cnn.allocator)"
    progress = [line for line in lines if line.startswith("epoch 1/1 [")]
    # not a terminal: plain lines, one per batch here (8 batches, every tenth of the epoch)
    assert [re.match(r"epoch 1/1 \[(\d)/8\]", line).group(1) for line in progress] == list(
        "12345678"
    )
    assert "\r" not in out
    assert re.fullmatch(
        r"epoch 1/1 \[8/8\] loss \d\.\d{4} acc +\d+\.\d\d% +\d+ img/s time \d+:\d\d", progress[-1]
    )
    result = re.fullmatch(
        r"epoch 1/1 test loss (\d\.\d{4}) test accuracy (\d+\.\d\d)% \(lr 0.05\)", lines[-1]
    )
    assert result is not None, lines[-1]
    assert float(result.group(2)) > 30.0  # 8 steps of SGD (45.5% here): well above chance (10%)


def test_program_resumes_bit_for_bit(mnist_dir: Path, tmp_path: Path) -> None:
    common = [
        "--limit",
        "192",
        "--test-limit",
        "100",
        "--batch-size",
        "32",
        "--seed",
        "3",
        "--optimizer",
        "sgd",
    ]
    _run_program(
        *common,
        "--epochs",
        "2",
        "--checkpoint",
        str(tmp_path / "straight.npz"),
        mnist_dir=mnist_dir,
    )
    out = _run_program(
        *common,
        "--epochs",
        "1",
        "--checkpoint",
        str(tmp_path / "split.npz"),
        "--resume",
        mnist_dir=mnist_dir,
    )  # nothing to resume from yet
    assert (
        out.splitlines()[0]
        == f"no checkpoint at {tmp_path / 'split.npz'} yet: starting from scratch"
    )
    out = _run_program(
        *common,
        "--epochs",
        "2",
        "--checkpoint",
        str(tmp_path / "split.npz"),
        "--resume",
        mnist_dir=mnist_dir,
    )
    assert out.splitlines()[0] == f"resumed from {tmp_path / 'split.npz'} after epoch 1"
    assert "epoch 1/2" not in out and "(lr 0.025)" in out  # sgd 0.05 halved for epoch 2
    # the same state saves to the same bytes (weights, optimizer, epoch, step, generator)
    assert (tmp_path / "straight.npz").read_bytes() == (tmp_path / "split.npz").read_bytes()
    resumed = load(tmp_path / "split.npz")
    assert resumed["epoch"] == 2 and resumed["step"] == 12


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_in_place_on_a_terminal(mnist_dir: Path) -> None:
    screen = _Terminal()
    argv = [
        "--data-dir",
        str(mnist_dir),
        "--model",
        "mlp",
        "--limit",
        "256",
        "--epochs",
        "1",
        "--test-limit",
        "100",
    ]
    assert main(argv, stream=screen) == 0
    text = screen.getvalue()
    assert "\repoch 1/1 [4/4] loss" in text  # the final state, drawn over the live line
    assert re.search(r"\[4/4\].*time \d+:\d\d\n", text)


def test_bad_arguments_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["--resume"], "--resume needs --checkpoint PATH"),
        (["--epochs", "0"], "argument --epochs: must be an int >= 1, got '0'"),
        (["--lr", "-1"], "argument --lr: must be a finite number > 0, got '-1'"),
        (["--lr-decay", "0"], "argument --lr-decay: must be a number in (0, 1], got '0'"),
        (["--model", "resnet"], "invalid choice: 'resnet'"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


def test_compare_example_writes_curves_and_a_verdict(mnist_dir: Path, tmp_path: Path) -> None:
    root = Path(__file__).parents[1]
    result = subprocess.run(
        [
            sys.executable,
            str(root / "examples" / "compare_mlp_cnn.py"),
            "--data-dir",
            str(mnist_dir),
            "--limit",
            "256",
            "--eval-every",
            "2",
            "--eval-images",
            "200",
            "--target",
            "0.5",
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "curves.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "model",
        "step",
        "epoch",
        "train_loss",
        "test_loss",
        "test_accuracy",
        "seconds",
    ]
    for model in ("MLP", "MNISTConvNet"):  # 256 images / 64 = 4 steps, scored after 2 and 4
        curve = [row for row in rows if row["model"] == model]
        assert [int(row["step"]) for row in curve] == [2, 4]
        assert all(0.0 <= float(row["test_accuracy"]) <= 1.0 for row in curve)
        assert float(curve[-1]["train_loss"]) < float(curve[0]["train_loss"])
    lines = result.stdout.splitlines()
    assert any(line.startswith("converges faster: ") for line in lines)
    final = {row["model"]: float(row["test_accuracy"]) for row in rows}  # the last row of each
    higher = "MLP" if final["MLP"] >= final["MNISTConvNet"] else "MNISTConvNet"
    assert f"ends higher: {higher} ({100 * final[higher]:.2f}%" in result.stdout
