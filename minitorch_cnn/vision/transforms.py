"""Image transforms, as torchvision's: ``Compose``, ``ToTensor``, ``Normalize``, ``Lambda``.

A transform is a callable from one image to another. MNIST's usual recipe::

    transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])

turns a uint8 (28, 28) image into a float32 (1, 28, 28) tensor, ``(x / 255 - mean) / std``.

Called once per image, that is 60,000 Python calls an epoch. ``batch_transform`` recognises
the recipe (``ToTensor`` first, then any ``Normalize``) and returns a function applying it to
a whole (B, H, W) stack at once, with the very same arithmetic, so a ``DataLoader`` over
``MNIST`` batches with a few array operations; any other transform is applied image by image.

The augmentations (flips, crops, resizing, rotation) are in ``vision/augment.py``.

Read next: ``vision/augment.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor
from .augment import (  # noqa: F401 -- torchvision's names, in one namespace
    CenterCrop,
    Pad,
    RandomCrop,
    RandomHorizontalFlip,
    RandomRotation,
    RandomVerticalFlip,
    Resize,
)


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = transforms

    def __call__(self, img: Any) -> Any:
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {transform}" for transform in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class Lambda:
    """A user function as a transform."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToTensor:
    """An (H, W) or (H, W, C) ndarray -> a (C, H, W) Tensor; uint8 is scaled to float32 in
    [0, 1] (``x / 255``), other dtypes are kept as they are (torchvision's rule).

    Raises
    ------
    TypeError
        If ``pic`` is not an ndarray (there are no PIL images here).
    ValueError
        If it is not 2- or 3-dimensional.
    """

    def __call__(self, pic: np.ndarray) -> Tensor:
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        return Tensor(self._batched(pic[None])[0])

    @staticmethod
    def _batched(pics: np.ndarray) -> np.ndarray:
        """(B, H, W) or (B, H, W, C) -> (B, C, H, W), float32 / 255 if uint8."""
        if pics.ndim == 3:
            pics = pics[..., None]  # (B, H, W, 1)  view, no copy
        chw = pics.transpose(0, 3, 1, 2)  # (B, C, H, W)  view, no copy
        if chw.dtype != np.uint8:
            return np.ascontiguousarray(chw)
        scaled = chw.astype(np.float32)  # (B, C, H, W)  copy happens here
        scaled /= 255.0  # in place, float32 (a Python float does not upcast)
        return scaled

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normalize:
    """``(x - mean[c]) / std[c]`` for each channel c of a float (..., C, H, W) Tensor.

    Parameters
    ----------
    mean, std : sequence of float, one per channel (or one for all)
    inplace : bool, default False
        Write the result into the input tensor's array.

    Raises
    ------
    TypeError
        Input not a float Tensor.
    ValueError
        Input with fewer than 3 dimensions; a zero in ``std``.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if self.inplace:
            return Tensor(self._batched(tensor._data, out=tensor._data))
        return Tensor(self._batched(tensor._data))

    def _batched(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """(..., C, H, W) float -> the same shape, normalised per channel."""
        if x.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {x.dtype}.")
        if x.ndim < 3:
            raise ValueError(
                f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {x.shape}"
            )
        mean = np.asarray(self.mean, dtype=x.dtype).reshape(-1, 1, 1)  # (C, 1, 1)
        std = np.asarray(self.std, dtype=x.dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(
                f"std evaluated to zero after conversion to {x.dtype}, leading to division by zero."
            )
        result = np.subtract(x, mean, out=out)
        return np.divide(result, std, out=result)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def batch_transform(transform: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """A function doing ``transform`` to a (B, H, W[, C]) stack of images at once -- the same
    as stacking ``transform(image)`` for each -- or None if ``transform`` is not ``ToTensor()``
    or a ``Compose`` of ``ToTensor()`` then ``Normalize``s (exact classes: a subclass may
    change what ``__call__`` does)."""
    steps = list(transform.transforms) if type(transform) is Compose else [transform]
    if not steps or type(steps[0]) is not ToTensor:
        return None
    if not all(type(step) is Normalize for step in steps[1:]):
        return None

    def apply(images: np.ndarray) -> np.ndarray:
        x = ToTensor._batched(images)
        for step in steps[1:]:
            x = step._batched(x, out=x)  # x is a fresh array: normalise it in place
        return x

    return apply
