"""MNIST loading, verification, download (against a local HTTP server) and batching."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import data, download

TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
ALL_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", TEST_IMAGES, TEST_LABELS)


def _sha256sums(path: Path) -> dict[str, str]:
    lines = path.read_text().split("\n")
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def _closed_port_url() -> str:
    """A 127.0.0.1 URL nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user data dirs and no real network: mirrors point at a closed local port, and no
    proxy may relay requests for 127.0.0.1 elsewhere."""
    monkeypatch.delenv("MINITORCH_CNN_DATA", raising=False)
    for var in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setattr(data, "MNIST_MIRRORS", (_closed_port_url(),))


def _cache_dir(tmp_path: Path) -> Path:
    """Where load_mnist caches downloads under the XDG_CACHE_HOME set by ``_isolated``."""
    return tmp_path / "xdg-cache" / "minitorch_cnn" / "mnist"


def _forbid_download(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(name: str, directory: Path) -> Path:
        raise AssertionError(f"download of {name} attempted although the file is local")

    monkeypatch.setattr(data, "_download", fail)


@pytest.fixture(scope="module")
def train_set(mnist_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    return data.load_mnist(mnist_dir, train=True, download=False)


# ---------------------------------------------------------------- loading local files


def test_train_set_shapes_dtypes_and_first_labels(train_set: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = train_set
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.int64
    assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    class_counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(labels).tolist() == class_counts
    assert images.max() == 255 and images.min() == 0


def test_test_set_shapes_and_first_labels(mnist_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_download(monkeypatch)
    images, labels = data.load_mnist(mnist_dir, train=False)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]


def test_raw_idx_files_load_like_gzip(tmp_path: Path, mnist_dir: Path) -> None:
    idx_sums = _sha256sums(mnist_dir / "SHA256SUMS.idx")
    for name in (TEST_IMAGES, TEST_LABELS):
        raw = gzip.decompress((mnist_dir / f"{name}.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == idx_sums[name]
        (tmp_path / name).write_bytes(raw)
    raw_images, raw_labels = data.load_mnist(tmp_path, train=False, download=False)
    gz_images, gz_labels = data.load_mnist(mnist_dir, train=False, download=False)
    np.testing.assert_array_equal(raw_images, gz_images)
    np.testing.assert_array_equal(raw_labels, gz_labels)


def test_checksum_constants_match_shared_sums(mnist_dir: Path) -> None:
    assert data.IDX_SHA256 == _sha256sums(mnist_dir / "SHA256SUMS.idx")


def test_search_order_root_then_env_then_cache(
    tmp_path: Path, mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forbid_download(monkeypatch)
    root, env, cache = tmp_path / "root", tmp_path / "env", _cache_dir(tmp_path)
    for directory in (root, env, cache):
        directory.mkdir(parents=True)
    broken = (mnist_dir / f"{TEST_LABELS}.gz").read_bytes()[:100]
    # only the cache holds the files
    for name in (TEST_IMAGES, TEST_LABELS):
        shutil.copy(mnist_dir / f"{name}.gz", cache)
    assert data.load_mnist(train=False)[1][:5].tolist() == [7, 2, 1, 0, 4]
    # $MINITORCH_CNN_DATA comes before the cache: its broken file is the one read
    monkeypatch.setenv("MINITORCH_CNN_DATA", str(env))
    (env / f"{TEST_LABELS}.gz").write_bytes(broken)
    with pytest.raises(ValueError, match="truncated") as info:
        data.load_mnist(train=False)
    assert str(env / f"{TEST_LABELS}.gz") in str(info.value)
    # root comes before both: its good file hides the broken one
    shutil.copy(mnist_dir / f"{TEST_LABELS}.gz", root)
    assert data.load_mnist(root, train=False)[1][:5].tolist() == [7, 2, 1, 0, 4]


def _labels_idx(mnist_dir: Path) -> bytes:
    return gzip.decompress((mnist_dir / f"{TEST_LABELS}.gz").read_bytes())


def _with_label_flipped(raw: bytes) -> bytes:
    return raw[:8] + bytes([(raw[8] + 1) % 10]) + raw[9:]


DAMAGES = {  # name -> (file bytes made from the good IDX content, file name suffix, error)
    "truncated data": (
        lambda raw: raw[:5000],
        "",
        "truncated: 5000 bytes of IDX content, expected 10008",
    ),
    "truncated header": (lambda raw: raw[:6], "", "truncated: 6 bytes, shorter than the 8-byte"),
    "truncated gzip": (lambda raw: gzip.compress(raw)[:1000], ".gz", "truncated or corrupt"),
    "wrong magic": (  # the images' magic number in a labels file
        lambda raw: b"\x00\x00\x08\x03" + raw[4:],
        "",
        "magic number 0x00000803, expected 0x00000801",
    ),
    "wrong count": (
        lambda raw: gzip.compress(raw[:4] + (9999).to_bytes(4, "big") + raw[8:-1]),
        ".gz",
        r"declares shape \(9999,\), expected \(10000,\)",
    ),
    "trailing bytes": (lambda raw: raw + b"\x00\x00", "", "unexpected bytes after the 10008 bytes"),
    "wrong content": (
        lambda raw: gzip.compress(_with_label_flipped(raw)),
        ".gz",
        "SHA-256 of its IDX content is [0-9a-f]{64}, expected ff7bcfd4",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_file_is_a_clear_error_naming_it(
    damage: str, tmp_path: Path, mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forbid_download(monkeypatch)
    make, suffix, message = DAMAGES[damage]
    shutil.copy(mnist_dir / f"{TEST_IMAGES}.gz", tmp_path)
    path = tmp_path / f"{TEST_LABELS}{suffix}"
    path.write_bytes(make(_labels_idx(mnist_dir)))
    with pytest.raises(ValueError, match=message) as info:
        data.load_mnist(tmp_path, train=False)
    assert str(path) in str(info.value)


def test_missing_file_without_download_names_file_and_dirs(
    tmp_path: Path, mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forbid_download(monkeypatch)
    shutil.copy(mnist_dir / f"{TEST_IMAGES}.gz", tmp_path)
    with pytest.raises(FileNotFoundError, match="download=False") as info:
        data.load_mnist(tmp_path, train=False, download=False)
    message = str(info.value)
    assert f"'{TEST_LABELS}'" in message and str(tmp_path) in message
    assert str(_cache_dir(tmp_path)) in message
    assert all(f"{name}.gz" in message for name in ALL_FILES)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"root": 3}, TypeError, "root must be a str, a path or None, got int"),
        ({"train": "test"}, TypeError, "train must be a bool, got 'test'"),
        ({"download": 1}, TypeError, "download must be a bool, got 1"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        data.load_mnist(**kwargs)


def test_root_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mnist.gz"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="root must be a directory, got the file .*mnist.gz"):
        data.load_mnist(path)


# ---------------------------------------------------------------- download from 127.0.0.1


class _MirrorHandler(BaseHTTPRequestHandler):
    """Serves ``/<mode>/<name>.gz``; ``mode`` chooses how the mirror misbehaves."""

    server: _MirrorServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        mode, _, filename = self.path.strip("/").partition("/")
        body = self.server.bodies.get(mode, {}).get(filename)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "dies":  # the connection drops halfway through the body
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


class _MirrorServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[str]
    bodies: dict[str, dict[str, bytes]]


@pytest.fixture(scope="module")
def mirror(mnist_dir: Path) -> Iterator[_MirrorServer]:
    """A local HTTP server with good, corrupt, truncated and dying copies of the test set."""
    good = {f"{n}.gz": (mnist_dir / f"{n}.gz").read_bytes() for n in (TEST_IMAGES, TEST_LABELS)}
    corrupt = {
        f"{TEST_IMAGES}.gz": good[f"{TEST_IMAGES}.gz"],
        f"{TEST_LABELS}.gz": gzip.compress(_with_label_flipped(_labels_idx(mnist_dir))),
    }
    server = _MirrorServer(("127.0.0.1", 0), _MirrorHandler)
    server.requests = []
    server.bodies = {
        "good": good,
        "corrupt": corrupt,
        "truncated": {name: body[: len(body) // 2] for name, body in good.items()},
        "dies": good,
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _use_mirrors(monkeypatch: pytest.MonkeyPatch, server: _MirrorServer, *modes: str) -> None:
    host, port = server.server_address[:2]
    urls = tuple(f"http://{host}:{port}/{mode}/" for mode in modes)
    monkeypatch.setattr(data, "MNIST_MIRRORS", urls)
    server.requests.clear()


def test_download_into_cache_skips_404_mirror_and_verifies(
    tmp_path: Path, mnist_dir: Path, mirror: _MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_mirrors(monkeypatch, mirror, "missing", "good")
    images, labels = data.load_mnist(train=False)
    assert mirror.requests == [
        f"/{mode}/{name}.gz" for name in (TEST_IMAGES, TEST_LABELS) for mode in ("missing", "good")
    ]
    cache = _cache_dir(tmp_path)
    assert sorted(p.name for p in cache.iterdir()) == [f"{TEST_IMAGES}.gz", f"{TEST_LABELS}.gz"]
    gz_sums = _sha256sums(mnist_dir / "SHA256SUMS")
    for path in cache.iterdir():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == gz_sums[path.name]
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]
    np.testing.assert_array_equal(images, data.load_mnist(mnist_dir, train=False)[0])
    # the second time the cache is found: no request at all
    data.load_mnist(train=False)
    assert len(mirror.requests) == 4


def test_download_goes_to_root_past_every_broken_mirror(
    tmp_path: Path, mirror: _MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "new" / "root"
    _use_mirrors(monkeypatch, mirror, "dies", "truncated", "corrupt", "good")
    assert data.load_mnist(root, train=False)[1][:5].tolist() == [7, 2, 1, 0, 4]
    # the corrupt mirror serves good images, so only the labels needed all four mirrors
    modes = [path.split("/")[1] for path in mirror.requests]
    assert modes == ["dies", "truncated", "corrupt"] * 2 + ["good"]
    assert sorted(p.name for p in root.iterdir()) == [f"{TEST_IMAGES}.gz", f"{TEST_LABELS}.gz"]


@pytest.mark.parametrize(
    "mode, reason",
    [
        ("missing", "HTTP Error 404"),
        ("dies", "connection closed after 808254 of 1616508 bytes"),
        ("truncated", "the downloaded file is truncated or corrupt"),
        ("corrupt", "the downloaded file is corrupt: SHA-256"),
    ],
)
def test_failed_download_leaves_no_partial_file(
    mode: str, reason: str, tmp_path: Path, mirror: _MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_mirrors(monkeypatch, mirror, mode)
    monkeypatch.setattr(download, "_CHUNK_BYTES", 1000)  # several reads before the drop
    root = tmp_path / "root"
    root.mkdir()
    # the corrupt mirror serves good images, which land; everything else fails on the images
    with pytest.raises(FileNotFoundError, match=reason) as info:
        data.load_mnist(root, train=False)
    leftovers = sorted(p.name for p in root.iterdir())
    assert leftovers in ([], [f"{TEST_IMAGES}.gz"])
    assert all(not name.endswith(".part") for name in leftovers)
    assert "/" + mode + "/" in str(info.value)


def test_interrupted_download_leaves_no_partial_file(
    tmp_path: Path, mirror: _MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_mirrors(monkeypatch, mirror, "good")
    seen = []

    def interrupt(path: Path, name: str, source: str) -> None:
        seen.extend(p.name for p in tmp_path.iterdir())
        raise KeyboardInterrupt

    monkeypatch.setattr(data, "_read_idx", interrupt)
    with pytest.raises(KeyboardInterrupt):
        data.load_mnist(tmp_path, train=False)
    # the temp file sat in the target directory, under a hidden name, never the real one
    assert len(seen) == 1 and seen[0].startswith(f".{TEST_IMAGES}.gz.")
    assert seen[0].endswith(".part")
    assert list(tmp_path.iterdir()) == []


def test_no_network_says_where_to_put_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINITORCH_CNN_DATA", str(tmp_path / "env"))
    with pytest.raises(FileNotFoundError, match="failed") as info:
        data.load_mnist(tmp_path / "root")
    message = str(info.value)
    assert f"{data.MNIST_MIRRORS[0]}train-images-idx3-ubyte.gz: <urlopen error" in message
    for directory in (tmp_path / "root", tmp_path / "env", _cache_dir(tmp_path)):
        assert f"  {directory}\n" in message
    assert all(f"{name}.gz" in message for name in ALL_FILES)
    assert list((tmp_path / "root").iterdir()) == []


# ---------------------------------------------------------------- batching


def _indexed_images(N: int) -> np.ndarray:
    """Image i is filled with the value i % 256, so a batch shows which samples it holds."""
    return np.broadcast_to((np.arange(N) % 256).astype(np.uint8)[:, None, None], (N, 28, 28)).copy()


def _expected_pixels(labels: np.ndarray) -> np.ndarray:
    return ((labels % 256) / 255.0 - 0.1307) / 0.3081  # float64 oracle


@given(
    N=st.integers(0, 70),
    batch_size=st.integers(1, 25),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_each_sample_once_per_epoch(N: int, batch_size: int, drop_last: bool, seed: int) -> None:
    images, labels = _indexed_images(N), np.arange(N)
    loader = data.DataLoader(images, labels, batch_size, drop_last=drop_last, seed=seed)
    batches = list(loader)
    assert len(batches) == len(loader) == (N // batch_size if drop_last else -(-N // batch_size))
    for x, y in batches:
        assert x.dtype == np.float32 and y.dtype == np.int64
        assert x.shape == (len(y), 1, 28, 28) and 1 <= len(y) <= batch_size
        np.testing.assert_allclose(x[:, 0, 0, 0], _expected_pixels(y), rtol=0, atol=1e-6)
        assert np.all(x == x[:, :, :1, :1])
    seen = np.concatenate([y for _, y in batches] + [np.array([], dtype=np.int64)])
    assert len(np.unique(seen)) == len(seen)
    if drop_last:
        assert all(len(y) == batch_size for _, y in batches) and len(seen) == N - N % batch_size
    else:
        assert sorted(seen.tolist()) == list(range(N))


def _orders(loader: data.DataLoader, epochs: int = 2) -> list[list[int]]:
    return [np.concatenate([y for _, y in loader]).tolist() for _ in range(epochs)]


def test_seeded_shuffling_is_reproducible() -> None:
    images, labels = _indexed_images(50), np.arange(50)
    first, second = _orders(data.DataLoader(images, labels, 8, seed=0))
    assert first != second  # a new permutation every epoch
    assert _orders(data.DataLoader(images, labels, 8, seed=0)) == [first, second]
    assert _orders(data.DataLoader(images, labels, 8, seed=1))[0] != first
    shared = np.random.default_rng(0)
    assert _orders(data.DataLoader(images, labels, 8, seed=shared)) == [first, second]
    assert _orders(data.DataLoader(images, labels, 8, shuffle=False)) == [list(range(50))] * 2


def test_unseeded_loader_follows_manual_seed() -> None:
    loader = data.DataLoader(_indexed_images(50), np.arange(50), 8)
    mt.manual_seed(3)
    first = _orders(loader, 1)
    mt.manual_seed(3)
    assert _orders(loader, 1) == first
    assert sorted(first[0]) == list(range(50))


def test_drop_last_drops_the_short_batch() -> None:
    images, labels = _indexed_images(103), np.arange(103)
    kept = [len(y) for _, y in data.DataLoader(images, labels, 10, drop_last=False, seed=0)]
    dropped = [len(y) for _, y in data.DataLoader(images, labels, 10, drop_last=True, seed=0)]
    assert kept == [10] * 10 + [3] and dropped == [10] * 10


def test_normalized_training_set_has_mean_0_std_1(train_set: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = train_set
    total = total_sq = count = 0.0
    for x, _y in data.DataLoader(images, labels, 4096, shuffle=False):
        assert x.dtype == np.float32
        total += x.sum(dtype=np.float64)
        total_sq += np.square(x, dtype=np.float64).sum()
        count += x.size
    mean = total / count
    std = np.sqrt(total_sq / count - mean**2)
    assert count == 60000 * 28 * 28
    assert abs(mean) < 1e-3 and abs(std - 1.0) < 1e-3


def test_normalize_values_and_dtype() -> None:
    x = data.normalize(np.array([[[0, 255], [26, 128]]], dtype=np.uint8))
    assert x.dtype == np.float32 and x.shape == (1, 1, 2, 2)
    expected = (np.array([[0, 255], [26, 128]]) / 255.0 - 0.1307) / 0.3081
    np.testing.assert_allclose(x[0, 0], expected, rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"images": np.zeros((4, 28, 28), np.float32)}, TypeError, "uint8 ndarray .*got float32"),
        ({"images": np.zeros((4, 1, 28, 28), np.uint8)}, ValueError, r"got shape \(4, 1, 28, 28\)"),
        ({"labels": np.zeros(4, np.float32)}, TypeError, "integer ndarray, got float32"),
        ({"labels": [0, 1, 2, 3]}, TypeError, "integer ndarray, got list"),
        ({"labels": np.zeros(5, np.int64)}, ValueError, r"shape \(N,\) = \(4,\) .* got \(5,\)"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be an int, got 2.0"),
        ({"drop_last": "yes"}, TypeError, "drop_last must be a bool"),
        ({"seed": 1.5}, TypeError, "seed must be an int, a np.random.Generator or None, got 1.5"),
        ({"seed": -1}, ValueError, "seed must be >= 0, got -1"),
    ],
)
def test_loader_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    good = {"images": np.zeros((4, 28, 28), np.uint8), "labels": np.arange(4), "batch_size": 2}
    args = good | kwargs
    with pytest.raises(error, match=message):
        data.DataLoader(**args)
