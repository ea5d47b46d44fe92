"""Downloading one file over HTTP(S) when the server may be broken, slow or hostile.

What this file teaches:

- The server decides what it sends, so the client bounds everything: bytes (a copy can be
  no larger than ``max_bytes``: a ``Content-Length`` above it is refused before the body, a
  body that goes past it is cut off there), wall-clock time, and where redirects may lead.
- A socket timeout bounds each *read*, not the download: a server that sends one byte every
  few seconds never trips it. So a timer thread (``_Deadline``) shuts the connection's TCP
  socket down when the time is up; the read blocked on it returns at once, whatever phase it
  was in (headers, body, TLS handshake), and the download ends in a ``TimeoutError``.
- Only ``http`` and ``https`` are followed, for the first URL and for every redirect: urllib
  alone would follow ``ftp://`` and open ``file://`` URLs given to it.
- The file is written to a temporary file beside ``target``, checked by the caller's
  ``verify``, and only then renamed with ``os.replace`` (atomic on one filesystem): whatever
  goes wrong, no partial file is left under the real name.

Read next: ``utils/data.py``.
"""

from __future__ import annotations

import http.client
import os
import socket
import tempfile
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import IO

_TIMEOUT_SECONDS = 30.0  # per connect or read; the whole download has its own time limit
_CHUNK_BYTES = 1 << 20
_SCHEMES = ("http", "https")


def _check_scheme(url: str, what: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in _SCHEMES:
        raise OSError(f"{what}{url} refused: only http and https are allowed")


class _Deadline:
    """A wall-clock limit on a download, over all the connections it opens (redirects).

    Each TCP socket is registered the moment it is connected, as a duplicate descriptor of
    our own (``sock.dup()``): shutting that down ends the connection for the original too,
    even after TLS has taken the original over, and it can never be a descriptor someone
    else has reused. ``__exit__`` turns whatever a shut-down read raised into a TimeoutError.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()  # the timer thread and the download both use _sockets
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:  # connected just after the time ran out
                _shut(self._sockets[-1])
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
        if self.expired and (exc is None or isinstance(exc, Exception)):
            raise TimeoutError(f"did not finish within {self.seconds:g} s") from exc


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already disconnected
        pass


class _Watched:
    """Mixin for an http.client connection: its TCP socket goes to the deadline as soon as it
    is connected (``_create_connection`` is http.client's hook for making that socket)."""

    def __init__(self, host: str, *, deadline: _Deadline, **kwargs: object) -> None:
        super().__init__(host, **kwargs)
        connect = self._create_connection
        self._create_connection = lambda *args, **kw: deadline.watch(connect(*args, **kw))


class _WatchedHTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_WatchedHTTPConnection, req, deadline=self.deadline)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        # no context given: http.client's default one, which verifies certificate and host
        return self.do_open(_WatchedHTTPSConnection, req, deadline=self.deadline)


class _HTTPRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to http or https (urllib's own rule also lets ftp through)."""

    def http_error_302(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Message
    ) -> IO[bytes] | None:
        location = headers.get("Location") or headers.get("URI")
        if location is not None:
            _check_scheme(urllib.parse.urljoin(req.full_url, location), "redirect to ")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch(
    url: str, target: Path, max_bytes: int, time_limit: float, verify: Callable[[Path], object]
) -> None:
    """Download ``url`` to ``target`` atomically, bounded in size, time and scheme.

    Parameters
    ----------
    url : str
        An http or https URL; redirects are followed to http or https only.
    target : Path
        Where the file lands, in an existing directory, once ``verify`` accepted it.
    max_bytes : int
        The largest body accepted.
    time_limit : float
        Seconds the whole download may take. It ends within that limit, plus at most one
        connect timeout for a connection being opened at that moment.
    verify : callable
        Called with the downloaded temporary file; raises to refuse it.

    Raises
    ------
    OSError
        HTTP errors, refused schemes, a body that is too long or cut short; a
        ``TimeoutError`` past ``time_limit``. Whatever ``verify`` raises passes through.
    """
    _check_scheme(url, "")
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    deadline = _Deadline(time_limit)
    opener = urllib.request.build_opener(
        _HTTPRedirects, _HTTPHandler(deadline), _HTTPSHandler(deadline)
    )
    try:  # the finally removes the temp file whatever happens (errors, Ctrl-C)
        with os.fdopen(fd, "wb") as out, deadline:
            timeout = min(_TIMEOUT_SECONDS, time_limit)
            with opener.open(url, timeout=timeout) as response:
                announced = response.length  # from Content-Length; None if absent or invalid
                if announced is not None and announced > max_bytes:
                    raise OSError(
                        f"announces {announced} bytes, more than the {max_bytes} expected"
                    )
                while chunk := response.read1(_CHUNK_BYTES):  # returns what has arrived
                    out.write(chunk)
                    if out.tell() > max_bytes:
                        raise OSError(f"sent more than the {max_bytes} bytes expected")
            if announced is not None and out.tell() != announced:
                raise OSError(f"connection closed after {out.tell()} of {announced} bytes")
            out.flush()
            os.fsync(out.fileno())
        verify(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
