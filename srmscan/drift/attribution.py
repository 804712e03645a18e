"""Attribution: for a failing configuration finding, the most recent CloudTrail event that could
have caused it — who (principal ARN, session), when (UTC), from where (IP, user agent) and what
(request parameters, secrets redacted).

Which event names can cause which rule's failure is data (`rules/data/attribution.toml`), read
from the rule set's tables so a `--rules-dir` can extend it. Lookups are budgeted and
rate-limited (see srmscan.collect.cloudtrail_events); every failing finding we did not look up
says why in `finding.attribution`, and the scan's notes count them. An attribution is a lead,
not proof: the newest matching event is the last change of that kind, which may not be the one
that made the resource fail.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from srmscan.collect.cloudtrail_events import EventLookup, LookupResult, RateLimiter
from srmscan.collect.context import Collection
from srmscan.collect.session import AwsSession
from srmscan.model import ACCOUNT_TYPE, GLOBAL_REGION, Finding, Layer, Severity, Status

LOOKBACK_DAYS = 90
DEFAULT_MAX_LOOKUPS = 40  # LookupEvents calls per run: 20 s per region at 2 calls/s
CONFIG_LAYERS = (Layer.SERVICE_CONFIG, Layer.IAM, Layer.DATA)
_GLOBAL_HOME = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


@dataclass(frozen=True)
class EventMapEntry:
    rules: tuple[str, ...]
    events: tuple[str, ...]
    lookup: str  # "resource" | "event"


def event_map(tables: dict[str, Any]) -> list[EventMapEntry]:
    """Entries of the `attribution` table; malformed entries are skipped rather than guessed."""
    out = []
    for raw in (tables.get("attribution") or {}).get("attribution", []) or []:
        if not isinstance(raw, dict):
            continue
        rules = tuple(str(r) for r in raw.get("rules", []) if isinstance(r, str))
        events = tuple(str(e) for e in raw.get("events", []) if isinstance(e, str))
        lookup = raw.get("lookup", "resource")
        if rules and events and lookup in ("resource", "event"):
            out.append(EventMapEntry(rules, events, lookup))
    return out


def entry_for(rule_id: str, entries: list[EventMapEntry]) -> EventMapEntry | None:
    exact = next((e for e in entries if rule_id in e.rules), None)
    if exact is not None:
        return exact
    return next((e for e in entries if any(fnmatch.fnmatchcase(rule_id, p) for p in e.rules)), None)


def event_name_matches(name: str | None, wanted: Iterable[str]) -> bool:
    """Exact, or the wanted name followed by a version suffix (Lambda: AddPermission20150331v2)."""
    if not name:
        return False
    return any(name == w or (name.startswith(w) and name[len(w) : len(w) + 1].isdigit()) for w in wanted)


def real_status(f: Finding) -> Status:
    if f.status is Status.MUTED and f.mute:
        try:
            return Status(str(f.mute.get("status")))
        except ValueError:
            return Status.UNKNOWN
    return f.status


def is_candidate(f: Finding) -> bool:
    """A failing (possibly muted) finding about configuration we set, on a real resource."""
    return real_status(f) is Status.FAIL and f.layer in CONFIG_LAYERS and f.resource_id != "*"


def lookup_region(region: str, partition: str, fallback: str) -> str:
    """CloudTrail records global services (IAM, s3control, STS) in the partition's home region."""
    if region in (GLOBAL_REGION, ""):
        return _GLOBAL_HOME.get(partition, fallback)
    return region


def lookup_name(f: Finding) -> str:
    """The ResourceName CloudTrail records for the resource.

    EC2 events name resources by id (i-..., sg-..., subnet-...): a Name tag never matches. Other
    services name them by their name (bucket, function, role, DB identifier).
    """
    if f.resource_type.startswith("AWS::EC2::"):
        return f.resource_id
    return f.resource_name or f.resource_id


def _mentions(event: dict[str, Any], finding: Finding) -> bool:
    names = {n for n in (finding.resource_id, finding.resource_name, finding.resource_arn) if n}
    if any(r in names for r in event.get("resources") or []):
        return True
    params = json.dumps(event.get("request_parameters"), default=str)
    return any(json.dumps(n)[1:-1] in params for n in names)


@dataclass
class AttributionOutcome:
    findings: list[Finding]
    looked_up: int
    found: int
    not_looked_up: dict[str, int]
    calls: int

    def notes(self) -> list[str]:
        out = [
            f"Attribution: {self.found} of {self.looked_up} failing configuration finding(s) looked up in CloudTrail "
            f"have a matching event in the last {LOOKBACK_DAYS} days ({self.calls} LookupEvents calls)."
        ]
        for reason, n in sorted(self.not_looked_up.items()):
            out.append(f"Attribution: {n} failing finding(s) not looked up: {reason}.")
        return out


def attribute_findings(
    c: Collection,
    findings: list[Finding],
    entries: list[EventMapEntry],
    *,
    now: datetime,
    max_lookups: int = DEFAULT_MAX_LOOKUPS,
    limiter: RateLimiter | None = None,
) -> AttributionOutcome:
    """Attach `attribution` to each candidate finding; most severe, unmuted findings first."""
    lookup = EventLookup(
        c, start=now - timedelta(days=LOOKBACK_DAYS), end=now, budget=max_lookups, limiter=limiter or RateLimiter()
    )
    order = sorted(
        (i for i, f in enumerate(findings) if is_candidate(f)),
        key=lambda i: (findings[i].status is Status.MUTED, -Severity(findings[i].severity).rank, findings[i].id),
    )
    out = list(findings)
    skipped: dict[str, int] = {}
    looked_up = found = 0
    for i in order:
        f = findings[i]
        entry = entry_for(f.rule_id, entries)
        if entry is None:
            reason = "no CloudTrail event names are mapped to its rule"
            out[i] = replace(f, attribution={"status": "not_looked_up", "reason": reason})
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        result = _lookup_one(lookup, c, f, entry)
        info = _attribution(result, entry, f)
        if result.status == "skipped":
            skipped[result.reason or "skipped"] = skipped.get(result.reason or "skipped", 0) + 1
        else:
            looked_up += 1
            found += result.status == "found"
        out[i] = replace(f, attribution=info)
    return AttributionOutcome(out, looked_up, found, skipped, lookup.calls)


def _lookup_one(lookup: EventLookup, c: Collection, f: Finding, entry: EventMapEntry) -> LookupResult:
    region = lookup_region(f.region, c.partition, c.home_region)
    if entry.lookup == "resource":
        name = lookup_name(f)
        return lookup.latest(region, "ResourceName", name, lambda e: event_name_matches(e["event_name"], entry.events))
    # By event name: one cursor per name; the newest match across them wins.
    account_wide = f.resource_type == ACCOUNT_TYPE
    results: list[LookupResult] = []
    for name in entry.events:
        res = lookup.latest(region, "EventName", name, lambda e: account_wide or _mentions(e, f))
        results.append(res)
        if res.status == "skipped":
            break
    found = [r for r in results if r.status == "found" and r.event is not None]
    if found:
        return max(found, key=lambda r: str((r.event or {}).get("event_time") or ""))
    for res in results:
        if res.status in ("error", "skipped"):
            return res
    reason = next((r.reason for r in results if r.reason), None)
    return LookupResult("none", reason=reason, complete=all(r.complete for r in results))


def _attribution(result: LookupResult, entry: EventMapEntry, f: Finding) -> dict[str, Any]:
    searched = {"events": list(entry.events), "lookup": entry.lookup, "days": LOOKBACK_DAYS}
    if result.status == "found" and result.event is not None:
        event = {k: v for k, v in result.event.items() if k != "error_code"}
        return {"status": "found", **event, "searched": searched}
    if result.status == "none":
        reason = result.reason or f"no matching event in the last {LOOKBACK_DAYS} days"
        return {"status": "none", "reason": reason, "complete": result.complete, "searched": searched}
    if result.status == "skipped":
        return {"status": "not_looked_up", "reason": result.reason}
    return {"status": "error", "reason": f"CloudTrail lookup failed: {result.reason}", "searched": searched}


def attribute_with_session(
    aws: AwsSession,
    findings: list[Finding],
    tables: dict[str, Any],
    *,
    account_id: str,
    partition: str,
    regions: list[str],
    now: datetime | None = None,
    max_lookups: int = DEFAULT_MAX_LOOKUPS,
) -> AttributionOutcome:
    """Open a Collection on the scanner's session (so errors are data) and attribute."""
    c = Collection(aws, account_id, partition, regions)
    try:
        return attribute_findings(c, findings, event_map(tables), now=now or datetime.now(UTC), max_lookups=max_lookups)
    finally:
        c.close()
