"""A saved inventory re-evaluated offline gives the report the live scan gave (on the demo account),
and the snapshot carries the collection errors but no secret value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.demo import seed_ecs, seed_rds_lambda
from srmscan.drift.snapshot import load_inventory
from srmscan.model import Inventory, Resource
from srmscan.scan import write_inventory
from tests.helpers import inventory

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)  # no srmscan.toml here: neither run applies mutes
        live = runner.invoke(app, ["demo", "-o", "live", "-f", "json", "--save-inventory", "inv.json", "-q"])
        assert live.exit_code == 0, live.output
        # Offline: no credentials at all, and nothing that could reach AWS.
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            mp.delenv(key, raising=False)
        off = runner.invoke(app, ["evaluate", "inv.json", "-o", "offline", "-f", "json", "-q"])
        assert off.exit_code == 0, off.output
    return root


def test_offline_evaluation_reproduces_the_live_report(demo_run: Path) -> None:
    live = json.loads((demo_run / "live" / "report.json").read_text())
    offline = json.loads((demo_run / "offline" / "report.json").read_text())
    assert live["findings"], "the demo produced no findings"
    assert {f["status"] for f in live["findings"]} >= {"fail", "pass", "unknown", "info"}
    assert offline["summary"] == live["summary"]
    assert [f["id"] for f in offline["findings"]] == [f["id"] for f in live["findings"]]
    # Timestamps come from the inventory, so the whole document is identical.
    assert offline == live


def test_snapshot_keeps_collection_errors_and_no_secret_values(demo_run: Path) -> None:
    text = (demo_run / "inv.json").read_text()
    inv = load_inventory(demo_run / "inv.json")
    # moto lacks Access Analyzer: the failed calls and the listing gaps travel with the snapshot.
    assert any(e.service == "accessanalyzer" for e in inv.errors)
    assert inv.gaps and all(inv.error(g.error_id) is not None for g in inv.gaps)
    for canary in (seed_ecs.CANARY, seed_rds_lambda.CANARY, "Demo-only-Passw0rd!", "demo-not-a-real-password"):
        assert canary not in text
    # ... while the names that rules need are kept.
    assert "DB_PASSWORD" in text


def test_write_inventory_redacts_secret_shaped_values_but_keeps_attrs(tmp_path: Path) -> None:
    """Last line of defence: a key pasted into a tag never reaches the disk; other attrs are untouched."""
    res = Resource(
        type="AWS::S3::Bucket",
        id="b",
        region="us-east-1",
        tags={"note": "key AKIAIOSFODNN7EXAMPLE here"},
        attrs={"http_tokens": "optional", "versioning": "Enabled"},
    )
    path = tmp_path / "inv.json"
    write_inventory(inventory(res), path)
    back = Inventory.from_dict(json.loads(path.read_text()))
    assert "AKIAIOSFODNN7EXAMPLE" not in path.read_text()
    assert back.resources[0].tags["note"].startswith("key ***redacted***")
    assert back.resources[0].attrs == {"http_tokens": "optional", "versioning": "Enabled"}


def test_evaluate_rejects_a_file_that_is_not_an_inventory(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"kind": "srmscan-report"}))
    result = runner.invoke(app, ["evaluate", str(bad), "-o", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 2 and "not an srmscan inventory" in result.output
