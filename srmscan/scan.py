"""One scan end to end: collect an inventory, evaluate it, hand the result to reporters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from srmscan import __version__
from srmscan.collect.runner import Progress, collect_inventory
from srmscan.collect.session import AwsSession, ScanSetupError
from srmscan.evaluate.compliance import ComplianceResult
from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS, RuleSet, evaluate
from srmscan.evaluate.mutes import Mute, apply_mutes, scan_date
from srmscan.model import Finding, Inventory, Severity, Status


@dataclass
class ScanResult:
    """Everything a reporter needs; reporters never call AWS or re-evaluate."""

    inventory: Inventory
    findings: list[Finding]
    ruleset: RuleSet
    tool_version: str = __version__
    notes: list[str] = field(default_factory=list)
    # Changes since a baseline report (srmscan.drift.diff.diff_reports), shown by the HTML report.
    diff: dict[str, Any] | None = None
    # Compliance views for the frameworks named with `scan --framework` (srmscan.evaluate.compliance).
    compliance: list[ComplianceResult] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        try:
            start = datetime.fromisoformat(self.inventory.started_at.replace("Z", "+00:00"))
            end = datetime.fromisoformat(self.inventory.finished_at.replace("Z", "+00:00"))
        except ValueError:
            return 0.0
        return max(0.0, (end - start).total_seconds())

    def failing_at_or_above(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if f.status is Status.FAIL and f.severity.rank >= threshold.rank]


def resolve_regions(aws: AwsSession, requested: Iterable[str], all_regions: bool) -> list[str]:
    """`--region` values (repeatable, comma-separated) checked against botocore's endpoint data
    before any scanning: known, and all in one partition (the credentials' partition is the home
    region's). `--all-regions` asks the account, keeping only regions of that partition."""
    wanted = [r.strip() for item in requested if item for r in item.split(",") if r.strip()]
    if all_regions:
        enabled = aws.enabled_regions()
        home = _partition(aws, aws.home_region)
        return [r for r in enabled if home is None or _partition(aws, r) in (home, None)]
    if not wanted:
        aws.identity()  # the partition decides the default region (us-gov-west-1, cn-northwest-1, ...)
        return [aws.home_region]
    known = aws.available_regions()
    for region in wanted:
        if region not in known:
            hint = f" (did you mean {region.lower()!r}?)" if region.lower() in known else ""
            raise ScanSetupError(f"unknown region {region!r}{hint}: not in botocore's endpoint data")
    partitions = {p for p in (_partition(aws, r) for r in wanted) if p}
    if len(partitions) > 1:
        raise ScanSetupError(
            f"regions from different partitions ({', '.join(sorted(partitions))}): scan them separately"
        )
    return list(dict.fromkeys(wanted))


def _partition(aws: AwsSession, region: str) -> str | None:
    try:
        return str(aws.session.get_partition_for_region(region))
    except Exception:  # an unknown name (custom endpoint): no partition to compare
        return None


def run_scan(
    aws: AwsSession,
    regions: list[str],
    ruleset: RuleSet,
    *,
    owner_tags: Iterable[str] = DEFAULT_OWNER_TAGS,
    progress: Progress | None = None,
    mutes: list[Mute] | None = None,
    only: set[str] | None = None,
) -> ScanResult:
    """Collect (only the collectors named in `only`, if given) and evaluate."""
    inventory = collect_inventory(aws, regions, progress=progress, only=only)
    return evaluate_inventory(inventory, ruleset, owner_tags=owner_tags, mutes=mutes)


def evaluate_inventory(
    inventory: Inventory,
    ruleset: RuleSet,
    *,
    owner_tags: Iterable[str] = DEFAULT_OWNER_TAGS,
    mutes: list[Mute] | None = None,
) -> ScanResult:
    findings = evaluate(inventory, ruleset, owner_tags=owner_tags)
    notes = []
    if inventory.partial:
        notes.append("The scan was interrupted: this report covers only what was collected before that.")
    if mutes:
        # Pure: expiry is judged against the inventory's own date, so offline re-evaluation agrees.
        muting = apply_mutes(findings, mutes, scan_date(inventory.started_at))
        findings = muting.findings
        notes.extend(muting.notes())
    return ScanResult(inventory=inventory, findings=findings, ruleset=ruleset, notes=notes)


def write_inventory(inventory: Inventory, path: Path) -> None:
    from srmscan.drift.snapshot import inventory_json

    path.write_text(inventory_json(inventory), encoding="utf-8")


def attach_compliance(result: ScanResult, framework_ids: Iterable[str]) -> None:
    """`--framework`: one compliance view per framework over this result's findings; report.html shows
    a section for each and report.json their summaries. Raises FrameworkError for an unknown id."""
    from srmscan.evaluate.compliance import compliance_views, scope_of

    ids = list(framework_ids)
    if ids:
        result.compliance = compliance_views(ids, result.findings, result.ruleset.rules, scope_of(result.inventory))
