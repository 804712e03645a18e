"""The benchmark's latency relay: it delays, forwards faithfully, and stops by itself."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.bench.relay import Relay


class _Echo(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        reply = self.path.encode() + b"|" + body
        self.send_response(201)
        self.send_header("X-Upstream", "yes")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


@pytest.fixture()
def upstream() -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _post(url: str, data: bytes) -> tuple[int, bytes, str | None]:
    req = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.read(), resp.headers.get("X-Upstream")


def test_relay_forwards_after_the_delay(upstream: int) -> None:
    with Relay(upstream, delay_s=0.2) as relay:
        started = time.monotonic()
        status, body, header = _post(relay.url + "/a?b=1", b"payload")
        elapsed = time.monotonic() - started
    assert (status, body, header) == (201, b"/a?b=1|payload", "yes")
    assert elapsed >= 0.2
    assert relay.url.startswith("http://127.0.0.1:")


def test_relay_stops_after_its_request_limit(upstream: int) -> None:
    with Relay(upstream, delay_s=0.0, max_requests=1) as relay:
        assert _post(relay.url + "/one", b"x")[0] == 201
        with pytest.raises((urllib.error.HTTPError, urllib.error.URLError, ConnectionError)):
            _post(relay.url + "/two", b"x")
