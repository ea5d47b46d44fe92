"""Image augmentations, as torchvision's: flips, padding, crops, resizing and rotation.

Each takes an image as torchvision does -- an (H, W) or (H, W, C) ndarray (where torchvision
takes a PIL image) or a (..., C, H, W) Tensor -- and returns the same kind. The geometry is
done on the last two axes of a (..., H, W) array (``_planes``); random choices come from the
package's default generator, so ``manual_seed`` makes them repeat.

Read next: ``vision/datasets.py``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..functional import interpolate
from ..generator import resolve_generator
from ..tensor import Tensor


def _planes(img: Any, change: Callable[[np.ndarray], np.ndarray]) -> Any:
    """``change`` applied to ``img`` seen as (..., H, W), returned as the same kind."""
    if isinstance(img, Tensor):
        return Tensor(change(img.numpy()))
    if not isinstance(img, np.ndarray) or img.ndim not in (2, 3):
        raise TypeError(f"img should be an (H, W[, C]) ndarray or a Tensor. Got {type(img)}")
    if img.ndim == 2:
        return change(img)
    return np.moveaxis(change(np.moveaxis(img, -1, 0)), 0, -1)  # (C, H, W) and back


def _size_pair(size: Any) -> tuple[int, int]:
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    return int(size[0]), int(size[1])


def _pad(x: np.ndarray, padding: Any, fill: float, mode: str) -> np.ndarray:
    """(..., H, W) padded by ``padding``: an int, (left/right, top/bottom) or (l, t, r, b)."""
    p = (padding,) * 4 if isinstance(padding, numbers.Integral) else tuple(padding)
    left, top, right, bottom = p * 2 if len(p) == 2 else p
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(x, widths, constant_values=fill)
    return np.pad(
        x, widths, mode={"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[mode]
    )


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Any) -> Any:
        if resolve_generator(None).random() >= self.p:
            return img
        return _planes(img, lambda x: x[..., ::-1].copy())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p``."""

    def __call__(self, img: Any) -> Any:
        if resolve_generator(None).random() >= self.p:
            return img
        return _planes(img, lambda x: x[..., ::-1, :].copy())


class Pad:
    """Pad the borders: ``padding`` an int, (left/right, top/bottom) or (l, t, r, b);
    ``padding_mode`` "constant" (with ``fill``), "edge", "reflect" or "symmetric"."""

    def __init__(self, padding: Any, fill: float = 0, padding_mode: str = "constant") -> None:
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(
                "Padding mode should be either constant, edge, reflect or symmetric, "
                f"got {padding_mode!r}"
            )
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img: Any) -> Any:
        return _planes(img, lambda x: _pad(x, self.padding, self.fill, self.padding_mode))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, "
            f"padding_mode={self.padding_mode})"
        )


class CenterCrop:
    """The central (h, w) part (zero-padded first when the image is smaller)."""

    def __init__(self, size: Any) -> None:
        self.size = _size_pair(size)

    def __call__(self, img: Any) -> Any:
        def crop(x: np.ndarray) -> np.ndarray:
            (h, w), (H, W) = self.size, x.shape[-2:]
            pad_h, pad_w = max(h - H, 0), max(w - W, 0)
            x = _pad(
                x, (pad_w // 2, pad_h // 2, pad_w - pad_w // 2, pad_h - pad_h // 2), 0, "constant"
            )
            top, left = round((x.shape[-2] - h) / 2), round((x.shape[-1] - w) / 2)
            return x[..., top : top + h, left : left + w].copy()

        return _planes(img, crop)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class RandomCrop:
    """An (h, w) part at a random place, after optional ``padding`` (``pad_if_needed`` pads
    an image smaller than the crop)."""

    def __init__(
        self,
        size: Any,
        padding: Any = None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
    ) -> None:
        self.size, self.padding, self.pad_if_needed = _size_pair(size), padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def __call__(self, img: Any) -> Any:
        def crop(x: np.ndarray) -> np.ndarray:
            if self.padding is not None:
                x = _pad(x, self.padding, self.fill, self.padding_mode)
            h, w = self.size
            if self.pad_if_needed:
                extra_h, extra_w = max(h - x.shape[-2], 0), max(w - x.shape[-1], 0)
                x = _pad(x, (extra_w, extra_h), self.fill, self.padding_mode)
            H, W = x.shape[-2:]
            if H < h or W < w:
                raise ValueError(
                    f"Required crop size {(h, w)} is larger than input image size {(H, W)}"
                )
            rng = resolve_generator(None)
            top, left = int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1))
            return x[..., top : top + h, left : left + w].copy()

        return _planes(img, crop)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class Resize:
    """Bilinear resize to ``size`` (h, w), or, for an int, the shorter side to ``size``
    keeping the aspect ratio. Integer images are rounded back to their dtype."""

    def __init__(self, size: Any, antialias: bool | None = True) -> None:
        self.size = size

    def __call__(self, img: Any) -> Any:
        def resize(x: np.ndarray) -> np.ndarray:
            H, W = x.shape[-2:]
            if isinstance(self.size, numbers.Integral):
                short = int(self.size)
                h, w = (short, int(short * W / H)) if H <= W else (int(short * H / W), short)
            else:
                h, w = _size_pair(self.size)
            planes = x.reshape(1, -1, H, W).astype(np.float32)  # (1, planes, H, W)  copy
            out = interpolate(Tensor(planes), size=(h, w), mode="bilinear").numpy()
            out = out.reshape(x.shape[:-2] + (h, w))
            if x.dtype.kind in "iub":
                info = np.iinfo(x.dtype) if x.dtype.kind != "b" else None
                out = np.clip(np.rint(out), info.min, info.max) if info else out > 0.5
            return out.astype(x.dtype)

        return _planes(img, resize)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, interpolation=bilinear)"


class RandomRotation:
    """Rotate by an angle drawn uniformly from ``degrees`` (a number d means [-d, d]) about
    the image centre, nearest-neighbour, ``fill`` outside the original image."""

    def __init__(self, degrees: Any, fill: float = 0) -> None:
        if isinstance(degrees, numbers.Real):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-degrees, degrees)
        self.degrees, self.fill = (float(degrees[0]), float(degrees[1])), fill

    def __call__(self, img: Any) -> Any:
        angle = math.radians(resolve_generator(None).uniform(*self.degrees))

        def rotate(x: np.ndarray) -> np.ndarray:
            H, W = x.shape[-2:]
            cy, cx = (H - 1) / 2, (W - 1) / 2
            ys, xs = np.mgrid[0:H, 0:W]  # each output pixel's (row, col)
            # where it comes from: the inverse rotation (counter-clockwise on screen)
            src_x = np.rint(cx + (xs - cx) * math.cos(angle) - (ys - cy) * math.sin(angle))
            src_y = np.rint(cy + (xs - cx) * math.sin(angle) + (ys - cy) * math.cos(angle))
            inside = (src_x >= 0) & (src_x < W) & (src_y >= 0) & (src_y < H)
            rows = np.clip(src_y, 0, H - 1).astype(np.intp)
            cols = np.clip(src_x, 0, W - 1).astype(np.intp)
            return np.where(inside, x[..., rows, cols], np.asarray(self.fill, dtype=x.dtype))

        return _planes(img, rotate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(degrees={list(self.degrees)}, fill={self.fill})"
