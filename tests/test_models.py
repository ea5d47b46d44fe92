"""Tests of models.py: the chapter's architectures, their sizes, keys, shapes and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import functional, models, nn


def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# Parameter counts worked out by hand: conv (F * C * 3 * 3 + F), linear (out * in + out).
CONV_BLOCKS = (32 * 1 * 9 + 32) + (64 * 32 * 9 + 64)  # 320 + 18,496


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (models.SimpleCNN, CONV_BLOCKS + (128 * 3136 + 128) + (10 * 128 + 10)),  # 421,642
        (models.MNISTConvNet, CONV_BLOCKS + (256 * 3136 + 256) + (10 * 256 + 10)),  # 824,458
        (models.MLP, (256 * 784 + 256) + (128 * 256 + 128) + (10 * 128 + 10)),  # 235,146
    ],
)
def test_parameter_counts(build, expected: int) -> None:
    assert _count(build(generator=np.random.default_rng(0))) == expected


def test_mlp_widths_are_validated() -> None:
    assert (
        _count(models.MLP(hidden=(32,), generator=np.random.default_rng(0))) == 784 * 32 + 32 + 330
    )
    with pytest.raises(TypeError, match="hidden must be a tuple of layer widths .*got 5"):
        models.MLP(hidden=5)
    with pytest.raises(ValueError, match="out_features must be >= 1, got 0"):
        models.MLP(hidden=(0,))


def test_state_dict_keys_read_like_pytorch() -> None:
    keys = list(models.MNISTConvNet(generator=np.random.default_rng(0)).state_dict())
    assert keys == [
        "conv_layers.0.weight",
        "conv_layers.0.bias",
        "conv_layers.3.weight",
        "conv_layers.3.bias",
        "fc_layers.1.weight",
        "fc_layers.1.bias",
        "fc_layers.3.weight",
        "fc_layers.3.bias",
    ]
    assert list(models.MLP(generator=np.random.default_rng(0)).state_dict())[:2] == [
        "layers.1.weight",
        "layers.1.bias",
    ]


def test_simple_cnn_repr_matches_the_chapter() -> None:
    assert repr(models.SimpleCNN(generator=np.random.default_rng(0))) == (
        "SimpleCNN(\n"
        "  (conv_layers): Sequential(\n"
        "    (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
        "    (1): ReLU()\n"
        "    (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "    (3): Conv2d(32, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
        "    (4): ReLU()\n"
        "    (5): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "  )\n"
        "  (fc_layers): Sequential(\n"
        "    (0): Flatten(start_dim=1, end_dim=-1)\n"
        "    (1): Linear(in_features=3136, out_features=128, bias=True)\n"
        "    (2): ReLU()\n"
        "    (3): Linear(in_features=128, out_features=10, bias=True)\n"
        "  )\n"
        ")"
    )


def test_same_seed_same_model() -> None:
    a = models.MNISTConvNet(generator=np.random.default_rng(3)).state_dict()
    b = models.MNISTConvNet(generator=np.random.default_rng(3)).state_dict()
    c = models.MNISTConvNet(generator=np.random.default_rng(4)).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["conv_layers.0.weight"], c["conv_layers.0.weight"])


@pytest.mark.parametrize("build", [models.SimpleCNN, models.MNISTConvNet, models.MLP])
def test_forward_backward_shapes_and_dtypes(build) -> None:
    model = build(generator=np.random.default_rng(0))
    x = mt.Tensor(np.random.default_rng(1).standard_normal((3, 1, 28, 28)).astype(np.float32))
    logits = model(x)
    assert logits.shape == (3, 10) and logits.dtype == np.float32
    functional.cross_entropy(logits, np.array([0, 4, 9])).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape and p.grad.dtype == np.float32, name
        assert np.isfinite(p.grad).all() and np.abs(p.grad).sum() > 0, name


def test_whole_model_gradient_matches_finite_differences() -> None:
    """The CNN's backward end to end, on a few weights of every layer, against central
    differences -- in float64 (the model's arrays are swapped for float64 copies)."""
    model = models.SimpleCNN(generator=np.random.default_rng(0))
    for p in model.parameters():
        p.data = p.numpy().astype(np.float64)
    rng = np.random.default_rng(1)
    x = mt.Tensor(rng.standard_normal((2, 1, 28, 28)))
    targets = np.array([3, 7])

    def loss() -> float:
        with mt.no_grad():
            return functional.cross_entropy(model(x), targets).item()

    functional.cross_entropy(model(x), targets).backward()
    eps = 1e-6
    for name, p in model.named_parameters():
        assert p.grad.dtype == np.float64, name
        for flat in rng.choice(p.numel(), size=3, replace=False):
            index = np.unravel_index(flat, p.shape)
            original = p.numpy()[index]
            p.numpy()[index] = original + eps
            plus = loss()
            p.numpy()[index] = original - eps
            minus = loss()
            p.numpy()[index] = original
            numeric = (plus - minus) / (2 * eps)
            assert abs(p.grad[index] - numeric) <= 1e-6 + 1e-4 * abs(numeric), (name, index)
