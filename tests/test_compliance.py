"""Findings + a framework -> rows: each status is earned by the evidence, never assumed."""

from __future__ import annotations

from pathlib import Path

import pytest

from srmscan.evaluate.compliance import evaluate_compliance
from srmscan.evaluate.frameworks import Attestation, Framework, FrameworkError, Requirement, load_file, load_framework
from srmscan.model import Owner, Status
from tests.report_synth import finding


def _fw(*reqs: Requirement) -> Framework:
    return Framework(
        id="t",
        name="Test",
        version="1",
        publisher="",
        source="",
        description="",
        id_pattern=r"^\S+$",
        requirements=reqs,
        attestations={"aoc": Attestation("aoc", "AWS PCI DSS Attestation of Compliance", "the data centres", "u")},
    )


def _req(rid: str, rules: tuple[str, ...] = (), owner: Owner = Owner.CUSTOMER, check: str = "automated") -> Requirement:
    return Requirement(
        id=rid,
        title=f"title {rid}",
        section="s",
        owner=owner,
        why="why",
        check=check if rules or owner is Owner.AWS else "manual",
        rules=rules,
        manual="show the procedure" if check != "automated" or not rules else "",
        attestation="aoc" if owner is Owner.AWS else "",
    )


RA, RB = "s3.bucket_public_access_block", "s3.bucket_versioning"


def _rows(reqs: list[Requirement], findings: list, evaluated: set[str] | None = None) -> dict:
    result = evaluate_compliance(_fw(*reqs), findings, evaluated_rules=evaluated)
    return {r.requirement.id: r for r in result.rows}


def test_fail_names_the_failing_resources_and_wins_over_unknown() -> None:
    rows = _rows(
        [_req("1", (RA, RB))],
        [
            finding(rule_id=RA, status=Status.PASS, resource_id="ok"),
            finding(rule_id=RA, status=Status.FAIL, resource_id="leaky", name="leaky-bucket"),
            finding(rule_id=RB, status=Status.UNKNOWN, resource_id="x", unknown_reason="denied"),
        ],
    )
    row = rows["1"]
    assert row.status == "fail" and "leaky-bucket" in row.detail
    assert row.counts == {"fail": 1, "unknown": 1, "pass": 1, "muted": 0}
    assert [e.status for e in row.evidence] == ["fail", "unknown"]


def test_unknown_evidence_is_never_a_pass() -> None:
    rows = _rows(
        [_req("1", (RA, RB))],
        [
            finding(rule_id=RA, status=Status.PASS),
            finding(rule_id=RB, status=Status.UNKNOWN, unknown_reason="s3:GetBucketVersioning failed: AccessDenied"),
        ],
    )
    assert rows["1"].status == "unknown" and "AccessDenied" in rows["1"].detail


def test_a_rule_that_did_not_run_makes_the_row_unknown() -> None:
    rows = _rows([_req("1", (RA, RB))], [finding(rule_id=RA, status=Status.PASS)], evaluated={RA})
    assert rows["1"].status == "unknown" and "did not run" in rows["1"].detail


def test_pass_needs_every_check_to_pass_and_a_muted_failure_still_fails() -> None:
    passing = _rows(
        [_req("1", (RA,))], [finding(rule_id=RA, status=Status.PASS), finding(rule_id=RA, status=Status.PASS)]
    )
    assert passing["1"].status == "pass" and passing["1"].counts["pass"] == 2
    muted = finding(rule_id=RA, status=Status.MUTED, mute={"status": "fail", "reason": "accepted"})
    rows = _rows([_req("1", (RA,))], [finding(rule_id=RA, status=Status.PASS), muted])
    assert rows["1"].status == "fail" and "1 muted" in rows["1"].detail


def test_info_findings_are_not_evidence() -> None:
    rows = _rows([_req("1", (RA,))], [finding(rule_id=RA, status=Status.INFO)])
    assert rows["1"].status == "not_applicable"


def test_nothing_in_scope_is_stated_not_claimed_as_pass() -> None:
    rows = _rows([_req("1", (RA,))], [], evaluated={RA})
    assert rows["1"].status == "not_applicable" and "nothing in scope" in rows["1"].detail


def test_partial_rows_pass_only_their_automated_part() -> None:
    rows = _rows([_req("1", (RA,), check="partial")], [finding(rule_id=RA, status=Status.PASS)])
    assert rows["1"].status == "manual" and "still needs: show the procedure" in rows["1"].detail
    failing = _rows([_req("1", (RA,), check="partial")], [finding(rule_id=RA, status=Status.FAIL)])
    assert failing["1"].status == "fail"


def test_inherited_and_manual_rows_and_the_summary_by_owner() -> None:
    reqs = [
        _req("aws", owner=Owner.AWS),
        _req("doc"),
        _req("auto", (RA,)),
        _req("shared", (RB,), owner=Owner.SHARED),
    ]
    result = evaluate_compliance(
        _fw(*reqs), [finding(rule_id=RA, status=Status.FAIL), finding(rule_id=RB, status=Status.PASS)]
    )
    rows = {r.requirement.id: r for r in result.rows}
    assert rows["aws"].status == "inherited" and "Attestation of Compliance" in rows["aws"].detail
    assert rows["aws"].attestation is not None
    assert rows["doc"].status == "manual" and rows["doc"].detail == "show the procedure"
    s = result.summary
    assert s["rows_by_owner"] == {"customer": 2, "shared": 1, "aws": 1}
    assert s["ours"] == {"fail": 1, "unknown": 0, "pass": 1, "manual": 1, "not_applicable": 0}
    assert s["evidenced_automatically"] == {"customer": 1, "shared": 1}
    assert s["by_owner_status"]["aws"]["inherited"] == 1
    data = result.to_dict()
    assert data["rows"][0]["attestation"]["name"].startswith("AWS PCI DSS")


def test_unknown_framework_is_a_one_line_error() -> None:
    with pytest.raises(FrameworkError, match="unknown framework 'nope'"):
        load_framework("nope")


def test_a_malformed_framework_file_is_reported_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nname = "X"\n[[requirement]]\nid = "1"\nowner = "nobody"\n', encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"bad\.toml"):
        load_file(bad)
    bad.write_text("id = [", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"bad\.toml"):
        load_file(bad)


def test_cis_over_the_rule_examples() -> None:
    """The real CIS mapping over real findings: automated rows get real statuses."""
    fw = load_framework("cis-aws-3.0.0")
    result = evaluate_compliance(fw, [finding(rule_id="iam.root_mfa", status=Status.FAIL, resource_id="123")])
    rows = {r.requirement.id: r for r in result.rows}
    assert rows["1.5"].status == "fail"
    assert rows["1.1"].status == "manual"
    assert result.summary["rows_by_owner"]["aws"] == 0
