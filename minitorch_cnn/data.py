"""MNIST: reading IDX files, finding or downloading them safely, and batching for a CNN.

What this file teaches:

- The IDX format is a 4-byte magic number (``0x00000803`` = unsigned bytes, 3 dims), one
  big-endian uint32 per dimension, then the raw data. Checking magic, dims and byte count
  turns a truncated or wrong file into a clear error instead of a reshape failure later.
- Files are verified by the SHA-256 of their *decompressed* IDX content: the public mirrors
  compress differently, but the content is identical.
- A file decides nothing about memory: it is read (and inflated) only up to the size its
  layout fixes, plus one byte to notice more, so a gzip bomb costs no more than a good file.
- A download (``download.py``) is bounded by the largest honest copy of the file and by
  ``DOWNLOAD_TIME_LIMIT``, follows http(s) only, and lands atomically once verified.
- Batches are drawn from a permutation made by an explicit ``np.random.Generator``, so a
  seed reproduces the order; pixels become float32 ``(x / 255 - 0.1307) / 0.3081``.

Read next: ``download.py``.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .download import fetch
from .generator import default_generator

#: Base URLs tried in order; each serves ``<name>.gz``. Tests point this at a local server.
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

#: SHA-256 of the decompressed IDX content of each file (the same on every mirror).
IDX_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Mean and standard deviation of the training pixels after scaling to [0, 1].
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081

# name -> (magic number, shape the header must declare)
_IDX_LAYOUT: dict[str, tuple[int, tuple[int, ...]]] = {
    "train-images-idx3-ubyte": (0x00000803, (60000, 28, 28)),
    "train-labels-idx1-ubyte": (0x00000801, (60000,)),
    "t10k-images-idx3-ubyte": (0x00000803, (10000, 28, 28)),
    "t10k-labels-idx1-ubyte": (0x00000801, (10000,)),
}
#: Seconds one download of one file from one mirror may take, all included; tests lower it.
DOWNLOAD_TIME_LIMIT = 600.0

_ENV_VAR = "MINITORCH_CNN_DATA"
_CHUNK_BYTES = 1 << 20


def _check_bool(arg: str, value: object) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{arg} must be a bool, got {value!r}")


def _check_int(arg: str, value: object, minimum: int, kinds: str = "an int") -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{arg} must be {kinds}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{arg} must be >= {minimum}, got {value}")


def _search_dirs(root: Path | None) -> list[Path]:
    """``root``, ``$MINITORCH_CNN_DATA``, the user cache directory: in order, no duplicates.

    Each must be a directory or not exist yet with no file in its way (it may be created for
    a download): a ValueError says which setting is wrong, not mkdir's ``[Errno 17]``.
    """
    named = [] if root is None else [("root", root)]
    if os.environ.get(_ENV_VAR):
        named.append((f"${_ENV_VAR}", Path(os.environ[_ENV_VAR]).expanduser()))
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    named.append(("the cache", Path(cache_home) / "minitorch_cnn" / "mnist"))
    for what, directory in named:
        _check_directory(what, directory)
    return list(dict.fromkeys(directory for _, directory in named))


def _check_directory(what: str, path: Path) -> None:
    """ValueError if ``path``, or the nearest of its parents that exists, is not a directory."""
    for existing in (path, *path.parents):
        if existing.exists() or existing.is_symlink():  # a dangling link is in the way too
            if existing.is_dir():
                return
            below = "" if existing == path else f"{path}, below "
            raise ValueError(f"{what} must be a directory, got {below}the file {existing}")


def _find(name: str, dirs: list[Path]) -> Path | None:
    """The first ``<dir>/<name>`` or ``<dir>/<name>.gz`` that exists, in search order."""
    for directory in dirs:
        for candidate in (directory / name, directory / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _idx_bytes(name: str) -> int:
    """The exact size of file ``name``'s IDX content: header, then one byte per value."""
    shape = _IDX_LAYOUT[name][1]
    return 4 + 4 * len(shape) + math.prod(shape)


def _read_idx(path: Path, name: str, source: str) -> np.ndarray:
    """Read MNIST file ``name`` from ``path`` (gzip or raw, told apart by content) and check it.

    Checks, in this order so the message says what is wrong: header present, magic number,
    declared dims, byte count, SHA-256 of the IDX content. At most one byte more than the
    expected size is ever read (or inflated, for gzip), whatever the file holds: a gzip bomb
    or a huge raw file is refused there, with memory at about the size of the array returned.
    Returns a writeable uint8 array, (N, H, W) for images, (N,) for labels.

    Raises
    ------
    ValueError
        Naming ``source`` (the path, or the download), what was expected and what was found.
    """
    shape = _IDX_LAYOUT[name][1]
    header_bytes, expected_bytes = 4 + 4 * len(shape), _idx_bytes(name)
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"  # gzip magic; IDX content starts with two zeros
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if gzipped else raw
        try:
            header = stream.read(header_bytes)
            _check_header(header, name, source)
            values = np.empty(math.prod(shape), dtype=np.uint8)  # the only full-size buffer
            found = header_bytes + _read_into(stream, memoryview(values))
            trailing = stream.read(1)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise ValueError(f"{source} is truncated or corrupt (gzip: {exc})") from exc
    if found < expected_bytes:
        raise ValueError(
            f"{source} is truncated: {found} bytes of IDX content, expected {expected_bytes}"
        )
    if trailing:
        raise ValueError(
            f"{source} has unexpected bytes after the {expected_bytes} bytes of {name}"
        )
    sha = hashlib.sha256(header)
    sha.update(values)
    digest = sha.hexdigest()
    if digest != IDX_SHA256[name]:
        raise ValueError(
            f"{source} is corrupt: SHA-256 of its IDX content is {digest}, "
            f"expected {IDX_SHA256[name]} for {name}"
        )
    return values.reshape(shape)


def _check_header(header: bytes, name: str, source: str) -> None:
    """ValueError unless ``header`` is whole, with ``name``'s magic number and dims."""
    magic, shape = _IDX_LAYOUT[name]
    header_bytes = 4 + 4 * len(shape)
    if len(header) < header_bytes:
        raise ValueError(
            f"{source} is truncated: {len(header)} bytes, shorter than the "
            f"{header_bytes}-byte IDX header of {name}"
        )
    found_magic = int.from_bytes(header[:4], "big")
    if found_magic != magic:
        raise ValueError(
            f"{source} has magic number {found_magic:#010x}, expected {magic:#010x} for {name}"
        )
    dims = tuple(int.from_bytes(header[i : i + 4], "big") for i in range(4, header_bytes, 4))
    if dims != shape:
        raise ValueError(f"{source} declares shape {dims}, expected {shape} for {name}")


def _read_into(stream: BinaryIO, out: memoryview) -> int:
    """Fill ``out`` from ``stream`` a chunk at a time; return how many bytes came before EOF."""
    filled = 0
    while filled < len(out):
        count = stream.readinto(out[filled : filled + _CHUNK_BYTES])
        if not count:
            break
        filled += count
    return filled


def _max_download_bytes(name: str) -> int:
    """The largest ``<name>.gz`` a mirror can honestly serve: deflate never grows data by more
    than 5 bytes per 64 KiB block, so the IDX size plus 0.1% and 4 KiB of gzip header."""
    return _idx_bytes(name) + _idx_bytes(name) // 1000 + 4096


def _download(name: str, directory: Path) -> Path:
    """Fetch ``<name>.gz`` into ``directory`` from the first mirror serving a verified copy,
    each attempt bounded by ``_max_download_bytes`` and ``DOWNLOAD_TIME_LIMIT``; else raise
    an ``OSError`` listing every URL tried and why it failed."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}.gz"
    failures = []
    for mirror in MNIST_MIRRORS:
        url = f"{mirror.rstrip('/')}/{name}.gz"
        try:
            fetch(
                url,
                target,
                max_bytes=_max_download_bytes(name),
                time_limit=DOWNLOAD_TIME_LIMIT,
                verify=lambda path: _read_idx(path, name, "the downloaded file"),
            )
            return target
        except (OSError, ValueError, http.client.HTTPException) as exc:
            failures.append(f"  {url}: {exc}")
    raise OSError("\n".join(failures) or "  MNIST_MIRRORS is empty")


def _not_found(name: str, dirs: list[Path], reason: str) -> FileNotFoundError:
    searched = "".join(f"  {directory}\n" for directory in dirs)
    files = ", ".join(f"{n}.gz" for n in _IDX_LAYOUT)
    return FileNotFoundError(
        f"MNIST file {name!r} (or {name}.gz) was not found in:\n{searched}{reason}\n"
        f"Put the four files {files} (gzip or decompressed) in one of these directories, "
        f"pass root=<directory>, or set ${_ENV_VAR}."
    )


def load_mnist(
    root: str | os.PathLike[str] | None = None, train: bool = True, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load the MNIST training (N = 60000) or test (N = 10000) set, downloading it if needed.

    Each file is looked up as ``<name>`` or ``<name>.gz`` in ``root``, then
    ``$MINITORCH_CNN_DATA``, then ``$XDG_CACHE_HOME/minitorch_cnn/mnist`` (default
    ``~/.cache/minitorch_cnn/mnist``). Only a file found nowhere is downloaded from
    ``MNIST_MIRRORS``, into the first of those directories. Every file, local or downloaded,
    is checked: magic number, dims, byte count, SHA-256 of the IDX content; no more than its
    expected size is ever read or inflated. A download from one mirror is refused past the
    largest size a gzip copy can have, past ``DOWNLOAD_TIME_LIMIT`` seconds, or when a
    redirect leads anywhere but http(s); the next mirror is then tried.

    Parameters
    ----------
    root : str or path-like, optional
        Directory searched first (and the download target when given).
    train : bool
        ``True`` for the training set, ``False`` for the test set.
    download : bool
        Whether a file found nowhere may be downloaded.

    Returns
    -------
    images : ndarray, uint8, (N, 28, 28)
    labels : ndarray, int64, (N,)

    Raises
    ------
    TypeError
        ``root`` not a path, or ``train``/``download`` not a bool.
    ValueError
        ``root``, ``$MINITORCH_CNN_DATA`` or the cache directory is a file or lies below one;
        or a found file is truncated, malformed, corrupt or too long (named).
    FileNotFoundError
        A file is nowhere and could not be downloaded; the message lists the directories
        searched, the download errors and the file names to put there.
    """
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a str, a path or None, got {type(root).__name__}")
    _check_bool("train", train)
    _check_bool("download", download)
    dirs = _search_dirs(None if root is None else Path(root).expanduser())
    prefix = "train" if train else "t10k"
    arrays = []
    for name in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        path = _find(name, dirs)
        if path is None and not download:
            raise _not_found(name, dirs, "download=False, so no download was attempted.")
        if path is None:
            try:
                path = _download(name, dirs[0])
            except OSError as exc:
                reason = f"Downloading it into {dirs[0]} failed:\n{exc}"
                raise _not_found(name, dirs, reason) from exc
        arrays.append(_read_idx(path, name, str(path)))
    images, labels = arrays
    return images, labels.astype(np.int64)


def normalize(images: np.ndarray) -> np.ndarray:
    """Scale uint8 pixels to [0, 1], standardise with MNIST's mean/std, add the channel axis.

    Parameters
    ----------
    images : ndarray, uint8, (N, H, W)

    Returns
    -------
    ndarray, float32, (N, 1, H, W)
        ``(images / 255 - 0.1307) / 0.3081``, computed in float32.

    Examples
    --------
    >>> normalize(np.array([[[0, 255]]], dtype=np.uint8))
    array([[[[-0.42421296,  2.8214867 ]]]], dtype=float32)
    """
    _check_images(images)
    x = images.astype(np.float32)  # (N, H, W)  copy happens here
    # in place: 10x faster than temporaries on the full set; Python floats keep it float32
    x /= 255.0
    x -= MNIST_MEAN
    x /= MNIST_STD
    return x[:, None]  # (N, 1, H, W)  view, no copy


def _check_images(images: object) -> None:
    """TypeError unless a uint8 ndarray; ValueError unless its shape is (N, H, W)."""
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        given = images.dtype if isinstance(images, np.ndarray) else type(images).__name__
        raise TypeError(f"images must be a uint8 ndarray (as load_mnist returns), got {given}")
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W), got shape {images.shape}")


class DataLoader:
    """Mini-batches ``(images, labels)`` over arrays, reshuffled on every pass (one epoch).

    Like PyTorch's ``DataLoader`` with ``batch_size``, ``shuffle`` and ``drop_last``, but over
    the arrays ``load_mnist`` returns; each batch is normalised on the fly (see ``normalize``),
    so the whole set never exists in float32 at once.

    Parameters
    ----------
    images : ndarray, uint8, (N, H, W)
    labels : ndarray, integer, (N,)
    batch_size : int
        B, the number of samples per batch (the last one may be smaller).
    shuffle : bool
        Draw a new permutation of the N samples for every epoch; else keep their order.
    drop_last : bool
        Skip the last batch when it has fewer than ``batch_size`` samples.
    seed : int or np.random.Generator, optional
        An int makes a private generator: two loaders with the same seed give the same
        sequence of epochs. A Generator is used (and advanced) as given. ``None`` uses the
        package's default generator (see ``minitorch_cnn.manual_seed``).

    Yields
    ------
    images : ndarray, float32, (B, 1, H, W)
    labels : ndarray, int64, (B,)

    Raises
    ------
    TypeError, ValueError
        Wrong kinds of arguments; wrong shapes, N mismatch, ``batch_size < 1``, ``seed < 0``.

    Examples
    --------
    >>> images = np.zeros((5, 28, 28), dtype=np.uint8)
    >>> loader = DataLoader(images, np.arange(5), batch_size=2, shuffle=False)
    >>> len(loader), [y.tolist() for x, y in loader], next(iter(loader))[0].shape
    (3, [[0, 1], [2, 3], [4]], (2, 1, 28, 28))
    """

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        batch_size: int = 64,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        _check_images(images)
        if not isinstance(labels, np.ndarray) or labels.dtype.kind not in "iu":
            given = labels.dtype if isinstance(labels, np.ndarray) else type(labels).__name__
            raise TypeError(f"labels must be an integer ndarray, got {given}")
        if labels.shape != images.shape[:1]:
            raise ValueError(
                f"labels must have shape (N,) = {images.shape[:1]} to match images "
                f"{images.shape}, got {labels.shape}"
            )
        _check_int("batch_size", batch_size, minimum=1)
        _check_bool("shuffle", shuffle)
        _check_bool("drop_last", drop_last)
        if not isinstance(seed, (np.random.Generator, type(None))):
            _check_int("seed", seed, minimum=0, kinds="an int, a np.random.Generator or None")
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle, self.drop_last = int(batch_size), shuffle, drop_last
        self._rng = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        """The number of batches per epoch."""
        full, rest = divmod(len(self.labels), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        N = len(self.labels)
        if self.shuffle:
            rng = default_generator() if self._rng is None else self._rng
            order = rng.permutation(N)
        else:
            order = np.arange(N)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]  # (B,)
            # (B, H, W) uint8 copy -> (B, 1, H, W) float32
            yield normalize(self.images[index]), self.labels[index].astype(np.int64)
