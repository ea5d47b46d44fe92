"""PyTorch-style programs run here with only their imports changed."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
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


# ----- third-party-style programs, run with only their imports swapped ----------------------
#
# tests/pytorch_programs/ holds PyTorch programs written as their sources write them (the
# 60-minute blitz, "Learning PyTorch with Examples", d2l's LeNet, a blog CNN, ...). They
# run on PyTorch as they are; here each import of torch becomes one of minitorch_cnn.

PROGRAMS = Path(__file__).parent / "pytorch_programs"

_SWAPS = [
    (r"^(\s*)import torch\s*$", r"\1import minitorch_cnn as torch"),
    (r"^(\s*)import torch\.([\w.]+) as (\w+)\s*$", r"\1import minitorch_cnn.\2 as \3"),
    (r"^(\s*)from torch import (.*)$", r"\1from minitorch_cnn import \2"),
    (r"^(\s*)from torch\.([\w.]+) import (.*)$", r"\1from minitorch_cnn.\2 import \3"),
]


def swap_imports(source: str) -> str:
    """The program with ``torch`` replaced by ``minitorch_cnn`` in its import lines only."""
    lines = []
    for line in source.splitlines():
        if "torch" in line and line.lstrip().startswith(("import ", "from ")):
            for pattern, replacement in _SWAPS:
                line = re.sub(pattern, replacement, line)
            assert "minitorch_cnn" in line, f"an import line not swapped: {line!r}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_swap_imports_changes_only_import_lines() -> None:
    source = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\nx = torch.ones(1)\n"
    assert swap_imports(source) == (
        "import minitorch_cnn as torch\nimport minitorch_cnn.nn as nn\n"
        "from minitorch_cnn.utils.data import DataLoader\nx = torch.ones(1)\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("program", sorted(p.name for p in PROGRAMS.glob("*.py")))
def test_a_pytorch_program_runs_with_its_imports_swapped(
    program: str, mnist_dir: Path, tmp_path: Path
) -> None:
    swapped = tmp_path / program
    swapped.write_text(swap_imports((PROGRAMS / program).read_text()))
    env = dict(os.environ, MNIST_DIR=str(mnist_dir), PYTHONPATH=str(Path(__file__).parents[1]))
    result = subprocess.run(
        [sys.executable, str(swapped)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
