"""Findings + a framework -> the auditor's rows (compliance views). Pure: no AWS, no clock, no network.

Each row states who owns the requirement, why, and what this scan proves about it:

- `inherited`: AWS's side, covered by the named attestation (never counted as a pass of ours);
- `manual`: needs evidence no API can give (policies, training, procedures), or the automated
  part passes and the rest still needs that evidence;
- `fail`: at least one evidencing check fails (a muted failure is still a failure here: the
  mute is an accepted exception the auditor reviews, and the row says how many are muted);
- `unknown`: some evidence could not be read, or an evidencing rule did not run;
- `pass`: every evidencing check that found resources passes;
- `not_applicable`: the evidencing rules found nothing in scope (e.g. no RDS instances in the
  scanned regions) — stated, not claimed as a pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from srmscan.evaluate.frameworks import Attestation, Framework, Requirement
from srmscan.model import Finding, Owner, Status

ROW_STATUSES = ("fail", "unknown", "pass", "manual", "not_applicable", "inherited")
OWNERS = ("customer", "shared", "aws")
# Resource ids named per failing rule in a row's detail; the rest are counted.
NAMED_FAILURES = 5


@dataclass(frozen=True)
class RuleEvidence:
    """One evidencing rule's result on this account."""

    rule_id: str
    title: str
    status: str  # fail | unknown | pass | not_applicable | not_evaluated
    counts: dict[str, int]
    failing: tuple[str, ...] = ()
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "status": self.status,
            "counts": dict(self.counts),
            "failing": list(self.failing),
            "reason": self.reason,
        }


def _attestation_dict(att: Attestation | None) -> dict[str, str] | None:
    if att is None:
        return None
    return {"name": att.name, "covers": att.covers, "via": att.via, "url": att.url}


@dataclass(frozen=True)
class Row:
    requirement: Requirement
    status: str
    detail: str
    evidence: tuple[RuleEvidence, ...] = ()
    attestation: Attestation | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        req = self.requirement
        return {
            "id": req.id,
            "title": req.title,
            "section": req.section,
            "owner": str(req.owner),
            "why": req.why,
            "check": req.check,
            "status": self.status,
            "detail": self.detail,
            "rules": list(req.rules),
            "manual_evidence": req.manual,
            "attestation": _attestation_dict(self.attestation),
            "evidence": [e.to_dict() for e in self.evidence],
            "counts": dict(self.counts),
            "gap": req.gap,
            "extra": dict(req.extra),
        }


@dataclass(frozen=True)
class ComplianceResult:
    framework: Framework
    rows: tuple[Row, ...]
    scope: dict[str, Any]
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        fw = self.framework
        return {
            "framework": {
                "id": fw.id,
                "name": fw.name,
                "version": fw.version,
                "publisher": fw.publisher,
                "source": fw.source,
                "description": fw.description,
                "notes": list(fw.notes),
            },
            "scope": dict(self.scope),
            "summary": self.summary,
            "rows": [r.to_dict() for r in self.rows],
        }


def _real_status(f: Finding) -> Status:
    """A muted finding keeps its real status in `mute.status`."""
    if f.status is Status.MUTED and f.mute:
        try:
            return Status(str(f.mute.get("status", "")))
        except ValueError:
            return Status.UNKNOWN
    return f.status


def _rule_evidence(
    rule_id: str, findings: list[Finding], evaluated: set[str] | None, titles: dict[str, str]
) -> RuleEvidence:
    title = titles.get(rule_id, "")
    if not findings and evaluated is not None and rule_id not in evaluated:
        return RuleEvidence(
            rule_id,
            title,
            "not_evaluated",
            {},
            reason=f"rule {rule_id} did not run in this scan (not in this srmscan version, or not loaded)",
        )
    counts: Counter[str] = Counter()
    failing: list[str] = []
    reason = ""
    for f in findings:
        real = _real_status(f)
        if real is Status.INFO:
            continue
        counts[str(real)] += 1
        if f.status is Status.MUTED:
            counts["muted"] += 1
        if real is Status.FAIL:
            failing.append(f.resource_name or f.resource_id)
        elif real is Status.UNKNOWN and not reason:
            reason = f.unknown_reason or f.message
    status = "not_applicable"
    for candidate in ("fail", "unknown", "pass"):
        if counts[candidate]:
            status = candidate
            break
    return RuleEvidence(
        rule_id,
        title or (findings[0].title if findings else ""),
        status,
        {k: counts.get(k, 0) for k in ("fail", "unknown", "pass", "muted")},
        tuple(sorted(set(failing))),
        reason,
    )


def _failing_detail(evidence: Iterable[RuleEvidence]) -> str:
    parts = []
    for ev in evidence:
        if ev.status != "fail":
            continue
        names = ", ".join(ev.failing[:NAMED_FAILURES])
        more = len(ev.failing) - NAMED_FAILURES
        parts.append(f"{ev.rule_id}: {names}" + (f" and {more} more" if more > 0 else ""))
    return "; ".join(parts)


def evaluate_row(
    req: Requirement,
    framework: Framework,
    by_rule: dict[str, list[Finding]],
    evaluated: set[str] | None,
    titles: dict[str, str],
) -> Row:
    if req.owner is Owner.AWS:
        att = framework.attestations.get(req.attestation)
        where = f"{att.name} ({att.via})" if att else "AWS's compliance reports (AWS Artifact)"
        return Row(req, "inherited", f"AWS's side of the line, attested in {where}.", attestation=att)
    if not req.rules:
        return Row(req, "manual", req.manual or "Needs evidence no API can give.")
    evidence = tuple(_rule_evidence(rid, by_rule.get(rid, []), evaluated, titles) for rid in req.rules)
    counts = {k: sum(e.counts.get(k, 0) for e in evidence) for k in ("fail", "unknown", "pass", "muted")}
    muted = f" ({counts['muted']} muted as accepted exceptions)" if counts["muted"] else ""
    statuses = {e.status for e in evidence}
    if "fail" in statuses:
        return Row(req, "fail", f"{counts['fail']} failing{muted}: {_failing_detail(evidence)}", evidence, None, counts)
    if "unknown" in statuses or "not_evaluated" in statuses:
        first = next(e for e in evidence if e.status in ("unknown", "not_evaluated"))
        return Row(req, "unknown", f"could not be decided: {first.reason}", evidence, None, counts)
    if "pass" in statuses:
        checked = f"{counts['pass']} check(s) pass{muted}"
        if req.check == "partial":
            return Row(req, "manual", f"automated part: {checked}; still needs: {req.manual}", evidence, None, counts)
        return Row(req, "pass", checked, evidence, None, counts)
    rules = ", ".join(req.rules)
    detail = f"nothing in scope in the scanned regions for {rules}"
    if req.check == "partial":
        return Row(req, "manual", f"{detail}; still needs: {req.manual}", evidence, None, counts)
    return Row(req, "not_applicable", detail, evidence, None, counts)


def summarise(framework: Framework, rows: Iterable[Row]) -> dict[str, Any]:
    rows = list(rows)
    by_owner_status = {o: {s: 0 for s in ROW_STATUSES} for o in OWNERS}
    for row in rows:
        by_owner_status[str(row.requirement.owner)][row.status] += 1
    ours = {s: by_owner_status["customer"][s] + by_owner_status["shared"][s] for s in ROW_STATUSES if s != "inherited"}
    auto = {
        o: sum(1 for r in rows if str(r.requirement.owner) == o and r.requirement.check in ("automated", "partial"))
        for o in ("customer", "shared")
    }
    return {
        "rows": len(rows),
        "rows_by_owner": {o: sum(by_owner_status[o].values()) for o in OWNERS},
        "by_status": {s: sum(by_owner_status[o][s] for o in OWNERS) for s in ROW_STATUSES},
        "by_owner_status": by_owner_status,
        "ours": ours,
        "evidenced_automatically": auto,
        "gaps": sum(1 for r in rows if r.requirement.gap),
        "out_of_scope": len(framework.out_of_scope),
    }


def evaluate_compliance(
    framework: Framework,
    findings: Iterable[Finding],
    *,
    evaluated_rules: Iterable[str] | None = None,
    rule_titles: dict[str, str] | None = None,
    scope: dict[str, Any] | None = None,
) -> ComplianceResult:
    """Rows for every requirement of `framework` from one scan's findings.

    `evaluated_rules` names the rules that ran; an evidencing rule outside it makes its row
    `unknown` (None = not known, e.g. an old report: rules with no findings are then taken as
    having found nothing in scope).
    """
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    evaluated = set(evaluated_rules) if evaluated_rules is not None else None
    titles = dict(rule_titles or {})
    rows = tuple(evaluate_row(req, framework, by_rule, evaluated, titles) for req in framework.requirements)
    return ComplianceResult(framework, rows, dict(scope or {}), summarise(framework, rows))


def scope_of(inventory: Any) -> dict[str, Any]:
    """What a compliance view covers, from an Inventory (or anything with the same fields)."""
    return {
        "account_id": inventory.account_id,
        "regions": list(inventory.regions),
        "started_at": inventory.started_at,
        "finished_at": inventory.finished_at or inventory.started_at,
        "partial": bool(inventory.partial),
    }


def compliance_views(
    framework_ids: Iterable[str],
    findings: list[Finding],
    rules: Iterable[Any],
    scope: dict[str, Any],
    *,
    evaluated_rules: Iterable[str] | None = None,
) -> list[ComplianceResult]:
    """One view per framework id over the same findings; `rules` are the loaded rules (id, owner,
    fsbp, title). Raises FrameworkError for an unknown id."""
    from srmscan.evaluate.frameworks import RuleRef, load_framework

    rules = list(rules)
    refs = [RuleRef(r.id, r.owner, tuple(r.fsbp)) for r in rules]
    titles = {r.id: r.title for r in rules}
    evaluated = list(evaluated_rules) if evaluated_rules is not None else [r.id for r in rules]
    return [
        evaluate_compliance(
            load_framework(fid, refs), findings, evaluated_rules=evaluated, rule_titles=titles, scope=scope
        )
        for fid in dict.fromkeys(framework_ids)
    ]
