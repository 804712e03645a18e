"""Combine per-account (or per-shard merged) report.json files into one merged report.

Works on the JSON contract only, so shards written by any machine, at any time, by the same
schema version can be joined: `srmscan merge shard-*/report.json -o all/`. Reports of one account
from different regions are united; where two cover the same account and region (a re-run shard),
the later scan (by `finished_at`) wins for that region and the merged report's `notes` say so.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from srmscan.redact import scrub
from srmscan.report.csv_report import safe_cell
from srmscan.report.merged_html import render_merged_page

MERGED_KIND = "srmscan-merged-report"
REPORT_KIND = "srmscan-report"
SCHEMA_VERSION = 1
# Per-account report.json versions this build reads (2 added rules_evaluated and compliance).
READABLE_REPORT_VERSIONS = (1, 2)
STATUSES = ("fail", "unknown", "pass", "muted", "info")
SEVERITIES = ("critical", "high", "medium", "low", "info")


class MergeError(ValueError):
    """An input that is not an srmscan report of a version this build reads."""


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MergeError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("kind") not in (REPORT_KIND, MERGED_KIND):
        raise MergeError(f"{path} is not an srmscan report.json")
    readable = READABLE_REPORT_VERSIONS if data.get("kind") == REPORT_KIND else (SCHEMA_VERSION,)
    if data.get("schema_version") not in readable:
        raise MergeError(f"{path}: unsupported schema_version {data.get('schema_version')!r}")
    return data


def _accounts_of(report: dict[str, Any]) -> Iterable[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
    """(account entry, findings, errors) for each account a report covers."""
    if report.get("kind") == MERGED_KIND:
        findings_by: dict[str, list[dict[str, Any]]] = {}
        errors_by: dict[str, list[dict[str, Any]]] = {}
        for f in report.get("findings", []):
            findings_by.setdefault(str(f.get("account_id")), []).append(f)
        for e in report.get("errors", []):
            errors_by.setdefault(str(e.get("account_id")), []).append(e)
        for entry in report.get("accounts", []):
            acct = str(entry.get("account_id"))
            yield entry, findings_by.get(acct, []), errors_by.get(acct, [])
        return
    acct = str(report.get("account_id"))
    entry = {
        "account_id": acct,
        "account_alias": report.get("account_alias"),
        "regions": report.get("regions", []),
        "started_at": report.get("started_at"),
        "finished_at": report.get("finished_at"),
        "partial": bool(report.get("partial", False)),
        "api_calls": report.get("api_calls", 0),
        "scan_error": report.get("scan_error"),
        "report_dir": report.get("report_dir"),
        "notes": report.get("notes", []),
        # Per-type counts, for the merged report's responsibility maps.
        "resource_counts": report.get("resource_counts", {}),
    }
    errors = [{**e, "account_id": acct} for e in report.get("errors", [])]
    yield entry, list(report.get("findings", [])), errors


Candidate = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]


def merge_reports(reports: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One merged report over every account in `reports`.

    Reports of one account that cover different regions (per-region CI jobs) are united. Where
    two cover the same account and region, the later scan wins for that region and `notes` says
    which scan was dropped; account-wide findings (region `global`) come from the latest scan.
    """
    by_account: dict[str, list[Candidate]] = {}
    for report in reports:
        for entry, findings, errors in _accounts_of(report):
            by_account.setdefault(str(entry["account_id"]), []).append((entry, findings, errors))
    accounts, findings, errors, notes = [], [], [], []
    for acct in sorted(by_account):
        entry, acct_findings, acct_errors, acct_notes = _union(by_account[acct])
        entry = {**entry, "summary": _summary(acct_findings)}
        accounts.append(entry)
        findings.extend(scrub(f) for f in acct_findings)
        errors.extend(acct_errors)
        notes.extend(acct_notes)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": MERGED_KIND,
        "accounts": accounts,
        "failed_accounts": [a["account_id"] for a in accounts if a.get("scan_error")],
        "partial": any(a.get("partial") for a in accounts) or any(a.get("scan_error") for a in accounts),
        "notes": notes,
        "summary": _summary(findings),
        "errors": errors,
        "findings": findings,
    }


def _regions(candidate: Candidate) -> set[str]:
    entry, findings, _ = candidate
    return {str(r) for r in entry.get("regions") or []} | {_region(f) for f in findings}


def _finished(entry: dict[str, Any], region: str) -> Any:
    """When the scan of `region` in this entry finished (an earlier merge keeps each part's time)."""
    for part in entry.get("merged_from") or []:
        if region in (part.get("regions") or []):
            return part.get("finished_at")
    return entry.get("finished_at")


def _region(item: dict[str, Any]) -> str:
    return str(item.get("region") or "")


def _union(candidates: list[Candidate]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """One account's reports as one: each region from the latest scan that covers it."""
    done = [c for c in candidates if not c[0].get("scan_error")]
    if not done:  # every scan of the account failed: keep the latest failure, as before
        latest = candidates[0]
        for c in candidates[1:]:
            if _newer(c[0], latest[0]):
                latest = c
        return latest[0], latest[1], latest[2], []
    order = sorted(range(len(done)), key=lambda i: (str(done[i][0].get("finished_at") or ""), i))
    owner: dict[str, int] = {}
    notes = []
    acct = str(done[0][0]["account_id"])
    for i in order:  # oldest first: a later scan takes over each region it covers
        for region in sorted(_regions(done[i])):
            if region in owner and owner[region] != i:
                dropped = done[owner[region]][0]
                notes.append(
                    f"account {acct} region {region or '(none)'}: two reports cover it; kept the scan finished "
                    f"{_finished(done[i][0], region)}, dropped the one finished {_finished(dropped, region)}"
                )
            owner[region] = i
    findings = [f for i in order for f in done[i][1] if owner.get(_region(f)) == i]
    errors = [e for i in order for e in done[i][2] if owner.get(_region(e), i) == i]
    used = [done[i][0] for i in order if i in owner.values()]
    newest = used[-1]
    entry = {
        **newest,
        "regions": sorted({str(r) for e in used for r in e.get("regions") or []}),
        "started_at": min(str(e.get("started_at") or "") for e in used) or None,
        "finished_at": newest.get("finished_at"),
        "partial": any(bool(e.get("partial")) for e in used),
        "api_calls": sum(int(e.get("api_calls") or 0) for e in used),
        "notes": [n for e in used for n in e.get("notes") or []] + notes,
    }
    if len(used) > 1:
        entry["merged_from"] = [
            {"regions": e.get("regions", []), "finished_at": e.get("finished_at"), "report_dir": e.get("report_dir")}
            for e in used
        ]
    return entry, findings, errors, notes


def _newer(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """A completed scan beats a failed one; otherwise the later finish wins."""
    if bool(a.get("scan_error")) != bool(b.get("scan_error")):
        return not a.get("scan_error")
    return str(a.get("finished_at") or "") >= str(b.get("finished_at") or "")


def _summary(findings: list[dict[str, Any]]) -> dict[str, Any]:
    status = Counter(str(f.get("status")) for f in findings)
    failing = Counter(str(f.get("severity")) for f in findings if f.get("status") == "fail")
    return {
        "total": len(findings),
        "by_status": {s: status.get(s, 0) for s in STATUSES},
        "failing_by_severity": {s: failing.get(s, 0) for s in SEVERITIES},
    }


CSV_COLUMNS = ["account", "region", "service", "resource_type", "resource_id", "owner", "layer", "severity"]
CSV_COLUMNS += ["status", "rule_id", "title", "message", "finding_id"]


def render_merged_csv(merged: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    keys = ["account_id", "region", "service", "resource_type", "resource_id", "owner", "layer", "severity"]
    keys += ["status", "rule_id", "title", "message", "id"]
    for f in merged["findings"]:
        writer.writerow([safe_cell(f.get(k)) for k in keys])
    return buffer.getvalue()


def render_merged_html(merged: dict[str, Any]) -> str:
    """The merged page in the single-account design (srmscan/report/merged_html.py)."""
    return render_merged_page(merged)


def write_merged(merged: dict[str, Any], output_dir: Path, formats: Iterable[str] = ("json", "html")) -> list[Path]:
    """report.json and report.html always (the merged contract); report.csv when asked for."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = [output_dir / "report.json", output_dir / "report.html"]
    written[0].write_text(json.dumps(merged, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    written[1].write_text(render_merged_html(merged), encoding="utf-8")
    if "csv" in formats:
        path = output_dir / "report.csv"
        path.write_text(render_merged_csv(merged), encoding="utf-8-sig", newline="")
        written.append(path)
    return written
