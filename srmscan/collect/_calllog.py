"""`-v`: one log line per AWS call, retry and throttle, through botocore's event hooks.

Only names go into a line: service, operation, region, HTTP status, retry count and AWS error
code. Never parameters, bodies or error messages, which can carry values (a Lambda environment,
a secret) that must not reach a log.
"""

from __future__ import annotations

import logging
from typing import Any

LOG = logging.getLogger("srmscan.calls")
# Error codes AWS uses for throttling (botocore's retry handler treats these as throttles).
THROTTLES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
}


def _where(model: Any, context: Any) -> str:
    service = getattr(getattr(model, "service_model", None), "service_name", "?")
    region = (context or {}).get("client_region") or "?"
    return f"{service}.{getattr(model, 'name', '?')} {region}"


def _after_call(
    http_response: Any = None, parsed: Any = None, model: Any = None, context: Any = None, **_: Any
) -> None:
    meta = parsed.get("ResponseMetadata", {}) if isinstance(parsed, dict) else {}
    status = meta.get("HTTPStatusCode") or getattr(http_response, "status_code", "?")
    retries = meta.get("RetryAttempts") or 0
    code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
    tail = f" {code}" if code else ""
    LOG.info("call %s -> %s%s%s", _where(model, context), status, tail, f" after {retries} retries" if retries else "")


def _needs_retry(
    response: Any = None,
    operation: Any = None,
    attempts: int = 0,
    caught_exception: Exception | None = None,
    request_dict: Any = None,
    **_: Any,
) -> None:
    # Observes only: returns None, so botocore's own retry handler still decides.
    code = None
    if caught_exception is not None:
        code = type(caught_exception).__name__
    elif response is not None and isinstance(response[1], dict):
        code = response[1].get("Error", {}).get("Code")
    if not code:
        return
    context = (request_dict or {}).get("context")
    kind = "throttled" if code in THROTTLES else "failed"
    LOG.info("%s %s attempt %d: %s", kind, _where(operation, context), attempts, code)


def log_calls(events: Any) -> None:
    """Register the `-v` hooks on a botocore event emitter (`AwsSession.events`)."""
    events.register("after-call", _after_call, unique_id="srmscan-calllog-after")
    events.register("needs-retry", _needs_retry, unique_id="srmscan-calllog-retry")
