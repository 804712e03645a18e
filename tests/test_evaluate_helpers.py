"""The small evaluation helpers rule files share: timestamps, on/off settings, granted actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from srmscan.evaluate.policy import granted_actions
from srmscan.evaluate.settings import switch, web_acl
from srmscan.evaluate.timestamps import days_between, parse_time, parse_utc
from srmscan.model import Status


def test_parse_time_reads_z_and_offsets_and_gives_none_for_gaps() -> None:
    assert parse_time("2026-01-10T00:00:00Z") == datetime(2026, 1, 10, tzinfo=UTC)
    assert parse_time("2026-01-10T02:00:00+02:00") == datetime(2026, 1, 10, tzinfo=UTC)
    naive = parse_time("2026-01-10T00:00:00")
    assert naive is not None and naive.tzinfo is None
    for gap in (None, "", "N/A", "not_supported", 0):
        assert parse_time(gap) is None


def test_parse_utc_reads_a_value_without_offset_as_utc() -> None:
    assert parse_utc("2026-01-10T00:00:00") == datetime(2026, 1, 10, tzinfo=UTC)
    assert parse_utc("2026-01-10T00:00:00+01:00") == datetime(2026, 1, 10, tzinfo=timezone(timedelta(hours=1)))
    assert parse_utc("garbage") is None


def test_days_between_rounds_down() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert days_between(start, start + timedelta(days=89, hours=23)) == 89
    assert days_between(start, start - timedelta(hours=1)) == -1


def test_switch_is_unknown_when_unreported() -> None:
    kwargs = {"unreported": "not reported", "on": "on", "off": "off"}
    assert switch(None, **kwargs).status is Status.UNKNOWN
    assert switch(True, **kwargs, n=1).status is Status.PASS
    off = switch(False, **kwargs, n=1)
    assert (off.status, off.message, off.evidence) == (Status.FAIL, "off", {"n": 1})


def test_web_acl_names_the_acl_or_the_holder() -> None:
    assert web_acl("arn:acl", "stage").evidence == {"web_acl": "arn:acl"}
    assert web_acl(None, "stage").message == "No AWS WAF web ACL is associated with the stage"


def test_granted_actions_are_deduplicated_and_sorted() -> None:
    found = [{"Action": ["s3:Get*", "s3:List*"]}, {"Action": "s3:Get*"}, {"NotAction": "iam:*"}]
    assert granted_actions(found) == ["None", "s3:Get*", "s3:List*"]
