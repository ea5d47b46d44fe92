"""``save`` and ``load`` (PyTorch's ``torch.save``/``torch.load``) without pickle.

``torch.save`` pickles, and unpickling a stranger's file can run any code. Here every file is
a *safetensors* file (``safetensors_format.py``), which holds arrays and no code, and which
PyTorch reads without this package (``safetensors.torch.load_file``).

Tensors are stored flat under their dotted path (``model.fc.weight``), so a saved
``state_dict()`` is an ordinary safetensors file with the keys PyTorch expects. What is not a
tensor -- numbers, strings, ``None``, and the nesting of dicts, lists and tuples (an optimizer's
state, ``{"epoch": 3, "model": ...}``) -- goes into ``__metadata__["minitorch_cnn"]`` as a JSON
tree whose leaves name the tensors, so ``load`` gives back exactly what was saved::

    {"dict": [["epoch", 3], ["model", {"dict": [["fc.weight", {"tensor": "model.fc.weight"}]]}]]}

``load`` checks the header and the whole tree before reading any array, and ``save`` is
atomic (``atomic_write``): a crash leaves the old file or the new one, never half of one.

Read next: ``checkpoint.py`` (training checkpoints built on these two functions).
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from . import safetensors_format
from .safetensors_format import unique_keys
from .tensor import Tensor

MAX_DEPTH = 64  # nesting of dicts/lists/tuples accepted
_TREE_KEY = "minitorch_cnn"
_LEAVES = ("tensor", "ndarray", "numpy")  # tree tags naming a stored array


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Create ``path`` with ``write(file)``, all or nothing.

    The bytes go to a new file beside ``path`` (same directory, so same file system), are
    flushed to disk (``fsync``), and the file is renamed over ``path`` (``os.replace``, atomic);
    then the directory is fsynced so the rename itself survives a power cut. After an error
    at any point ``path`` is as it was and the temporary file is gone. The file gets the
    usual permissions (0o666 less the umask), as ``open`` would give it.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename durable
        directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


# ----- save ----------------------------------------------------------------------------------
def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write ``obj`` to ``f`` in the safetensors format (``torch.save``'s place; never pickles).

    Parameters
    ----------
    obj : Tensor, ndarray, NumPy scalar, int, float, bool, str, None, or dicts (str or int
        keys), lists and tuples nesting them -- e.g. ``model.state_dict()``,
        ``optimizer.state_dict()``, ``{"epoch": 3, "model": model.state_dict()}``.
    f : str, path or binary file
        Any name (``.pt``, ``.pth``, ``.safetensors``): the content decides. A path is written
        atomically; an open file is written from its current position.

    Raises
    ------
    TypeError
        For anything else inside ``obj`` (a module, a function, complex numbers), naming where.
    ValueError
        For a structure that contains itself, nests deeper than ``MAX_DEPTH``, or whose header
        would exceed ``HEADER_LIMIT``.
    """
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, "", arrays, set())
    metadata = {"format": "pt", _TREE_KEY: json.dumps(tree, allow_nan=False, separators=(",", ":"))}

    def write(handle: IO[bytes]) -> None:
        safetensors_format.write(handle, arrays, metadata)

    if hasattr(f, "write"):
        write(f)
    else:
        atomic_write(f, write)


def _encode(obj: Any, where: str, arrays: dict[str, np.ndarray], open_ids: set[int]) -> Any:
    """``obj`` as a JSON tree; arrays are moved into ``arrays`` under their dotted path."""
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):  # first: np.float64 is a float
        tag = "tensor" if isinstance(obj, Tensor) else "ndarray"
        array = np.asarray(obj._data if isinstance(obj, Tensor) else obj)
        if not safetensors_format.can_store(array.dtype):
            raise TypeError(
                f"save: {where or 'obj'} has dtype {array.dtype}; only bool, int and float "
                "arrays can be saved"
            )
        name = where or "tensor"
        while name in arrays:  # two paths can spell the same name: {"a.b": x, "a": {"b": y}}
            name += "_"
        arrays[name] = array.astype(array.dtype.newbyteorder("<"), order="C", copy=False)
        return {"numpy" if isinstance(obj, np.generic) else tag: name}
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"float": repr(obj)}  # "nan", "inf", "-inf"
    if not isinstance(obj, (dict, list, tuple)):
        raise TypeError(
            f"save: {where or 'obj'} is a {type(obj).__name__}; only Tensors, arrays, numbers, "
            "str, None and dicts/lists/tuples of them can be saved (this format never pickles)"
            + ("; save its state_dict() instead" if hasattr(obj, "state_dict") else "")
        )
    if id(obj) in open_ids:
        raise ValueError(f"save: {where or 'obj'} contains itself")
    if len(open_ids) >= MAX_DEPTH:
        raise ValueError(f"save: {where} nests more than {MAX_DEPTH} containers deep")
    open_ids.add(id(obj))
    prefix = f"{where}." if where else ""
    if isinstance(obj, dict):
        pairs = []
        for key, value in obj.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(f"save: {where or 'obj'} has a {type(key).__name__} key {key!r}")
            pairs.append([key, _encode(value, f"{prefix}{key}", arrays, open_ids)])
        node: Any = {"dict": pairs}
    else:
        items = [_encode(v, f"{prefix}{i}", arrays, open_ids) for i, v in enumerate(obj)]
        node = {"tuple" if isinstance(obj, tuple) else "list": items}
    open_ids.discard(id(obj))
    return node


# ----- load ----------------------------------------------------------------------------------
def load(
    f: str | os.PathLike | IO[bytes],
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
) -> Any:
    """Read what ``save`` wrote (``torch.load``'s place), or any safetensors file.

    Tensors come back as Tensors, arrays as arrays, everything else as it was saved; a
    safetensors file written elsewhere (``safetensors.torch.save_file``) gives
    ``{name: Tensor}``, so ``model.load_state_dict(load(path))`` works on both.

    Parameters
    ----------
    f : str, path or binary file (read from its current position)
    map_location : None, "cpu", a cpu device, a dict of them, or a function
        Accepted for PyTorch programs: everything is on the CPU already, and a function
        (``lambda storage, loc: storage``) is not called.
    weights_only : bool or None
        Accepted for PyTorch programs; either way nothing is unpickled, ever.

    Raises
    ------
    ValueError
        If ``f`` is not a valid safetensors file: what it is instead (a ``torch.save`` pickle,
        an ``.npz``, an ``.npy``, gzip, empty, truncated) and how to convert it, or which part
        of the header is wrong (dtype, shape, byte ranges, size limits, the saved structure).
    RuntimeError
        If ``map_location`` names a device other than the CPU.
    FileNotFoundError, IsADirectoryError
        As ``open`` raises them.
    """
    _check_map_location(map_location)
    if weights_only is not None and not isinstance(weights_only, bool):
        raise TypeError(f"weights_only must be a bool or None, got {weights_only!r}")
    if hasattr(f, "read"):
        return _load(f, "the file")
    with open(f, "rb") as handle:
        return _load(handle, os.fspath(f))


def _check_map_location(map_location: Any) -> None:
    if map_location is None or callable(map_location):
        return
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        name = target if isinstance(target, str) else getattr(target, "type", None)
        if not isinstance(name, str):
            raise TypeError(
                f"map_location must be a str, a device, a dict or a function, got {target!r}"
            )
        if name.split(":")[0] != "cpu":
            raise RuntimeError(
                f"map_location={map_location!r}: this package runs on the CPU only; use "
                "map_location='cpu' (or leave it out)"
            )


def _load(handle: IO[bytes], source: str) -> Any:
    header = safetensors_format.read_header(handle, source)
    try:
        tree = _checked_tree(header)
    except (ValueError, RecursionError) as error:
        raise ValueError(
            f"{source}: damaged or hostile structure in __metadata__: {error}"
        ) from None
    arrays = safetensors_format.read_arrays(handle, header, source)  # everything checked: read
    return _decode(tree, lambda tag, name: _leaf(tag, arrays[name]))


def _checked_tree(header: safetensors_format.Header) -> Any:
    """The saved tree, each leaf checked to name one tensor of the header, every tensor named
    once; a plain safetensors file (no tree) stands for ``{name: Tensor}``."""
    if _TREE_KEY not in header.metadata:
        return {"dict": [[name, {"tensor": name}] for name in header.tensors]}
    tree = json.loads(header.metadata[_TREE_KEY], object_pairs_hook=unique_keys)
    named: set[str] = set()

    def check(tag: str, name: str) -> None:
        if name not in header.tensors or name in named:
            raise ValueError(f"the tensor {name!r:.100} is named twice or is not in the header")
        if tag == "numpy" and header.tensors[name][1] != ():
            raise ValueError(f"the scalar {name!r} has shape {header.tensors[name][1]}")
        named.add(name)

    _decode(tree, check)
    if named != header.tensors.keys():
        raise ValueError(f"tensors {sorted(header.tensors.keys() - named)!r:.200} are in no place")
    return tree


def _leaf(tag: str, array: np.ndarray) -> Any:
    return Tensor(array) if tag == "tensor" else array if tag == "ndarray" else array[()]


def _decode(node: Any, fetch: Callable[[str, str], Any], depth: int = 0) -> Any:
    """The object a JSON tree written by ``_encode`` stands for; ``fetch(tag, name)`` gives
    each stored array. ValueError for a node ``_encode`` never writes."""
    if depth > MAX_DEPTH:
        raise ValueError(f"the structure nests more than {MAX_DEPTH} deep")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, dict) and len(node) == 1:
        ((tag, value),) = node.items()
        if tag in _LEAVES and isinstance(value, str):
            return fetch(tag, value)
        if tag == "float" and value in ("nan", "inf", "-inf"):
            return float(value)
        if tag in ("list", "tuple") and isinstance(value, list):
            items = [_decode(item, fetch, depth + 1) for item in value]
            return items if tag == "list" else tuple(items)
        if tag == "dict" and isinstance(value, list) and all(_is_pair(p) for p in value):
            return unique_keys([(key, _decode(item, fetch, depth + 1)) for key, item in value])
    raise ValueError(f"unexpected node in the structure: {node!r:.100}")


def _is_pair(pair: Any) -> bool:
    return (
        isinstance(pair, list)
        and len(pair) == 2
        and isinstance(pair[0], (str, int))
        and not isinstance(pair[0], bool)
    )
