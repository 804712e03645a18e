"""The framework mappings in rules/frameworks/ stay true to the rules they name.

When a new rule carries a CIS or FSBP id, or a framework names a rule that does not exist, these
tests fail with the exact row to add or fix.
"""

from __future__ import annotations

import re

import pytest

from srmscan.evaluate.engine import load_ruleset
from srmscan.evaluate.frameworks import (
    CHECKS,
    FSBP_ID,
    Framework,
    RuleRef,
    available,
    fsbp_catalogue,
    fsbp_control_ids,
    id_is_well_formed,
    load_framework,
)
from srmscan.model import Owner

RULESET = load_ruleset()
RULE_IDS = {r.id for r in RULESET.rules}
REFS = [RuleRef(r.id, r.owner, r.fsbp) for r in RULESET.rules]
FRAMEWORK_IDS = available()


def _framework(fid: str) -> Framework:
    return load_framework(fid, REFS)


def test_the_promised_frameworks_are_there() -> None:
    for fid in ("cis-aws-3.0.0", "fsbp", "pci-dss-4.0.1", "soc2", "iso27001-2022"):
        assert fid in FRAMEWORK_IDS, f"framework {fid} missing from rules/frameworks/"


@pytest.mark.parametrize("fid", FRAMEWORK_IDS)
def test_requirement_ids_are_unique_and_well_formed(fid: str) -> None:
    fw = _framework(fid)
    ids = [r.id for r in fw.requirements]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"{fid}: duplicate requirement ids {dupes}"
    bad = [i for i in ids if not id_is_well_formed(fw, i)]
    assert not bad, f"{fid}: ids not matching {fw.id_pattern}: {bad}"
    assert ids, f"{fid} has no requirements"


@pytest.mark.parametrize("fid", FRAMEWORK_IDS)
def test_every_named_rule_exists(fid: str) -> None:
    missing = sorted({(r.id, rid) for r in _framework(fid).requirements for rid in r.rules if rid not in RULE_IDS})
    assert not missing, f"{fid}: rows name rules that do not exist: {missing}"


@pytest.mark.parametrize("fid", FRAMEWORK_IDS)
def test_rows_say_who_owns_them_and_how_they_are_evidenced(fid: str) -> None:
    fw = _framework(fid)
    for req in fw.requirements:
        where = f"{fid} {req.id}"
        assert req.title and req.why, f"{where}: needs a title and a why"
        if req.owner is Owner.AWS:
            assert req.attestation in fw.attestations, f"{where}: AWS-owned rows name an attestation"
            assert not req.rules, f"{where}: an inherited row is not evidenced by our rules"
            continue
        assert req.check in CHECKS, where
        if req.check in ("automated", "partial"):
            assert req.rules, f"{where}: a {req.owner} {req.check} row must name the rules that evidence it"
        if req.check in ("partial", "manual"):
            assert req.manual, f"{where}: say what manual evidence the auditor needs"
        if req.check == "manual":
            assert not req.rules, f"{where}: a manual row with rules should be 'partial' or 'automated'"


def test_every_fsbp_id_on_a_rule_is_a_real_fsbp_control() -> None:
    catalogue = fsbp_catalogue()
    controls = fsbp_control_ids(catalogue)
    others = {str(o["id"]) for o in catalogue.get("other_control", [])}
    ids = [str(c["id"]) for c in catalogue["control"]]
    assert len(ids) == len(set(ids)), "duplicate FSBP control ids"
    assert not others & set(controls), "an id cannot be both an FSBP control and another standard's"
    unknown = sorted((r.id, cid) for r in RULESET.rules for cid in r.fsbp if cid not in controls and cid not in others)
    assert not unknown, f"rules carry ids that are not FSBP controls (see fsbp_controls.toml): {unknown}"
    assert all(re.fullmatch(r"^[A-Za-z0-9]+\.\d+$", cid) for cid in ids)


def test_fsbp_rows_follow_the_rules() -> None:
    fw = _framework(FSBP_ID)
    rows = {r.id: r for r in fw.requirements}
    for rule in RULESET.rules:
        for cid in rule.fsbp:
            if cid in rows:
                assert rule.id in rows[cid].rules, f"{cid} should list {rule.id}"
    # A scanned service's uncovered control is a visible gap; an unscanned service's is out of scope.
    assert rows["S3.5"].gap and rows["S3.5"].check == "manual"
    assert "GuardDuty.1" in fw.out_of_scope or "GuardDuty.1" in rows
    assert not rows["S3.8"].gap and rows["S3.8"].rules == ("s3.bucket_public_access_block",)


def test_every_cis_id_on_a_rule_is_mapped_to_that_rule() -> None:
    """A rule that says it evidences CIS x.y must appear on row x.y (tells the lead what to add)."""
    fw = _framework("cis-aws-3.0.0")
    rows = {r.id: r for r in fw.requirements}
    problems = []
    for rule in RULESET.rules:
        for cid in rule.cis:
            if cid not in rows:
                problems.append(f"{rule.id}: CIS {cid} is not a v3.0.0 recommendation")
            elif rule.id not in rows[cid].rules:
                problems.append(f"add {rule.id} to CIS {cid} in rules/frameworks/cis-aws-3.0.0.toml")
    assert not problems, problems


def test_cis_lists_every_recommendation() -> None:
    fw = _framework("cis-aws-3.0.0")
    assert len(fw.requirements) == 62
    assert {r.id.split(".")[0] for r in fw.requirements} == {"1", "2", "3", "4", "5"}
