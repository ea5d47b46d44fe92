"""Tests of utils/data.py against PyTorch's documented behaviour (values worked out by hand)."""

from __future__ import annotations

import itertools
import warnings
from collections import namedtuple
from typing import Any

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def _dataset(N: int = 10) -> TensorDataset:
    """x[i] = [i, 10 i] (float32), y[i] = i % 3 (int64)."""
    x = np.stack([np.arange(N), 10 * np.arange(N)], axis=1).astype(np.float32)
    return TensorDataset(mt.Tensor(x), mt.Tensor(np.arange(N) % 3))


def _as_lists(loader: DataLoader) -> list[list[list]]:
    return [[part.numpy().tolist() for part in batch] for batch in loader]


def test_tensor_dataset_items_and_errors() -> None:
    ds = _dataset(4)
    assert len(ds) == 4
    x, y = ds[2]
    assert x.numpy().tolist() == [2.0, 20.0] and int(y.numpy()) == 2
    with pytest.raises(
        AssertionError, match=r"Size mismatch between tensors: first dimensions \[3, 4\]"
    ):
        TensorDataset(mt.zeros(3), mt.zeros(4))
    with pytest.raises(TypeError, match="one or more Tensors"):
        TensorDataset(np.zeros(3))
    with pytest.raises(TypeError, match="one or more Tensors"):
        TensorDataset()


def test_batches_in_order_with_and_without_drop_last() -> None:
    loader = DataLoader(_dataset(5), batch_size=2)
    assert len(loader) == 3
    assert _as_lists(loader) == [
        [[[0.0, 0.0], [1.0, 10.0]], [0, 1]],
        [[[2.0, 20.0], [3.0, 30.0]], [2, 0]],
        [[[4.0, 40.0]], [1]],
    ]
    x, y = next(iter(loader))
    assert isinstance(x, mt.Tensor) and x.dtype == np.float32 and y.dtype == np.int64
    dropped = DataLoader(_dataset(5), batch_size=2, drop_last=True)
    assert len(dropped) == 2 and len(list(dropped)) == 2
    assert len(DataLoader(_dataset(4), batch_size=2, drop_last=True)) == 2
    assert len(DataLoader(_dataset(5))) == 5  # batch_size defaults to 1, as in PyTorch


def _labels_per_epoch(loader: DataLoader, epochs: int) -> list[list[int]]:
    return [[i for (x,) in loader for i in x.numpy().tolist()] for _ in range(epochs)]


def test_shuffle_is_a_permutation_reproducible_with_a_seeded_generator() -> None:
    ds = TensorDataset(mt.Tensor(np.arange(20)))
    first = DataLoader(ds, batch_size=6, shuffle=True, generator=np.random.default_rng(0))
    again = DataLoader(ds, batch_size=6, shuffle=True, generator=np.random.default_rng(0))
    a, b = _labels_per_epoch(first, 2), _labels_per_epoch(again, 2)
    assert a == b
    assert sorted(a[0]) == list(range(20)) and a[0] != a[1]  # a new order every epoch
    expected = np.random.default_rng(0).permutation(20).tolist()  # the generator draws it
    assert a[0] == expected


def test_shuffle_without_generator_follows_manual_seed() -> None:
    ds = TensorDataset(mt.Tensor(np.arange(20)))
    loader = DataLoader(ds, batch_size=5, shuffle=True)
    mt.manual_seed(3)
    a = _labels_per_epoch(loader, 2)
    mt.manual_seed(3)
    assert _labels_per_epoch(loader, 2) == a
    mt.manual_seed(4)
    assert _labels_per_epoch(loader, 1)[0] != a[0]


def test_fast_path_gives_what_per_item_collation_gives() -> None:
    ds = _dataset(7)
    fast = list(DataLoader(ds, batch_size=3))
    slow = list(DataLoader(ds, batch_size=3, collate_fn=default_collate))
    for a, b in zip(fast, slow):
        assert type(a) is type(b) is list
        for x, y in zip(a, b):
            assert x.dtype == y.dtype and np.array_equal(x.numpy(), y.numpy())


def test_an_epoch_over_a_tensor_dataset_does_not_fetch_items_one_by_one(monkeypatch) -> None:
    def refuse(self: TensorDataset, index: int) -> Any:
        raise AssertionError("__getitem__ called")

    monkeypatch.setattr(TensorDataset, "__getitem__", refuse)
    assert len(list(DataLoader(_dataset(100), batch_size=8, shuffle=True))) == 13


def test_a_subclass_changing_getitem_is_not_bypassed() -> None:
    class Doubled(TensorDataset):
        def __getitem__(self, index: int) -> tuple:
            return tuple(t[index] * 2 for t in self.tensors)

    ds = Doubled(mt.Tensor(np.arange(4.0)))
    assert [b[0].numpy().tolist() for b in DataLoader(ds, batch_size=2)] == [[0, 2], [4, 6]]


def test_default_collate_follows_pytorch() -> None:
    """torch: floats -> float64, ints -> int64, bools -> bool, tuples -> a list of columns."""
    floats, ints, bools = (default_collate(b) for b in ([1.0, 2.0], [1, 2], [True, False]))
    assert (floats.dtype, ints.dtype, bools.dtype) == (np.float64, np.int64, np.bool_)
    assert bools.numpy().tolist() == [True, False]
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    assert default_collate([np.zeros(2, np.uint8)] * 3).shape == (3, 2)
    pairs = default_collate([(1, 2.0), (3, 4.0)])
    assert type(pairs) is list and [c.numpy().tolist() for c in pairs] == [[1, 3], [2.0, 4.0]]
    Point = namedtuple("Point", "x y")
    point = default_collate([Point(1, 2), Point(3, 4)])
    assert type(point) is Point and point.y.numpy().tolist() == [2, 4]
    assert default_collate(["a", "b"]) == ["a", "b"]
    mapping = default_collate([{"x": 1, "y": 2.0}, {"x": 3, "y": 4.0}])
    assert mapping["x"].numpy().tolist() == [1, 3] and mapping["y"].dtype == np.float64
    stacked = default_collate([mt.tensor([1.0, 2.0]), mt.tensor([3.0, 4.0])])
    assert stacked.shape == (2, 2) and stacked.dtype == np.float32
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object()])


def test_a_dataset_of_arrays_and_ints_fetched_item_by_item() -> None:
    class Squares(Dataset):
        def __len__(self) -> int:
            return 5

        def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
            return np.full((1, 2), index * index, dtype=np.float32), index

    x, y = next(iter(DataLoader(Squares(), batch_size=3)))
    assert x.shape == (3, 1, 2) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.numpy()[:, 0, 0].tolist() == [0, 1, 4] and y.numpy().tolist() == [0, 1, 2]
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        Dataset()[0]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"batch_size": 0},
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=0",
        ),
        ({"batch_size": 1.5}, ValueError, "but got batch_size=1.5"),
        ({"batch_size": True}, ValueError, "but got batch_size=True"),
        (
            {"drop_last": "no"},
            ValueError,
            "drop_last should be a boolean value, but got drop_last=no",
        ),
        ({"shuffle": "yes"}, ValueError, "shuffle should be a boolean value"),
        ({"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
        ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
        (
            {"sampler": [0, 1], "shuffle": True},
            ValueError,
            "sampler option is mutually exclusive with shuffle",
        ),
        (
            {"batch_sampler": [[0]], "batch_size": 2},
            ValueError,
            "batch_sampler option is mutually exclusive",
        ),
        ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified"),
        (
            {"persistent_workers": True},
            ValueError,
            "persistent_workers option needs num_workers > 0",
        ),
        (
            {"generator": np.random.RandomState(0)},
            TypeError,
            "generator must be a minitorch_cnn.Generator, a np.random.Generator",
        ),
    ],
)
def test_bad_arguments_get_pytorchs_errors(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        DataLoader(_dataset(4), **kwargs)


def test_worker_and_pinning_options_are_accepted_and_change_nothing() -> None:
    plain = _as_lists(DataLoader(_dataset(6), batch_size=4))
    options = {
        "num_workers": 2,
        "pin_memory": True,
        "persistent_workers": True,
        "prefetch_factor": 2,
    }
    assert _as_lists(DataLoader(_dataset(6), batch_size=4, **options)) == plain


def test_sampler_and_batch_sampler_choose_the_indices() -> None:
    ds = TensorDataset(mt.Tensor(np.arange(10) * 10))
    by_sampler = DataLoader(ds, batch_size=2, sampler=[9, 0, 5])
    assert len(by_sampler) == 2 and _as_lists(by_sampler) == [[[90, 0]], [[50]]]
    by_batches = DataLoader(ds, batch_sampler=[[1, 2, 3], [7]])
    assert len(by_batches) == 2 and _as_lists(by_batches) == [[[10, 20, 30]], [[70]]]


def test_random_split_and_subset() -> None:
    ds = TensorDataset(mt.Tensor(np.arange(10)))
    a, b = random_split(ds, [7, 3], generator=np.random.default_rng(1))
    order = np.random.default_rng(1).permutation(10).tolist()
    assert (a.indices, b.indices) == (order[:7], order[7:])
    assert int(a[0][0].numpy()) == order[0] and len(b) == 3
    assert _as_lists(DataLoader(b, batch_size=2)) == [[order[7:9]], [order[9:]]]
    halves = random_split(ds, [0.5, 0.5])
    assert [len(h) for h in halves] == [5, 5]
    thirds = random_split(TensorDataset(mt.Tensor(np.arange(5))), [0.4, 0.4, 0.2])
    assert [len(t) for t in thirds] == [2, 2, 1]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(TensorDataset(mt.Tensor(np.arange(2))), [0.9, 0.1])  # floor: 1, 0, then +1
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(ds, [5, 6])


def test_fractions_deal_the_remainder_from_the_first() -> None:
    """PyTorch: floor(N * f) each, then the remainder one by one from the first split."""
    ds = TensorDataset(mt.Tensor(np.arange(5)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [len(s) for s in random_split(ds, [0.5, 0.5])] == [3, 2]


def test_subset_of_a_subset_batches_through_the_fast_path(monkeypatch) -> None:
    inner = Subset(_dataset(10), [9, 8, 7, 6])
    outer = Subset(inner, [3, 0])
    monkeypatch.setattr(TensorDataset, "__getitem__", lambda self, i: 1 / 0)
    (x, y), *rest = list(itertools.islice(DataLoader(outer, batch_size=2), 3))
    assert rest == [] and x.numpy()[:, 0].tolist() == [6.0, 9.0]
