"""The safetensors file format, written and read with NumPy alone, trusting nothing on read.

A safetensors file (the format of Hugging Face's ``safetensors`` library, which PyTorch
programs read with ``safetensors.torch.load_file``) holds named arrays and no code::

    8 bytes      N, the header's length (unsigned, little-endian)
    N bytes      JSON: {"__metadata__": {str: str}, "fc.weight": {"dtype": "F32",
                 "shape": [10, 64], "data_offsets": [0, 2560]}, ...}  (space-padded to 8)
    the rest     every array's raw little-endian bytes, one after another

A hostile file decides every number in that header, so ``read_header`` checks all of them
before ``read_arrays`` allocates anything: the header's size (at most ``HEADER_LIMIT``), each
dtype (from a fixed list), each shape against its byte range (``prod(shape) * itemsize``), and
that the ranges tile the data section exactly -- no gap, no overlap, nothing past the end of
the file. Memory spent reading is then never more than the file's own size. A file of
another kind is named, with how to convert it: most often a pickle from ``torch.save``.

Read next: ``serialization.py`` (``save``/``load`` of nested objects, built on this file).
"""

from __future__ import annotations

import json
import math
import os
from typing import IO, Any, NamedTuple

import numpy as np

HEADER_LIMIT = 16 * 2**20  # bytes of JSON header accepted: about 100,000 tensors
_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U64": "<u8",
    "U32": "<u4",
    "U16": "<u2",
    "U8": "u1",
    "BOOL": "?",
}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _DTYPES.items()}
_FROM_TORCH = (
    "to convert a file you trust, run in PyTorch: from safetensors.torch import save_file; "
    "save_file(torch.load(path, weights_only=True), 'model.safetensors') (for a state_dict), "
    "then load that file here"
)


class Header(NamedTuple):
    """A checked header: ``tensors[name] = (dtype, shape, begin, end)``, byte offsets from
    ``data_start``; ``metadata`` maps str to str."""

    tensors: dict[str, tuple[np.dtype, tuple[int, ...], int, int]]
    metadata: dict[str, str]
    data_start: int


def can_store(dtype: np.dtype) -> bool:
    """Whether arrays of ``dtype`` have a safetensors dtype (bool, int and float ones do)."""
    return dtype.newbyteorder("=") in _CODES


def write(handle: IO[bytes], arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    """Write ``arrays`` (each C-contiguous, little-endian) and ``metadata`` to ``handle``.

    Raises ``ValueError`` before writing anything if the header would exceed ``HEADER_LIMIT``.
    """
    header: dict[str, Any] = {"__metadata__": metadata}
    offset = 0
    for name, array in arrays.items():
        code = _CODES[array.dtype.newbyteorder("=")]
        header[name] = {
            "dtype": code,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + array.nbytes],
        }
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # so the data starts 8-byte aligned, as safetensors does
    if len(text) > HEADER_LIMIT:
        raise ValueError(
            f"the header would be {len(text)} bytes, more than the {HEADER_LIMIT} a reader "
            "accepts; store long lists of numbers as one Tensor"
        )
    handle.write(len(text).to_bytes(8, "little"))
    handle.write(text)
    for array in arrays.values():
        handle.write(array.reshape(-1).view(np.uint8))  # (nbytes,) view, no copy


def read_header(handle: IO[bytes], source: str) -> Header:
    """Read and check the header at ``handle``'s position; read no array.

    Raises ``ValueError`` naming ``source`` and what is wrong (or what the file is instead).
    """
    start = handle.tell()
    size = handle.seek(0, os.SEEK_END) - start
    handle.seek(start)
    head = handle.read(min(size, 512))
    length = int.from_bytes(head[:8], "little")
    if len(head) < 10 or head[8:9] != b"{":
        raise ValueError(f"{source} is not a safetensors file: {_describe(head)}")
    if length > HEADER_LIMIT:
        raise ValueError(
            f"{source}: the header claims {length} bytes, more than the limit of {HEADER_LIMIT}"
        )
    if 8 + length > size:
        raise ValueError(
            f"{source} is truncated: its header claims {length} bytes, the file has "
            f"{size - 8} after the length field"
        )
    handle.seek(start + 8)
    try:
        header = json.loads(handle.read(length).decode("utf-8"), object_pairs_hook=unique_keys)
        tensors, metadata = _check(header, data_size=size - 8 - length)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ValueError(f"{source}: damaged or hostile safetensors header: {error}") from None
    return Header(tensors, metadata, start + 8 + length)


def read_arrays(handle: IO[bytes], header: Header, source: str) -> dict[str, np.ndarray]:
    """Every array ``header`` describes, read from ``handle`` (memory: the data's size)."""
    arrays = {}
    for name, (dtype, shape, begin, end) in header.tensors.items():
        array = np.empty(shape, dtype)
        handle.seek(header.data_start + begin)
        if end > begin and handle.readinto(array.reshape(-1).view(np.uint8)) != end - begin:
            raise ValueError(f"{source} was truncated while reading tensor {name!r}")
        arrays[name] = array
    return arrays


def unique_keys(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    """A JSON object (``object_pairs_hook``) refusing repeated keys: which would count?"""
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError(f"repeated keys in {[key for key, _ in pairs]!r:.200}")
    return result


def _check(header: Any, data_size: int) -> tuple[dict[str, tuple], dict[str, str]]:
    """The tensors' (dtype, shape, begin, end) and the metadata; ValueError if anything is off."""
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    metadata = header.get("__metadata__") or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("__metadata__ must map str to str")
    tensors: dict[str, tuple] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or sorted(entry) != ["data_offsets", "dtype", "shape"]:
            raise ValueError(
                f"tensor {name!r}: expected dtype, shape, data_offsets; got {entry!r:.100}"
            )
        code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if code not in _DTYPES:
            hint = " (NumPy has no bfloat16: save .float() in PyTorch)" if code == "BF16" else ""
            raise ValueError(
                f"tensor {name!r} has dtype {code!r:.20}, not one of {sorted(_DTYPES)}{hint}"
            )
        dtype = np.dtype(_DTYPES[code])
        if not (_naturals(shape) and len(shape) <= 64 and _naturals(offsets) and len(offsets) == 2):
            raise ValueError(
                f"tensor {name!r}: bad shape {shape!r:.100} or data_offsets {offsets!r:.100}"
            )
        if math.prod(max(size, 1) for size in shape) * dtype.itemsize > 2**48:
            raise ValueError(f"tensor {name!r}: shape {shape} is too large for NumPy")
        begin, end = offsets
        nbytes = math.prod(shape) * dtype.itemsize
        if end - begin != nbytes:
            raise ValueError(
                f"tensor {name!r}: shape {shape} of {code} is {nbytes} bytes, but data_offsets "
                f"{offsets} span {end - begin}"
            )
        tensors[name] = (dtype, tuple(shape), begin, end)
    position = 0
    for name, (_, _, begin, end) in sorted(tensors.items(), key=lambda item: item[1][2:]):
        if begin != position:
            raise ValueError(
                f"tensor {name!r} starts at byte {begin}, expected {position} (a gap or an overlap)"
            )
        position = end
    if position != data_size:
        raise ValueError(
            f"the tensors cover {position} bytes; the file has {data_size} after the header"
        )
    return tensors, metadata


def _naturals(values: Any) -> bool:
    return isinstance(values, list) and all(type(v) is int and v >= 0 for v in values)


def _describe(head: bytes) -> str:
    """What a file that is not safetensors is, from its first bytes, and how to convert it."""
    if not head:
        return "it is empty"
    if head.startswith(b"PK\x03\x04"):  # a zip: its first member's name tells whose
        first = head[30 : 30 + int.from_bytes(head[26:28], "little")]
        if first.endswith(b"data.pkl"):
            return f"it is a zip of pickles, as torch.save writes (never unpickled here); {_FROM_TORCH}"
        if first.endswith(b".npy"):
            return "it is an .npz archive; convert it with minitorch_cnn.save(dict(np.load(path)), new_path)"
        return "it is a zip archive"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return f"it is a pickle, as torch.save wrote before PyTorch 1.6 (never unpickled here); {_FROM_TORCH}"
    if head.startswith(b"\x93NUMPY"):
        return "it is an .npy file; convert it with minitorch_cnn.save(np.load(path), new_path)"
    if head.startswith(b"\x1f\x8b"):
        return "it is gzip-compressed; decompress it first"
    return f"it starts with {head[:16]!r}"
