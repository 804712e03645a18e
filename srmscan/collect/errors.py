"""Turn whatever a call raised into (code, message, kind), so failures become data, not crashes."""

from __future__ import annotations

import re

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from srmscan.model import ErrorKind

_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "403",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
    "LimitExceeded",  # IAM's rate limit on GenerateCredentialReport (HTTP 409); srmscan only reads
}
_EXPIRED = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "TokenRefreshRequired",
}
_REGION_DISABLED = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
    "OptInRequired",
}
_UNSUPPORTED = {
    "UnknownOperationException",
    "InvalidAction",
    "NotImplemented",
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "InvalidRequest",
}
_NOT_SUBSCRIBED = {"SubscriptionRequiredException", "OptInRequiredException"}


_MAX_MESSAGE = 300
_HTML = re.compile(r"<\s*(!doctype|html|head|body|title|h1)\b", re.IGNORECASE)
_TITLE = re.compile(r"<\s*(title|h1)[^>]*>(.*?)<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def clean_message(message: str, status: object = None) -> str:
    """One short line. A proxy or load balancer in front of an endpoint may answer an error with
    an HTML page, which botocore hands over as the message: keep its status and title only."""
    if _HTML.search(message):
        title = _TITLE.search(message)
        reason = " ".join(_TAG.sub(" ", title.group(2)).split()) if title else "HTML error page"
        prefix = f"HTTP {status}: " if isinstance(status, int) else ""
        message = f"{prefix}{reason} (HTML body not kept)"
    line = " ".join(message.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"


def classify(exc: BaseException) -> tuple[str, str, ErrorKind]:
    """Map an exception from a botocore call to a stable error code and kind."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or "Unknown")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = clean_message(str(err.get("Message") or exc), status)
        if "not yet implemented" in message.lower() or "not implemented" in message.lower():
            # moto (in-process and server) answers this way for APIs it does not model.
            return code, message, ErrorKind.UNSUPPORTED
        return code, message, _kind_for_code(code, status)
    if isinstance(exc, NotImplementedError):
        # moto in-process raises this for APIs it does not model.
        return (
            "NotImplemented",
            str(exc) or "operation not implemented by the endpoint",
            ErrorKind.UNSUPPORTED,
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError):
        return "ConnectionError", str(exc), ErrorKind.CONNECTION
    if isinstance(exc, ReadTimeoutError):
        return "ReadTimeout", str(exc), ErrorKind.CONNECTION
    if isinstance(exc, NoCredentialsError):
        return "NoCredentials", str(exc), ErrorKind.EXPIRED_CREDENTIALS
    return type(exc).__name__, str(exc), ErrorKind.OTHER


# First match wins: the order is the precedence when a code could read two ways.
_KIND_BY_CODE: tuple[tuple[set[str], ErrorKind], ...] = (
    (_ACCESS_DENIED, ErrorKind.ACCESS_DENIED),
    (_THROTTLED, ErrorKind.THROTTLED),
    (_EXPIRED, ErrorKind.EXPIRED_CREDENTIALS),
    (_REGION_DISABLED, ErrorKind.REGION_DISABLED),
    (_NOT_SUBSCRIBED, ErrorKind.NOT_SUBSCRIBED),
    (_UNSUPPORTED, ErrorKind.UNSUPPORTED),
)


def _kind_for_code(code: str, status: object) -> ErrorKind:
    for codes, kind in _KIND_BY_CODE:
        if code in codes:
            return kind
    if isinstance(status, int) and status >= 500:
        return ErrorKind.SERVICE_ERROR
    if isinstance(status, int) and status == 403:
        return ErrorKind.ACCESS_DENIED
    return ErrorKind.OTHER
