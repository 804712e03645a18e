"""srmscan.toml's `[scan]` table: option defaults beside the mutes, overridden by the command line;
unknown keys and mutes of rules that do not exist are exit-2 errors that name them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srmscan.cli import app
from tests.test_cli_exits import _inventory_file

runner = CliRunner()
MUTE = """
[[mute]]
rule = "{rule}"
resource = "open-bucket"
reason = "accepted"
expires = 2099-01-01
author = "a@example.com"
"""


def _evaluate(tmp_path: Path, toml: str, *args: str) -> tuple[int, str]:
    (tmp_path / "srmscan.toml").write_text(toml, encoding="utf-8")
    inv = _inventory_file(tmp_path)
    done = runner.invoke(app, ["evaluate", str(inv), "-o", str(tmp_path / "out"), "-q", *args])
    return done.exit_code, done.output


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("[scna]\nregions = ['eu-west-1']\n", "unknown key(s) scna (known: mute, scan)"),
        ("[scan]\nregion = 'eu-west-1'\n", "unknown key(s) in [scan]: region"),
        ("[scan]\nformats = 3\n", "[scan] formats must be a string or a list of strings"),
        ("[scan]\nfail_on = ['high']\n", "[scan] fail_on must be a string"),
        (MUTE.format(rule="s3.no_such_rule"), "mute #1 names rule 's3.no_such_rule', which does not exist"),
        ("[scan]\nservices = ['nosuch']\n", "unknown service(s) nosuch"),
    ],
)
def test_bad_config_is_exit_2_naming_it(tmp_path: Path, toml: str, says: str) -> None:
    code, output = _evaluate(tmp_path, toml)
    assert code == 2 and says in output, output
    assert not (tmp_path / "out").exists()


def test_defaults_apply_and_the_command_line_wins(tmp_path: Path) -> None:
    toml = "[scan]\nformats = ['csv']\nfail_on = 'low'\nservices = ['iam']\n"
    code, output = _evaluate(tmp_path, toml)
    assert code == 0, output  # services=iam: the failing S3 bucket is not evaluated
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["report.csv"]
    code, output = _evaluate(tmp_path, toml, "-f", "json", "--services", "s3")
    assert code == 1, output  # the file's fail_on = low applies to the s3 finding the command line chose
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert {f["service"] for f in report["findings"]} == {"s3"}
    assert not (tmp_path / "out" / "report.csv").exists()


def test_a_valid_mute_beside_defaults_still_mutes(tmp_path: Path) -> None:
    toml = "[scan]\nformats = ['json']\n" + MUTE.format(rule="s3.bucket_versioning")
    code, output = _evaluate(tmp_path, toml, "--fail-on", "low")
    assert code == 0, output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    muted = [f for f in report["findings"] if f["rule_id"] == "s3.bucket_versioning"]
    assert muted and all(f["status"] == "muted" for f in muted)


def test_scan_regions_come_from_the_file_and_are_checked_before_any_call(tmp_path: Path) -> None:
    (tmp_path / "srmscan.toml").write_text("[scan]\nregions = ['eu-west-9']\n", encoding="utf-8")
    done = runner.invoke(app, ["scan", "--endpoint-url", "http://127.0.0.1:9", "-o", str(tmp_path / "o"), "-q"])
    assert done.exit_code == 2 and "unknown region 'eu-west-9'" in done.output, done.output
