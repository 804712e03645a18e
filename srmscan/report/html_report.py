"""report.html: one self-contained page, rendered with autoescaping from templates/."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from srmscan.model import CallError, Finding, Status
from srmscan.resources import templates_dir
from srmscan.scan import ScanResult
from srmscan.summary import ERROR_KIND_LABELS, OWNER_ORDER, counts, failing_by_team, grouped

OWNER_LABELS = {"customer": "Customer", "shared": "Shared", "aws": "AWS"}
OWNER_BLURB = {
    "customer": "Security in the cloud: only we can see or change these.",
    "shared": "AWS does the work; we hold the lever that decides whether it happens or whether we survive it.",
    "aws": "Security of the cloud: what this account inherits, attested by independent auditors.",
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "html.j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_safe"] = _json_for_script
    return env


def _json_for_script(value: Any) -> str:
    """JSON safe inside a <script type=application/json>: no `</` sequence can close the tag."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def view_model(result: ScanResult) -> dict[str, Any]:
    inv = result.inventory
    findings = result.findings
    summary = counts(findings)
    visible = [f for f in findings if f.status is not Status.MUTED]
    errors_by_kind: dict[str, list[CallError]] = defaultdict(list)
    for err in inv.errors:
        errors_by_kind[ERROR_KIND_LABELS.get(err.kind, str(err.kind))].append(err)
    resource_counts: dict[str, int] = defaultdict(int)
    for res in inv.resources:
        resource_counts[res.type] += 1
    return {
        "result": result,
        "inv": inv,
        "summary": summary,
        "owners": [str(o) for o in OWNER_ORDER],
        "owner_labels": OWNER_LABELS,
        "owner_blurb": OWNER_BLURB,
        "teams": failing_by_team(findings),
        "groups": grouped(visible),
        "layer_labels": result.ruleset.matrix.layer_labels,
        "account_map": result.ruleset.matrix.account_map(inv, findings),
        "attestations": result.ruleset.matrix.attestations,
        "artifact_url": result.ruleset.matrix.artifact_url,
        "unknown": [f for f in findings if f.status is Status.UNKNOWN],
        "muted": [f for f in findings if f.status is Status.MUTED],
        "errors_by_kind": sorted(errors_by_kind.items()),
        "resource_counts": sorted(resource_counts.items()),
        "services": sorted({f.service for f in findings}),
        "regions": sorted({f.region for f in findings}),
        "team_names": sorted({f.team for f in findings if f.team}),
        "duration_s": result.duration_s,
    }


def render_html(result: ScanResult) -> str:
    return _environment().get_template("report.html.j2").render(**view_model(result))


def finding_text(f: Finding) -> str:
    """Lower-cased text the client-side free-text filter searches."""
    parts = [f.title, f.message, f.resource_id, f.resource_name or "", f.rule_id, f.team or "", f.region]
    return " ".join(parts).lower()
