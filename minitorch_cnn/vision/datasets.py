"""``datasets.MNIST``: torchvision's MNIST dataset, on top of ``minitorch_cnn.data.load_mnist``.

Sample ``i`` is ``(transform(image), target_transform(label))`` with the image a uint8
(28, 28) ndarray (torchvision gives a PIL image; ``ToTensor`` treats both alike) and the
label a Python int. The files live where torchvision keeps them, ``<root>/MNIST/raw``, so a
directory torchvision filled works here too; ``load_mnist`` then also looks in
``$MINITORCH_CNN_DATA`` and the user cache before downloading (only when ``download=True``),
and verifies every file.

``get_batch`` is the fast path a ``DataLoader`` takes: one fancy index of the (N, 28, 28)
array per batch, then the transform on the whole stack when ``transforms.batch_transform``
recognises it (``ToTensor`` then ``Normalize``s, the usual recipe); any other transform, or a
``target_transform``, is applied sample by sample, exactly as torchvision does.

Read next: ``models.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..data import load_mnist
from ..tensor import Tensor
from ..utils.data import Dataset, default_collate
from .transforms import batch_transform


class MNIST(Dataset):
    """The MNIST digits: 60,000 training or 10,000 test (image, label) samples.

    Parameters
    ----------
    root : str or path
        Files are looked up (and downloaded to) ``<root>/MNIST/raw``, then as ``load_mnist``.
    train : bool, default True
        Training set, else test set.
    transform : callable, optional
        Applied to each uint8 (28, 28) image, e.g. ``Compose([ToTensor(), Normalize(...)])``.
    target_transform : callable, optional
        Applied to each int label.
    download : bool, default False
        Whether files found nowhere may be downloaded.

    Attributes
    ----------
    data : Tensor, uint8, (N, 28, 28)
    targets : Tensor, int64, (N,)
    classes : list of str

    Raises
    ------
    FileNotFoundError
        Files found nowhere (and ``download=False``, or every mirror failed); the message says
        where it looked. torchvision raises a ``RuntimeError`` here.
    TypeError, ValueError
        As ``load_mnist``: a bad ``root`` or ``train``, a damaged file.
    """

    classes = [
        f"{d} - {w}"
        for d, w in enumerate("zero one two three four five six seven eight nine".split())
    ]

    def __init__(
        self,
        root: str | os.PathLike[str],
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        if not isinstance(root, (str, os.PathLike)):
            raise TypeError(f"root must be a str or a path, got {type(root).__name__}")
        self.root, self.train = os.fspath(root), train
        self.transform, self.target_transform = transform, target_transform
        raw = Path(root).expanduser() / "MNIST" / "raw"
        images, labels = load_mnist(raw, train=train, download=download)
        self.data, self.targets = Tensor(images), Tensor(labels)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img, target = self.data._data[index], int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def get_batch(self, indices: np.ndarray) -> list[Any]:
        """What ``default_collate([self[i] for i in indices])`` gives, vectorised if it can."""
        apply = (lambda x: x) if self.transform is None else batch_transform(self.transform)
        if apply is None or self.target_transform is not None:
            return default_collate([self[i] for i in indices.tolist()])
        images = self.data._data[indices]  # (B, 28, 28)  copy happens here
        return [Tensor(apply(images)), Tensor(self.targets._data[indices])]

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        lines = [
            f"Number of datapoints: {len(self)}",
            f"Root location: {self.root}",
            f"Split: {split}",
        ]
        if self.transform is not None:
            lines.append(f"Transform: {self.transform!r}".replace("\n", "\n    "))
        return "Dataset MNIST\n" + "".join(f"    {line}\n" for line in lines).rstrip("\n")
