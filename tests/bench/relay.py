"""A latency relay for the benchmark: every request waits a fixed delay, then goes to moto_server.

Real AWS answers in tens to hundreds of milliseconds, moto in a few, so a scan against moto hides
how much of its time is waiting. The relay listens on 127.0.0.1 only, forwards each request to
one upstream on 127.0.0.1, and stops by itself after `max_requests` requests or `max_seconds`,
whichever comes first (the bench also stops it when the run ends).
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


class Relay:
    """`with Relay(upstream_port, delay_s=0.08) as relay:` then send requests to relay.url."""

    def __init__(
        self, upstream_port: int, *, delay_s: float, max_requests: int = 200_000, max_seconds: float = 900.0
    ) -> None:
        self.upstream_port = upstream_port
        self.delay_s = delay_s
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="bench-relay", daemon=True)
        self._timer = threading.Timer(max_seconds, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Relay:
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def _count(self) -> bool:
        with self._lock:
            self.requests += 1
            over = self.requests > self.max_requests
        if over:
            threading.Thread(target=self.stop, daemon=True).start()
        return not over

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _relay(self) -> None:
                if not relay._count():
                    self.send_error(503, "relay request limit reached")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                time.sleep(relay.delay_s)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn = http.client.HTTPConnection("127.0.0.1", relay.upstream_port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    self.send_response(resp.status, resp.reason)
                    for k, v in resp.getheaders():
                        if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _relay

        return Handler
