"""A PNG writer in thirty lines of ``zlib`` and ``struct``, so pictures need no extra package.

``examples/visualize.py`` draws filters and feature maps with matplotlib when it is
installed and with this file otherwise. A PNG file is an 8-byte signature followed by chunks,
each ``length (4 bytes, big-endian) | type (4 ASCII letters) | data | CRC-32 of type+data``:

- ``IHDR``: width, height, bit depth (8), colour type (0 gray, 2 RGB, 6 RGBA), then
  compression, filter and interlace methods (all 0);
- ``IDAT``: the zlib-compressed pixel rows, each row preceded by one filter-type byte (0,
  "None": the bytes are stored as they are);
- ``IEND``: the end, with no data.

Read next: ``gradcheck.py`` (how every backward in the package is checked). The decoder in
``tests/test_visualize.py`` (the same chunks, CRCs and zlib, plus the row filters other
writers use) reads these files back.
"""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type: gray, RGB, RGBA


def _chunk(kind: bytes, payload: bytes) -> bytes:
    """length | type | data | CRC-32 over type and data."""
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def write_png(path: str | os.PathLike, pixels: np.ndarray) -> None:
    """Write an 8-bit image to ``path`` as a PNG file.

    Parameters
    ----------
    path : str or PathLike
    pixels : np.ndarray, uint8, shape (H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA
        Row 0 is the top of the picture.

    Raises
    ------
    TypeError
        If ``pixels`` is not a uint8 ndarray.
    ValueError
        If its shape is not one of the above, or it has no pixels.
    """
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8:
        given = pixels.dtype if isinstance(pixels, np.ndarray) else type(pixels).__name__
        raise TypeError(f"write_png expects a uint8 ndarray, got {given}")
    image = pixels[:, :, None] if pixels.ndim == 2 else pixels  # (H, W, channels)  view, no copy
    if image.ndim != 3 or image.shape[2] not in _COLOUR_TYPES or 0 in image.shape:
        raise ValueError(
            f"write_png expects pixels of shape (H, W), (H, W, 3) or (H, W, 4) with H, W >= 1, "
            f"got {pixels.shape}"
        )
    H, W, channels = image.shape
    header = struct.pack(">IIBBBBB", W, H, 8, _COLOUR_TYPES[channels], 0, 0, 0)
    rows = np.zeros((H, 1 + W * channels), dtype=np.uint8)  # a 0 filter byte starts each row
    rows[:, 1:] = image.reshape(H, W * channels)  # copy happens here (any memory layout in)
    with open(path, "wb") as file:
        file.write(
            _SIGNATURE
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
            + _chunk(b"IEND", b"")
        )
