"""report.csv: fixed columns, one row per finding, formula-safe cells, UTF-8 a spreadsheet detects."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from srmscan.evaluate.engine import RuleSet
from srmscan.model import Status
from srmscan.report import write_reports
from srmscan.report.csv_report import COLUMNS, render_csv, safe_cell
from srmscan.scan import ScanResult
from tests.report_synth import finding, inventory

ISSUE_COLUMNS = [
    "account", "region", "service", "resource_type", "resource_id", "resource_arn", "resource_name", "team",
    "owner", "layer", "severity", "status", "rule_id", "title", "message", "remediation", "fsbp", "cis",
]  # fmt: skip


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    "raw",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =cmd|' /C calc'!A0", "\n=1"],
)
def test_formula_cells_are_neutralised(raw: str) -> None:
    assert safe_cell(raw) == "'" + raw


@pytest.mark.parametrize("raw", ["acme-bucket", "a=b", "ünïcødé 桶", "", "1-2"])
def test_plain_cells_are_untouched(raw: str) -> None:
    assert safe_cell(raw) == raw


def test_columns_are_the_issue_columns_in_order() -> None:
    assert COLUMNS[: len(ISSUE_COLUMNS)] == ISSUE_COLUMNS


def test_one_row_per_finding_with_values_and_neutralised_names(ruleset: RuleSet) -> None:
    fs = [
        finding(resource_id="b1", name="=cmd|'/C calc'!A0", team="@team", message="line1\nline2, with comma"),
        finding(resource_id="b2", name="ünïcødé-桶", status=Status.PASS, fsbp=["S3.1", "S3.8"]),
    ]
    result = ScanResult(inventory=inventory(), findings=fs, ruleset=ruleset)
    rows = _rows(render_csv(result))
    assert len(rows) == 2
    first, second = rows
    assert first["resource_name"] == "'=cmd|'/C calc'!A0" and first["team"] == "'@team"
    assert first["message"] == "line1\nline2, with comma"  # quoted, not split into rows
    assert first["account"] == "111122223333" and first["status"] == "fail" and first["owner"] == "customer"
    assert first["cis"] == "2.1.4" and first["rule_id"] == fs[0].rule_id
    assert second["resource_name"] == "ünïcødé-桶" and second["fsbp"] == "S3.1 S3.8"
    assert second["resource_arn"] == fs[1].resource_arn


def test_written_file_is_utf8_with_bom(ruleset: RuleSet, tmp_path: Path) -> None:
    fs = [finding(name="ünïcødé-桶")]
    result = ScanResult(inventory=inventory(), findings=fs, ruleset=ruleset)
    (path,) = write_reports(result, ["csv"], tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "ünïcødé-桶".encode() in raw
    assert raw.count(b"\r\n") == 2  # header + one row, CRLF as spreadsheets expect


def test_muted_rows_carry_reason_expiry_author_and_the_real_status(ruleset: RuleSet) -> None:
    mute = {"reason": "launch assets", "expires": "2027-01-31", "author": "alice@example.com", "status": "fail"}
    fs = [finding(resource_id="m", status=Status.MUTED, mute=mute), finding(resource_id="p", status=Status.PASS)]
    result = ScanResult(inventory=inventory(), findings=fs, ruleset=ruleset)
    muted, passing = _rows(render_csv(result))
    assert muted["status"] == "muted" and muted["real_status"] == "fail"
    assert (muted["mute_reason"], muted["mute_expires"], muted["mute_author"]) == (
        "launch assets",
        "2027-01-31",
        "alice@example.com",
    )
    assert passing["real_status"] == "pass" and passing["mute_author"] == passing["mute_reason"] == ""
