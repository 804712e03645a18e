"""Fault injection for the scanner's botocore session, at the layer each fault really happens.

Where a hook sits decides what botocore does with the fault:

* `before-call.<service>.<Op>` runs in `BaseClient._make_api_call` *before* the request is sent
  and *outside* the retry loop. An exception raised there reaches srmscan's choke point
  directly: right for "the final answer was AccessDenied / ExpiredToken / InvalidClientTokenId",
  and for the outcome of a throttle that never cleared, but botocore's retry handler never sees it.
* `before-send.<service>.<Op>` runs inside `Endpoint._send_request`'s retry loop, in place of
  the HTTP send. A handler that returns an `AWSResponse` short-circuits the network, and the
  response is parsed and handed to the `needs-retry` handler exactly like a real one, so
  botocore's adaptive/standard retry (throttling detection, back-off, retry quota) really runs.
  moto's in-process mock answers on the same event, so these handlers are registered with
  `register_first` to run before moto's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

Op = tuple[str, str]  # (event service name, e.g. "s3-control" / "config-service"; operation name)


class _Raw:
    """The minimal raw stream botocore reads a short-circuited response body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._body


def _cbor_text(value: str) -> bytes:
    data = value.encode("utf-8")
    assert len(data) < 256
    return (bytes([0x60 | len(data)]) if len(data) < 24 else bytes([0x78, len(data)])) + data


def error_body(protocol: str, code: str, message: str) -> tuple[bytes, dict[str, str]]:
    """An error body in the wire format of `protocol`, and the headers botocore's parser expects."""
    if protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        return body, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
    if protocol == "ec2":
        xml = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors></Response>"
        return xml.encode(), {"Content-Type": "text/xml"}
    if protocol == "query":
        xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
        return xml.encode(), {"Content-Type": "text/xml"}
    if protocol == "rest-xml":
        return f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode(), {"Content-Type": "text/xml"}
    if protocol == "smithy-rpc-v2-cbor":
        body = bytes([0xA2]) + _cbor_text("__type") + _cbor_text(code) + _cbor_text("message") + _cbor_text(message)
        return body, {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
    raise ValueError(f"no error body for protocol {protocol}")


def protocol_of(session: Any, event_service: str) -> str:
    """The wire protocol of a service named as in event names (service id, hyphenised)."""
    for name in session.get_available_services():
        model = session._session.get_service_model(name)
        if model.service_id.hyphenize() == event_service:
            # The protocol the client really speaks: botocore picks the first of `protocols` it
            # supports (route53domains lists cbor but is spoken as json), not `protocol`.
            return str(getattr(model, "resolved_protocol", None) or model.protocol)
    raise KeyError(event_service)


def answer_with_error(
    session: Any,
    ops: Iterable[Op],
    *,
    status: int,
    code: str,
    times: int | None = None,
) -> dict[Op, int]:
    """Make each operation answer `status`/`code` on the wire `times` times (None: forever), then
    pass through to moto. Runs below botocore's retry handler. Returns attempts seen per op."""
    seen: dict[Op, int] = {}
    lock = threading.Lock()
    for op in set(ops):
        protocol = protocol_of(session, op[0])

        def handler(request: Any, _op: Op = op, _protocol: str = protocol, **_: Any) -> AWSResponse | None:
            with lock:
                seen[_op] = seen.get(_op, 0) + 1
                n = seen[_op]
            if times is not None and n > times:
                return None
            body, headers = error_body(_protocol, code, f"simulated {code}")
            return AWSResponse(request.url, status, headers, _Raw(body))

        session.events.register_first(f"before-send.{op[0]}.{op[1]}", handler)
    return seen


def raise_client_error(
    events: Any,
    event: str,
    code: str,
    status: int = 400,
    when: Callable[[dict[str, Any]], bool] | None = None,
) -> None:
    """A before-call hook raising `code` (the final answer after any retries), optionally only
    for calls where `when(kwargs)` holds, e.g. one region."""

    def hook(**kwargs: Any) -> None:
        if when is None or when(kwargs):
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": f"simulated {code}"},
                    "ResponseMetadata": {"HTTPStatusCode": status},
                },
                str(kwargs.get("event_name", "call")).rsplit(".", 1)[-1],
            )

    # First, so that it also wins over the demo's simulated answers on the same event.
    events.register_first(event, hook)


def record_calls(events: Any) -> list[tuple[str, str, str]]:
    """Record (event service, operation, region) for every API call made through `events`.

    Hooked on `before-parameter-build`, which botocore emits to every handler (not "until a
    response"), so calls that a `before-call` hook answers (the demo's simulated APIs, the
    faults injected here) are recorded too."""
    calls: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def hook(event_name: str, context: dict[str, Any] | None = None, **_: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        with lock:
            calls.append((service, operation, str((context or {}).get("client_region", ""))))

    events.register("before-parameter-build", hook)
    return calls


def respond(events: Any, event: str, parsed: dict[str, Any] | Callable[..., dict[str, Any]]) -> None:
    """Short-circuit one operation with a parsed answer (a before-call hook returns (http, parsed))."""

    def hook(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        data = parsed(**kwargs) if callable(parsed) else parsed
        return AWSResponse("https://stub", 200, {}, _Raw(b"")), {**data, "ResponseMetadata": {"HTTPStatusCode": 200}}

    events.register(event, hook)
