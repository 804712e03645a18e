"""Shape validation for the replay harness: every canned answer must be one real AWS could send.

A canned answer is checked against the botocore output shape of its operation with botocore's own
validator (the one `Stubber` uses), so a scenario cannot invent a member or a type AWS does not
return. Recorded responses (under /work/shared/realworld/) are read back here too, in botocore's
parsed types. Kept apart from the scenario and the hooks because it depends on botocore's models
only: the rule "what AWS can answer" should not change with how a scenario is stated.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

REALWORLD = Path("/work/shared/realworld")

_BOTOCORE = botocore.session.get_session()
_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()


def service_model(service: str) -> Any:
    with _MODELS_LOCK:
        if service not in _MODELS:
            _MODELS[service] = _BOTOCORE.get_service_model(service)
        return _MODELS[service]


def paginator_config(service: str, operation: str) -> dict[str, Any] | None:
    """botocore's paginator definition for an operation (paginators-1.json), or None."""
    try:
        return dict(_BOTOCORE.get_paginator_model(service).get_paginator(operation))
    except (ValueError, KeyError, Exception):  # no paginators file or no paginator for this operation
        return None


# None is never a parsed member value except where a botocore handler sets it: GetBucketLocation's
# handler parses `<LocationConstraint/>` (us-east-1) into None (botocore/handlers.py).
_NONE_ALLOWED = {("s3", "GetBucketLocation", "LocationConstraint")}


class ShapeError(AssertionError):
    """A canned answer that real AWS could not have sent (botocore's validator rejected it)."""


# Output constraints real AWS does not keep: it leaves out members the model calls required (the
# root user's MFA device has no UserName) and answers strings shorter than the model's minimum (an
# Auto Scaling group outside a VPC has VPCZoneIdentifier ""). Recordings are checked without them.
_LENIENT = ("Missing required parameter", "Invalid length for parameter")


def validate(service: str, operation: str, response: dict[str, Any], *, recorded: bool = False) -> None:
    """Raise ShapeError unless `response` fits the output shape of `service.operation`.

    `recorded=True` (a response AWS really sent) accepts what AWS is known to send outside the
    model's output constraints; unknown members and wrong types are rejected either way."""
    model = service_model(service)
    if operation not in model.operation_names:
        raise ShapeError(f"{service} has no operation {operation}")
    shape = model.operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    for key in [k for k, v in body.items() if v is None]:
        if (service, operation, key) not in _NONE_ALLOWED and not recorded:
            raise ShapeError(f"{service}.{operation}: member {key} is None, which botocore never parses")
        del body[key]
    if shape is None:
        if body:
            raise ShapeError(f"{service}.{operation} returns no members, got {sorted(body)}")
        return
    try:
        validate_parameters(body, shape)
    except ParamValidationError as exc:
        problems = [line for line in str(exc).splitlines()[1:] if line.strip()]
        if recorded:
            problems = [p for p in problems if not p.strip().startswith(_LENIENT)]
        if problems or not recorded:
            raise ShapeError(
                f"{service}.{operation}: " + "; ".join(p.strip() for p in problems or [str(exc)])
            ) from None


def minimal(shape: Any) -> Any:
    """The smallest value of a shape that passes validation: required members only, emptied."""
    kind = shape.type_name
    if kind == "structure":
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return []
    if kind == "map":
        return {}
    if kind in ("integer", "long"):
        return 0
    if kind in ("float", "double"):
        return 0.0
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime(2026, 1, 1, tzinfo=UTC)
    if kind == "blob":
        return b""
    enum = shape.metadata.get("enum")
    return enum[0] if enum else ""


def _revive(value: Any) -> Any:
    """Recorded JSON back into botocore's parsed types (datetimes are stored as tagged dicts)."""
    if isinstance(value, dict):
        if value.get("__class__") == "datetime":
            return datetime(
                value["year"],
                value["month"],
                value["day"],
                value.get("hour", 0),
                value.get("minute", 0),
                value.get("second", 0),
                value.get("microsecond", 0),
                tzinfo=UTC,
            )
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def recording(path: str) -> tuple[int, dict[str, Any]]:
    """(status code, parsed data) of one recorded response, path relative to the realworld folder."""
    raw = json.loads((REALWORLD / path).read_text(encoding="utf-8"))
    return int(raw.get("status_code", 200)), _revive(raw.get("data") or {})


def minimal_answer(service: str, operation: str) -> dict[str, Any]:
    shape = service_model(service).operation_model(operation).output_shape
    return minimal(shape) if shape is not None else {}
