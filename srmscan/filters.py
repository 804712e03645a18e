"""Prowler-style filters: which services are collected and evaluated, which rules run, what is listed.

Two kinds, kept apart on purpose:

- Scope (`--services`, `--checks`, `--exclude-checks`) decides what is collected and evaluated.
  A service's rules also read resources of other services (a DynamoDB table's KMS key, an RDS
  instance's subnets), so the collectors run are those producing every resource type the chosen
  rules target or look up, plus the enrichers that add settings to resources (they produce no type
  of their own). Narrowing scope therefore never changes the status of a finding that is kept.
- Listing (`--severity`, `--status`) only decides what the outputs list. `--fail-on` is judged on
  every evaluated finding before it, so hiding a status never hides a failure from CI.

Pure: no boto3 here; the collector registry is read only for names and declared resource types.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, replace

from srmscan.collect.registry import CollectorSpec, all_collectors
from srmscan.evaluate.engine import RuleSet
from srmscan.model import Finding, Severity, Status

# Resource types a service's rules look up beyond their own targets and example `related`
# resources (found with `inv.find` / `inv.resources` in rules/); tests/test_cli_filters.py checks
# on the demo account that a narrowed scan keeps every finding's status.
EXTRA_TYPES: dict[str, tuple[str, ...]] = {
    "dynamodb": ("AWS::KMS::Key",),
    "ecs": ("AWS::EC2::Instance",),
    "rds": ("AWS::EC2::Subnet",),
    "docdb": ("AWS::EC2::Subnet",),
    "neptune": ("AWS::EC2::Subnet",),
    "ec2": ("AWS::AutoScaling::AutoScalingGroup",),
    "iam": ("AWS::IAM::Policy",),
    "cloudfront": ("AWS::S3::Bucket",),
    "cloudwatch": ("AWS::CloudTrail::Trail",),
    "eks": ("AWS::EC2::Instance",),
    "route53": (
        "AWS::S3::Bucket",
        "AWS::CloudFront::Distribution",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::EC2::Instance",
    ),
}
# Always collected: the account resource many rules of every service read.
ALWAYS = ("account",)


class FilterError(ValueError):
    """A filter naming nothing that exists: a usage error (exit 2)."""


def _split(values: Iterable[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in str(item).split(",") if v.strip()]


def known_services(ruleset: RuleSet) -> list[str]:
    """Every name `--services` accepts: the rules' services, the collectors' and the matrix rows'."""
    names = {r.service for r in ruleset.rules} | {c.name for c in all_collectors()}
    names |= {row.service for row in ruleset.matrix.rows.values()}
    return sorted(n for n in names if n)


def parse_services(values: Iterable[str] | None, ruleset: RuleSet) -> list[str] | None:
    """`--services a,b` checked against the known names; None means every service."""
    wanted = [v.lower() for v in _split(values)]
    if not wanted:
        return None
    known = known_services(ruleset)
    bad = [v for v in wanted if v not in known]
    if bad:
        raise FilterError(f"unknown service(s) {', '.join(bad)} (valid: {', '.join(known)})")
    return list(dict.fromkeys(wanted))


@dataclass(frozen=True)
class Scope:
    """What one run collects and evaluates; None fields mean everything."""

    services: list[str] | None = None
    rule_ids: frozenset[str] | None = None
    # `--checks` given: only those rules are listed, not the AWS-side `srm.*` statements either.
    only_checks: bool = False

    def keeps(self, finding: Finding) -> bool:
        if self.services is not None and finding.service not in self.services:
            return False
        if self.rule_ids is not None and finding.rule_id not in self.rule_ids:
            return finding.rule_id.startswith("srm.") and not self.only_checks
        return True


def select_rules(
    ruleset: RuleSet,
    services: list[str] | None,
    checks: Iterable[str] | None,
    exclude: Iterable[str] | None,
) -> tuple[RuleSet, Scope]:
    """The rule set narrowed by services, `--checks` and `--exclude-checks` (ids or globs).

    A pattern that matches no rule is refused: a typo must not silently check nothing."""
    ids = [r.id for r in ruleset.rules]

    def matching(pattern: str) -> set[str]:
        hits = {i for i in ids if fnmatch.fnmatchcase(i, pattern)}
        if not hits:
            raise FilterError(f"check pattern {pattern!r} matches no rule (see 'srmscan rules')")
        return hits

    include, drop = _split(checks), _split(exclude)
    chosen = set(ids)
    if include:
        chosen = set().union(*(matching(p) for p in include))
    if drop:
        chosen -= set().union(*(matching(p) for p in drop))
    if services is not None:
        chosen = {r.id for r in ruleset.rules if r.id in chosen and r.service in services}
    if not include and not drop and services is None:
        return ruleset, Scope()
    rules = tuple(r for r in ruleset.rules if r.id in chosen)
    restricted = frozenset(chosen) if include or drop else None
    return replace(ruleset, rules=rules), Scope(services=services, rule_ids=restricted, only_checks=bool(include))


def collectors_for(ruleset: RuleSet, scope: Scope) -> set[str] | None:
    """Names of the collectors a narrowed run needs (None: all of them)."""
    if scope.services is None and scope.rule_ids is None:
        return None
    specs = all_collectors()
    types: set[str] = set()
    for rule in ruleset.rules:
        types.add(rule.resource_type)
        types.update(EXTRA_TYPES.get(rule.service, ()))
        for example in (rule.failing, rule.passing):
            types.update(r.type for r in example.related)
    for row in ruleset.matrix.rows.values():
        if scope.services is not None and row.service in scope.services:
            types.add(row.resource_type)
    names = {s.name for s in specs if set(s.produces) & types or not s.produces}
    names |= set(ALWAYS) | {s.name for s in specs if scope.services and s.name in scope.services}
    return _with_dependencies(names, specs)


def _with_dependencies(names: set[str], specs: list[CollectorSpec]) -> set[str]:
    after = {s.name: s.after for s in specs}
    todo, done = list(names), set()
    while todo:
        name = todo.pop()
        if name not in done:
            done.add(name)
            todo.extend(after.get(name, ()))
    return done


STATUSES = tuple(str(s) for s in Status)


def parse_statuses(values: Iterable[str] | None) -> set[Status] | None:
    wanted = [v.lower() for v in _split(values)]
    if not wanted:
        return None
    bad = [v for v in wanted if v not in STATUSES]
    if bad:
        raise FilterError(f"unknown status(es) {', '.join(bad)} (choose from {', '.join(STATUSES)})")
    return {Status(v) for v in wanted}


def listed(findings: list[Finding], minimum: Severity | None, statuses: set[Status] | None) -> list[Finding]:
    """What the outputs list under `--severity` (minimum) and `--status`; never changes a status."""
    return [
        f
        for f in findings
        if (minimum is None or Severity(f.severity).rank >= minimum.rank) and (statuses is None or f.status in statuses)
    ]
