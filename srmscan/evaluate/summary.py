"""Grouping and counting for reporters, done in Python where it is tested, not in templates."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from srmscan.model import ErrorKind, Finding, Layer, Owner, Severity, Status

OWNER_ORDER = [Owner.CUSTOMER, Owner.SHARED, Owner.AWS]
SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
STATUS_ORDER = [Status.FAIL, Status.UNKNOWN, Status.PASS, Status.MUTED, Status.INFO]
LAYER_ORDER = list(Layer)


def counts(findings: list[Finding]) -> dict[str, Any]:
    """Counts by status, by owner × status, and failing by owner × severity."""
    by_status = Counter(str(f.status) for f in findings)
    by_owner: dict[str, Counter[str]] = defaultdict(Counter)
    failing: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        by_owner[str(f.owner)][str(f.status)] += 1
        if f.status is Status.FAIL:
            failing[str(f.owner)][str(f.severity)] += 1
    return {
        "total": len(findings),
        "by_status": {str(s): by_status.get(str(s), 0) for s in STATUS_ORDER},
        "by_owner": {str(o): {str(s): by_owner[str(o)].get(str(s), 0) for s in STATUS_ORDER} for o in OWNER_ORDER},
        "failing_by_owner_severity": {
            str(o): {str(s): failing[str(o)].get(str(s), 0) for s in SEVERITY_ORDER} for o in OWNER_ORDER
        },
    }


def failing_by_team(findings: list[Finding]) -> list[tuple[str, int]]:
    teams = Counter((f.team or "(no owner tag)") for f in findings if f.status is Status.FAIL)
    return teams.most_common()


def grouped(findings: list[Finding]) -> list[tuple[str, list[tuple[str, list[tuple[str, list[Finding]]]]]]]:
    """owner -> layer -> service -> findings, in the report's reading order."""
    tree: dict[str, dict[str, dict[str, list[Finding]]]] = {}
    for f in findings:
        tree.setdefault(str(f.owner), {}).setdefault(str(f.layer), {}).setdefault(f.service, []).append(f)
    out = []
    for owner in OWNER_ORDER:
        layers = tree.get(str(owner), {})
        out.append(
            (
                str(owner),
                [(str(layer), sorted(layers[str(layer)].items())) for layer in LAYER_ORDER if str(layer) in layers],
            )
        )
    return out


ERROR_KIND_LABELS = {
    ErrorKind.ACCESS_DENIED: "Access denied",
    ErrorKind.UNSUPPORTED: "API not supported by the endpoint",
    ErrorKind.THROTTLED: "Throttled (retries exhausted)",
    ErrorKind.REGION_DISABLED: "Region disabled or credentials not valid there",
    ErrorKind.EXPIRED_CREDENTIALS: "Credentials expired",
    ErrorKind.NOT_SUBSCRIBED: "Needs a subscription or support plan",
    ErrorKind.SERVICE_ERROR: "Service error (5xx)",
    ErrorKind.CONNECTION: "Could not connect",
    ErrorKind.OTHER: "Other error",
}
