"""Tests of vision/: torchvision's transforms on hand-made images, and MNIST on the real files
(``MINITORCH_CNN_DATA``), including a short run of PyTorch's official MNIST example's loop."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import minitorch_cnn as torch  # the official example's spelling
from minitorch_cnn import functional as F
from minitorch_cnn import nn, optim
from minitorch_cnn.utils.data import DataLoader, default_collate
from minitorch_cnn.vision import datasets, transforms
from minitorch_cnn.vision.transforms import batch_transform

MNIST_RECIPE = transforms.Compose(
    [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
)


def test_to_tensor_scales_uint8_and_moves_channels_first() -> None:
    gray = np.array([[0, 255, 51]], dtype=np.uint8)  # (H, W) = (1, 3)
    out = transforms.ToTensor()(gray)
    assert out.shape == (1, 1, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [[[0.0, 1.0, np.float32(51) / np.float32(255)]]])
    color = np.arange(12, dtype=np.uint8).reshape(2, 3, 2)  # (H, W, C)
    chw = transforms.ToTensor()(color).numpy()
    assert chw.shape == (2, 2, 3)
    np.testing.assert_array_equal(chw[1] * 255, color[:, :, 1].astype(np.float32))
    floats = np.full((2, 2), 7.0)  # not uint8: kept as it is, as torchvision does
    kept = transforms.ToTensor()(floats)
    assert kept.dtype == np.float64 and kept.numpy().tolist() == [[[7.0, 7.0], [7.0, 7.0]]]
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        transforms.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions."):
        transforms.ToTensor()(np.zeros(3, np.uint8))


def test_normalize_per_channel() -> None:
    x = torch.Tensor(np.array([[[1.0, 3.0]], [[10.0, 20.0]]], dtype=np.float32))  # (2, 1, 2)
    out = transforms.Normalize(mean=(1.0, 10.0), std=(2.0, 5.0))(x)
    assert out.numpy().tolist() == [[[0.0, 1.0]], [[0.0, 2.0]]]
    assert x.numpy()[0, 0, 1] == 3.0  # not in place by default
    batch = torch.Tensor(np.ones((4, 1, 2, 2), np.float32))  # (..., C, H, W) works too
    assert transforms.Normalize((0.5,), (0.25,))(batch).numpy().max() == 2.0
    transforms.Normalize((1.0, 10.0), (2.0, 5.0), inplace=True)(x)
    assert x.numpy().tolist() == [[[0.0, 1.0]], [[0.0, 2.0]]]
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got uint8."):
        transforms.Normalize((0.5,), (0.5,))(torch.Tensor(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match=r"tensor image of size \(..., C, H, W\)"):
        transforms.Normalize((0.5,), (0.5,))(torch.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        transforms.Normalize((0.5,), (0.0,))(torch.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        transforms.Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2), np.float32))


def test_compose_lambda_and_repr() -> None:
    double_then_add = transforms.Compose([transforms.Lambda(lambda v: v * 2), lambda v: v + 1])
    assert double_then_add(5) == 11
    assert repr(MNIST_RECIPE) == (
        "Compose(\n    ToTensor()\n    Normalize(mean=(0.1307,), std=(0.3081,))\n)"
    )
    with pytest.raises(TypeError, match="lambd should be callable"):
        transforms.Lambda(3)


def test_batch_transform_equals_stacking_per_image_results() -> None:
    images = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    apply = batch_transform(MNIST_RECIPE)
    per_image = np.stack([MNIST_RECIPE(image).numpy() for image in images])
    assert apply(images).dtype == np.float32
    np.testing.assert_array_equal(apply(images), per_image)  # bit for bit
    np.testing.assert_array_equal(
        batch_transform(transforms.ToTensor())(images), images[:, None] / np.float32(255)
    )

    class MyToTensor(transforms.ToTensor):
        pass

    for other in [
        transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda v: v)]),
        transforms.Compose([transforms.Normalize((0.5,), (0.5,)), transforms.ToTensor()]),
        transforms.Compose([]),
        MyToTensor(),
        lambda image: image,
    ]:
        assert batch_transform(other) is None


@pytest.fixture(scope="module")
def mnist_test(mnist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> datasets.MNIST:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINITORCH_CNN_DATA", str(mnist_dir))
        return datasets.MNIST(tmp_path_factory.mktemp("root"), train=False, transform=MNIST_RECIPE)


def test_mnist_items_as_torchvision(mnist_test: datasets.MNIST) -> None:
    assert len(mnist_test) == 10_000
    assert mnist_test.data.shape == (10_000, 28, 28) and mnist_test.data.dtype == np.uint8
    assert mnist_test.targets.dtype == np.int64 and mnist_test.classes[7] == "7 - seven"
    image, label = mnist_test[0]
    assert type(label) is int and label == 7  # the test set's first digit is a 7
    assert image.shape == (1, 28, 28) and image.dtype == np.float32
    raw = mnist_test.data.numpy()[0]
    np.testing.assert_allclose(
        image.numpy()[0], (raw / 255 - 0.1307) / 0.3081, rtol=1e-5, atol=1e-6
    )
    assert "Number of datapoints: 10000" in repr(mnist_test) and "Split: Test" in repr(mnist_test)


def test_mnist_loader_fast_path_equals_per_item_collation(mnist_test: datasets.MNIST) -> None:
    fast = DataLoader(mnist_test, batch_size=64, shuffle=True, generator=np.random.default_rng(2))
    slow = DataLoader(
        mnist_test,
        batch_size=64,
        shuffle=True,
        generator=np.random.default_rng(2),
        collate_fn=default_collate,
    )
    assert len(fast) == 157
    for (x, y), (x_slow, y_slow) in itertools.islice(zip(fast, slow), 3):
        assert x.shape == (64, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
        np.testing.assert_array_equal(x.numpy(), x_slow.numpy())
        np.testing.assert_array_equal(y.numpy(), y_slow.numpy())


def test_mnist_target_transform_and_no_transform(mnist_test: datasets.MNIST, monkeypatch) -> None:
    monkeypatch.setattr(mnist_test, "target_transform", lambda label: label % 2 == 1)
    monkeypatch.setattr(mnist_test, "transform", None)
    images, odd = next(iter(DataLoader(mnist_test, batch_size=4)))
    assert images.dtype == np.uint8 and images.shape == (4, 28, 28)  # stacked raw images
    labels = mnist_test.targets.numpy()[:4]
    assert odd.dtype == np.bool_ and odd.numpy().tolist() == (labels % 2 == 1).tolist()


def test_mnist_uses_torchvisions_directory_layout(
    mnist_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("MINITORCH_CNN_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    with pytest.raises(FileNotFoundError, match=r"MNIST[/\\]raw"):
        datasets.MNIST(tmp_path, train=False)  # download=False by default, as in torchvision
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (raw / name).symlink_to(mnist_dir / name)
    assert len(datasets.MNIST(str(tmp_path), train=False)) == 10_000
    with pytest.raises(TypeError, match="root must be a str or a path"):
        datasets.MNIST(None)


class _Net(nn.Module):
    """A small CNN in the official example's style (conv, relu, pool, dropout, linear)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(4 * 13 * 13, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = self.dropout1(x)
        return F.log_softmax(self.fc1(F.flatten(x, 1)), dim=1)


def test_official_example_loop_runs_and_saves(mnist_test: datasets.MNIST, tmp_path: Path) -> None:
    """The shape of PyTorch's examples/mnist main.py: loaders, a few steps, torch.save."""
    torch.manual_seed(1)
    train_kwargs = {"batch_size": 64}
    train_loader = DataLoader(mnist_test, **train_kwargs, shuffle=True)
    model = _Net()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    losses = []
    for batch_idx, (data, target) in enumerate(itertools.islice(train_loader, 30)):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        assert batch_idx * len(data) < len(train_loader.dataset)
    assert np.mean(losses[-5:]) < np.mean(losses[:5])  # it learns
    torch.save(model.state_dict(), tmp_path / "mnist_cnn.pt")
    restored = _Net()
    restored.load_state_dict(torch.load(tmp_path / "mnist_cnn.pt"))
    model.eval(), restored.eval()
    data, _ = next(iter(DataLoader(mnist_test, batch_size=8)))
    np.testing.assert_array_equal(model(data).numpy(), restored(data).numpy())
