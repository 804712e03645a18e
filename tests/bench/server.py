"""moto_server with a request counter in front, for cross-checking the scanner's own call count.

Run as `python -m tests.bench.server PORT`. It serves moto's normal WSGI app on 127.0.0.1 only and
counts every HTTP request (so retries count too) by (service, operation), read from the SigV4
credential scope and the protocol's operation marker (X-Amz-Target, the query `Action`, or for REST
protocols the method and the first path segment). `GET /__bench/counts` returns the counts as JSON,
`POST /__bench/reset` zeroes them (the bench resets after seeding, so only the scan is counted).

Counting at the server is independent of srmscan's choke point and of botocore's hooks: if all three
agree, no call escaped the count.
"""

from __future__ import annotations

import io
import json
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class Counting:
    """WSGI middleware: counts requests, then hands them to moto unchanged."""

    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__bench/"):
            return self._control(environ, start_response, path)
        body = b""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        key = _operation(environ, body)
        with self.lock:
            self.counts[key] += 1
        return _unknown_operation_for_crashes(self.app, environ, start_response)

    def _control(self, environ: Environ, start_response: StartResponse, path: str) -> Iterable[bytes]:
        with self.lock:
            if path == "/__bench/reset":
                self.counts.clear()
            payload = json.dumps(dict(self.counts)).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


def _unknown_operation_for_crashes(
    app: Callable[[Environ, StartResponse], Iterable[bytes]], environ: Environ, start_response: StartResponse
) -> Iterable[bytes]:
    """moto answers an operation it lacks (or crashes on) with an HTML 500, which botocore retries
    with back-off: seconds of waiting that real AWS, which has the operation, never causes, and
    that would swamp the latency run's chain bound. Answer those once, at once, with the
    non-retryable 400 AWS gives for an operation it does not know; the scan records it as an
    error either way (the result is the same `unknown`)."""
    seen: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
        seen.update(status=status, headers=headers)
        return lambda _data: None

    try:
        chunks = list(app(environ, capture))
    except Exception:  # moto's NotImplementedError and crashes alike, which werkzeug would 500
        chunks, seen["status"] = [], "500 crashed"
    status, headers = seen.get("status", "500 crashed"), seen.get("headers", [])
    html = any(k.lower() == "content-type" and "html" in v for k, v in headers)
    if not (status.startswith("500") and (html or status == "500 crashed")):
        start_response(status, headers)
        return chunks
    message = "The operation is not available on this endpoint (moto lacks it)"
    if environ.get("HTTP_X_AMZ_TARGET") or "json" in environ.get("CONTENT_TYPE", "") or not _query_protocol(environ):
        payload = json.dumps({"__type": "UnknownOperationException", "message": message}).encode()
        out = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "UnknownOperationException")]
    else:
        payload = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>{message}</Message>"
            "</Error><RequestId>bench</RequestId></ErrorResponse>"
        ).encode()
        out = [("Content-Type", "text/xml")]
    start_response("400 Bad Request", [*out, ("Content-Length", str(len(payload)))])
    return [payload]


def _query_protocol(environ: Environ) -> bool:
    """A query/EC2-protocol request (form-encoded `Action`), whose errors are XML."""
    return "Action=" in environ.get("QUERY_STRING", "") or environ.get("CONTENT_TYPE", "").startswith(
        "application/x-www-form-urlencoded"
    )


def _operation(environ: Environ, body: bytes) -> str:
    """`service Operation` as well as the request shows it; REST calls fall back to `METHOD /segment`."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _SCOPE.search(auth)
    service = match.group(2) if match else "?"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service} {target.rsplit('.', 1)[-1]}"
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return f"{service} {query['Action'][0]}"
    if body and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return f"{service} {form['Action'][0]}"
    # REST protocols (S3, Lambda, ...): per-service totals are what the cross-check needs; the
    # operation breakdown comes from the client-side hook.
    sub = ",".join(sorted(k for k in query if not k.lower().startswith("x-amz")))
    return f"{service} {environ.get('REQUEST_METHOD', '?')}{' ?' + sub if sub else ''}"


def main(argv: list[str]) -> None:
    port = int(argv[1])
    app = Counting(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
