"""Systems Manager beyond patching: public documents (SSM.4), association compliance (SSM.3),
plaintext parameters that look secret (names only, values never kept), DHMC. moto lacks
ListResourceComplianceSummaries and GetServiceSetting: without the demo's simulated answers
those are unknown; recorded real answers are fed through the parsers."""

from __future__ import annotations

import json

from srmscan.collect import ssm_config as sc
from srmscan.demo.seed_ssm_config import PARAM_CANARY, PLAINTEXT_PARAM, SHAPED_CANARY, SHAPED_PARAM
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import by_rule, fail_operation, one
from tests.placebo_feed import mini_demo, recordings, shape_problems

RULES = ["ssm.association_compliance", "ssm.plaintext_secret_parameters", "ssm.default_host_management"]


def _run(ruleset, hook=None, simulate=True):  # type: ignore[no-untyped-def]
    inv = mini_demo(["seed_ssm_config"], {"ssm_config"}, hook, simulate=simulate)
    return inv, evaluate(inv, ruleset)


def test_demo_findings_and_no_value_kept(ruleset) -> None:
    inv, findings = _run(ruleset)
    assert inv.errors == []
    assert one(findings, "ssm.document_public", "acme-partner-diagnostics").status is Status.FAIL
    assert one(findings, "ssm.document_public", "acme-internal-diagnostics").status is Status.PASS
    home = {f.region: f for f in by_rule(findings, "ssm.plaintext_secret_parameters")}
    assert home["eu-west-1"].status is Status.FAIL and home["us-east-1"].status is Status.PASS
    assert home["eu-west-1"].evidence["parameters"] == sorted([PLAINTEXT_PARAM, SHAPED_PARAM])
    assert "(value)" in home["eu-west-1"].message and "(name)" in home["eu-west-1"].message
    compliance = {f.region: f.status for f in by_rule(findings, "ssm.association_compliance")}
    assert compliance == {"eu-west-1": Status.FAIL}  # no associations in us-east-1: nothing judged
    dhmc = {f.region: f.status for f in by_rule(findings, "ssm.default_host_management")}
    assert dhmc == {"eu-west-1": Status.PASS, "us-east-1": Status.FAIL}
    text = json.dumps([r.to_dict() for r in inv.resources], default=str)
    assert PARAM_CANARY not in text and SHAPED_CANARY not in text


def test_apis_moto_lacks_are_unknown(ruleset) -> None:
    """The same seed without the simulated answers: moto raises NotImplementedError."""
    _, findings = _run(ruleset, simulate=False)
    for rule_id in ("ssm.association_compliance", "ssm.default_host_management"):
        statuses = {f.status for f in by_rule(findings, rule_id)}
        assert statuses == {Status.UNKNOWN}, rule_id


def test_parameter_values_denied_is_unknown(ruleset) -> None:
    _, findings = _run(ruleset, lambda aws: fail_operation(aws.events, "ssm", "GetParameters"))
    home = {f.region: f for f in by_rule(findings, "ssm.plaintext_secret_parameters")}
    assert home["eu-west-1"].status is Status.UNKNOWN
    _, findings = _run(ruleset, lambda aws: fail_operation(aws.events, "ssm", "DescribeDocumentPermission"))
    assert {f.status for f in by_rule(findings, "ssm.document_public")} == {Status.UNKNOWN}


def test_recorded_answers_validate_and_parse(aws) -> None:
    client = aws.client("ssm", "us-east-1")
    for op in ("ListDocuments", "DescribeDocumentPermission", "DescribeParameters", "ListResourceComplianceSummaries"):
        for name, data in recordings("ssm", op):
            assert shape_problems(client, op, data) == [], (op, name)
    for _, data in recordings("ssm", "ListResourceComplianceSummaries"):
        parsed = sc._compliance(data.get("ResourceComplianceSummaryItems") or [])
        assert all(isinstance(v, str) for v in parsed.values())
    shared = [
        sorted(str(a) for a in d.get("AccountIds") or []) for _, d in recordings("ssm", "DescribeDocumentPermission")
    ]
    assert shared
