"""IAM credentials: the credential-report rules (console MFA, key rotation, unused credentials), the
root hardware-MFA rule, and key age measured from the scan time, not the clock.

moto 5.2.5 dates every access key and password "now" and has no root row in the credential report.
Where a test needs old credentials it rewrites the credential report in an after-call hook: that is
simulated data, said so in each such test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.model import ACCOUNT_TYPE, Resource, Status
from tests.helpers import fail_operation, inventory, one
from tests.iamkit import USER_RULES, _scan, _seed_users_only, _status


def _age_report(days_rotated: int, days_used: int | None, password_used_days: int | None) -> Any:
    """An after-call hook rewriting the credential report's dates: simulated data, as moto always
    reports credentials created "now"."""

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        now = datetime.now(UTC)
        lines = parsed["Content"].decode().splitlines()
        header = lines[0].split(",")
        out = [lines[0]]
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=True))
            if row["access_key_1_active"] == "true":
                row["access_key_1_last_rotated"] = (now - timedelta(days=days_rotated)).isoformat()
                row["access_key_1_last_used_date"] = (
                    (now - timedelta(days=days_used)).isoformat() if days_used is not None else "N/A"
                )
            if row["password_enabled"] == "true" and password_used_days is not None:
                row["password_last_used"] = (now - timedelta(days=password_used_days)).isoformat()
            out.append(",".join(row[h] for h in header))
        parsed["Content"] = ("\n".join(out) + "\n").encode()

    return rewrite


def test_old_and_unused_keys_fail(session: boto3.Session, aws: AwsSession) -> None:
    _seed_users_only(session)
    aws.events.register("after-call.iam.GetCredentialReport", _age_report(200, 120, 50))
    _, findings = _scan(aws, only={"account", "iam"})
    rotation = one(findings, "iam.access_key_rotation", "ci")
    assert rotation.status is Status.FAIL
    assert rotation.evidence["keys"][0]["age_days"] >= 199
    unused = one(findings, "iam.unused_credentials", "ci")
    assert unused.status is Status.FAIL and unused.severity == "medium"  # > 90 days: fails FSBP IAM.8 too
    # Password last used 50 days ago: fails the 45-day check only, at low severity.
    console = one(findings, "iam.unused_credentials", "no-mfa")
    assert console.status is Status.FAIL and console.severity == "low"


@pytest.mark.parametrize("age,expected", [(10, Status.PASS), (60, Status.FAIL)])
def test_never_used_key_counts_from_creation(
    session: boto3.Session, aws: AwsSession, age: int, expected: Status
) -> None:
    """A never-used key is judged by its creation date (simulated dates in the credential report)."""
    _seed_users_only(session)
    aws.events.register("after-call.iam.GetCredentialReport", _age_report(age, None, None))
    _, findings = _scan(aws, only={"account", "iam"})
    unused = one(findings, "iam.unused_credentials", "ci")
    assert unused.status is expected
    if expected is Status.FAIL:
        assert unused.severity == "low" and unused.evidence["stale"][0]["never_used"] is True
    assert _status(findings, "iam.access_key_rotation", "ci") is Status.PASS


@pytest.mark.parametrize("operation", ["GetCredentialReport", "GenerateCredentialReport"])
def test_unreadable_credential_report_makes_credential_rules_unknown(
    session: boto3.Session, aws: AwsSession, operation: str
) -> None:
    _seed_users_only(session)
    fail_operation(aws.events, "iam", operation)
    _, findings = _scan(aws, only={"account", "iam"})
    for user in ("no-mfa", "ci", "plain"):
        for rule_id in USER_RULES:
            f = one(findings, rule_id, user)
            assert f.status is Status.UNKNOWN, (rule_id, user)
            assert f"iam:{operation}" in (f.unknown_reason or "")
            assert f.error_ids
        # Rules that do not need the report still decide.
        assert _status(findings, "iam.user_direct_policies", user) is Status.PASS


def test_user_missing_from_credential_report_is_unknown(session: boto3.Session, aws: AwsSession) -> None:
    """A user created after the (cached) report was generated has no row: unknown, not pass.
    The row is removed by an after-call hook (simulated data)."""
    _seed_users_only(session)

    def drop_ci(parsed: dict[str, Any], **_: Any) -> None:
        lines = parsed["Content"].decode().splitlines()
        parsed["Content"] = "\n".join(line for line in lines if not line.startswith("ci,")).encode()

    aws.events.register("after-call.iam.GetCredentialReport", drop_ci)
    _, findings = _scan(aws, only={"account", "iam"})
    f = one(findings, "iam.user_console_mfa", "ci")
    assert f.status is Status.UNKNOWN and "no row" in f.message
    assert _status(findings, "iam.user_console_mfa", "no-mfa") is Status.FAIL


def _root(**attrs: Any) -> Resource:
    return Resource(type=ACCOUNT_TYPE, id="123456789012", region="global", attrs=attrs)


def test_root_hardware_mfa_states() -> None:
    rules = load_ruleset()
    virtual = _root(account_summary={"AccountMFAEnabled": 1}, root_virtual_mfa=True)
    hardware = _root(account_summary={"AccountMFAEnabled": 1}, root_virtual_mfa=False)
    unreadable = _root(account_summary={"AccountMFAEnabled": 1})
    unreadable.unreadable["root_virtual_mfa"] = "E1"
    statuses = [
        one(evaluate(inventory(r), rules), "iam.root_hardware_mfa").status for r in (virtual, hardware, unreadable)
    ]
    assert statuses == [Status.FAIL, Status.PASS, Status.UNKNOWN]
    # The virtual device finding is less severe than having no MFA at all (iam.root_mfa, critical).
    assert one(evaluate(inventory(virtual), rules), "iam.root_hardware_mfa").severity == "medium"


def test_key_age_uses_scan_time_not_clock() -> None:
    """Re-evaluating a saved inventory gives the same verdict: age is relative to `started_at`."""
    creds = {
        "password_enabled": False,
        "mfa_active": False,
        "access_keys": [{"slot": 1, "active": True, "last_rotated": "2026-09-01T00:00:00+00:00", "last_used": None}],
    }
    user = Resource(type="AWS::IAM::User", id="u", region="global", attrs={"credentials": creds})
    early = inventory(user)  # started 2026-11-24: 84 days old
    early.started_at = "2026-11-24T10:00:00Z"
    late = inventory(user)
    late.started_at = "2026-12-24T10:00:00Z"
    rules = load_ruleset()
    assert one(evaluate(early, rules), "iam.access_key_rotation", "u").status is Status.PASS
    assert one(evaluate(late, rules), "iam.access_key_rotation", "u").status is Status.FAIL
