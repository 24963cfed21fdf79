"""A real HTTP file server on 127.0.0.1 with switches that inject the failures ingest must survive.

`http_files` (per test) yields a `FileServer`: put bodies with `serve(path, body)`, flip fields of
`server.faults`, and read `server.requests` (method, path, Range header of every request) afterwards.
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from servers.local_http import serving


@dataclass
class Faults:
    fail_first: int = 0  # answer 500 to this many requests first
    drop_after: int | None = None  # close the connection after this many body bytes...
    drops: int = 0  # ...on this many responses, then serve normally
    truncate_at: int | None = None  # every response ends at this file offset, Content-Length says more
    ranges: bool = True  # honour `Range: bytes=N-` with 206 (off: always 200 with the whole file)


@dataclass
class Served:
    body: bytes
    content_type: str = "application/gzip"
    status: int = 200


@dataclass
class FileServer:
    base_url: str
    files: dict[str, Served] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, path: str, body: bytes, content_type: str = "application/gzip", status: int = 200) -> str:
        self.files[path] = Served(body, content_type, status)
        return self.url(path)

    def url(self, path: str) -> str:
        return self.base_url + path


def _handler_for(server: FileServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            with server.lock:
                server.requests.append({"path": self.path, "range": self.headers.get("Range")})
                failing = server.faults.fail_first > 0
                server.faults.fail_first -= failing
                dropping = not failing and server.faults.drops > 0 and server.faults.drop_after is not None
                server.faults.drops -= dropping
            if failing:
                return self._send_whole(500, b"temporarily broken", "text/plain")
            served = server.files.get(self.path)
            if served is None:
                return self._send_whole(404, b"<html><body>Not Found</body></html>", "text/html")
            self._send_file(served, server.faults.drop_after if dropping else None)

        def _send_whole(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send_file(self, served: Served, drop_after: int | None) -> None:
            body, total = served.body, len(served.body)
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if match and server.faults.ranges and served.status == 200:
                start = int(match.group(1))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
            else:
                self.send_response(served.status)
            if server.faults.ranges:
                self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Type", served.content_type)
            self.send_header("Content-Length", str(total - start))
            self.send_header("ETag", '"v1"')
            self.end_headers()
            end = total if server.faults.truncate_at is None else min(total, server.faults.truncate_at)
            if drop_after is not None:
                end = min(end, start + drop_after)
            self.wfile.write(body[start:end])
            if end < total:  # cut the connection short, as a network failure would
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

    return Handler


@pytest.fixture
def http_files():
    """A running FileServer on a free port of 127.0.0.1."""
    server = FileServer(base_url="")
    with serving(_handler_for(server), "http-files") as url:
        server.base_url = url
        yield server
