"""Scanning through assumed roles, and across an organization's accounts.

`--role-arn` wraps the caller's credentials in botocore's own AssumeRole fetcher behind
`DeferredRefreshableCredentials`, so a scan longer than the role session renews its
credentials before they expire instead of failing half-way with ExpiredToken.

`--org-role` lists the organization's ACTIVE accounts and scans each through
`arn:<partition>:iam::<id>:role/<name>`, a few accounts at a time (each account's scan already
runs its own bounded thread pool, so account concurrency multiplies API pressure: keep it low).
A failing account (role missing, access denied, opt-out) is recorded and the others carry on.
`--shard I/N` keeps a deterministic slice of the sorted account ids so that N independent jobs
(CI matrix, AWS Batch array, Kubernetes indexed Job) cover the estate once; `srmscan merge`
joins their merged reports.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from srmscan.accounts.merge import merge_reports, write_merged
from srmscan.collect.errors import classify
from srmscan.collect.session import AwsSession, ScanSetupError
from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS, RuleSet
from srmscan.model import Severity
from srmscan.report import write_reports
from srmscan.report.json_report import SCHEMA_VERSION as REPORT_SCHEMA_VERSION
from srmscan.report.json_report import report_dict
from srmscan.scan import ScanResult, resolve_regions, run_scan

SESSION_NAME = "srmscan"
DEFAULT_ACCOUNT_CONCURRENCY = 4
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")


@dataclass(frozen=True)
class Account:
    id: str
    name: str = ""


@dataclass
class AccountOutcome:
    """One account's scan: a result, or the one-line reason it could not be scanned."""

    account: Account
    result: ScanResult | None = None
    error: str | None = None
    report_dir: Path | None = None


def assume_role(
    base: AwsSession,
    role_arn: str,
    *,
    external_id: str | None = None,
    session_name: str = SESSION_NAME,
) -> AwsSession:
    """A scanner session whose credentials come from sts:AssumeRole and refresh themselves."""
    if not _ROLE_ARN.match(role_arn):
        raise ScanSetupError(f"not an IAM role ARN: {role_arn!r}")
    source = base.session.get_credentials()
    if source is None:
        raise ScanSetupError("no AWS credentials found to assume the role with")
    extra: dict[str, Any] = {"RoleSessionName": session_name[:64]}
    if external_id:
        extra["ExternalId"] = external_id
    region = base.home_region

    def sts_client(service: str, **kwargs: Any) -> Any:
        # The fetcher's STS client must honour the region and endpoint override of the scan.
        kwargs.setdefault("region_name", region)
        if base.endpoint_url:
            kwargs.setdefault("endpoint_url", base.endpoint_url)
        return base.session._session.create_client(service, **kwargs)

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=sts_client, source_credentials=source, role_arn=role_arn, extra_args=extra
    )
    credentials = DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
    core = botocore.session.Session()
    core._credentials = credentials  # botocore has no public setter for a credentials object
    session = boto3.Session(botocore_session=core, region_name=region)
    aws = AwsSession(session, endpoint_url=base.endpoint_url, tuning=base.tuning)
    try:
        credentials.get_frozen_credentials()
    except (ClientError, BotoCoreError) as exc:
        code, _, _ = classify(exc)
        raise ScanSetupError(f"cannot assume role {role_arn}: {code}") from exc
    return aws


def organization_accounts(aws: AwsSession) -> list[Account]:
    """The organization's ACTIVE accounts (needs the management or a delegated admin account)."""
    try:
        client = aws.client("organizations", aws.home_region)
        accounts: list[Account] = []
        for page in client.get_paginator("list_accounts").paginate():
            for item in page.get("Accounts", []):
                state = item.get("State") or item.get("Status")
                if str(state).upper() == "ACTIVE" and str(item.get("Id", "")).isdigit():
                    accounts.append(Account(str(item["Id"]), str(item.get("Name") or "")))
    except (ClientError, BotoCoreError) as exc:
        code, message, _ = classify(exc)
        raise ScanSetupError(f"cannot list the organization's accounts: {code}: {message[:200]}") from exc
    return sorted(set(accounts), key=lambda a: a.id)


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` with 0 <= I < N (0-based, like AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match:
        raise ScanSetupError(f"--shard must look like I/N (e.g. 0/4), not {text!r}")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or index >= total:
        raise ScanSetupError(f"--shard {text}: need 0 <= I < N")
    return index, total


def shard(accounts: list[Account], index: int, total: int) -> list[Account]:
    """A deterministic slice: the i-th of every N accounts, ordered by account id."""
    ordered = sorted(accounts, key=lambda a: a.id)
    return [a for i, a in enumerate(ordered) if i % total == index]


def role_arn_for(account_id: str, role_name: str, partition: str = "aws") -> str:
    if not _ROLE_NAME.match(role_name):
        raise ScanSetupError(f"not an IAM role name: {role_name!r}")
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


Notify = Callable[[AccountOutcome], None]


def scan_accounts(
    base: AwsSession,
    accounts: list[Account],
    role_name: str,
    ruleset: RuleSet,
    *,
    regions: list[str],
    all_regions: bool,
    output_dir: Path,
    formats: list[str],
    external_id: str | None = None,
    owner_tags: tuple[str, ...] | list[str] = DEFAULT_OWNER_TAGS,
    concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY,
    notify: Notify | None = None,
) -> tuple[list[AccountOutcome], dict[str, Any]]:
    """Scan each account through `role_name`, write its reports to `output_dir/<id>/`, and write
    the merged report.json/report.html to `output_dir`. Returns the outcomes and the merged dict."""
    _, partition = base.identity()
    lock = threading.Lock()

    def one(account: Account) -> AccountOutcome:
        outcome = AccountOutcome(account)
        try:
            aws = assume_role(
                base,
                role_arn_for(account.id, role_name, partition),
                external_id=external_id,
                session_name=f"{SESSION_NAME}-{account.id}",
            )
            scan_regions = resolve_regions(aws, regions, all_regions)
            outcome.result = run_scan(aws, scan_regions, ruleset, owner_tags=owner_tags)
            outcome.report_dir = output_dir / account.id
            write_reports(outcome.result, formats, outcome.report_dir)
        except ScanSetupError as exc:
            outcome.error = str(exc)
        except Exception as exc:  # one account's failure must not end the others' scans
            outcome.error = f"{type(exc).__name__}: {exc}"[:300]
        if notify is not None:
            with lock:
                notify(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="srmscan-account") as pool:
        outcomes = list(pool.map(one, accounts))
    merged = merge_reports([account_report(o, output_dir) for o in outcomes])
    write_merged(merged, output_dir, formats)
    return outcomes, merged


def account_report(outcome: AccountOutcome, output_dir: Path) -> dict[str, Any]:
    """The per-account report.json dict, or a stub naming why the account was not scanned."""
    if outcome.result is not None:
        data = report_dict(outcome.result)
        if outcome.report_dir is not None:
            data["report_dir"] = str(outcome.report_dir.relative_to(output_dir))
        return data
    return {
        "kind": "srmscan-report",
        "schema_version": REPORT_SCHEMA_VERSION,
        "account_id": outcome.account.id,
        "account_alias": outcome.account.name or None,
        "scan_error": outcome.error,
        "findings": [],
        "errors": [],
    }


def org_scan(
    base: AwsSession,
    *,
    role_name: str,
    ruleset: RuleSet,
    regions: list[str],
    all_regions: bool,
    output_dir: Path,
    formats: list[str],
    external_id: str | None,
    shard_spec: str | None,
    owner_tags: tuple[str, ...] | list[str],
    threshold: Severity | None,
    concurrency: int,
    say: Callable[[str], None],
) -> int:
    """The `scan --org-role` body. Exit 2 when no account at all could be scanned, 1 when a
    failing finding reaches `threshold`, else 0; failed accounts are named on stderr and in the
    merged report either way."""
    accounts = organization_accounts(base)
    if shard_spec:
        index, total = parse_shard(shard_spec)
        accounts = shard(accounts, index, total)
        say(f"shard {index}/{total}: {len(accounts)} account(s)")
    if not accounts and not shard_spec:
        # Nothing at all to scan is a configuration problem (wrong management account, no access),
        # not a clean result.
        raise ScanSetupError("the organization lists no ACTIVE account to scan")
    if not accounts:
        # An empty slice is normal when there are fewer accounts than shards.
        say("no active account to scan in this slice")
        write_merged(merge_reports([]), output_dir, formats)
        return 0

    def progress(o: AccountOutcome) -> None:
        say(f"{o.account.id}: " + (f"not scanned: {o.error}" if o.error else "scanned"))

    outcomes, _ = scan_accounts(
        base,
        accounts,
        role_name,
        ruleset,
        regions=regions,
        all_regions=all_regions,
        output_dir=output_dir,
        formats=formats,
        external_id=external_id,
        owner_tags=owner_tags,
        concurrency=concurrency,
        notify=progress,
    )
    scanned = [o for o in outcomes if o.result is not None]
    say(f"{len(scanned)} of {len(outcomes)} account(s) scanned; merged report in {output_dir}")
    if not scanned:
        raise ScanSetupError(f"no account could be scanned through role {role_name!r}")
    if threshold is not None and any(o.result.failing_at_or_above(threshold) for o in scanned if o.result):
        return 1
    return 0
