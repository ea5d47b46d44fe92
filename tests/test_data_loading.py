"""utils.data (TensorDataset, Subset, DataLoader, default_collate) and vision (MNIST,
ToTensor, Normalize, Compose), against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch_cnn as torch
from minitorch_cnn.utils.data import DataLoader, Dataset, Subset, TensorDataset, default_collate
from minitorch_cnn.vision import datasets, transforms


def test_tensor_dataset_and_loader_batches_in_order() -> None:
    x = torch.tensor(np.arange(10.0).reshape(5, 2))
    y = torch.tensor([0, 1, 0, 1, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 5 and ds[3][0].tolist() == [6.0, 7.0] and ds[3][1].item() == 1
    loader = DataLoader(ds, batch_size=2)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert batches[0][0].tolist() == [[0.0, 1.0], [2.0, 3.0]] and batches[2][1].tolist() == [1]
    assert len(DataLoader(ds, batch_size=2, drop_last=True)) == 2
    assert [b[1].tolist() for b in DataLoader(ds, batch_size=2, drop_last=True)] == [[0, 1], [0, 1]]
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(x, torch.tensor([1, 2]))


def test_shuffle_is_a_permutation_drawn_from_the_generator() -> None:
    ds = TensorDataset(torch.tensor(np.arange(20)))
    first = np.concatenate(
        [b[0].numpy() for b in DataLoader(ds, 6, shuffle=True, generator=np.random.default_rng(3))]
    )
    again = np.concatenate(
        [b[0].numpy() for b in DataLoader(ds, 6, shuffle=True, generator=np.random.default_rng(3))]
    )
    assert sorted(first.tolist()) == list(range(20)) and first.tolist() != list(range(20))
    assert first.tolist() == again.tolist()  # the same seed, the same order
    np.testing.assert_array_equal(first, np.random.default_rng(3).permutation(20))


class _Squares(Dataset):
    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int):
        return np.full((2,), i, dtype=np.float32), i, float(i) / 2, {"flag": i % 2 == 0}


def test_default_collate_follows_pytorchs_dtypes() -> None:
    images, ints, floats, extra = next(iter(DataLoader(_Squares(), batch_size=3)))
    assert images.shape == (3, 2) and images.dtype == np.float32
    assert ints.dtype == np.int64 and ints.tolist() == [0, 1, 2]
    assert floats.dtype == np.float64 and floats.tolist() == [0.0, 0.5, 1.0]
    assert extra["flag"].tolist() == [True, False, True]
    assert default_collate([torch.ones(2), torch.zeros(2)]).tolist() == [[1, 1], [0, 0]]


def test_subset_and_its_batches() -> None:
    ds = Subset(TensorDataset(torch.tensor(np.arange(10) * 10)), [9, 0, 4])
    assert len(ds) == 3 and ds[0][0].item() == 90
    assert [b[0].tolist() for b in DataLoader(ds, batch_size=2)] == [[90, 0], [40]]
    with pytest.raises(IndexError):
        Subset(ds, [5])


def test_loader_argument_errors() -> None:
    ds = TensorDataset(torch.ones(3))
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="shuffle must be a bool"):
        DataLoader(ds, shuffle="yes")
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)


def test_transforms_by_hand() -> None:
    image = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    t = transforms.ToTensor()(image)
    assert t.shape == (1, 2, 2) and t.dtype == np.float32
    np.testing.assert_allclose(t.numpy()[0], [[0.0, 1.0], [0.2, 0.4]], rtol=1e-6)
    normal = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,))])
    np.testing.assert_allclose(normal(image).numpy()[0], [[-2.0, 2.0], [-1.2, -0.4]], rtol=1e-5)
    rgb = np.zeros((2, 3, 3), dtype=np.uint8)
    assert transforms.ToTensor()(rgb).shape == (3, 2, 3)


def test_mnist_dataset_and_loader_on_the_real_files(mnist_dir, monkeypatch) -> None:
    monkeypatch.setenv("MINITORCH_CNN_DATA", str(mnist_dir))
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    test_set = datasets.MNIST("no-such-dir", train=False, transform=tf)
    assert len(test_set) == 10000 and test_set.data.shape == (10000, 28, 28)
    image, label = test_set[0]
    assert image.shape == (1, 28, 28) and isinstance(label, int) and label == 7
    expected = (test_set.data.numpy()[0] / 255.0 - 0.1307) / 0.3081
    np.testing.assert_allclose(image.numpy()[0], expected, rtol=1e-5, atol=1e-6)
    images, labels = next(iter(DataLoader(test_set, batch_size=4)))
    assert images.shape == (4, 1, 28, 28) and labels.dtype == np.int64
    np.testing.assert_allclose(images.numpy()[0], image.numpy(), rtol=1e-6)
    # one sample at a time (a transform without a batched form) gives the same batch
    slow = datasets.MNIST("no-such-dir", train=False, transform=lambda a: tf(a))
    slow_images, slow_labels = next(iter(DataLoader(slow, batch_size=4)))
    np.testing.assert_allclose(slow_images.numpy(), images.numpy(), rtol=1e-6)
    assert slow_labels.tolist() == labels.tolist()
