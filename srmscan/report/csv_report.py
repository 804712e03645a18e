"""report.csv: one row per finding for the security team's spreadsheet."""

from __future__ import annotations

import csv
import io

from srmscan.model import Finding, Status
from srmscan.redact import scrub
from srmscan.scan import ScanResult

COLUMNS = [
    "account",
    "region",
    "service",
    "resource_type",
    "resource_id",
    "resource_arn",
    "resource_name",
    "team",
    "owner",
    "layer",
    "severity",
    "status",
    "rule_id",
    "title",
    "message",
    "remediation",
    "fsbp",
    "cis",
    "finding_id",
    # Appended (the column order is a contract): a muted row's accountability and what it hides.
    "mute_reason",
    "mute_expires",
    "mute_author",
    "real_status",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formula injection: a leading quote makes the cell plain text.

    Also when the formula character follows leading spaces, which some spreadsheets skip.
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) or text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def row(f: Finding) -> list[str]:
    mute = f.mute or {}
    values = [
        f.account_id,
        f.region,
        f.service,
        f.resource_type,
        f.resource_id,
        f.resource_arn,
        f.resource_name,
        f.team,
        f.owner,
        f.layer,
        f.severity,
        f.status,
        f.rule_id,
        f.title,
        scrub(f.message, "message"),
        f.remediation,
        " ".join(f.frameworks.get("fsbp", [])),
        " ".join(f.frameworks.get("cis", [])),
        f.id,
        mute.get("reason", ""),
        mute.get("expires", ""),
        mute.get("author", ""),
        mute.get("status", "") if f.status is Status.MUTED else f.status,
    ]
    return [safe_cell(v) for v in values]


def render_csv(result: ScanResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for f in result.findings:
        writer.writerow(row(f))
    return buffer.getvalue()
