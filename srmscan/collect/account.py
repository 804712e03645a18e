"""Account-wide IAM settings: summary, password policy, aliases, root credentials."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from srmscan.collect.context import Answer, Collection, fill
from srmscan.collect.registry import collector
from srmscan.model import ACCOUNT_TYPE

CREDENTIAL_REPORT_WAIT_S = 20.0


@collector(
    "account",
    scope="global",
    produces=(ACCOUNT_TYPE,),
    actions=[
        "iam:GetAccountSummary",
        "iam:GetAccountPasswordPolicy",
        "iam:ListAccountAliases",
        "iam:ListVirtualMFADevices",
        "iam:GenerateCredentialReport",
        "iam:GetCredentialReport",
    ],
)
def collect_account(c: Collection, region: str) -> None:
    account = c.account()
    summary = c.call("iam", region, "GetAccountSummary")
    fill(account, "account_summary", summary, lambda d: d.get("SummaryMap", {}))
    fill(
        account,
        "password_policy",
        c.call("iam", region, "GetAccountPasswordPolicy", absent={"NoSuchEntity"}),
        lambda d: d.get("PasswordPolicy", {}),
    )
    fill(account, "aliases", c.pages("iam", region, "ListAccountAliases", "AccountAliases"))
    fill(
        account,
        "root_virtual_mfa",
        c.pages("iam", region, "ListVirtualMFADevices", "VirtualMFADevices", AssignmentStatus="Assigned"),
        lambda devices: any(str(d.get("User", {}).get("Arn", "")).endswith(":root") for d in devices),
    )
    fill(account, "credential_report", credential_report(c, region))


def credential_report(c: Collection, region: str) -> Answer:
    """Generate (if needed) and read the credential report, keeping only non-secret columns."""
    deadline = time.monotonic() + CREDENTIAL_REPORT_WAIT_S
    while True:
        # IAM throttles report generation with LimitExceeded, which botocore does not retry.
        generated = c.call("iam", region, "GenerateCredentialReport", retry={"LimitExceeded"})
        if generated.error is not None:
            return generated
        if generated.data.get("State") == "COMPLETE":
            break
        if time.monotonic() > deadline:
            break
        time.sleep(1.0)
    report = c.call("iam", region, "GetCredentialReport")
    if report.error is not None:
        return report
    content = report.data.get("Content", b"")
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
    return Answer(data=_parse_report(text))


def _parse_report(text: str) -> list[dict[str, Any]]:
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        rows.append({k: (v if v not in ("N/A", "not_supported", "no_information") else None) for k, v in row.items()})
    return rows
