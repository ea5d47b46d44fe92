"""A small torchvision: ``datasets.MNIST`` and the ``transforms`` the MNIST examples use.

``from minitorch_cnn.vision import datasets, transforms`` replaces ``from torchvision import
datasets, transforms``. Images are uint8 NumPy arrays (H, W) where torchvision has PIL
images; ``ToTensor`` turns either kind of array into a float32 (C, H, W) tensor in [0, 1].

Each transform also has ``batched(array)``, the same operation on a whole batch (B, ...), so
``DataLoader`` can prepare a batch of MNIST in a few array operations instead of one Python
call per image (``utils/data.py``).

Read next: ``models.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from . import data as mnist_data
from .tensor import Tensor


class Compose:
    """Apply ``transforms`` in order."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, image: Any) -> Any:
        for transform in self.transforms:
            image = transform(image)
        return image

    def batched(self, images: np.ndarray) -> np.ndarray | None:
        """The whole chain on a batch, or None if one transform has no batched form."""
        for transform in self.transforms:
            if not hasattr(transform, "batched"):
                return None
            images = transform.batched(images)
        return images

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class ToTensor:
    """uint8 (H, W) or (H, W, C) -> float32 (C, H, W) / 255; float arrays are not rescaled."""

    def __call__(self, image: Any) -> Tensor:
        return Tensor(self.batched(np.asarray(image)[None])[0])

    @staticmethod
    def batched(images: np.ndarray) -> np.ndarray:
        """(B, H, W) or (B, H, W, C) -> (B, C, H, W) float32."""
        if images.ndim == 3:
            images = images[:, None]
        elif images.ndim == 4:
            images = images.transpose(0, 3, 1, 2)
        else:
            raise ValueError(f"ToTensor expects images (H, W) or (H, W, C), got {images.shape[1:]}")
        if images.dtype == np.uint8:
            return images.astype(np.float32) / np.float32(255)
        return images.astype(np.float32)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` for each channel c of a (C, H, W) tensor."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)
        if np.any(self.std == 0):
            raise ValueError(f"std evaluated to zero after conversion, got {list(std)}")

    def __call__(self, tensor: Tensor) -> Tensor:
        return Tensor(self.batched(np.asarray(tensor)[None])[0])

    def batched(self, images: np.ndarray) -> np.ndarray:
        return (images - self.mean) / self.std

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


class MNIST:
    """The MNIST digits, as ``torchvision.datasets.MNIST``, read by ``data.load_mnist``.

    ``root`` is searched first (then ``$MINITORCH_CNN_DATA`` and the cache, see
    ``load_mnist``); sample i is ``(transform(image), target_transform(label))`` with the
    image a uint8 (28, 28) array and the label an int. ``data`` (uint8 (N, 28, 28)) and
    ``targets`` (int64 (N,)) are tensors, as in torchvision.
    """

    classes = [
        f"{d} - {name}"
        for d, name in enumerate(
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        )
    ]

    def __init__(
        self,
        root: Any,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        images, labels = mnist_data.load_mnist(root, train=train, download=download)
        self.data, self.targets = Tensor(images), Tensor(labels)
        self.train, self.transform, self.target_transform = train, transform, target_transform

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = self.data.numpy()[index], int(self.targets.numpy()[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def get_batch(self, indices: np.ndarray) -> tuple[Tensor, Tensor] | None:
        """The batch at ``indices`` in a few array operations (``utils.data``), or None when
        a transform has no batched form."""
        images = self.data.numpy()[indices]
        if self.transform is not None:
            batched = getattr(self.transform, "batched", None)
            images = batched(images) if batched is not None else None
        if images is None or self.target_transform is not None:
            return None
        return Tensor(np.ascontiguousarray(images)), Tensor(self.targets.numpy()[indices])


datasets = SimpleNamespace(MNIST=MNIST)
transforms = SimpleNamespace(Compose=Compose, ToTensor=ToTensor, Normalize=Normalize)
