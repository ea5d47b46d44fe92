"""``torch.utils.data``: datasets, and the ``DataLoader`` that cuts them into mini-batches.

A *dataset* answers two questions: how many samples (``len(ds)``) and which is sample ``i``
(``ds[i]``, e.g. an ``(image, label)`` pair). A ``DataLoader`` draws an order of the indices
(shuffled each epoch, or not), cuts it into batches of ``batch_size``, and *collates* each
batch: the samples' tensors are stacked along a new first axis (``default_collate``), so a
batch of 64 ``((1, 28, 28) image, int)`` pairs becomes a ``(64, 1, 28, 28)`` tensor and an
int64 tensor of 64 labels -- as PyTorch does.

Fetching samples one by one costs a Python call per sample (hundreds of milliseconds per
MNIST epoch). A dataset that can fetch a whole batch at once -- by indexing its arrays with
the batch's index array -- defines ``get_batch(indices)``, returning exactly what
``default_collate([ds[i] for i in indices])`` would; ``DataLoader`` then uses it (when
``collate_fn`` is None, and only when ``get_batch`` comes from the same class as
``__getitem__``, so a subclass that changes ``__getitem__`` is never bypassed).
``TensorDataset``, ``Subset`` and ``vision.datasets.MNIST`` do.

Read next: ``vision/__init__.py`` (MNIST as a dataset, and the transforms of torchvision).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..generator import resolve_generator
from ..tensor import Tensor


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def has_get_batch(dataset: Any) -> bool:
    """Whether ``dataset.get_batch`` may stand in for its ``__getitem__`` (same class)."""
    mro = type(dataset).__mro__
    owner = {
        name: next((c for c in mro if name in vars(c)), None)
        for name in ("get_batch", "__getitem__")
    }
    return owner["get_batch"] is not None and owner["get_batch"] is owner["__getitem__"]


def fetch_batch(dataset: Any, indices: np.ndarray) -> Any:
    """``default_collate([dataset[i] for i in indices])``, through ``get_batch`` if it can."""
    if has_get_batch(dataset):
        return dataset.get_batch(indices)
    return default_collate([dataset[i] for i in indices.tolist()])


class TensorDataset(Dataset):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``: inputs and targets side by side.

    Parameters
    ----------
    *tensors : Tensor, each (N, ...) with the same N

    Raises
    ------
    AssertionError
        ``"Size mismatch between tensors"`` if the first dimensions differ (PyTorch's error).
    TypeError
        If no tensor is given, or one is not a Tensor with at least one dimension.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors or not all(isinstance(t, Tensor) and t.ndim >= 1 for t in tensors):
            given = [
                type(t).__name__ if not isinstance(t, Tensor) else f"{t.ndim}-d Tensor"
                for t in tensors
            ]
            raise TypeError(f"TensorDataset takes one or more Tensors of >= 1 dims, got {given}")
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            sizes = [t.shape[0] for t in tensors]
            raise AssertionError(f"Size mismatch between tensors: first dimensions {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def get_batch(self, indices: np.ndarray) -> list[Tensor]:
        """(B,) indices -> a list of (B, ...) tensors, one fancy index per tensor."""
        return [Tensor(t._data[indices]) for t in self.tensors]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``random_split`` makes them)."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def get_batch(self, indices: np.ndarray) -> Any:
        return fetch_batch(self.dataset, np.asarray(self.indices, dtype=np.int64)[indices])


def random_split(
    dataset: Any,
    lengths: Sequence[int | float],
    generator: np.random.Generator | None = None,
) -> list[Subset]:
    """Split ``dataset`` at random into ``Subset``s of the given ``lengths`` (PyTorch's rule).

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1: each gets
    ``floor(fraction * N)`` and the remainder is dealt out one by one from the first.
    ``generator`` (default: the package's, see ``manual_seed``) draws the permutation.
    """
    N = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [math.floor(N * fraction) for fraction in lengths]
        for i in range(N - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
    else:
        counts = list(lengths)
    if sum(counts) != N:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = resolve_generator(generator).permutation(N).tolist()
    starts = np.cumsum([0, *counts]).tolist()
    return [Subset(dataset, order[a:b]) for a, b in zip(starts[:-1], starts[1:])]


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch, as PyTorch's ``default_collate``.

    Tensors and numeric arrays -> one Tensor with a new first axis (dtype kept); Python ints
    -> int64, Python floats -> float64 (PyTorch's rule, not float32), bools -> bool, NumPy
    scalars -> their dtype; str/bytes -> the list itself; dicts -> a dict of collated
    values; tuples and lists -> a list of collated columns (a namedtuple stays one).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor(np.stack([sample._data for sample in batch]))
    if isinstance(elem, (np.ndarray, np.generic)) and np.asarray(elem).dtype.kind in "biuf":
        return Tensor(np.stack(batch) if isinstance(elem, np.ndarray) else np.array(batch))
    for kind, dtype in ((bool, np.bool_), (int, np.int64), (float, np.float64)):
        if isinstance(elem, kind):
            return Tensor(np.array(batch, dtype=dtype))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(column)) for column in zip(*batch)]
        return type(elem)(*columns) if hasattr(elem, "_fields") else columns
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem)}"
    )


class DataLoader:
    """Iterate over ``dataset`` in collated mini-batches (PyTorch's ``DataLoader``).

    Parameters
    ----------
    dataset : Dataset (anything with ``__getitem__`` and ``__len__``)
    batch_size : int, default 1
    shuffle : bool, default False
        A new permutation every epoch, drawn from ``generator``.
    sampler : iterable of int, optional
        The order of indices instead (excludes ``shuffle``).
    batch_sampler : iterable of lists of int, optional
        The batches' indices instead (excludes batch_size, shuffle, sampler, drop_last).
    collate_fn : callable, optional
        Turns a list of samples into a batch; default ``default_collate``.
    drop_last : bool, default False
        Skip the last batch if it has fewer than ``batch_size`` samples.
    generator : np.random.Generator, optional
        Draws the shuffles; default: the package's (seeded by ``manual_seed``), at each epoch.
    num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context,
    prefetch_factor, persistent_workers
        Accepted so PyTorch programs run, with PyTorch's checks, and otherwise ignored: the
        samples are always fetched in this process (the batches are the same as with
        workers; a batch from arrays is one fancy index, which workers would not speed up,
        so ``worker_init_fn`` is never called) and there is no GPU memory to pin.

    Raises
    ------
    ValueError
        With PyTorch's messages: batch_size not a positive int, drop_last or shuffle not a
        bool, negative num_workers or timeout, conflicting sampler options.
    TypeError
        ``generator`` not a ``np.random.Generator``.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[Sequence[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
    ) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        if not isinstance(shuffle, (bool, type(None))):  # PyTorch takes any truthy value
            raise ValueError(f"shuffle should be a boolean value, but got shuffle={shuffle}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (
            batch_size != 1 or shuffle or sampler is not None or drop_last
        ):
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
            )
        if generator is not None:
            resolve_generator(generator)  # TypeError now rather than at the first epoch
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, bool(shuffle)
        self.sampler, self.batch_sampler, self.drop_last = sampler, batch_sampler, drop_last
        self.collate_fn, self.generator = collate_fn, generator
        self.num_workers, self.pin_memory = num_workers, pin_memory

    def __len__(self) -> int:
        """The number of batches per epoch."""
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        N = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return N // self.batch_size if self.drop_last else -(-N // self.batch_size)

    def _batches_of_indices(self) -> Iterator[np.ndarray]:
        if self.batch_sampler is not None:
            for indices in self.batch_sampler:
                yield np.asarray(indices, dtype=np.int64)
            return
        if self.sampler is not None:
            order = np.asarray(list(self.sampler), dtype=np.int64)
        elif self.shuffle:
            order = resolve_generator(self.generator).permutation(len(self.dataset))
        else:
            order = np.arange(len(self.dataset))
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start : start + self.batch_size]  # (B,)

    def __iter__(self) -> Iterator[Any]:
        for indices in self._batches_of_indices():
            if self.collate_fn is None:
                yield fetch_batch(self.dataset, indices)
            else:
                yield self.collate_fn([self.dataset[i] for i in indices.tolist()])
