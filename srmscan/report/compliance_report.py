"""A compliance view (srmscan.evaluate.compliance) as a terminal table, JSON or CSV. Pure: data -> str.

The table is what a QSA reads first: every requirement with its official id (never cut), who owns
it, its status and what the scan proves. Texts that come from the account (resource names in a
row's detail) are written as plain text, never as rich markup, and CSV cells are formula-safe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from srmscan.evaluate.compliance import OWNERS, ROW_STATUSES, ComplianceResult, Row
from srmscan.redact import scrub
from srmscan.report.csv_report import safe_cell

COMPLIANCE_SCHEMA_VERSION = 1
TABLE_WIDTH = 80
STATUS_STYLE = {
    "fail": "bold red",
    "unknown": "yellow",
    "pass": "green",
    "manual": "cyan",
    "not_applicable": "dim",
    "inherited": "blue",
}
OWNER_LABEL = {"customer": "Customer", "shared": "Shared", "aws": "AWS"}
CSV_COLUMNS = [
    "framework",
    "requirement_id",
    "section",
    "title",
    "owner",
    "why",
    "check",
    "status",
    "detail",
    "rules",
    "rule_results",
    "attestation",
    "manual_evidence",
    "gap",
]


def compliance_dict(result: ComplianceResult, tool_version: str = "") -> dict[str, Any]:
    """The machine form: versioned, scrubbed (row details can name resources)."""
    data = {
        "schema_version": COMPLIANCE_SCHEMA_VERSION,
        "kind": "srmscan-compliance",
        "tool": {"name": "srmscan", "version": tool_version},
        **result.to_dict(),
    }
    return scrub(data)


def render_compliance_json(result: ComplianceResult, tool_version: str = "") -> str:
    return json.dumps(compliance_dict(result, tool_version), indent=1, ensure_ascii=False) + "\n"


def _csv_row(fw_id: str, row: Row) -> list[str]:
    req = row.requirement
    values = [
        fw_id,
        req.id,
        req.section,
        req.title,
        str(req.owner),
        req.why,
        req.check,
        row.status,
        scrub(row.detail, "detail"),
        " ".join(req.rules),
        " ".join(f"{e.rule_id}={e.status}" for e in row.evidence),
        row.attestation.name if row.attestation else "",
        req.manual,
        "yes" if req.gap else "",
    ]
    return [safe_cell(v) for v in values]


def render_compliance_csv(result: ComplianceResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        writer.writerow(_csv_row(result.framework.id, row))
    return buffer.getvalue()


def summary_lines(result: ComplianceResult) -> list[str]:
    """The closing note: rows by owner and how many of ours the scan evidences."""
    s = result.summary
    owners = ", ".join(f"{s['rows_by_owner'][o]} {OWNER_LABEL[o]}" for o in OWNERS)
    ours = s["ours"]
    lines = [
        f"{s['rows']} requirements: {owners}.",
        "Ours (customer + shared): "
        + ", ".join(f"{ours[k]} {k.replace('_', ' ')}" for k in ("pass", "fail", "unknown", "manual", "not_applicable"))
        + ".",
        f"Evidenced automatically by srmscan rules: {s['evidenced_automatically']['customer']} of "
        f"{s['rows_by_owner']['customer']} customer rows, {s['evidenced_automatically']['shared']} of "
        f"{s['rows_by_owner']['shared']} shared rows.",
    ]
    if s["rows_by_owner"]["aws"]:
        lines.append(
            f"{s['rows_by_owner']['aws']} rows are inherited from AWS: download the attestation from AWS Artifact."
        )
    if s.get("gaps"):
        lines.append(f"{s['gaps']} controls of scanned services have no srmscan rule yet (listed as manual).")
    if s.get("out_of_scope"):
        lines.append(f"{s['out_of_scope']} controls are for services srmscan does not scan (not listed).")
    if result.scope.get("partial"):
        lines.append("The scan was interrupted: rows reflect only what was collected.")
    return lines


def _requirement_cell(row: Row) -> Text:
    text = Text(row.requirement.title)
    text.append("\n")
    text.append(row.detail, style="dim")
    return text


def compliance_table(result: ComplianceResult) -> Table:
    fw = result.framework
    id_width = max([len(r.requirement.id) for r in result.rows] + [2])
    table = Table(title=f"{fw.name} {fw.version}", title_justify="left", show_lines=False, expand=True)
    table.add_column("Id", no_wrap=True, min_width=id_width, max_width=id_width, overflow="fold")
    table.add_column("Owner", no_wrap=True, width=8)
    table.add_column("Status", no_wrap=True, width=14)
    table.add_column("Requirement / what the scan shows", ratio=1, overflow="fold")
    section = None
    for row in result.rows:
        if row.requirement.section != section:
            if section is not None:
                table.add_section()
            table.add_row(Text(""), Text(""), Text(""), Text(row.requirement.section, style="bold"))
        section = row.requirement.section
        table.add_row(
            Text(row.requirement.id),
            Text(OWNER_LABEL[str(row.requirement.owner)]),
            Text(row.status, style=STATUS_STYLE[row.status]),
            _requirement_cell(row),
        )
    return table


def render_compliance_table(result: ComplianceResult, width: int = TABLE_WIDTH, color: bool = False) -> str:
    """The table and the closing note as text, `width` columns wide (80 by default)."""
    console = Console(
        width=width,
        record=True,
        file=io.StringIO(),
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
    )
    scope = result.scope
    if scope.get("account_id"):
        regions = ", ".join(scope.get("regions") or [])
        console.print(
            Text(f"Account {scope['account_id']} · regions {regions} · scanned {scope.get('started_at', '')}")
        )
    console.print(compliance_table(result))
    for line in summary_lines(result):
        console.print(Text(line))
    return console.export_text(styles=color)


def status_counts(result: ComplianceResult) -> dict[str, int]:
    return {s: result.summary["by_status"][s] for s in ROW_STATUSES}


STATUS_LABEL = {
    "fail": "Fail",
    "unknown": "Unknown",
    "pass": "Pass",
    "manual": "Manual evidence",
    "not_applicable": "Nothing in scope",
    "inherited": "Inherited (AWS)",
}


def compliance_view(result: ComplianceResult) -> dict[str, Any]:
    fw = result.framework
    data = result.to_dict()
    rows = []
    for row in scrub(data["rows"]):
        rows.append(
            {
                **row,
                "owner_label": OWNER_LABEL[row["owner"]],
                "status_label": STATUS_LABEL[row["status"]],
            }
        )
    by_owner = result.summary["rows_by_owner"]
    by_status = result.summary["by_status"]
    return {
        "key": re.sub(r"[^a-z0-9-]", "-", fw.id.lower()),
        "name": fw.name,
        "version": fw.version,
        "description": fw.description,
        "source": fw.source if fw.source.startswith("https://") else "",
        "notes": list(fw.notes),
        "summary_lines": summary_lines(result),
        "owners": [{"value": "all", "label": "All", "count": len(rows)}]
        + [{"value": o, "label": OWNER_LABEL[o], "count": by_owner[o]} for o in OWNERS if by_owner[o]],
        "statuses": [{"value": "all", "label": "All", "count": len(rows)}]
        + [{"value": s, "label": STATUS_LABEL[s], "count": by_status[s]} for s in ROW_STATUSES if by_status[s]],
        "rows": rows,
    }
