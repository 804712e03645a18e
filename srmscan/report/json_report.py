"""report.json: the machine contract. Versioned; fields are added, never renamed."""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any, TextIO

from srmscan.evaluate.compliance import ComplianceResult
from srmscan.evaluate.summary import counts
from srmscan.redact import scrub
from srmscan.scan import ScanResult

# 2: added `rules_evaluated` and `compliance` (nothing renamed; readers of 1 still work).
SCHEMA_VERSION = 2


def report_dict(result: ScanResult, *, with_findings: bool = True) -> dict[str, Any]:
    inv = result.inventory
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "srmscan-report",
        "tool": {"name": "srmscan", "version": result.tool_version},
        "account_id": inv.account_id,
        "account_alias": inv.account_alias,
        "partition": inv.partition,
        "regions": inv.regions,
        "started_at": inv.started_at,
        "finished_at": inv.finished_at,
        "partial": inv.partial,
        "notes": result.notes,
        "api_calls": inv.api_calls,
        "resource_counts": dict(sorted(Counter(r.type for r in inv.resources).items())),
        # Identity only (no attrs): lets `srmscan diff` report resources that appeared or disappeared.
        "resources": [
            scrub({"type": r.type, "region": r.region, "id": r.id, "name": r.name, "arn": r.arn}) for r in inv.resources
        ],
        "summary": counts(result.findings),
        "errors": [e.to_dict() for e in inv.errors],
        # The rules that ran: a compliance view over this report tells "found nothing" from "did not run".
        "rules_evaluated": sorted(r.id for r in result.ruleset.rules),
        "compliance": [compliance_summary(c) for c in result.compliance],
    }
    if with_findings:
        data["findings"] = [scrub(f.to_dict()) for f in result.findings]
    return data


def write_json(result: ScanResult, out: TextIO) -> None:
    """Stream the report: one finding per line, so a 10,000-finding report never exists as one
    string (building it with json.dumps cost ~275 MB of peak memory on the large benchmark)."""
    head = json.dumps(report_dict(result, with_findings=False), indent=1, ensure_ascii=False, default=str)
    out.write(head[: head.rindex("}")].rstrip() + ',\n "findings": [')
    for n, finding in enumerate(result.findings):
        out.write(",\n  " if n else "\n  ")
        out.write(json.dumps(scrub(finding.to_dict()), ensure_ascii=False, default=str))
    out.write("\n ]\n}\n")


def render_json(result: ScanResult) -> str:
    buffer = io.StringIO()
    write_json(result, buffer)
    return buffer.getvalue()


def compliance_summary(c: ComplianceResult) -> dict[str, Any]:
    """Per framework named with --framework: which one, and its summary by owner and status."""
    fw = c.framework
    return {"framework": {"id": fw.id, "name": fw.name, "version": fw.version}, "summary": c.summary}
