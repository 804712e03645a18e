"""The HTML report's sections as plain data: every count and grouping is made here, where it is
tested, so the template only lays things out and the page's script only filters and draws rows.

Findings are handed to the page as one compact JSON payload (columns + rows + a table of the
long texts shared by many findings) instead of pre-rendered HTML: a 10,000-finding report then
stays a few megabytes, and the browser draws only the rows the reader asks for.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from srmscan.evaluate.matrix import Matrix
from srmscan.evaluate.summary import ERROR_KIND_LABELS, LAYER_ORDER, OWNER_ORDER, SEVERITY_ORDER
from srmscan.model import CallError, ErrorKind, Finding, Inventory, Owner, Status
from srmscan.redact import scrub

NO_TEAM = "(no owner tag)"
# Sentinel the page's team filter uses for findings without an owner tag.
NO_TEAM_VALUE = "__none__"
EVIDENCE_LIMIT = 4000

# What to do about each kind of failed call, next to the IAM action the call needed.
CAUSE_HINTS = {
    ErrorKind.ACCESS_DENIED: "Grant the scanner's role the IAM action listed (SecurityAudit + ViewOnlyAccess covers them), "
    "and check SCPs and permission boundaries.",
    ErrorKind.UNSUPPORTED: "The endpoint does not offer this API (partition, region or emulator). "
    "The action is what the scanner would need where the API exists.",
    ErrorKind.THROTTLED: "Retries were exhausted: re-run with fewer concurrent calls (--per-service-concurrency).",
    ErrorKind.REGION_DISABLED: "Enable the region for the account, or leave it out of --region.",
    ErrorKind.EXPIRED_CREDENTIALS: "Refresh the credentials and re-run the scan.",
    ErrorKind.NOT_SUBSCRIBED: "The API needs a subscription or support plan that the account does not have.",
    ErrorKind.SERVICE_ERROR: "AWS answered with a server error; re-run the scan.",
    ErrorKind.CONNECTION: "The endpoint could not be reached; check network, proxy and endpoint settings.",
    ErrorKind.OTHER: "See the error message.",
}
RULE_COULD_NOT_DECIDE = "check_could_not_decide"
CAUSE_ORDER = [*ErrorKind, RULE_COULD_NOT_DECIDE]


@dataclass
class CauseGroup:
    """One cause in "What we could not see": the calls that failed and the checks left unknown."""

    cause: str
    label: str
    hint: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def call_count(self) -> int:
        return sum(c["count"] for c in self.calls)

    @property
    def check_count(self) -> int:
        return sum(c["count"] for c in self.checks)


def header_facts(inv: Inventory, matrix: Matrix) -> dict[str, Any]:
    """Header figures: what was scanned, how much, and how many calls did not answer."""
    by_type = Counter(r.type for r in inv.resources)
    labels = {t: (matrix.rows[t].label if t in matrix.rows else t) for t in by_type}
    return {
        "resource_total": len(inv.resources),
        "resource_counts": [
            {"type": t, "label": labels[t], "count": n}
            for t, n in sorted(by_type.items(), key=lambda kv: labels[kv[0]])
        ],
        "api_calls": inv.api_calls,
        "failed_calls": len(inv.errors),
    }


def customer_panel(findings: list[Finding]) -> dict[str, Any]:
    """Failing customer findings by severity and by team (team from the owner tags)."""
    failing = [f for f in findings if f.owner is Owner.CUSTOMER and f.status is Status.FAIL]
    sev = Counter(str(f.severity) for f in failing)
    teams = Counter(f.team or NO_TEAM for f in failing)
    return {
        "fail": len(failing),
        "unknown": sum(1 for f in findings if f.owner is Owner.CUSTOMER and f.status is Status.UNKNOWN),
        "by_severity": [{"severity": str(s), "count": sev.get(str(s), 0)} for s in SEVERITY_ORDER],
        "by_team": [
            {"team": t, "value": NO_TEAM_VALUE if t == NO_TEAM else t, "count": n}
            for t, n in sorted(teams.items(), key=lambda kv: (-kv[1], kv[0] == NO_TEAM, kv[0]))
        ],
    }


def shared_panel(matrix: Matrix, inv: Inventory, findings: list[Finding]) -> dict[str, Any]:
    """The levers we hold on shared layers of the resource types present, with their open findings."""
    present = Counter(r.type for r in inv.resources)
    open_by_cell: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for f in findings:
        if f.owner is Owner.SHARED:
            open_by_cell[(f.resource_type, str(f.layer))][str(f.status)] += 1
    levers = []
    for rtype, count in sorted(
        present.items(), key=lambda kv: matrix.rows[kv[0]].label if kv[0] in matrix.rows else kv[0]
    ):
        row = matrix.rows.get(rtype)
        if row is None:
            continue
        for layer in LAYER_ORDER:
            cell = row.cells.get(str(layer))
            if cell is None or cell.owner != Owner.SHARED:
                continue
            by_status = open_by_cell[(rtype, str(layer))]
            levers.append(
                {
                    "resource_type": rtype,
                    "label": row.label,
                    "count": count,
                    "layer": str(layer),
                    "layer_label": matrix.layer_labels[str(layer)],
                    "aws_does": cell.aws_does or cell.why,
                    "lever": cell.customer_does or cell.why,
                    "fail": by_status.get(Status.FAIL, 0),
                    "unknown": by_status.get(Status.UNKNOWN, 0),
                }
            )
    shared = [f for f in findings if f.owner is Owner.SHARED]
    return {
        "levers": levers,
        "fail": sum(1 for f in shared if f.status is Status.FAIL),
        "unknown": sum(1 for f in shared if f.status is Status.UNKNOWN),
        "pass": sum(1 for f in shared if f.status is Status.PASS),
    }


def aws_panel(matrix: Matrix, findings: list[Finding]) -> dict[str, Any]:
    """What the account inherits from AWS, and the attestations that cover it."""
    info = [f for f in findings if f.owner is Owner.AWS and f.status is Status.INFO]
    layers = Counter(str(f.layer) for f in info)
    return {
        "info": len(info),
        "types": len({f.resource_type for f in info}),
        "by_layer": [
            {"layer": str(layer), "label": matrix.layer_labels[str(layer)], "count": layers[str(layer)]}
            for layer in LAYER_ORDER
            if layers.get(str(layer))
        ],
        "attestations": [
            {"name": str(a.get("name", "")), "covers": str(a.get("covers", "")), "url": _https(a.get("url"))}
            for a in matrix.attestations
        ],
        "artifact_url": _https(matrix.artifact_url) or "https://aws.amazon.com/artifact/",
    }


def _https(url: object) -> str:
    """Only https links from the matrix become hrefs (no javascript: or data: URLs)."""
    text = str(url or "")
    return text if text.startswith("https://") else ""


def could_not_see(inv: Inventory, findings: list[Finding]) -> list[CauseGroup]:
    """Failed calls and unknown checks grouped by cause, with the IAM action each call needed.

    Calls are grouped by (IAM action, error code) so an account with thousands of denied
    per-bucket calls reads as one line per action, not thousands of lines.
    """
    errors = {e.id: e for e in inv.errors}
    groups: dict[str, CauseGroup] = {}

    def group(cause: str) -> CauseGroup:
        if cause not in groups:
            if cause == RULE_COULD_NOT_DECIDE:
                label, hint = "The check could not decide", "The evidence was incomplete or unusual; see each reason."
            else:
                kind = ErrorKind(cause)
                label, hint = ERROR_KIND_LABELS.get(kind, cause), CAUSE_HINTS.get(kind, "")
            groups[cause] = CauseGroup(cause=cause, label=label, hint=hint)
        return groups[cause]

    calls: dict[tuple[str, str, str], list[CallError]] = defaultdict(list)
    for err in inv.errors:
        calls[(str(err.kind), err.iam_action, err.code)].append(err)
    for (kind, action, code), errs in sorted(calls.items()):
        group(kind).calls.append(
            {
                "iam_action": action,
                "operation": f"{errs[0].service}:{errs[0].operation}",
                "code": code,
                "message": errs[0].message,
                "regions": sorted({e.region for e in errs}),
                "count": len(errs),
            }
        )

    checks: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.status is not Status.UNKNOWN:
            continue
        kinds = {str(errors[i].kind) for i in f.error_ids if i in errors}
        cause = sorted(kinds)[0] if kinds else RULE_COULD_NOT_DECIDE
        checks[(cause, f.rule_id)].append(f)
    for (cause, rule_id), items in sorted(checks.items()):
        actions = sorted({errors[i].iam_action for f in items for i in f.error_ids if i in errors})
        group(cause).checks.append(
            {
                "rule_id": rule_id,
                "title": items[0].title,
                "count": len(items),
                "regions": sorted({f.region for f in items}),
                "iam_actions": actions,
                "reason": items[0].unknown_reason or items[0].message,
            }
        )
    order = {str(c): i for i, c in enumerate(CAUSE_ORDER)}
    return sorted(groups.values(), key=lambda g: order.get(g.cause, len(order)))


def muted_rows(findings: list[Finding]) -> list[dict[str, Any]]:
    """Muted findings with who muted them, why, until when, and the status the mute hides."""
    rows = []
    for f in findings:
        if f.status is not Status.MUTED:
            continue
        mute = f.mute or {}
        rows.append(
            {
                "title": f.title,
                "rule_id": f.rule_id,
                "resource": f.resource_name or f.resource_id,
                "resource_id": f.resource_id,
                "region": f.region,
                "severity": str(f.severity),
                "reason": str(mute.get("reason", "")),
                "expires": str(mute.get("expires", "")),
                "author": str(mute.get("author", "")),
                "status": str(mute.get("status", "")),
            }
        )
    return rows


FINDING_COLUMNS = [
    "id",
    "account",
    "rule",
    "status",
    "severity",
    "owner",
    "layer",
    "service",
    "tier",
    "region",
    "type",
    "rid",
    "arn",
    "name",
    "team",
    "message",
    "reason",
    "evidence",
    "attribution",
    "title",
    "rationale",
    "remediation",
    "fsbp",
    "cis",
]
# Columns whose values repeat across findings of one rule: stored once in `texts`, by index.
INTERNED = ("account", "title", "rationale", "remediation", "type", "service", "region", "team", "layer", "tier")


def findings_payload(findings: list[Finding]) -> dict[str, Any]:
    """Every non-muted finding as compact rows for the page's script (secrets scrubbed first)."""
    texts: list[str] = []
    index: dict[str, int] = {}

    def intern(value: str, key: str) -> int:
        if value not in index:
            index[value] = len(texts)
            texts.append(scrub(value, key))
        return index[value]

    rows = []
    for f in findings:
        if f.status is Status.MUTED:
            continue
        frameworks = f.frameworks or {}
        # Built field by field (not via asdict, ten times slower at 10,000 findings); every
        # string from the account still goes through scrub, as in the JSON report.
        values: dict[str, Any] = {
            "id": f.id,
            "account": f.account_id,
            "rule": f.rule_id,
            "status": str(f.status),
            "severity": str(f.severity),
            "owner": str(f.owner),
            "layer": str(f.layer),
            "service": f.service,
            "tier": f.service_tier or "",
            "region": f.region,
            "type": f.resource_type,
            "rid": scrub(f.resource_id, "resource_id"),
            "arn": scrub(f.resource_arn or "", "resource_arn"),
            "name": scrub(f.resource_name or "", "resource_name"),
            "team": f.team or "",
            "message": scrub(f.message or "", "message"),
            "reason": scrub(f.unknown_reason or "", "unknown_reason"),
            "evidence": evidence_text(scrub(f.evidence, "evidence")),
            "attribution": evidence_text(scrub(getattr(f, "attribution", None), "attribution")),
            "title": f.title,
            "rationale": f.rationale or "",
            "remediation": f.remediation or "",
            "fsbp": list(frameworks.get("fsbp", [])),
            "cis": list(frameworks.get("cis", [])),
        }
        rows.append([intern(str(values[c]), c) if c in INTERNED else values[c] for c in FINDING_COLUMNS])
    return {"columns": FINDING_COLUMNS, "interned": list(INTERNED), "texts": texts, "rows": rows}


def evidence_text(evidence: Any) -> str:
    """Evidence as indented JSON, cut at EVIDENCE_LIMIT characters (the JSON report keeps it whole)."""
    if not evidence:
        return ""
    text = json.dumps(evidence, indent=1, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > EVIDENCE_LIMIT:
        return text[:EVIDENCE_LIMIT] + "\n… (cut here; the full evidence is in report.json)"
    return text


def filter_options(findings: list[Finding]) -> dict[str, list[dict[str, str]]]:
    """Values offered by the filter selects, in reading order."""
    shown = [f for f in findings if f.status is not Status.MUTED]
    teams = sorted({f.team for f in shown if f.team})
    options = {
        "owner": [{"value": str(o), "label": OWNER_LABELS[str(o)]} for o in OWNER_ORDER],
        "status": [{"value": s, "label": s} for s in ("fail", "unknown", "pass", "info")],
        "severity": [{"value": str(s), "label": str(s)} for s in SEVERITY_ORDER],
        "service": [{"value": s, "label": s} for s in sorted({f.service for f in shown})],
        "region": [{"value": s, "label": s} for s in sorted({f.region for f in shown})],
        "team": [{"value": t, "label": t} for t in teams],
        "account": [{"value": a, "label": a} for a in sorted({f.account_id for f in shown})],
    }
    if any(not f.team for f in shown):
        options["team"].append({"value": NO_TEAM_VALUE, "label": NO_TEAM})
    return options


OWNER_LABELS = {"customer": "Customer", "shared": "Shared", "aws": "AWS", "n/a": "n/a"}
