"""Tests of save/load: exact round trips, the safetensors layout PyTorch reads, and every kind
of file that is not one (pickles, archives, truncated or lying headers) refused clearly."""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import pickle
import tracemalloc
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch_cnn as mt
from minitorch_cnn import models
from minitorch_cnn.safetensors_format import HEADER_LIMIT


def _same(a: Any, b: Any) -> bool:
    """Equal values *and* equal types, all the way down (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, mt.Tensor):
        return _same(a.numpy(), b.numpy())
    if isinstance(a, (np.ndarray, np.generic)):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _read_safetensors(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """A reader written from the format's spec alone: (header, {name: array})."""
    blob = path.read_bytes()
    length = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + length])
    codes = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "U8": "u1", "BOOL": "?"}
    arrays = {}
    for name, entry in header.items():
        if name != "__metadata__":
            begin, end = entry["data_offsets"]
            raw = blob[8 + length + begin : 8 + length + end]
            arrays[name] = np.frombuffer(raw, codes[entry["dtype"]]).reshape(entry["shape"])
    return header, arrays


def test_round_trip_keeps_values_and_types(tmp_path: Path) -> None:
    obj = {
        "epoch": 3,
        "big": 2**100,
        "lr": 0.1,
        "odd floats": [math.nan, math.inf, -math.inf, -0.0],
        "flags": (True, False, None),
        "name": "réseau ✓",
        "tensors": [
            mt.tensor([[1.0, 2.0]]),
            mt.Tensor(np.arange(6, dtype=np.int64).reshape(2, 3)),
            mt.Tensor(np.array([True, False])),
            mt.Tensor(np.float64(2.5)),
            mt.Tensor(np.zeros((0, 3), np.float32)),
        ],
        "arrays": {
            0: np.arange(12, dtype=np.float16).reshape(3, 4).T,  # not C-contiguous
            1: np.array([1.5, -2.0], dtype=">f4"),  # big-endian: comes back little-endian
            "scalar": np.float32(1.25),
            "u8": np.arange(5, dtype=np.uint8),
        },
        "nested": OrderedDict(a=[[{"deep": ()}]]),
    }
    mt.save(obj, tmp_path / "o.pth")
    back = mt.load(tmp_path / "o.pth")
    expected = dict(obj)
    expected["arrays"] = {**obj["arrays"], 1: np.array([1.5, -2.0], dtype="<f4")}
    expected["nested"] = {"a": [[{"deep": ()}]]}  # an OrderedDict comes back a dict
    assert _same(back, expected)
    assert type(back["arrays"]["scalar"]) is np.float32


_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=5)
    | hnp.arrays(
        st.sampled_from([np.float32, np.int64, np.bool_]),
        hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3),
    )
    | hnp.arrays(np.float32, hnp.array_shapes(max_dims=2, max_side=3)).map(mt.Tensor)
)
_objects = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=4) | st.integers(0, 9), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(obj=_objects)
def test_any_nesting_round_trips(obj: Any) -> None:
    handle = io.BytesIO()
    mt.save(obj, handle)
    handle.seek(0)
    assert _same(mt.load(handle), obj)


def test_state_dict_file_is_plain_safetensors_and_loads_back(tmp_path: Path) -> None:
    """What PyTorch's ``safetensors.torch.load_file`` would read: the state_dict's own keys."""
    model = models.MLP(hidden=(8,), generator=np.random.default_rng(0))
    mt.save(model.state_dict(), tmp_path / "mnist_cnn.pt")
    header, arrays = _read_safetensors(tmp_path / "mnist_cnn.pt")
    assert list(arrays) == list(model.state_dict())
    assert all(isinstance(v, str) for v in header["__metadata__"].values())
    assert (8 + int.from_bytes((tmp_path / "mnist_cnn.pt").read_bytes()[:8], "little")) % 8 == 0
    for name, value in model.state_dict().items():
        assert header[name]["dtype"] == "F32" and np.array_equal(arrays[name], value)
    other = models.MLP(hidden=(8,), generator=np.random.default_rng(1))
    other.load_state_dict(mt.load(tmp_path / "mnist_cnn.pt", map_location="cpu"))
    assert all(
        np.array_equal(a.numpy(), b.numpy()) for a, b in zip(model.parameters(), other.parameters())
    )


def _safetensors_bytes(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + data


def test_a_file_from_pytorchs_safetensors_loads_as_name_to_tensor(tmp_path: Path) -> None:
    """The layout ``safetensors.torch.save_file`` writes (no minitorch_cnn metadata)."""
    header = {
        "__metadata__": {"format": "pt"},
        "b": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]},
        "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [8, 32]},
        "z": {"dtype": "F32", "shape": [0, 2], "data_offsets": [32, 32]},
    }
    data = (3).to_bytes(8, "little") + np.arange(6, dtype="<f4").tobytes()
    (tmp_path / "w.safetensors").write_bytes(_safetensors_bytes(header, data))
    loaded = mt.load(tmp_path / "w.safetensors")
    assert list(loaded) == ["b", "a", "z"]
    assert _same(loaded["b"], mt.Tensor(np.array(3, dtype=np.int64)))
    assert _same(loaded["a"], mt.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3)))
    assert loaded["z"].shape == (0, 2)


class _Mkdir:
    """Unpickling this would create a directory: proof that load runs no code from a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return os.mkdir, (str(self.path),)


def _torch_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:  # the layout torch.save writes
        archive.writestr("archive/data.pkl", pickle.dumps({"w": 1}, protocol=2))


def _npz(path: Path) -> None:
    with path.open("wb") as handle:
        np.savez(handle, w=np.zeros(2))


def _npy(path: Path) -> None:
    with path.open("wb") as handle:
        np.save(handle, np.zeros(2))


def _evil_pickle(path: Path) -> None:
    path.write_bytes(pickle.dumps(_Mkdir(path.parent / "pwned"), protocol=2))


_OTHER_KINDS = {
    "empty": (lambda p: p.write_bytes(b""), "it is empty"),
    "legacy torch.save pickle": (_evil_pickle, "it is a pickle, as torch.save wrote before"),
    "torch.save zip": (
        _torch_zip,
        r"it is a zip of pickles, as torch.save writes .*"
        r"save_file\(torch.load\(path, weights_only=True\)",
    ),
    "npz": (_npz, r"it is an \.npz archive; convert it with minitorch_cnn.save\(dict\(np.load"),
    "npy": (_npy, r"it is an \.npy file; convert it with minitorch_cnn.save\(np.load"),
    "gzip": (lambda p: p.write_bytes(gzip.compress(b"x" * 20)), "it is gzip-compressed"),
    "text": (lambda p: p.write_bytes(b"hello, I am not a tensor"), "it starts with b'hello, I am"),
}


@pytest.mark.parametrize("make, match", _OTHER_KINDS.values(), ids=_OTHER_KINDS.keys())
def test_files_of_other_kinds_are_named(tmp_path: Path, make, match: str) -> None:
    make(tmp_path / "model.pt")
    with pytest.raises(ValueError, match=r"model\.pt is not a safetensors file: " + match):
        mt.load(tmp_path / "model.pt")
    assert not (tmp_path / "pwned").exists()


def test_truncated_files_are_refused(tmp_path: Path) -> None:
    mt.save({"w": np.arange(100, dtype=np.float32)}, tmp_path / "full.pt")
    blob = (tmp_path / "full.pt").read_bytes()
    length = int.from_bytes(blob[:8], "little")
    for cut, match in [
        (9, "not a safetensors file"),
        (40, "is truncated: its header claims"),
        (8 + length + 12, "the tensors cover 400 bytes; the file has 12"),
    ]:
        (tmp_path / "cut.pt").write_bytes(blob[:cut])
        with pytest.raises(ValueError, match=match):
            mt.load(tmp_path / "cut.pt")


def _tensor(dtype: str = "F32", shape: Any = (2,), offsets: Any = (0, 8)) -> dict:
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


_LIES = {
    "not an object": ([1, 2], 0, "not a JSON object"),
    "bf16": ({"w": _tensor("BF16", (2,), (0, 4))}, 4, "NumPy has no bfloat16"),
    "unknown dtype": ({"w": _tensor("F8_E4M3")}, 8, "has dtype 'F8_E4M3', not one of"),
    "negative dim": ({"w": _tensor(shape=(-2,))}, 8, "bad shape"),
    "bool dim": ({"w": _tensor(shape=(True, 2))}, 8, "bad shape"),
    "float offset": ({"w": _tensor(offsets=(0, 8.0))}, 8, "bad shape"),
    "reversed offsets": ({"w": _tensor(offsets=(8, 0))}, 8, "span -8"),
    "size mismatch": ({"w": _tensor(shape=(3,))}, 8, r"shape \[3\] of F32 is 12 bytes"),
    "extra field": ({"w": {**_tensor(), "offset": 0}}, 8, "expected dtype, shape, data_offsets"),
    "gap": ({"w": _tensor(offsets=(4, 12))}, 12, "starts at byte 4, expected 0"),
    "overlap": (
        {"a": _tensor(), "b": _tensor(offsets=(4, 12))},
        12,
        "expected 8 \\(a gap or an overlap\\)",
    ),
    "trailing bytes": ({"w": _tensor()}, 16, "cover 8 bytes; the file has 16"),
    "huge zero-size": (
        {"w": _tensor(shape=(0, 2**62), offsets=(0, 0))},
        0,
        "too large for NumPy",
    ),
    "metadata not str": ({"__metadata__": {"k": 1}}, 0, "must map str to str"),
    "tree names a missing tensor": (
        {"__metadata__": {"minitorch_cnn": '{"tensor": "x"}'}},
        0,
        "is named twice or is not in the header",
    ),
    "tree names a tensor twice": (
        {
            "__metadata__": {"minitorch_cnn": '{"list": [{"tensor": "w"}, {"tensor": "w"}]}'},
            "w": _tensor(),
        },
        8,
        "named twice",
    ),
    "tensor outside the tree": (
        {"__metadata__": {"minitorch_cnn": "3"}, "w": _tensor()},
        8,
        "in no place",
    ),
    "unknown tag": ({"__metadata__": {"minitorch_cnn": '{"set": [1]}'}}, 0, "unexpected node"),
    "bool dict key": (
        {"__metadata__": {"minitorch_cnn": '{"dict": [[true, 1]]}'}},
        0,
        "unexpected node",
    ),
    "repeated dict key": (
        {"__metadata__": {"minitorch_cnn": '{"dict": [["a", 1], ["a", 2]]}'}},
        0,
        "repeated keys",
    ),
    "scalar leaf of shape (2,)": (
        {"__metadata__": {"minitorch_cnn": '{"numpy": "w"}'}, "w": _tensor()},
        8,
        "the scalar 'w' has shape",
    ),
    "deep tree": (
        {"__metadata__": {"minitorch_cnn": '{"list": [' * 70 + "1" + "]}" * 70}},
        0,
        "nests more than 64",
    ),
}


@pytest.mark.parametrize("header, data_size, match", _LIES.values(), ids=_LIES.keys())
def test_hostile_headers_are_refused(
    tmp_path: Path, header: Any, data_size: int, match: str
) -> None:
    text = json.dumps(header).encode()
    if not text.startswith(b"{"):
        text = b"{" + text  # still refused: the rest is not JSON
        match = "damaged or hostile"
    (tmp_path / "h.pt").write_bytes(len(text).to_bytes(8, "little") + text + bytes(data_size))
    with pytest.raises(ValueError, match=match):
        mt.load(tmp_path / "h.pt")


@pytest.mark.parametrize(
    "text, match",
    [
        (b'{"a": 1, "a": 2}', "repeated keys"),
        (b'{"w": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "damaged or hostile"),
        (b'{"w": \xff}', "damaged or hostile"),
        (b"{not json", "damaged or hostile"),
    ],
)
def test_malformed_json_is_refused(tmp_path: Path, text: bytes, match: str) -> None:
    (tmp_path / "j.pt").write_bytes(len(text).to_bytes(8, "little") + text)
    with pytest.raises(ValueError, match=match):
        mt.load(tmp_path / "j.pt")


def test_header_claims_are_refused_before_allocating(tmp_path: Path) -> None:
    """A header length past the limit, or a tensor past the file's end: refused, memory flat."""
    cases = {
        "long.pt": (
            (HEADER_LIMIT + 8).to_bytes(8, "little") + b"{" + bytes(100),
            "more than the limit",
        ),
        "lie.pt": (
            _safetensors_bytes({"w": _tensor(shape=(10**12,), offsets=(0, 4 * 10**12))}, bytes(64)),
            "cover 4000000000000 bytes",
        ),
    }
    for name, (blob, match) in cases.items():
        (tmp_path / name).write_bytes(blob)
        tracemalloc.start()
        try:
            with pytest.raises(ValueError, match=match):
                mt.load(tmp_path / name)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1 << 20, name


@pytest.mark.parametrize(
    "obj, error, match",
    [
        ({"model": models.MLP(hidden=(2,))}, TypeError, "save: model is a MLP; only Tensors"),
        (models.MLP(hidden=(2,)), TypeError, "never pickles\\); save its state_dict\\(\\) instead"),
        ({"f": print}, TypeError, "save: f is a builtin_function_or_method"),
        ([np.zeros(2, dtype=complex)], TypeError, "save: 0 has dtype complex128"),
        ({"o": np.array([object()])}, TypeError, "save: o has dtype object"),
        ({(1, 2): 3}, TypeError, "has a tuple key"),
        ({True: 3}, TypeError, "has a bool key"),
    ],
)
def test_what_cannot_be_saved_is_a_clear_error(
    tmp_path: Path, obj: Any, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        mt.save(obj, tmp_path / "x.pt")
    assert os.listdir(tmp_path) == []


def test_cycles_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    loop: list = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="save: 1 contains itself"):
        mt.save(loop, tmp_path / "x.pt")
    deep: list = []
    for _ in range(70):
        deep = [deep]
    with pytest.raises(ValueError, match="nests more than 64 containers deep"):
        mt.save(deep, tmp_path / "x.pt")
    shared = [1, 2]
    mt.save([shared, shared], tmp_path / "x.pt")  # the same list twice is not a cycle
    assert mt.load(tmp_path / "x.pt") == [[1, 2], [1, 2]]


def test_failed_save_keeps_the_old_file(tmp_path: Path) -> None:
    mt.save({"epoch": 1}, tmp_path / "x.pt")
    before = (tmp_path / "x.pt").read_bytes()
    with pytest.raises(TypeError):
        mt.save({"epoch": 2, "bad": object()}, tmp_path / "x.pt")
    assert (tmp_path / "x.pt").read_bytes() == before and os.listdir(tmp_path) == ["x.pt"]


def test_saved_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    """A temporary file from tempfile is 0o600; the saved file must be 0o666 less the umask."""
    old = os.umask(0o022)
    try:
        mt.save({"a": 1}, tmp_path / "x.pt")
    finally:
        os.umask(old)
    assert (tmp_path / "x.pt").stat().st_mode & 0o777 == 0o644


def test_map_location_and_weights_only(tmp_path: Path) -> None:
    mt.save({"a": mt.tensor([1.0])}, tmp_path / "x.pt")

    class CpuDevice:
        type = "cpu"

    for where in [
        None,
        "cpu",
        "cpu:0",
        CpuDevice(),
        {"cuda:0": "cpu"},
        lambda storage, loc: storage,
    ]:
        assert mt.load(tmp_path / "x.pt", map_location=where, weights_only=True)["a"].shape == (1,)
    assert mt.load(tmp_path / "x.pt", weights_only=False)["a"].shape == (1,)
    with pytest.raises(RuntimeError, match="runs on the CPU only"):
        mt.load(tmp_path / "x.pt", map_location="cuda")
    with pytest.raises(TypeError, match="map_location must be"):
        mt.load(tmp_path / "x.pt", map_location=3)
    with pytest.raises(TypeError, match="weights_only must be a bool"):
        mt.load(tmp_path / "x.pt", weights_only="yes")


def test_file_objects_are_read_from_their_position() -> None:
    handle = io.BytesIO()
    handle.write(b"prefix")
    mt.save({"w": mt.tensor([1.0, 2.0])}, handle)
    handle.seek(len(b"prefix"))
    assert np.array_equal(mt.load(handle)["w"].numpy(), [1.0, 2.0])


def test_pytorchs_nested_optimizer_layout_round_trips(tmp_path: Path) -> None:
    """int keys, tuples, bools and None inside: ``Optimizer.state_dict()`` as PyTorch lays it out."""
    state = {
        "state": {0: {"step": 3, "exp_avg": np.ones((2, 2), np.float32)}, 1: {}},
        "param_groups": [
            {
                "lr": 0.001,
                "betas": (0.9, 0.999),
                "amsgrad": False,
                "foreach": None,
                "params": [0, 1],
            }
        ],
    }
    mt.save(state, tmp_path / "opt.pt")
    assert _same(mt.load(tmp_path / "opt.pt"), state)
    assert list(_read_safetensors(tmp_path / "opt.pt")[1]) == ["state.0.exp_avg"]
