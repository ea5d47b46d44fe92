"""The chapter's own code, run on this package with only the imports swapped.

The three listings below (``Conv2d``, ``MaxPool2d``, ``SimpleCNN``) are copied verbatim from
the chapter "CNNs: Convolutions & Pooling"; its ``SimpleCNN`` also uses bare ``ReLU`` and
``Linear``, which the chapter takes from ``nn``. The tests show that they define models,
train, and compute exactly what the package's own ``nn.Conv2d``, ``nn.MaxPool2d`` and
``models.SimpleCNN`` compute from the same weights -- outputs and gradients.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch_cnn as t
from minitorch_cnn import data, models, nn, optim
from minitorch_cnn import functional as F
from minitorch_cnn.summary import summary

# ----- the chapter's listings, verbatim below this line ---------------------------------------


class Conv2d(nn.Module):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
    ):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        # Shape: (out_channels, in_channels, kernel_size, kernel_size)
        k = 1 / np.sqrt(in_channels * kernel_size * kernel_size)
        weight = k * (2 * t.rand(out_channels, in_channels, kernel_size, kernel_size) - 1)
        self.weight = nn.Parameter(weight)

    def forward(self, x: t.Tensor) -> t.Tensor:
        # x: (batch, in_channels, height, width)
        return F.conv2d(x, self.weight, stride=self.stride, padding=self.padding)


class MaxPool2d(nn.Module):
    def __init__(self, kernel_size: int, stride: int = None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride else kernel_size

    def forward(self, x: t.Tensor) -> t.Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride)


ReLU = nn.ReLU
Linear = nn.Linear


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_layers = nn.Sequential(
            # (batch, 1, 28, 28) → (batch, 32, 14, 14)
            Conv2d(1, 32, kernel_size=3, stride=1, padding=1),
            ReLU(),
            MaxPool2d(2),
            # (batch, 32, 14, 14) → (batch, 64, 7, 7)
            Conv2d(32, 64, kernel_size=3, stride=1, padding=1),
            ReLU(),
            MaxPool2d(2),
        )
        self.fc_layers = nn.Sequential(
            nn.Flatten(),  # (batch, 64*7*7)
            Linear(64 * 7 * 7, 128),
            ReLU(),
            Linear(128, 10),
        )

    def forward(self, x):
        x = self.conv_layers(x)
        x = self.fc_layers(x)
        return x


# ----- the chapter's listings end here -----------------------------------------------------------

RNG = np.random.default_rng(0)


def _random(*shape: int) -> t.Tensor:
    return t.Tensor(RNG.standard_normal(shape, dtype=np.float32), requires_grad=True)


def test_chapter_conv2d_draws_float32_weights_in_its_range() -> None:
    t.manual_seed(0)
    layer = Conv2d(3, 64, 3)
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad
    assert layer.weight.shape == (64, 3, 3, 3)
    assert layer.weight.dtype == np.float32  # np.sqrt's float64 k did not upcast
    k = 1 / 27**0.5  # 1 / sqrt(3 * 3 * 3)
    assert np.abs(layer.weight.numpy()).max() <= k
    assert layer.weight.numpy().max() > 0.9 * k and layer.weight.numpy().min() < -0.9 * k
    assert (
        sum(p.numel() for p in layer.parameters()) == 1_728
    )  # 3 x 3 x 3 x 64, as the chapter says
    t.manual_seed(0)
    np.testing.assert_array_equal(Conv2d(3, 64, 3).weight.numpy(), layer.weight.numpy())


@pytest.mark.parametrize(
    "C, F_, kernel, stride, padding",
    [
        (1, 4, 3, 1, 1),
        (3, 5, 3, 2, 1),
        (2, 3, 5, 1, 0),
        (3, 2, 2, 2, 0),
    ],
)
def test_chapter_conv2d_computes_what_nn_conv2d_computes(
    C: int, F_: int, kernel: int, stride: int, padding: int
) -> None:
    chapter = Conv2d(C, F_, kernel, stride, padding)
    ours = nn.Conv2d(C, F_, kernel, stride, padding, bias=False)
    ours.load_state_dict(chapter.state_dict())  # the same key: "weight"
    x = _random(2, C, 9, 8)
    upstream = RNG.standard_normal(ours(x).shape, dtype=np.float32)
    outputs, grads = [], []
    for layer in (chapter, ours):
        x.zero_grad()
        out = layer(x)
        (out * t.Tensor(upstream)).sum().backward()
        outputs.append(out.numpy())
        grads.append((x.grad, layer.weight.grad))
    np.testing.assert_array_equal(outputs[0], outputs[1])
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), (2, 1)])
def test_chapter_maxpool2d_computes_what_nn_maxpool2d_computes(
    kernel: int, stride: int | None
) -> None:
    chapter, ours = MaxPool2d(kernel, stride), nn.MaxPool2d(kernel, stride)
    assert chapter.stride == (stride or kernel)
    x = _random(2, 3, 8, 7)
    outputs, grads = [], []
    for layer in (chapter, ours):
        x.zero_grad()
        out = layer(x)
        (
            out * t.Tensor(np.arange(out.numel(), dtype=np.float32).reshape(out.shape))
        ).sum().backward()
        outputs.append(out.numpy())
        grads.append(x.grad)
    np.testing.assert_array_equal(outputs[0], outputs[1])
    np.testing.assert_array_equal(grads[0], grads[1])


def test_chapter_maxpool2d_on_the_chapters_4x4_example() -> None:
    x = t.tensor([[[[1.0, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]])
    np.testing.assert_array_equal(MaxPool2d(2)(x).numpy()[0, 0], [[6, 8], [14, 16]])


def _matched_pair() -> tuple[SimpleCNN, models.SimpleCNN]:
    """The chapter's SimpleCNN and the package's, holding the same weights (the package's
    conv biases, which the chapter's Conv2d lacks, set to zero)."""
    t.manual_seed(1)
    chapter = SimpleCNN()
    ours = models.SimpleCNN(generator=np.random.default_rng(2))
    state = chapter.state_dict()
    assert sorted(state) == [
        "conv_layers.0.weight",
        "conv_layers.3.weight",
        "fc_layers.1.bias",
        "fc_layers.1.weight",
        "fc_layers.3.bias",
        "fc_layers.3.weight",
    ]
    state["conv_layers.0.bias"] = np.zeros(32, dtype=np.float32)
    state["conv_layers.3.bias"] = np.zeros(64, dtype=np.float32)
    ours.load_state_dict(state)
    return chapter, ours


def test_chapter_simple_cnn_computes_what_models_simple_cnn_computes() -> None:
    chapter, ours = _matched_pair()
    images = RNG.standard_normal((4, 1, 28, 28), dtype=np.float32)
    labels = np.array([3, 1, 4, 1])
    losses, logits = [], []
    for model in (chapter, ours):
        out = model(t.Tensor(images))
        assert out.shape == (4, 10) and out.dtype == np.float32
        loss = F.cross_entropy(out, labels)
        loss.backward()
        losses.append(loss.item())
        logits.append(out.numpy())
    np.testing.assert_array_equal(logits[0], logits[1])
    assert losses[0] == losses[1]
    theirs = dict(chapter.named_parameters())
    for name, param in ours.named_parameters():
        if name in theirs:
            np.testing.assert_array_equal(theirs[name].grad, param.grad, err_msg=name)


def test_summary_names_the_chapters_own_conv2d_as_a_layer_it_cannot_size() -> None:
    with pytest.raises(
        TypeError, match=rf"cannot size conv_layers\.0 \({re.escape(__name__)}\.Conv2d\)"
    ):
        summary(SimpleCNN(), ("batch", 1, 28, 28))


@pytest.mark.slow
def test_chapter_simple_cnn_trains_on_real_mnist(mnist_dir: Path) -> None:
    images, labels = data.load_mnist(mnist_dir, train=True, download=False)
    x, y = data.normalize(images[:256]), labels[:256]
    t.manual_seed(0)
    model = SimpleCNN()
    optimizer = optim.Adam(list(model.parameters()), lr=2e-3)

    def _loss() -> float:
        with t.no_grad():
            return F.cross_entropy(model(t.Tensor(x)), y).item()

    before = _loss()
    assert 2.0 < before < 2.6  # about ln 10 = 2.30 for an untrained 10-class model
    for step in range(8):  # one pass over the 256 images in batches of 32
        batch = slice(32 * step, 32 * (step + 1))
        loss = F.cross_entropy(model(t.Tensor(x[batch])), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = _loss()
    assert after < 0.6 * before  # about 2.3 -> 1.0


# ----- examples/chapter.py prints the chapter's numbers ------------------------------------------


def _matrix_after(lines: list[str], header: str) -> list[list[int]]:
    """The integer matrix NumPy printed on the lines after ``header``."""
    start = lines.index(header) + 1
    rows = []
    for line in lines[start:]:  # "[[15 20 25]", " [20 25 30]", " [25 30 35]]"
        rows.append([int(v) for v in line.replace("[", " ").replace("]", " ").split()])
        if line.endswith("]]"):
            return rows
    raise AssertionError(f"no matrix after {header!r}")


def _run_example(name: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``examples/<name>`` as a user would, with this checkout's package first on the path."""
    root = Path(__file__).parents[1]
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
    )
    done = subprocess.run(
        [sys.executable, str(root / "examples" / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_examples_chapter_prints_the_chapters_numbers() -> None:
    done = _run_example("chapter.py")
    out = done.stdout
    lines = out.splitlines()
    # 224 * 224 * 3 = 50,176 * 3
    assert "150,528 input features" in out
    # 150,528 * 1,024 = 154,140,672 ("154 million parameters")
    assert "= 154,140,672 weights (154 million" in out
    # 3 * 3 * 3 * 64 = 27 * 64
    assert "1,728 weights" in out
    # the chapter's sum over the top-left window
    assert "output[0, 0] = 1*1 + 2*0 + 3*1 + 2*0 + 3*1 + 4*0 + 3*1 + 4*0 + 5*1 = 15" in lines
    # x[r, s] = r + s + 1 and the kernel's five ones: output[i, j] = 5 (i + j) + 15
    assert _matrix_after(lines, "output (3x3):") == [[15, 20, 25], [20, 25, 30], [25, 30, 35]]
    # max of [[1, 2], [5, 6]], [[3, 4], [7, 8]], [[9, 10], [13, 14]], [[11, 12], [15, 16]]
    assert _matrix_after(lines, "output:") == [[6, 8], [14, 16]]
    # floor((32 + 2*1 - 3) / 1) + 1 = 32 and floor((32 + 2 - 3) / 2) + 1 = 15 + 1 = 16
    assert "(batch, 3, 32, 32) -> (batch, 64, 32, 32)" in out
    assert "(batch, 3, 32, 32) -> (batch, 64, 16, 16)" in out
    # 224 / 16 = 14 per side, 14 * 14 = 196 patches; 768 filters give each patch 768 numbers
    assert "(batch, 3, 224, 224) -> (batch, 768, 14, 14)" in out
    assert "196 patches of dimension 768" in out
    # 64 * 32 * 3 * 3 = 18,432 weights + 64 biases
    assert "total 18,496" in out
    # SimpleCNN: 28 -> 14 -> 7 as the chapter's comments say; 421,642 parameters in all
    assert "(batch, 32, 14, 14)" in out and "(batch, 64, 7, 7)" in out
    assert "Total params: 421,642" in out
    assert "away from the border: equal within 1e-5" in out
    assert done.stderr == ""
