"""Hostile and careless input to the data loader, the downloader and the training program.

Each test is one hole of an attack on the package (issue 13), closed: a gzip bomb and an
oversized raw file (memory measured), a server that never stops sending, one that drips a byte
at a time, redirects to other schemes, a data directory that is a file, and command-line
values the program must refuse before it loads any data. Network tests talk only to a server
started here on 127.0.0.1, and every misbehaving mode of that server ends by itself within a
few seconds, so a client without bounds fails its test instead of hanging it.

Read next: ``tests/test_data.py`` (the loader's ordinary behaviour).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from test_data import TEST_IMAGES, TEST_LABELS, _closed_port_url
from test_data import _isolated as _isolated  # autouse: no user dirs, no real network

import minitorch_cnn as mt
from minitorch_cnn import data
from minitorch_cnn.train import main

IDX_BYTES = {TEST_IMAGES: 16 + 10000 * 28 * 28, TEST_LABELS: 8 + 10000}
BOMB_MIB = 64  # what a hostile file or server inflates to, far above either expected size
DRIP_SECONDS = 3.0  # how long a dripping server keeps going before it gives up by itself

# ---------------------------------------------------------------- item 2: bombs on disk


def _gzip_bomb(good_gz: bytes) -> bytes:
    """The real file followed by BOMB_MIB gzip members of 1 MiB of zeros each (~1 kB each):
    a valid multi-member gzip whose content is the real content plus 64 MiB."""
    return good_gz + gzip.compress(bytes(1 << 20)) * BOMB_MIB


@pytest.mark.parametrize("kind", ["gzip bomb", "oversized raw"])
@pytest.mark.parametrize("name", [TEST_IMAGES, TEST_LABELS])
def test_bomb_is_refused_within_a_small_multiple_of_the_expected_size(
    kind: str, name: str, tmp_path: Path, mnist_dir: Path
) -> None:
    for other in {TEST_IMAGES, TEST_LABELS} - {name}:
        shutil.copy(mnist_dir / f"{other}.gz", tmp_path)
    good_gz = (mnist_dir / f"{name}.gz").read_bytes()
    if kind == "gzip bomb":
        path = tmp_path / f"{name}.gz"
        path.write_bytes(_gzip_bomb(good_gz))
    else:  # the real content, then a sparse tail: 64 MiB on paper, no disk used
        path = tmp_path / name
        path.write_bytes(gzip.decompress(good_gz))
        os.truncate(path, BOMB_MIB << 20)
    # the images are read first and kept while the labels are read
    expected = IDX_BYTES[TEST_IMAGES] + (IDX_BYTES[TEST_LABELS] if name == TEST_LABELS else 0)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"unexpected bytes after the {IDX_BYTES[name]} bytes"):
            data.load_mnist(tmp_path, train=False, download=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * expected, f"peak {peak} bytes for {expected} expected"


# ---------------------------------------------------------------- items 3, 4: a hostile server


class _HostileHandler(BaseHTTPRequestHandler):
    """Serves ``/<mode>/<name>.gz``; ``mode`` names one way a mirror can attack a client."""

    server: _HostileServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        mode, _, filename = self.path.strip("/").partition("/")
        try:
            getattr(self, f"_{mode.replace('-', '_')}")(filename)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: as it should
            pass

    def _good(self, filename: str) -> None:
        body = self.server.files[filename]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_zeros(self) -> None:
        zeros = bytes(1 << 16)
        while self.server.sent < BOMB_MIB << 20:
            self.wfile.write(zeros)
            self.server.sent += len(zeros)

    def _endless(self, filename: str) -> None:  # no length: the body ends when the server says
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self._send_zeros()

    def _huge_length(self, filename: str) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(10**12))
        self.end_headers()
        self._send_zeros()

    def _drip(self, head: bytes, body: bytes) -> None:
        self.wfile.write(head)
        stop = time.monotonic() + DRIP_SECONDS
        for byte in body:
            if time.monotonic() > stop:
                return
            self.wfile.write(bytes([byte]))
            time.sleep(0.05)

    def _drip_body(self, filename: str) -> None:
        body = self.server.files[filename]
        self._drip(f"HTTP/1.0 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode(), body)

    def _drip_headers(self, filename: str) -> None:
        self._drip(b"HTTP/1.0 200 OK\r\nX-Slow: ", b"a" * 10000)

    def _redirect(self, filename: str) -> None:  # /redirect/<how>/<name>.gz
        how, _, name = filename.partition("/")
        location = self.server.redirects[how].format(name=name)
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


class _HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    files: dict[str, bytes]
    redirects: dict[str, str]
    sent: int


@pytest.fixture(scope="module")
def hostile(mnist_dir: Path) -> Iterator[_HostileServer]:
    server = _HostileServer(("127.0.0.1", 0), _HostileHandler)
    server.files = {f"{n}.gz": (mnist_dir / f"{n}.gz").read_bytes() for n in IDX_BYTES}
    server.redirects = {
        "http": "/good/{name}",
        "ftp": _closed_port_url().replace("http://", "ftp://") + "{name}",
        "file": "file:///etc/hostname",
        "data": "data:application/gzip;base64,H4sIAAAAAAAAAwMAAAAAAAAAAAA=",
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _mirror(monkeypatch: pytest.MonkeyPatch, server: _HostileServer, mode: str) -> None:
    host, port = server.server_address[:2]
    monkeypatch.setattr(data, "MNIST_MIRRORS", (f"http://{host}:{port}/{mode}/",))
    server.sent = 0


def _root_with_images(tmp_path: Path, mnist_dir: Path) -> Path:
    """A root holding the real images, so only the (10 kB) labels are downloaded."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(mnist_dir / f"{TEST_IMAGES}.gz", root)
    return root


@pytest.mark.parametrize(
    "mode, reason",
    [
        ("endless", "sent more than"),
        ("huge-length", "announces 1000000000000 bytes, more than"),
    ],
)
def test_download_stops_past_the_expected_size(
    mode: str,
    reason: str,
    tmp_path: Path,
    mnist_dir: Path,
    hostile: _HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _mirror(monkeypatch, hostile, mode)
    root = _root_with_images(tmp_path, mnist_dir)
    with pytest.raises(FileNotFoundError, match=reason):
        data.load_mnist(root, train=False)
    # the client hung up early: what the server got out is what the socket buffers held
    assert hostile.sent < 16 << 20
    assert sorted(p.name for p in root.iterdir()) == [f"{TEST_IMAGES}.gz"]


@pytest.mark.parametrize("mode", ["drip-body", "drip-headers"])
def test_slow_drip_ends_within_the_time_limit(
    mode: str,
    tmp_path: Path,
    mnist_dir: Path,
    hostile: _HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _mirror(monkeypatch, hostile, mode)
    monkeypatch.setattr(data, "DOWNLOAD_TIME_LIMIT", 0.5)
    root = _root_with_images(tmp_path, mnist_dir)
    start = time.monotonic()
    with pytest.raises(FileNotFoundError, match="did not finish within 0.5 s"):
        data.load_mnist(root, train=False)
    assert time.monotonic() - start < 2.0  # the server would go on for DRIP_SECONDS
    assert sorted(p.name for p in root.iterdir()) == [f"{TEST_IMAGES}.gz"]


@pytest.mark.parametrize("scheme", ["ftp", "file", "data"])
def test_redirect_to_another_scheme_is_refused(
    scheme: str,
    tmp_path: Path,
    mnist_dir: Path,
    hostile: _HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _mirror(monkeypatch, hostile, f"redirect/{scheme}")
    root = _root_with_images(tmp_path, mnist_dir)
    with pytest.raises(FileNotFoundError, match=f"redirect to {scheme}:.* refused: only http"):
        data.load_mnist(root, train=False)


def test_mirror_of_another_scheme_is_refused(
    tmp_path: Path, mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "MNIST_MIRRORS", (f"file://{mnist_dir}/",))
    root = tmp_path / "root"
    with pytest.raises(FileNotFoundError, match="file://.* refused: only http and https"):
        data.load_mnist(root, train=False)


def test_http_redirect_is_followed(
    tmp_path: Path, mnist_dir: Path, hostile: _HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _mirror(monkeypatch, hostile, "redirect/http")
    root = _root_with_images(tmp_path, mnist_dir)
    assert data.load_mnist(root, train=False)[1][:5].tolist() == [7, 2, 1, 0, 4]


# ---------------------------------------------------------------- item 20: a file, not a dir


@pytest.mark.parametrize(
    "variable, below, what",
    [
        ("MINITORCH_CNN_DATA", "", r"\$MINITORCH_CNN_DATA"),
        ("MINITORCH_CNN_DATA", "mnist", r"\$MINITORCH_CNN_DATA"),
        ("XDG_CACHE_HOME", "", "the cache"),
    ],
)
def test_data_directory_that_is_a_file(
    variable: str, below: str, what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    monkeypatch.setenv(variable, str(blocker / below))
    with pytest.raises(ValueError, match=f"{what} must be a directory, .*{blocker}") as info:
        data.load_mnist(train=False)
    assert "Errno" not in str(info.value)


# ---------------------------------------------------------------- items 8, 18: the program


@pytest.fixture
def no_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading MNIST fails the test: every check here must come before it."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("MNIST was loaded before the arguments were checked")

    monkeypatch.setattr(data, "load_mnist", fail)


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("resume", [False, True])
def test_checkpoint_path_is_checked_at_start_up(
    resume: bool, no_data: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--resume"] if resume else []
    missing = tmp_path / "missing" / "run.npz"
    err = _usage_error(["--checkpoint", str(missing), *extra], capsys)
    assert f"--checkpoint: the directory {missing.parent} does not exist" in err
    err = _usage_error(["--checkpoint", str(tmp_path), *extra], capsys)
    assert f"--checkpoint: {tmp_path} is a directory, expected a file path" in err
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    err = _usage_error(["--checkpoint", str(blocker / "run.npz"), *extra], capsys)
    assert f"--checkpoint: {blocker} is not a directory" in err


def test_checkpoint_in_a_read_only_directory(
    no_data: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The suite may run as root, who may write anywhere: the permission answer is staged.
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode)
    )
    err = _usage_error(["--checkpoint", str(tmp_path / "run.npz")], capsys)
    assert f"--checkpoint: the directory {tmp_path} is not writable" in err


@pytest.mark.parametrize(
    "flag, value, message",
    [
        ("--lr", "inf", "must be a finite number > 0, got 'inf'"),
        ("--lr", "nan", "must be a finite number > 0, got 'nan'"),
        ("--lr", "-1", "must be a finite number > 0, got '-1'"),
        ("--lr", "0", "must be a finite number > 0, got '0'"),
        ("--lr", "fast", "must be a finite number > 0, got 'fast'"),
        ("--lr-decay", "nan", r"must be a number in \(0, 1\], got 'nan'"),
        ("--lr-decay", "1.5", r"must be a number in \(0, 1\], got '1.5'"),
        ("--epochs", "0", "must be an int >= 1, got '0'"),
        ("--epochs", "2.5", "must be an int >= 1, got '2.5'"),
        ("--batch-size", "0", "must be an int >= 1, got '0'"),
        ("--batch-size", "-64", "must be an int >= 1, got '-64'"),
        ("--limit", "0", "must be an int >= 1, got '0'"),
        ("--test-limit", "-1", "must be an int >= 1, got '-1'"),
        ("--seed", "-1", r"seed must be in \[0, 2\*\*64 - 1\], got -1"),
        ("--seed", str(2**64), r"seed must be in \[0, 2\*\*64 - 1\], got 18446744073709551616"),
        ("--seed", "1.5", "must be an int, got '1.5'"),
    ],
)
def test_bad_numbers_are_usage_errors_up_front(
    flag: str, value: str, message: str, no_data: None, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _usage_error([flag, value], capsys)
    assert re.search(f"argument {flag}: {message}", err), err


def test_unreadable_data_is_a_one_line_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(blocker)])
    assert exit_info.value.code == 1
    assert f"error: root must be a directory, got the file {blocker}" in capsys.readouterr().err


# ---------------------------------------------------------------- item 18: manual_seed


@pytest.mark.parametrize(
    "seed, error, message",
    [
        (-1, ValueError, r"seed must be in \[0, 2\*\*64 - 1\], got -1"),
        (2**64, ValueError, r"seed must be in \[0, 2\*\*64 - 1\], got 18446744073709551616"),
        (1.5, TypeError, "seed must be an int, got float 1.5"),
        ("3", TypeError, "seed must be an int, got str '3'"),
        (True, TypeError, "seed must be an int, got bool True"),
        (None, TypeError, "seed must be an int, got NoneType None"),
        ([1, 2], TypeError, r"seed must be an int, got list \[1, 2\]"),
    ],
)
def test_manual_seed_refuses_what_is_not_a_seed(seed: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        mt.manual_seed(seed)


def test_manual_seed_takes_the_whole_range() -> None:
    for seed in (0, np.int64(7), 2**64 - 1):
        first = mt.manual_seed(seed).random(3)
        np.testing.assert_array_equal(mt.manual_seed(seed).random(3), first)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda F, x, w: F.conv2d(x, w, stride=2**63), "stride"),
        (lambda F, x, w: F.conv2d(x, w, padding=2**62), "padding"),
        (lambda F, x, w: F.conv2d(x, w, dilation=(1, 2**62)), "dilation"),
        (lambda F, x, w: F.max_pool2d(x, 2, stride=2**63), "stride"),
        (lambda F, x, w: F.avg_pool2d(x, 2**40), "kernel_size"),
    ],
)
def test_huge_sizes_are_a_value_error_naming_the_argument(call, name: str) -> None:
    import minitorch_cnn as mt
    from minitorch_cnn import functional as F

    with pytest.raises(ValueError, match=rf"{name} must be at most 2\*\*31 - 1"):
        call(F, mt.ones(1, 1, 4, 4), mt.ones(1, 1, 2, 2))


@pytest.mark.parametrize(
    "make",
    [
        lambda: mt.nn.Conv2d(1, 1, 3, bias="no"),
        lambda: mt.nn.Linear(2, 2, bias="no"),
        lambda: mt.nn.Conv2d(1, 1, 3, bias=1),
    ],
)
def test_bias_must_be_a_bool(make) -> None:
    # PyTorch reads any truthy value as True: bias="no" would silently mean a bias
    with pytest.raises(TypeError, match="bias must be a bool"):
        make()


def test_a_conv_without_bias_has_no_bias_entry() -> None:
    conv = mt.nn.Conv2d(1, 2, 3, bias=False)
    assert conv.bias is None and list(conv.state_dict()) == ["weight"]
    assert [name for name, _ in conv.named_parameters()] == ["weight"]
