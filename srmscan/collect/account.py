"""Account-wide IAM settings: summary, password policy, aliases, root credentials."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
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
    # The five reads do not depend on each other: run together, the credential report's
    # generation (seconds on a real account) hides the other four round trips, and the IAM
    # collector, which waits for this one, starts sooner.
    reads: dict[str, Callable[[], Answer]] = {
        "summary": lambda: c.call("iam", region, "GetAccountSummary"),
        "password": lambda: c.call("iam", region, "GetAccountPasswordPolicy", absent={"NoSuchEntity"}),
        "aliases": lambda: c.pages("iam", region, "ListAccountAliases", "AccountAliases"),
        "mfa": lambda: c.pages(
            "iam", region, "ListVirtualMFADevices", "VirtualMFADevices", AssignmentStatus="Assigned"
        ),
        "report": lambda: credential_report(c, region),
    }
    got = dict(zip(reads, c.fanout(lambda read: read(), list(reads.values())), strict=True))
    fill(account, "account_summary", got["summary"], lambda d: d.get("SummaryMap", {}))
    fill(account, "password_policy", got["password"], lambda d: d.get("PasswordPolicy", {}))
    fill(account, "aliases", got["aliases"])
    fill(
        account,
        "root_virtual_mfa",
        got["mfa"],
        lambda devices: any(str(d.get("User", {}).get("Arn", "")).endswith(":root") for d in devices),
    )
    fill(account, "credential_report", got["report"])


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
