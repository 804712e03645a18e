"""The seeded world the fault tests compare against, and the promise every fault must keep.

A fault-free `Baseline` per collector (and a lazily taken full one) is what each faulted scan is
held to by `assert_honest`; see tests/test_faults.py for the promise in words. The helpers keep the
names they had when they lived in that module, so its tests read exactly as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from srmscan.collect.registry import all_collectors
from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession, Tuning
from srmscan.evaluate.engine import RuleSet, evaluate
from srmscan.model import Finding, Inventory, Status
from srmscan.report import write_reports
from srmscan.scan import evaluate_inventory
from tests.faultkit import Op, record_calls
from tests.world import REGIONS, install_demo

COLLECTORS = [spec.name for spec in all_collectors()]


@dataclass
class Baseline:
    """A fault-free scan of some collectors, and the operations they made."""

    scope: set[str]
    inventory: Inventory
    findings: list[Finding]
    ops: set[Op]


@dataclass
class World:
    ruleset: RuleSet
    demo: Any
    per_collector: dict[str, Baseline]
    _full: Baseline | None = None

    @property
    def full(self) -> Baseline:
        if self._full is None:
            self._full = _baseline(self, set(COLLECTORS))
        return self._full


def _scope(name: str) -> set[str]:
    """A collector plus the collectors it runs after (it may enrich what they found)."""
    specs = {s.name: s for s in all_collectors()}
    scope, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in specs and current not in scope:
            scope.add(current)
            todo.extend(specs[current].after)
    return scope


def _baseline(w: World, scope: set[str]) -> Baseline:
    aws = _scanner(w.demo)
    calls = record_calls(aws.events)
    inv = collect_inventory(aws, REGIONS, only=scope)
    ops = {(s, o) for s, o, _ in calls if o != "GetCallerIdentity"}
    return Baseline(scope, inv, evaluate(inv, w.ruleset), ops)


def _scanner(demo: Any, attempts: int = 3) -> AwsSession:
    aws = AwsSession(boto3.Session(region_name=REGIONS[0]), tuning=Tuning(max_attempts=attempts))
    install_demo(aws, demo)
    return aws


def _scan(w: World, aws: AwsSession, scope: set[str] | None = None) -> tuple[Inventory, list[Finding]]:
    inv = collect_inventory(aws, REGIONS, only=scope)
    return inv, evaluate(inv, w.ruleset)


def assert_honest(baseline: Baseline, inv: Inventory, findings: list[Finding]) -> None:
    """The promise every fault must keep; see the module docstring."""
    assert not inv.partial
    errors = {e.id: e for e in inv.errors}
    now = {f.id: f for f in findings}
    base = {f.id: f for f in baseline.findings}
    unknown_rules = {f.rule_id for f in findings if f.status is Status.UNKNOWN and f.resource_id == "*"}
    for f in baseline.findings:
        if f.status is Status.INFO:
            continue  # statements of what AWS owns follow the resources seen; they claim nothing
        after = now.get(f.id)
        if after is None:
            assert f.rule_id in unknown_rules, f"{f.rule_id} on {f.resource_id} vanished without an unknown"
        else:
            assert after.status in (f.status, Status.UNKNOWN), (f.rule_id, f.resource_id, f.status, after.status)
    for f in findings:
        if f.status is Status.PASS:
            assert base.get(f.id) is not None and base[f.id].status is Status.PASS, f"new pass {f.rule_id}"
            assert not f.error_ids
        if f.status is Status.UNKNOWN and (f.id not in base or base[f.id].status is not Status.UNKNOWN):
            assert f.unknown_reason, f.rule_id
            assert f.error_ids and all(e in errors for e in f.error_ids), f.rule_id
    for err in inv.errors:
        assert err.iam_action and ":" in err.iam_action


def _could_not_see(w: World, inv: Inventory, tmp_path: Path) -> tuple[dict[str, Any], str]:
    result = evaluate_inventory(inv, w.ruleset)
    write_reports(result, ["json", "html", "csv"], tmp_path)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    return report, html


def _collector(w: World, name: str) -> Baseline:
    base = w.per_collector[name]
    if not base.ops:
        pytest.skip(f"collector {name} made no API call in the demo account")
    return base
