"""PyTorch-style programs run here with only their imports changed."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

import minitorch_cnn as torch

EXAMPLE = Path(__file__).parents[1] / "examples" / "pytorch_style_mnist.py"


@pytest.mark.slow
def test_the_official_mnist_example_trains_on_a_slice(mnist_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MINITORCH_CNN_DATA", str(mnist_dir))
    monkeypatch.chdir(tmp_path)  # --save-model writes mnist_cnn.pt here
    spec = importlib.util.spec_from_file_location("pytorch_style_mnist", EXAMPLE)
    program = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(program)
    accuracy = program.main(
        [
            "--epochs",
            "1",
            "--limit",
            "640",
            "--batch-size",
            "32",
            "--test-batch-size",
            "200",
            "--log-interval",
            "5",
            "--save-model",
            "--data",
            str(tmp_path / "data"),
        ]
    )
    out = capsys.readouterr().out
    assert "Train Epoch: 1 [0/640 (0%)]" in out and "Test set: Average loss:" in out
    assert accuracy > 0.5  # 640 images, one epoch of Adadelta: far above chance (0.1)
    state = torch.load("mnist_cnn.pt")
    model = program.Net()
    model.load_state_dict(state)
    assert sorted(state) == sorted(model.state_dict())
    assert os.path.getsize("mnist_cnn.pt") > 4 * 1_000_000  # 1.2 M float32 parameters
