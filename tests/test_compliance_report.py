"""The compliance table, JSON and CSV: every id whole at 80 columns, account text inert, cells formula-safe."""

from __future__ import annotations

import csv
import io
import json

from srmscan.evaluate.compliance import evaluate_compliance
from srmscan.evaluate.frameworks import load_framework
from srmscan.model import Status
from srmscan.report.compliance_report import (
    CSV_COLUMNS,
    compliance_dict,
    render_compliance_csv,
    render_compliance_table,
    summary_lines,
)
from tests.report_synth import finding

SCOPE = {"account_id": "123456789012", "regions": ["eu-west-1"], "started_at": "2026-11-24T10:00:00Z"}


def _result(fid: str = "pci-dss-4.0.1"):
    findings = [
        finding(rule_id="s3.bucket_public_access_block", status=Status.FAIL, name="=HYPERLINK(1)[bold]x[/bold]"),
        finding(rule_id="iam.password_policy", status=Status.PASS, resource_id="123456789012"),
        finding(rule_id="ecs.plaintext_secrets", status=Status.FAIL, name="api", message="AKIAABCDEFGHIJKLMNOP"),
    ]
    return evaluate_compliance(load_framework(fid), findings, scope=SCOPE)


def test_table_fits_80_columns_and_never_cuts_an_id() -> None:
    for fid in ("pci-dss-4.0.1", "cis-aws-3.0.0", "iso27001-2022", "soc2"):
        result = _result(fid)
        text = render_compliance_table(result)
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= 80, fid
        first_cells = {line.split("│")[1].strip() for line in lines if line.startswith("│")}
        for row in result.rows:
            assert row.requirement.id in first_cells, f"{fid} {row.requirement.id} cut or missing"


def test_table_shows_account_text_literally_and_ends_with_the_owner_summary() -> None:
    text = render_compliance_table(_result())
    assert "=HYPERLINK(1)[bold]x[/bold]" in render_compliance_table(_result(), width=240)
    tail = "\n".join(summary_lines(_result()))
    assert "260 requirements: 218 Customer, 13 Shared, 29 AWS." in tail
    auto = _result().summary["evidenced_automatically"]["customer"]
    assert 0 < auto < 218 and f"Evidenced automatically by srmscan rules: {auto} of 218 customer rows" in tail
    assert tail.splitlines()[0] in text


def test_csv_has_every_row_and_formula_safe_cells() -> None:
    rows = list(csv.reader(io.StringIO(render_compliance_csv(_result()))))
    assert rows[0] == CSV_COLUMNS and len(rows) == 261
    by_id = {r[1]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    row = by_id["1.4.4"]
    assert row["status"] == "fail" and "s3.bucket_public_access_block=fail" in row["rule_results"]
    assert by_id["9.2.1"]["status"] == "inherited" and "Attestation of Compliance" in by_id["9.2.1"]["attestation"]
    for r in rows[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in r)


def test_json_is_versioned_and_scrubbed() -> None:
    data = compliance_dict(_result(), "0.1.0")
    assert data["schema_version"] == 1 and data["kind"] == "srmscan-compliance"
    assert data["summary"]["rows_by_owner"] == {"customer": 218, "shared": 13, "aws": 29}
    assert "AKIAABCDEFGHIJKLMNOP" not in json.dumps(data)
    assert len(data["rows"]) == 260
