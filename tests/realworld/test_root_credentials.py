"""Issue 10 defect 4: a root user whose credentials were removed centrally has nothing for MFA to protect.

Shapes: GetAccountSummary is the recorded real response placebo/test_account_root_mfa/ (2016, before
AWS added `AccountPasswordPresent`), edited to the state centralized root access leaves (the botocore
model's summaryKeyType enum lists AccountPasswordPresent; the IAM user guide, "Centrally manage root
access for member accounts": deleting root user credentials removes the password, access keys,
signing certificates and MFA devices). The credential report is the recorded
placebo/test_account_credential_report/ report, its root row edited to match.
"""

from __future__ import annotations

from typing import Any

from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import one
from tests.realworld.harness import Scenario, recording

SUMMARY = "placebo/test_account_root_mfa/iam.GetAccountSummary_1.json"
REPORT = "placebo/test_account_credential_report/iam.GetCredentialReport_1.json"
REMOVED = {
    "AccountMFAEnabled": 0,
    "AccountPasswordPresent": 0,
    "AccountAccessKeysPresent": 0,
    "AccountSigningCertificatesPresent": 0,
}


def _summary(**values: int) -> dict[str, Any]:
    _, data = recording(SUMMARY)
    data.pop("ResponseMetadata", None)
    data["SummaryMap"].update(values)
    for key in [k for k, v in values.items() if v < 0]:
        del data["SummaryMap"][key]  # -1: leave the member out, as responses before 2024 do
    return data


def _report(root_key_active: bool) -> dict[str, Any]:
    _, data = recording(REPORT)
    data.pop("ResponseMetadata", None)
    lines = data["Content"].split("\n")
    cols = lines[0].split(",")
    root = dict(zip(cols, lines[1].split(","), strict=True))
    assert root["user"] == "<root_account>"
    root.update(mfa_active="false", access_key_1_active="true" if root_key_active else "false")
    lines[1] = ",".join(root[c] for c in cols)
    data["Content"] = "\n".join(lines).encode()
    return data


def _run(ruleset, summary: dict[str, Any], root_key_active: bool = False):  # type: ignore[no-untyped-def]
    sc = Scenario("root credentials", source="recorded IAM responses, edited (module doc)")
    sc.answer("iam", "GetAccountSummary", summary, source=f"recorded: {SUMMARY} (edited)")
    sc.answer("iam", "GetCredentialReport", _report(root_key_active), source=f"recorded: {REPORT} (edited)")
    run = sc.collect(only={"account"})
    findings = evaluate(run.inventory, ruleset)
    return one(findings, "iam.root_mfa"), one(findings, "iam.root_hardware_mfa")


def test_root_without_any_credential_passes_both_mfa_checks_and_says_why(ruleset) -> None:  # type: ignore[no-untyped-def]
    for f in _run(ruleset, _summary(**REMOVED)):
        assert f.status is Status.PASS, f.message
        assert "no credentials" in f.message


def test_a_summary_without_account_password_present_is_not_taken_as_no_password(ruleset) -> None:  # type: ignore[no-untyped-def]
    mfa, hardware = _run(ruleset, _summary(**{**REMOVED, "AccountPasswordPresent": -1}))
    assert mfa.status is Status.FAIL and hardware.status is Status.FAIL


def test_a_root_password_without_mfa_still_fails(ruleset) -> None:  # type: ignore[no-untyped-def]
    mfa, hardware = _run(ruleset, _summary(**{**REMOVED, "AccountPasswordPresent": 1}))
    assert mfa.status is Status.FAIL and hardware.status is Status.FAIL


def test_an_active_root_key_in_the_credential_report_is_a_credential(ruleset) -> None:  # type: ignore[no-untyped-def]
    mfa, hardware = _run(ruleset, _summary(**REMOVED), root_key_active=True)
    assert mfa.status is Status.FAIL and hardware.status is Status.FAIL
