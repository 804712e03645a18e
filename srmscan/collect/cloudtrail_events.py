"""CloudTrail LookupEvents for attribution: who made the change a failing finding points at.

Not a collector (it runs after evaluation, for failing findings only), but it talks to AWS, so
it lives here and calls through the `Collection` choke point: failures become recorded errors,
never exceptions. LookupEvents is limited by AWS to 2 calls per second per account and region;
`RateLimiter` keeps us under that on the client side, and `EventLookup` spends a fixed budget of
calls so a large account cannot turn a scan into minutes of lookups.

moto does not implement LookupEvents: the tests use botocore's Stubber with recorded event shapes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from srmscan.collect.context import Collection
from srmscan.collect.registry import declare_actions
from srmscan.model import ErrorKind
from srmscan.redact import scrub

declare_actions("attribution", ["cloudtrail:LookupEvents"])

LOOKUPS_PER_SECOND = 2.0
PAGE_SIZE = 50  # the API maximum
_MAX_EVENT_JSON = 200_000  # a CloudTrailEvent is at most ~100 KB; anything larger is not trusted
_MAX_PARAMS_JSON = 4_000
_MAX_TEXT = 300
_REGION_FATAL = {
    ErrorKind.ACCESS_DENIED,
    ErrorKind.UNSUPPORTED,
    ErrorKind.REGION_DISABLED,
    ErrorKind.EXPIRED_CREDENTIALS,
}


class RateLimiter:
    """At most `per_second` calls per key (region), spaced evenly; thread-safe, clock injectable."""

    def __init__(
        self,
        per_second: float = LOOKUPS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(key, now))
            self._next[key] = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


@dataclass
class LookupResult:
    """`found` (event set), `none` (searched, nothing matched), `skipped` (budget), `error`."""

    status: str
    event: dict[str, Any] | None = None
    reason: str | None = None
    complete: bool = True


@dataclass
class _Cursor:
    events: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None
    pages: int = 0
    exhausted: bool = False
    error: str | None = None


class EventLookup:
    """Pages of LookupEvents per (region, attribute, value), fetched lazily and cached.

    Several findings on one bucket share the bucket's pages; each finding filters them for the
    event names that could have caused it. `budget` counts LookupEvents calls for the whole run.
    """

    def __init__(
        self,
        c: Collection,
        *,
        start: datetime,
        end: datetime,
        budget: int,
        max_pages: int = 3,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.c = c
        self.start = start
        self.end = end
        self.budget = max(0, budget)
        self.max_pages = max(1, max_pages)
        self.limiter = limiter or RateLimiter()
        self.calls = 0
        self._cursors: dict[tuple[str, str, str], _Cursor] = {}
        # A region where LookupEvents is denied or unsupported answers the same for every lookup:
        # stop spending calls (and rate-limit time) there after the first such error.
        self._dead_regions: dict[str, str] = {}
        self._lock = threading.Lock()

    def latest(
        self, region: str, attribute: str, value: str, matches: Callable[[dict[str, Any]], bool]
    ) -> LookupResult:
        """The newest successful event under (attribute = value) that `matches` accepts."""
        cursor = self._cursors.setdefault((region, attribute, value), _Cursor())
        seen = 0
        while True:
            for raw in cursor.events[seen:]:
                event = parse_event(raw)
                if event is not None and not event.get("error_code") and matches(event):
                    return LookupResult("found", event=event)
            seen = len(cursor.events)
            if cursor.error:
                return LookupResult("error", reason=cursor.error)
            if cursor.exhausted:
                return LookupResult("none", complete=True)
            if cursor.pages >= self.max_pages:
                return LookupResult(
                    "none",
                    complete=False,
                    reason=f"no match in the newest {len(cursor.events)} events for {attribute}={value}",
                )
            if region in self._dead_regions:
                return LookupResult("error", reason=self._dead_regions[region])
            if not self._spend():
                return LookupResult("skipped", reason=f"lookup budget of {self.budget} LookupEvents calls used up")
            self._fetch(region, attribute, value, cursor)

    def _spend(self) -> bool:
        with self._lock:
            if self.calls >= self.budget:
                return False
            self.calls += 1
            return True

    def _fetch(self, region: str, attribute: str, value: str, cursor: _Cursor) -> None:
        params: dict[str, Any] = {
            "LookupAttributes": [{"AttributeKey": attribute, "AttributeValue": value}],
            "StartTime": self.start,
            "EndTime": self.end,
            "MaxResults": PAGE_SIZE,
        }
        if cursor.token:
            params["NextToken"] = cursor.token
        self.limiter.wait(region)
        answer = self.c.call("cloudtrail", region, "LookupEvents", **params)
        cursor.pages += 1
        if answer.error is not None:
            cursor.error = answer.error.reason
            if answer.error.kind in _REGION_FATAL:
                self._dead_regions[region] = answer.error.reason
            return
        data = answer.data or {}
        cursor.events.extend(e for e in data.get("Events", []) or [] if isinstance(e, dict))
        cursor.token = data.get("NextToken") or None
        cursor.exhausted = cursor.token is None


def parse_event(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The attribution facts of one LookupEvents item; None when its CloudTrailEvent is unusable.

    Untrusted text: sizes are capped and the request parameters pass through `scrub`, so a
    password or key in a request (CreateLoginProfile, a policy with a key in it) is never output.
    """
    detail_text = raw.get("CloudTrailEvent")
    detail: dict[str, Any] = {}
    if isinstance(detail_text, str) and len(detail_text) <= _MAX_EVENT_JSON:
        try:
            loaded = json.loads(detail_text)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            detail = loaded
    if not detail and not raw.get("EventName"):
        return None
    identity = _dict(detail.get("userIdentity"))
    issuer = _dict(_dict(identity.get("sessionContext")).get("sessionIssuer"))
    principal = _text(identity.get("arn"))
    return {
        "event_name": _text(detail.get("eventName") or raw.get("EventName")),
        "event_time": _utc(detail.get("eventTime") or raw.get("EventTime")),
        "event_id": _text(detail.get("eventID") or raw.get("EventId")),
        "event_source": _text(detail.get("eventSource") or raw.get("EventSource")),
        "aws_region": _text(detail.get("awsRegion")),
        "principal_arn": principal,
        "principal_type": _text(identity.get("type")),
        "role_arn": _text(issuer.get("arn")),
        "session_name": _session_name(principal, identity) or _text(raw.get("Username")),
        "invoked_by": _text(identity.get("invokedBy")),
        "source_ip": _text(detail.get("sourceIPAddress")),
        "user_agent": _text(detail.get("userAgent")),
        "request_parameters": _params(detail.get("requestParameters")),
        "resources": [_text(r.get("ResourceName")) for r in (raw.get("Resources") or []) if isinstance(r, dict)][:20],
        "error_code": _text(detail.get("errorCode")),
    }


def _session_name(principal: str | None, identity: dict[str, Any]) -> str | None:
    """`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` names the session; IAM users have none."""
    if principal and ":assumed-role/" in principal:
        parts = principal.split("/", 2)
        if len(parts) == 3:
            return parts[2][:_MAX_TEXT]
    if identity.get("type") == "IAMUser":
        return _text(identity.get("userName"))
    return None


def _params(value: Any) -> Any:
    if value is None:
        return None
    cleaned = scrub(value)
    text = json.dumps(cleaned, default=str)
    if len(text) <= _MAX_PARAMS_JSON:
        return cleaned
    keys = sorted(str(k) for k in cleaned) if isinstance(cleaned, dict) else []
    return {"truncated": True, "size": len(text), "keys": keys[:50]}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)[:_MAX_TEXT]


def _utc(value: Any) -> str | None:
    """ISO 8601 in UTC with a Z, whatever shape the time came in (datetime or string)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return _text(value)
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
