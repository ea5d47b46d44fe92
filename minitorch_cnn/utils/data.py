"""Datasets and the ``DataLoader``, as ``torch.utils.data``.

A dataset is anything with ``__len__`` and ``__getitem__(i)`` returning one sample (a tuple
such as ``(image, label)``). A ``DataLoader`` cuts the indices ``0 .. len - 1`` (shuffled
each epoch when asked) into batches and *collates* each batch's samples into tensors with a
new leading batch axis, as PyTorch's ``default_collate`` does: Tensors and arrays are
stacked, Python ints become int64 tensors, floats float64 (PyTorch's rule), bools bool.

Fetching a batch one sample at a time costs a Python call per sample. A dataset that can
fetch many samples in one NumPy indexing operation says so with ``get_batch(indices)``
(``TensorDataset``, ``Subset`` of one, ``vision.datasets.MNIST``), and the loader uses it:
the same tensors, without the per-sample loop.

Everything runs in this process: ``num_workers``, ``pin_memory`` and ``persistent_workers``
are accepted so PyTorch programs run, and change nothing.

Read next: ``vision.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..creation import resolve_generator
from ..tensor import Tensor


class Dataset:
    """Base class: subclasses implement ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class TensorDataset(Dataset):
    """Sample i is ``(t[i] for t in tensors)``; every tensor has the same first dimension."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors]
        lengths = {len(t) for t in arrays}
        if len(lengths) != 1:
            raise ValueError(
                f"Size mismatch between tensors: first dimensions {[len(t) for t in arrays]}"
            )
        self.tensors = tuple(arrays)

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])

    def get_batch(self, indices: np.ndarray) -> tuple[Tensor, ...]:
        return tuple(Tensor(t.numpy()[indices]) for t in self.tensors)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, np.asarray(list(indices), dtype=np.int64)
        if self.indices.size and not 0 <= self.indices.min() <= self.indices.max() < len(dataset):
            raise IndexError(f"Subset indices must lie in [0, {len(dataset)})")

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)

    def get_batch(self, indices: np.ndarray) -> Any:
        inner = getattr(self.dataset, "get_batch", None)
        return None if inner is None else inner(self.indices[indices])


def default_collate(samples: list[Any]) -> Any:
    """Stack a list of samples into a batch, recursively through tuples, lists and dicts."""
    first = samples[0]
    if isinstance(first, Tensor):
        return Tensor(np.stack([s.numpy() for s in samples]))
    if isinstance(first, (np.ndarray, np.generic)):
        return Tensor(np.stack(samples))
    if isinstance(first, (bool, np.bool_)):
        return Tensor(np.array(samples, dtype=np.bool_))
    if isinstance(first, int):
        return Tensor(np.array(samples, dtype=np.int64))
    if isinstance(first, float):
        return Tensor(np.array(samples, dtype=np.float64))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        return [default_collate(list(field)) for field in zip(*samples)]
    return samples  # strings and other objects: the list as it is


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    Parameters
    ----------
    dataset : a Dataset (``__len__`` and ``__getitem__``)
    batch_size : int, default 1
    shuffle : bool
        A new random order each epoch, drawn from ``generator`` (a ``np.random.Generator``;
        default: the package's, seeded by ``manual_seed``).
    drop_last : bool
        Drop the last batch when it is smaller than ``batch_size``.
    collate_fn : callable, optional
        Turns a list of samples into a batch (default ``default_collate``).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool = False,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
    ) -> None:
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"dataset must have __len__ and __getitem__, got {type(dataset).__name__}"
            )
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, got {batch_size!r}")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be a bool, got {flag!r}")
        if sampler is not None or batch_sampler is not None:
            raise ValueError("sampler and batch_sampler are not supported; use shuffle")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = (
            dataset,
            batch_size,
            shuffle,
            drop_last,
        )
        self.collate_fn = collate_fn or default_collate
        self.generator = generator
        self.num_workers = num_workers

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = resolve_generator(self.generator).permutation(n) if self.shuffle else np.arange(n)
        fast = (
            getattr(self.dataset, "get_batch", None) if self.collate_fn is default_collate else None
        )
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start : start + self.batch_size]
            batch = fast(indices) if fast is not None else None
            if batch is None:
                batch = self.collate_fn([self.dataset[int(i)] for i in indices])
            yield batch
