"""The OSCAL assessment-results output validates against NIST's official OSCAL JSON schema, offline."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
from jsonschema import Draft7Validator, ValidationError, validators

from srmscan.evaluate.compliance import evaluate_compliance
from srmscan.evaluate.frameworks import load_framework
from srmscan.model import Status
from srmscan.report.oscal_report import control_id, oscal_dict, render_oscal
from tests.report_synth import finding

SCHEMA = Path(__file__).parent / "data" / "oscal" / "oscal_complete_schema.json"
SCHEMA_SHA256 = "384324105c7a817af0f65b120a963146caa0e0d55d969cf0daf60e063b87a206"
SCOPE = {
    "account_id": "123456789012",
    "regions": ["eu-west-1", "us-east-1"],
    "started_at": "2026-11-24T10:00:00Z",
    "finished_at": "2026-11-24T10:01:30Z",
    "partial": False,
}


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
    """OSCAL's patterns use XML Schema classes such as \\p{L}; Python's re lacks them, `regex` has them."""
    if validator.is_type(instance, "string") and not regex.search(patrn, instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = validators.extend(Draft7Validator, {"pattern": _pattern})
    return cls(schema)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The root is a oneOf over OSCAL's models: the useful messages sit in each error's context."""
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def _errors(doc: dict[str, Any]) -> list[str]:
    errors = list(_validator().iter_errors(doc))
    if not errors:
        return []
    # Keep the leaves of the assessment-results branch only (the other branches fail on the root key).
    leaves = [leaf for e in errors for leaf in _leaves(e)]
    relevant = [leaf for leaf in leaves if "assessment-results" in list(leaf.absolute_path)[:1]]
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in (relevant or leaves)]


def test_the_schema_is_nists_file_unchanged() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def _result(fid: str = "pci-dss-4.0.1") -> Any:
    findings = [
        finding(rule_id="s3.bucket_public_access_block", status=Status.FAIL, name="evil\nbucket  <script>"),
        finding(rule_id="s3.bucket_policy_public", status=Status.UNKNOWN, unknown_reason="s3:GetBucketPolicy denied"),
        finding(rule_id="iam.password_policy", status=Status.PASS, resource_id="123456789012"),
        finding(rule_id="iam.root_mfa", status=Status.PASS, resource_id="123456789012"),
    ]
    return evaluate_compliance(load_framework(fid), findings, scope=SCOPE)


def test_pci_assessment_results_validate_against_the_oscal_schema() -> None:
    doc = oscal_dict(_result(), "0.1.0")
    assert _errors(doc) == []
    res = doc["assessment-results"]["results"][0]
    assert len(res["findings"]) == 260
    assert len(res["reviewed-controls"]["control-selections"][0]["include-controls"]) == 260


def test_every_framework_validates() -> None:
    for fid in ("cis-aws-3.0.0", "soc2", "iso27001-2022"):
        assert _errors(oscal_dict(_result(fid), "0.1.0")) == [], fid


def test_the_validator_really_checks() -> None:
    """A broken document is rejected: the test above could fail."""
    doc = oscal_dict(_result(), "0.1.0")
    doc["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "passed"
    del doc["assessment-results"]["metadata"]["oscal-version"]
    errors = _errors(doc)
    assert any("oscal-version" in e for e in errors) and any("passed" in e for e in errors)


def test_statuses_map_conservatively() -> None:
    doc = oscal_dict(_result(), "0.1.0")
    by_req = {
        next(p["value"] for p in f["props"] if p["name"] == "requirement-id"): f
        for f in doc["assessment-results"]["results"][0]["findings"]
    }
    status = {
        k: (f["target"]["status"], next(p["value"] for p in f["props"] if p["name"] == "status"))
        for k, f in by_req.items()
    }
    assert status["1.4.4"] == ({"state": "not-satisfied", "reason": "fail"}, "fail")
    assert status["9.2.1"] == ({"state": "satisfied", "reason": "other"}, "inherited")
    assert status["12.1.1"] == ({"state": "not-satisfied", "reason": "other"}, "manual")
    assert "AWS Artifact" in by_req["9.2.1"]["target"]["remarks"]
    assert by_req["1.4.4"]["related-observations"]
    # Account data is flattened to one line and kept as text.
    assert "evil bucket <script>" in by_req["1.4.4"]["description"]


def test_ids_are_stable_tokens_and_the_output_is_deterministic() -> None:
    assert control_id("pci-dss-4.0.1", "1.1.1") == "pci-dss-4.0.1_1.1.1"
    assert control_id("x", "A.8.1") == "x_A.8.1"
    assert render_oscal(_result(), "1") == render_oscal(_result(), "1")
