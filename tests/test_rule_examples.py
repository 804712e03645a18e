"""Every rule carries a failing and a passing example; this one generic test runs them all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.evaluate.resources import rules_dir
from srmscan.model import ACCOUNT_TYPE, Resource, Status
from srmscan.rules_api import Example, Rule, account_wide
from tests.helpers import inventory

RULESET = load_ruleset()


def _run(rule: Rule, example: Example) -> Status:
    rid = "example-resource"
    target = Resource(
        type=rule.resource_type,
        id=rid,
        region=example.region,
        attrs=dict(example.attrs),
        tags=dict(example.tags),
    )
    if rule.resource_type == ACCOUNT_TYPE and rule.where is account_wide:
        target.region = "global"
    inv = inventory(target, *example.related, regions=[example.region])
    single = type(RULESET)(rules=(rule,), tables=RULESET.tables, matrix=RULESET.matrix)
    findings = [f for f in evaluate(inv, single) if f.rule_id == rule.id and f.resource_id == rid]
    assert len(findings) == 1, f"{rule.id}: example produced {len(findings)} findings"
    return findings[0].status


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_failing_example_fails(rule: Rule) -> None:
    assert _run(rule, rule.failing) is (rule.failing.expect or Status.FAIL)


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_passing_example_passes(rule: Rule) -> None:
    assert _run(rule, rule.passing) is (rule.passing.expect or Status.PASS)


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_metadata_is_complete(rule: Rule) -> None:
    assert rule.title and rule.rationale and rule.remediation
    assert rule.id.count(".") >= 1 and rule.id == rule.id.lower()
    assert rule.resource_type.startswith("AWS::")


def test_rules_import_no_aws_sdk() -> None:
    """Rules are pure: they may not import boto3/botocore (or anything that does network I/O)."""
    banned = {"boto3", "botocore", "requests", "urllib3", "socket", "http"}
    for path in Path(rules_dir()).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"


def test_rule_ids_are_unique_and_many() -> None:
    ids = [r.id for r in RULESET.rules]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 15


def test_rules_declared_for_several_types_keep_one_check_and_an_example_pair_each() -> None:
    """`also=` declares one check for several resource types: one rule id and example pair per type."""
    families: dict[object, list[Rule]] = {}
    for r in RULESET.rules:
        families.setdefault(r.check, []).append(r)
    shared = [group for group in families.values() if len(group) > 1]
    assert len(shared) >= 5  # RDS backups, deletion protection, pending maintenance, encryption, ...
    for group in shared:
        types = [r.resource_type for r in group]
        assert len(types) == len(set(types)), f"{group[0].id}: a type declared twice"
        for r in group:
            assert r.failing is not r.passing and r.failing.attrs != r.passing.attrs, r.id
    by_id = {r.id: r for r in RULESET.rules}
    backups = [by_id["rds.instance_backups"], by_id["rds.cluster_backups"], by_id["docdb.cluster_backups"]]
    assert len({r.check for r in backups}) == 1
    assert [r.fsbp for r in backups] == [("RDS.11",), (), ("DocumentDB.2",)]
    assert by_id["rds.instance_backups"].where is not None and by_id["rds.cluster_backups"].where is None


def test_a_rule_may_not_declare_the_same_type_twice() -> None:
    from srmscan.rules_api import CUSTOMER, DATA, MEDIUM, Target, declared_rules, passed, rule

    def check(r, inv):  # type: ignore[no-untyped-def]
        return passed("ok")

    def declare(other_type: str):  # type: ignore[no-untyped-def]
        return rule(
            id="x.a",
            title="t",
            resource_type="AWS::X::A",
            owner=CUSTOMER,
            layer=DATA,
            severity=MEDIUM,
            rationale="r",
            remediation="m",
            failing={"v": 0},
            passing={"v": 1},
            also=[Target(other_type, id="x.b", title="t", failing={"v": 0}, passing={"v": 1})],
        )

    assert [r.id for r in declared_rules(declare("AWS::X::B")(check))] == ["x.a", "x.b"]
    with pytest.raises(ValueError, match="declared twice"):
        declare("AWS::X::A")(check)
