"""report.json: the machine contract. Versioned; fields are added, never renamed."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from srmscan.redact import scrub
from srmscan.scan import ScanResult
from srmscan.summary import counts

SCHEMA_VERSION = 1


def report_dict(result: ScanResult) -> dict[str, Any]:
    inv = result.inventory
    return {
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
        "summary": counts(result.findings),
        "errors": [e.to_dict() for e in inv.errors],
        "findings": [scrub(f.to_dict()) for f in result.findings],
    }


def render_json(result: ScanResult) -> str:
    return json.dumps(report_dict(result), indent=1, ensure_ascii=False, default=str) + "\n"
