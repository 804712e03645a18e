"""Reading the timestamps collectors store, for rules and evaluation helpers that judge ages.

Collectors keep AWS's timestamps as ISO 8601 text ("2026-01-10T00:00:00Z" or with an offset).
A missing or malformed value is a gap in the data, not an error of the rule, so it reads as
None and each caller says what that means (unknown, or "no date"). Ages are measured against
the scan's own timestamp (`inv.scan_time`), never the clock, so a saved inventory re-evaluated
later gives the same answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def parse_time(value: object) -> datetime | None:
    """The moment a stored timestamp names, or None when it is absent or not ISO 8601.

    A value without an offset comes back naive; callers that compare with the scan time decide
    whether that means UTC (`parse_utc`) or an unusable value."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_utc(value: object) -> datetime | None:
    """Like `parse_time`, reading a value without an offset as UTC (as AWS APIs mean it)."""
    parsed = parse_time(value)
    if parsed is None or parsed.tzinfo:
        return parsed
    return parsed.replace(tzinfo=UTC)


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole days from one moment to another, rounded down (a key made 89.9 days ago is 89 days old)."""
    return (later - earlier) // timedelta(days=1)
