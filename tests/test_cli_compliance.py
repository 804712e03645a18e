"""`srmscan compliance` and `--framework` on scan/evaluate: outputs, and one-line errors with exit 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.model import Resource
from tests.helpers import inventory

runner = CliRunner()


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def _saved_inventory(tmp_path: Path) -> Path:
    inv = inventory(
        Resource(type="AWS::::Account", id="123456789012", region="global", attrs={"password_policy": None}),
        Resource(
            type="AWS::S3::Bucket",
            id="leaky",
            region="us-east-1",
            name="leaky",
            attrs={"versioning": {"status": "Suspended"}, "encryption": None},
        ),
    )
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(inv.to_dict()), encoding="utf-8")
    return path


def _report(tmp_path: Path, *frameworks: str) -> Path:
    args = ["evaluate", str(_saved_inventory(tmp_path)), "-o", str(tmp_path / "out"), "-q", "-f", "json", "-f", "html"]
    for fid in frameworks:
        args += ["--framework", fid]
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    return tmp_path / "out" / "report.json"


def test_evaluate_with_frameworks_adds_summaries_and_html_sections(tmp_path: Path) -> None:
    report = json.loads(_report(tmp_path, "pci-dss-4.0.1", "cis-aws-3.0.0").read_text(encoding="utf-8"))
    assert report["schema_version"] == 2
    assert [c["framework"]["id"] for c in report["compliance"]] == ["pci-dss-4.0.1", "cis-aws-3.0.0"]
    assert report["compliance"][0]["summary"]["rows_by_owner"] == {"customer": 218, "shared": 13, "aws": 29}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="cmp-pci-dss-4-0-1-h"' in html and 'id="cmp-cis-aws-3-0-0-h"' in html


def test_compliance_over_a_saved_report_prints_the_table(tmp_path: Path) -> None:
    report = _report(tmp_path)
    result = _invoke("compliance", "--framework", "cis-aws-3.0.0", "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "CIS AWS Foundations Benchmark 3.0.0" in result.output
    assert "│ 2.1.4 " in result.output and "62 requirements: 62" not in result.output
    assert "Evidenced automatically by srmscan rules: " in result.output and " of 61 customer rows" in result.output


def test_compliance_formats_to_files(tmp_path: Path) -> None:
    report = _report(tmp_path)
    for fmt, name in (("json", "c.json"), ("csv", "c.csv"), ("html", "c.html"), ("oscal", "c.oscal.json")):
        out = tmp_path / name
        result = _invoke(
            "compliance", "--framework", "pci-dss-4.0.1", "--report", str(report), "-f", fmt, "--output", str(out), "-q"
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in data["rows"]}
    assert rows["8.3.6"]["status"] == "fail"  # no password policy
    assert rows["9.2.1"]["status"] == "inherited"
    sheet = list(csv.reader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8-sig"))))
    assert len(sheet) == 261
    assert "assessment-results" in json.loads((tmp_path / "c.oscal.json").read_text(encoding="utf-8"))


def test_compliance_over_an_inventory_and_several_frameworks(tmp_path: Path) -> None:
    result = _invoke(
        "compliance",
        "--framework",
        "soc2",
        "--framework",
        "fsbp",
        "--report",
        str(_saved_inventory(tmp_path)),
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    docs = json.loads(result.output)
    assert [d["framework"]["id"] for d in docs] == ["soc2", "fsbp"]


def test_a_report_without_rules_evaluated_still_works(tmp_path: Path) -> None:
    path = _report(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("rules_evaluated")
    data["schema_version"] = 1
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _invoke("compliance", "--framework", "iso27001-2022", "--report", str(path), "-f", "json").exit_code == 0


def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    report = _report(tmp_path)
    not_report = tmp_path / "x.json"
    not_report.write_text('{"hello": 1}', encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "srmscan-report", "findings": [{"id": 1}]}', encoding="utf-8")
    cases = [
        (["compliance", "--framework", "nist-9000", "--report", str(report)], "unknown framework 'nist-9000'"),
        (["compliance", "--report", str(report)], "--framework is required"),
        (["compliance", "--framework", "soc2", "--report", str(report), "-f", "pdf"], "unknown format 'pdf'"),
        (["compliance", "--framework", "soc2", "--report", str(tmp_path / "none.json")], "cannot read report"),
        (["compliance", "--framework", "soc2", "--report", str(not_report)], "is not an srmscan report"),
        (["compliance", "--framework", "soc2", "--report", str(broken)], "cannot read report"),
        (["compliance", "--framework", "soc2", "--report", str(report), "--demo"], "cannot be combined"),
        (["scan", "--framework", "nist-9000", "-q"], "unknown framework 'nist-9000'"),
    ]
    for args, message in cases:
        result = _invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_compliance_scans_a_live_account(moto: None) -> None:
    result = _invoke("compliance", "--framework", "soc2", "--region", "eu-west-1", "-q", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scope"]["regions"] == ["eu-west-1"]
    assert {r["id"] for r in data["rows"]} >= {"CC6.1", "CC8.1", "A1.3"}
