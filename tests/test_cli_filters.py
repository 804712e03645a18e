"""`--services`, `--checks` / `--exclude-checks`, `--severity`, `--status` on scan, demo and evaluate.

The promise under test: filtering narrows what is collected and listed but never changes the
status of a finding that is kept (no filter can turn a failure into a pass), bad filters are
exit-2 errors before any AWS call, and `--fail-on` still sees what `--status` hides."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.collect.registry import all_collectors
from srmscan.evaluate.engine import RuleSet
from srmscan.filters import Scope, collectors_for, known_services, parse_services, select_rules
from srmscan.model import Inventory
from srmscan.scan import evaluate_inventory

runner = CliRunner()
REFUSED = "http://127.0.0.1:9"  # nothing listens: any AWS call would fail as a network error


def _statuses(findings: list[Any]) -> dict[str, str]:
    return {
        f["id"] if isinstance(f, dict) else f.id: str(f["status"] if isinstance(f, dict) else f.status)
        for f in findings
    }


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    out = tmp_path_factory.mktemp("demo")
    done = runner.invoke(app, ["demo", "-o", str(out), "-f", "json", "-q", "--save-inventory", str(out / "inv.json")])
    assert done.exit_code == 0, done.output
    yield out, json.loads((out / "report.json").read_text())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--services", "s3,nosuch"], "unknown service(s) nosuch (valid: "),
        (["--checks", "zz.*"], "check pattern 'zz.*' matches no rule"),
        (["--exclude-checks", "s3.no_such_rule"], "check pattern 's3.no_such_rule' matches no rule"),
        (["--severity", "urgent"], "unknown severity 'urgent'"),
        (["--status", "fail,broken"], "unknown status(es) broken"),
    ],
)
def test_bad_filters_are_exit_2_before_any_aws_call(args: list[str], says: str, tmp_path: Path) -> None:
    done = runner.invoke(app, ["scan", "--endpoint-url", REFUSED, "-o", str(tmp_path), "-q", *args])
    assert done.exit_code == 2, done.output
    assert says in done.output and "network" not in done.output.lower()
    assert not list(tmp_path.iterdir())


def test_the_unknown_service_line_lists_every_valid_name(ruleset: RuleSet) -> None:
    with pytest.raises(ValueError) as caught:
        parse_services(["nosuch"], ruleset)
    for name in ("s3", "ec2", "vpc", "lambda", "guardduty"):
        assert name in known_services(ruleset) and name in str(caught.value)


def test_a_narrowed_evaluation_keeps_every_status(demo_run: tuple[Path, dict[str, Any]], ruleset: RuleSet) -> None:
    """For each service: collect only what `--services` would collect (the demo inventory cut down
    to the resources those collectors produce) and evaluate: every kept finding has the status the
    full scan gave it, and none of that service's findings goes missing."""
    out, full = demo_run
    producer = {t: c.name for c in all_collectors() for t in c.produces}
    by_service: dict[str, dict[str, str]] = {}
    for f in full["findings"]:
        by_service.setdefault(f["service"], {})[f["id"]] = f["status"]
    for service in sorted(by_service):
        narrowed, scope = select_rules(ruleset, [service], None, None)
        collectors = collectors_for(narrowed, scope)
        assert collectors is not None and "account" in collectors
        cut = Inventory.from_dict(json.loads((out / "inv.json").read_text()))
        cut.resources = [r for r in cut.resources if producer.get(r.type) in collectors or r.type not in producer]
        assert len(collectors) < len(all_collectors()), service
        got = [f for f in evaluate_inventory(cut, narrowed).findings if scope.keeps(f)]
        assert _statuses(got) == by_service[service], service


def test_demo_services_collects_less_and_agrees_with_the_full_demo(
    demo_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _out, full = demo_run
    done = runner.invoke(app, ["demo", "-o", str(tmp_path), "-f", "json", "-q", "--services", "s3,lambda"])
    assert done.exit_code == 0, done.output
    part = json.loads((tmp_path / "report.json").read_text())
    assert {f["service"] for f in part["findings"]} == {"s3", "lambda"}
    assert part["api_calls"] < full["api_calls"] / 2
    want = {f["id"]: f["status"] for f in full["findings"] if f["service"] in ("s3", "lambda")}
    assert _statuses(part["findings"]) == want


def test_checks_and_excludes_with_globs(demo_run: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, full = demo_run
    args = ["evaluate", str(out / "inv.json"), "-o", str(tmp_path), "-f", "json", "-q"]
    done = runner.invoke(app, [*args, "--checks", "s3.*,iam.root_*", "--exclude-checks", "s3.bucket_versioning"])
    assert done.exit_code == 0, done.output
    got = json.loads((tmp_path / "report.json").read_text())["findings"]
    ids = {f["rule_id"] for f in got}
    assert ids and all(i.startswith(("s3.", "iam.root_")) for i in ids) and "s3.bucket_versioning" not in ids
    want = {
        f["id"]: f["status"]
        for f in full["findings"]
        if f["rule_id"].startswith(("s3.", "iam.root_")) and f["rule_id"] != "s3.bucket_versioning"
    }
    assert _statuses(got) == want


def test_severity_and_status_filter_the_listing_but_not_fail_on(
    demo_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, full = demo_run
    args = ["evaluate", str(out / "inv.json"), "-o", str(tmp_path), "-f", "json", "-q"]
    done = runner.invoke(app, [*args, "--severity", "high", "--status", "fail,unknown"])
    assert done.exit_code == 0, done.output
    report = json.loads((tmp_path / "report.json").read_text())
    rank = {"critical": 4, "high": 3}
    want = {
        f["id"]: f["status"] for f in full["findings"] if f["severity"] in rank and f["status"] in ("fail", "unknown")
    }
    assert want and _statuses(report["findings"]) == want
    assert any("not listed" in n for n in report["notes"])
    # Only passes listed, yet a failing critical finding still fails the job.
    done = runner.invoke(app, [*args, "--status", "pass", "--fail-on", "high"])
    assert done.exit_code == 1
    assert {f["status"] for f in json.loads((tmp_path / "report.json").read_text())["findings"]} == {"pass"}


def test_no_filter_means_every_collector(ruleset: RuleSet) -> None:
    assert collectors_for(ruleset, Scope()) is None
