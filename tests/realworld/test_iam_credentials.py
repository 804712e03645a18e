"""IAM's credential report under throttling: LimitExceeded is retried with back-off, not reported.

Shapes: IAM API reference, GenerateCredentialReport (errors: LimitExceeded, HTTP 409, which botocore's
retry handler does not treat as throttling) and the credential report's CSV columns (IAM User Guide,
"Getting credential reports"); GetAccountAuthorizationDetails from the botocore model.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import srmscan.collect.context as context
from srmscan.model import Status
from tests.realworld.harness import ACCOUNT, Scenario

IAM_DOC = "IAM API reference: GenerateCredentialReport / GetCredentialReport; IAM User Guide: credential reports"
HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
    "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
    "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
    "cert_2_last_rotated"
)
ALICE = (
    f"alice,arn:aws:iam::{ACCOUNT}:user/alice,2025-01-02T10:00:00+00:00,true,2026-11-20T09:00:00+00:00,"
    "2025-01-02T10:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
)


def account_with_alice() -> Scenario:
    sc = Scenario("a console user without MFA", source=IAM_DOC)
    sc.answer(
        "iam",
        "GetAccountAuthorizationDetails",
        {
            "UserDetailList": [
                {
                    "UserName": "alice",
                    "UserId": "AIDAALICEEXAMPLE0001",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
                    "Path": "/",
                    "CreateDate": datetime(2025, 1, 2, 10, tzinfo=UTC),
                }
            ],
            "IsTruncated": False,
        },
        source="botocore model GetAccountAuthorizationDetailsResponse",
    )
    sc.answer(
        "iam",
        "GetCredentialReport",
        {"Content": f"{HEADER}\n{ALICE}\n".encode(), "ReportFormat": "text/csv"},
        source=IAM_DOC,
    )
    return sc


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(context, "_sleep", slept.append)
    return slept


def test_limit_exceeded_is_retried_and_the_report_is_read(ruleset, delays: list[float]) -> None:  # type: ignore[no-untyped-def]
    sc = account_with_alice()
    sc.error("iam", "GenerateCredentialReport", "LimitExceeded", "Rate exceeded", status=409, times=2, source=IAM_DOC)
    run = sc.scan(ruleset)
    assert len(run.requests("iam", "GenerateCredentialReport")) == 3
    assert delays == [1.0, 2.0]
    assert [e for e in run.inventory.errors if e.operation == "GenerateCredentialReport"] == []
    finding = run.finding("iam.user_console_mfa", "alice")
    assert finding.status is Status.FAIL


def test_limit_exceeded_that_never_clears_is_unknown_with_the_reason(ruleset, delays: list[float]) -> None:  # type: ignore[no-untyped-def]
    sc = account_with_alice()
    sc.error("iam", "GenerateCredentialReport", "LimitExceeded", "Rate exceeded", status=409, source=IAM_DOC)
    run = sc.scan(ruleset)
    assert len(run.requests("iam", "GenerateCredentialReport")) == 4
    errors = [e for e in run.inventory.errors if e.operation == "GenerateCredentialReport"]
    assert [(e.code, e.kind.value) for e in errors] == [("LimitExceeded", "throttled")]
    finding = run.finding("iam.user_console_mfa", "alice")
    assert finding.status is Status.UNKNOWN
    assert "LimitExceeded" in str(finding.unknown_reason)
