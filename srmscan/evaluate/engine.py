"""Load rules and evaluate them over an inventory. Pure: no AWS, no clock, no network."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from srmscan.evaluate.matrix import Matrix
from srmscan.evaluate.resources import rules_dir
from srmscan.evaluate.rules_api import InventoryView, ResourceView, Rule, Unreadable, Verdict, declared_rules
from srmscan.model import ACCOUNT_TYPE, GLOBAL_REGION, Finding, Inventory, Resource, Severity, Status, finding_id

DEFAULT_OWNER_TAGS = ("Owner", "Team")


class RuleLoadError(Exception):
    """A rules file that does not import or declares a duplicate id."""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    tables: dict[str, Any]
    matrix: Matrix

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def load_ruleset(extra_dirs: Iterable[Path] = ()) -> RuleSet:
    """The bundled rules plus any `--rules-dir` folders (their rules may not reuse an id)."""
    dirs = [rules_dir(), *[Path(d) for d in extra_dirs]]
    rules: dict[str, Rule] = {}
    tables: dict[str, Any] = {}
    for folder in dirs:
        if not folder.is_dir():
            raise RuleLoadError(f"rules folder {folder} does not exist")
        for path in sorted(folder.glob("*.py")):
            for found in _load_file(path):
                if found.id in rules:
                    raise RuleLoadError(f"{path.name}: rule id {found.id!r} is already defined")
                rules[found.id] = found
        data = folder / "data"
        for table in sorted(data.glob("*.toml")) if data.is_dir() else []:
            tables[table.stem] = _load_toml(table)
    matrix = Matrix.load(rules_dir() / "responsibility.toml")
    return RuleSet(tuple(sorted(rules.values(), key=lambda r: r.id)), tables, matrix)


def _load_toml(path: Path) -> Any:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleLoadError(f"{path}: {exc}") from exc


def _load_file(path: Path) -> list[Rule]:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    name = f"srmscan_rules_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuleLoadError(f"cannot load rules file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise RuleLoadError(f"rules file {path} failed to load: {type(exc).__name__}: {exc}") from exc
    return [found for obj in vars(module).values() for found in declared_rules(obj)]


def team_of(resource: Resource, owner_tags: Iterable[str]) -> str | None:
    """The team on our side that owns a resource, from the first owner tag it carries."""
    lowered = {k.lower(): v for k, v in resource.tags.items()}
    for tag in owner_tags:
        value = lowered.get(tag.lower())
        if value:
            return value
    return None


def _team(resource: Resource, inventory: Inventory, owner_tags: tuple[str, ...]) -> str | None:
    """The resource's own owner tag; for an untagged record that names its users (`used_by`, as an
    ECR image names the ECS services running it), the teams of those users."""
    own = team_of(resource, owner_tags) if "tags" not in resource.unreadable else None
    users = resource.attrs.get("used_by") if own is None and not resource.tags else None
    if not users or not isinstance(users, list):
        return own
    wanted = {str(u) for u in users}
    teams = {
        team
        for r in inventory.resources
        if (r.id in wanted or (r.arn or "") in wanted) and (team := team_of(r, owner_tags))
    }
    return ", ".join(sorted(teams)) or None


def evaluate(
    inventory: Inventory,
    ruleset: RuleSet,
    *,
    owner_tags: Iterable[str] = DEFAULT_OWNER_TAGS,
) -> list[Finding]:
    """Every rule over every resource it targets, plus the AWS-side `info` statements."""
    owner_tags = tuple(owner_tags)
    view = InventoryView(inventory, ruleset.tables)
    errors = {e.id: e for e in inventory.errors}
    findings: list[Finding] = []
    for rule in ruleset.rules:
        findings.extend(_gap_findings(rule, inventory, errors))
        for resource in view.targets(rule.resource_type):
            finding = _apply(rule, resource, view, inventory, errors, owner_tags)
            if finding is not None:
                findings.append(finding)
    findings.extend(ruleset.matrix.info_findings(inventory))
    return sorted(findings, key=_order)


def _order(f: Finding) -> tuple[Any, ...]:
    return (f.owner, f.layer, f.service, -Severity(f.severity).rank, f.rule_id, f.region, f.resource_id)


def _apply(
    rule: Rule,
    resource: Resource,
    view: InventoryView,
    inventory: Inventory,
    errors: dict[str, Any],
    owner_tags: tuple[str, ...],
) -> Finding | None:
    rv = ResourceView(resource)
    error_ids: list[str] = []
    reason: str | None = None
    try:
        if rule.where is not None and not rule.where(rv):
            return None
        verdict = rule.check(rv, view)
    except Unreadable as gap:
        err = errors.get(gap.error_id)
        reason = f"could not read {gap.what}: " + (err.reason if err else f"error {gap.error_id}")
        error_ids = [gap.error_id]
        verdict = Verdict(Status.UNKNOWN, reason)
    except Exception as exc:
        # A rule that breaks on odd data has not seen evidence of a pass.
        reason = f"rule could not evaluate this resource: {type(exc).__name__}: {exc}"
        verdict = Verdict(Status.UNKNOWN, reason)
    if verdict is None:
        return None
    if verdict.status is Status.UNKNOWN and reason is None:
        reason = verdict.message
    return _finding(rule, resource, inventory, verdict, owner_tags, reason, error_ids)


def _finding(
    rule: Rule,
    resource: Resource,
    inventory: Inventory,
    verdict: Verdict,
    owner_tags: tuple[str, ...],
    reason: str | None,
    error_ids: list[str],
) -> Finding:
    # Account-wide settings belong to no service tier: the README's `account`.
    tier = str(rule.tier or resource.tier or ("account" if resource.type == ACCOUNT_TYPE else ""))
    return Finding(
        id=finding_id(rule.id, inventory.account_id, resource.region, resource.type, resource.id),
        rule_id=rule.id,
        title=rule.title,
        status=verdict.status,
        severity=verdict.severity or rule.severity,
        owner=rule.owner,
        layer=rule.layer,
        service=rule.service,
        service_tier=tier,
        account_id=inventory.account_id,
        region=resource.region,
        resource_type=resource.type,
        resource_id=resource.id,
        resource_arn=resource.arn,
        resource_name=resource.name,
        team=_team(resource, inventory, owner_tags),
        message=verdict.message,
        rationale=rule.rationale,
        remediation=rule.remediation,
        frameworks=rule.frameworks,
        evidence=dict(verdict.evidence),
        unknown_reason=reason,
        error_ids=error_ids,
    )


def _gap_findings(rule: Rule, inventory: Inventory, errors: dict[str, Any]) -> list[Finding]:
    """Where the rule's resource type could not be listed, say so once per region."""
    out = []
    for gap in inventory.gaps:
        if gap.resource_type != rule.resource_type:
            continue
        err = errors.get(gap.error_id)
        reason = f"could not list {rule.resource_type}: " + (err.reason if err else gap.error_id)
        placeholder = Resource(
            type=rule.resource_type,
            id="*",
            region=gap.region or GLOBAL_REGION,
            name=f"all {rule.resource_type} in {gap.region}",
        )
        out.append(_finding(rule, placeholder, inventory, Verdict(Status.UNKNOWN, reason), (), reason, [gap.error_id]))
    return out
