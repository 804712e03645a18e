"""Feed recorded real AWS answers (shared/realworld/placebo) to a collector through botocore hooks.

Each recording directory is one sequence of calls against one real account. `replay` answers the
operations a collector makes from that directory; an operation the directory has no answer for
is denied (AccessDenied), so every value the collector ends up with came from a real response
or is marked unreadable. The recordings live outside the repository: tests skip without them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parent.parent
PAGE_TOKENS = {"NextToken", "nextToken", "Marker", "NextMarker", "LastEvaluatedTableName", "PaginationToken"}

Match = Callable[[dict[str, Any], dict[str, Any]], bool]


def placebo_root() -> Path | None:
    for parent in [REPO, *REPO.parents]:
        candidate = parent / "shared" / "realworld" / "placebo"
        if candidate.is_dir():
            return candidate
    return None


def decode(value: Any) -> Any:
    """Placebo stores datetimes as {"__class__": "datetime", "year": ...}."""
    if isinstance(value, dict):
        if value.get("__class__") == "datetime":
            parts = {k: int(value.get(k, 0)) for k in ("year", "month", "day", "hour", "minute", "second")}
            return datetime(**parts, microsecond=int(value.get("microsecond", 0)), tzinfo=UTC)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def load(path: Path) -> tuple[int, dict[str, Any]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return int(raw.get("status_code", 200)), decode(raw.get("data") or {})


def directories(*operations: str) -> list[Path]:
    """Recording directories holding at least one answer to any of `prefix.Operation`."""
    root = placebo_root()
    if root is None:
        pytest.skip("shared/realworld recordings are not available")
    found = {p.parent for op in operations for p in root.glob(f"*/{op}_*.json")}
    return sorted(found)


def files(directory: Path, operation: str) -> list[Path]:
    return sorted(directory.glob(f"{operation}_*.json"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))


def every_answer(operation: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every recorded successful answer of one operation, across all recordings."""
    for directory in directories(operation):
        for path in files(directory, operation):
            status, data = load(path)
            if status == 200:
                yield path, data


def replay(
    events: Any,
    directory: Path,
    prefix: str,
    event_service: str,
    operations: list[str],
    *,
    match: dict[str, Match] | None = None,
    synthesize: dict[str, Callable[[], dict[str, Any]]] | None = None,
) -> dict[str, int]:
    """Answer `operations` of one service from one recording directory; returns calls per operation.

    `match[op](api_params, data)` picks the recorded answer that fits the request (e.g. the
    DescribeTable of the table asked for); otherwise answers are served in recorded order, the
    last one repeated without its pagination token. An operation with no recording is answered
    by `synthesize[op]()` if given, else denied."""
    calls: dict[str, int] = {}
    match = match or {}
    synthesize = synthesize or {}

    def stash(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["svc_api_params"] = dict(params)

    for op in operations:
        recorded = [load(p) for p in files(directory, f"{prefix}.{op}")]
        events.register(f"before-parameter-build.{event_service}.{op}", stash)
        events.register(
            f"before-call.{event_service}.{op}", _answer(op, recorded, match.get(op), synthesize.get(op), calls)
        )
    return calls


def _answer(
    op: str,
    recorded: list[tuple[int, dict[str, Any]]],
    match: Match | None,
    synthesize: Callable[[], dict[str, Any]] | None,
    calls: dict[str, int],
) -> Callable[..., tuple[AWSResponse, dict[str, Any]]]:
    def answer(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        n = calls.get(op, 0)
        calls[op] = n + 1
        params = context.get("svc_api_params") or {}
        if not recorded:
            if synthesize is not None:
                return AWSResponse("", 200, {}, None), synthesize()
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not in this recording"}, "ResponseMetadata": {}}, op
            )
        if match is not None:
            fitting = [r for r in recorded if r[0] == 200 and match(params, r[1])]
            if not fitting:
                raise ClientError(
                    {"Error": {"Code": "ResourceNotFoundException", "Message": "not recorded"}, "ResponseMetadata": {}},
                    op,
                )
            status, data = fitting[0]
        else:
            status, data = recorded[min(n, len(recorded) - 1)]
            if n >= len(recorded) - 1:
                data = {k: v for k, v in data.items() if k not in PAGE_TOKENS}
        if status != 200:
            error = dict(data.get("Error") or {"Code": str(status)})
            raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, op)
        return AWSResponse("", 200, {}, None), data

    return answer
