"""A compliance view as a NIST OSCAL assessment-results document (JSON). Pure: data -> str.

OSCAL is how AWS itself publishes machine-readable compliance material (e.g. its PCI responsibility
summary in AWS Artifact), and how GRC tools import assessments. One `result` holds the scan; each
requirement row is a `finding` whose target is the requirement, and each evidencing rule's outcome is
an `observation` the findings point to.

OSCAL's objective status has only two states, so srmscan's six are mapped conservatively:
`pass` -> satisfied; `inherited` -> satisfied with reason `other` (AWS's attestation, not tested by
this scan; the remarks say so); everything else (`fail`, `unknown`, `manual`, `not_applicable`) ->
not-satisfied, reason `fail` or `other`. The srmscan status itself is kept in a `status` property.
Identifiers are name-based UUIDs (version 5), so the same scan gives the same document.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from srmscan.evaluate.compliance import ComplianceResult, Row, RuleEvidence
from srmscan.redact import scrub

OSCAL_VERSION = "1.2.3"
NS = "urn:srmscan:oscal"
_UUID_NS = uuid.UUID("8a1c0b7e-6f0e-5d1c-9a5e-2f6d4c3b2a10")
_TOKEN_BAD = re.compile(r"[^\w.\-]", re.UNICODE)


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "|".join(parts)))


def _line(text: object, fallback: str = "-") -> str:
    """OSCAL strings are one line with no edge whitespace; account data may hold anything."""
    flat = " ".join(str(text if text is not None else "").split())
    return flat or fallback


def _token(text: str) -> str:
    """An OSCAL token: starts with a letter or underscore; letters, digits, '.', '-', '_' after."""
    token = _TOKEN_BAD.sub("_", text)
    return token if token[:1].isalpha() or token[:1] == "_" else f"_{token}"


def control_id(framework_id: str, requirement_id: str) -> str:
    return _token(f"{framework_id}_{requirement_id}")


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": _line(value)}


def _state(row: Row) -> tuple[str, str, str]:
    """(state, reason, remarks) for a row's srmscan status."""
    if row.status == "pass":
        return "satisfied", "pass", "Every evidencing srmscan check passed on this scan."
    if row.status == "inherited":
        att = row.attestation.name if row.attestation else "AWS's compliance reports"
        return "satisfied", "other", f"Inherited from AWS, attested in {att} (AWS Artifact); not tested by this scan."
    if row.status == "fail":
        return "not-satisfied", "fail", "At least one evidencing srmscan check failed."
    remarks = {
        "unknown": "Not decided: some evidence could not be read.",
        "manual": "Needs evidence no API can give; the assessor must examine it.",
        "not_applicable": "The evidencing checks found nothing in scope in the scanned regions.",
    }[row.status]
    return "not-satisfied", "other", remarks


def _observation(ev: RuleEvidence, collected: str, scope_key: str) -> dict[str, Any]:
    counts = ", ".join(f"{n} {k}" for k, n in ev.counts.items() if n)
    desc = f"srmscan rule {ev.rule_id} ({ev.title or 'no title'}): {ev.status}" + (f"; {counts}" if counts else "")
    if ev.failing:
        desc += "; failing: " + ", ".join(ev.failing[:20]) + (" and more" if len(ev.failing) > 20 else "")
    if ev.reason:
        desc += f"; {ev.reason}"
    return {
        "uuid": _uuid(scope_key, "observation", ev.rule_id),
        "title": _line(f"srmscan rule {ev.rule_id}"),
        "description": _line(desc),
        "props": [_prop("rule-id", ev.rule_id), _prop("result", ev.status)],
        "methods": ["TEST"],
        "collected": collected,
    }


def _finding(row: Row, framework_id: str, scope_key: str) -> dict[str, Any]:
    req = row.requirement
    state, reason, remarks = _state(row)
    finding: dict[str, Any] = {
        "uuid": _uuid(scope_key, "finding", req.id),
        "title": _line(f"{req.id} {req.title}"),
        "description": _line(row.detail),
        "props": [
            _prop("requirement-id", req.id),
            _prop("owner", str(req.owner)),
            _prop("status", row.status),
            _prop("evidence-method", req.check),
            _prop("why", req.why),
        ],
        "target": {
            "type": "objective-id",
            "target-id": control_id(framework_id, req.id),
            "status": {"state": state, "reason": reason},
            "remarks": remarks,
        },
    }
    if row.evidence:
        finding["related-observations"] = [
            {"observation-uuid": _uuid(scope_key, "observation", ev.rule_id)} for ev in row.evidence
        ]
    return finding


def oscal_dict(result: ComplianceResult, tool_version: str = "") -> dict[str, Any]:
    fw = result.framework
    scope = result.scope
    account = str(scope.get("account_id") or "unknown")
    start = str(scope.get("started_at") or "1970-01-01T00:00:00Z")
    end = str(scope.get("finished_at") or start)
    scope_key = "|".join((account, fw.id, start))
    plan_uuid = _uuid(scope_key, "plan")
    observations: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        for ev in row.evidence:
            observations.setdefault(ev.rule_id, _observation(ev, end, scope_key))
    result_props = [
        _prop("account-id", account),
        _prop("framework", fw.id),
        _prop("partial", bool(scope.get("partial"))),
    ]
    result_props += [_prop("region", r) for r in scope.get("regions") or []]
    doc: dict[str, Any] = {
        "uuid": _uuid(scope_key, "assessment-results"),
        "metadata": {
            "title": _line(f"srmscan {fw.name} {fw.version} assessment of AWS account {account}"),
            "last-modified": end,
            "version": _line(tool_version, "0"),
            "oscal-version": OSCAL_VERSION,
            "props": [_prop("framework", fw.id), _prop("framework-version", fw.version or "-")],
        },
        "import-ap": {
            "href": f"#{plan_uuid}",
            "remarks": "srmscan publishes no separate assessment plan: its plan is the framework mapping in back-matter.",
        },
        "results": [
            {
                "uuid": _uuid(scope_key, "result"),
                "title": _line(f"{fw.name} {fw.version}: automated evidence from one srmscan scan"),
                "description": _line(
                    f"Each requirement of {fw.name} {fw.version} with its owner under the AWS Shared "
                    "Responsibility Model and what the scan of this account proves about it."
                ),
                "start": start,
                "end": end,
                "props": result_props,
                "reviewed-controls": {
                    "control-selections": [
                        {"include-controls": [{"control-id": control_id(fw.id, r.requirement.id)} for r in result.rows]}
                    ]
                },
                **({"observations": list(observations.values())} if observations else {}),
                "findings": [_finding(r, fw.id, scope_key) for r in result.rows],
            }
        ],
        "back-matter": {
            "resources": [
                {
                    "uuid": plan_uuid,
                    "title": _line(f"srmscan mapping of {fw.name} {fw.version} (rules/frameworks)"),
                    "description": _line(fw.description or fw.name),
                    **({"rlinks": [{"href": fw.source}]} if fw.source else {}),
                }
            ]
        },
    }
    return {"assessment-results": scrub(doc)}


def render_oscal(result: ComplianceResult, tool_version: str = "") -> str:
    return json.dumps(oscal_dict(result, tool_version), indent=1, ensure_ascii=False) + "\n"
