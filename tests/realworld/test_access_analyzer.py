"""Issue 10 defect 7 and issue 11's gap: which analyzers count, organization coverage, and the
external-access findings an analyzer already raised.

Shapes: ListAnalyzers and DescribeOrganization answers are recorded real responses
(placebo/test_access_analyzer_finding*, placebo/test_account_org_*); analyzer types other than
ACCOUNT / ORGANIZATION come from the botocore model's `Type` enum. ListFindingsV2 answers are the
recorded ListFindings (v1) findings of placebo/test_access_analyzer_finding and
test_sqs_analyzer_finding, cut to the members of botocore's `FindingSummaryV2` (v1's principal,
action, isPublic, condition are not in it) with `findingType` ExternalAccess ("For external access
analyzers, the type is ExternalAccess", model documentation), filtered the way the request asks
(the IAM Access Analyzer filter keys page: status, isPublic). ListDelegatedAdministrators follows the
botocore model's DelegatedAdministrator shape. Every answer is validated against the model.
"""

from __future__ import annotations

from typing import Any

from srmscan.evaluate.engine import evaluate
from srmscan.model import Severity, Status
from tests.helpers import by_rule, one
from tests.realworld.harness import Scenario, recording

REGION = "us-east-1"
ME = "123456789012"
ANALYZERS = "placebo/test_access_analyzer_finding/access-analyzer.ListAnalyzers_1.json"
ORG_ANALYZERS = "placebo/test_access_analyzer_finding_org_analyzer/access-analyzer.ListAnalyzers_1.json"
ORG = "placebo/test_account_org_info/organizations.DescribeOrganization_1.json"  # management 644160558196
ORG_DENIED = "placebo/test_account_org_info_denied/organizations.DescribeOrganization_1.json"
NO_ORG = "placebo/test_account_org_no_org/organizations.DescribeOrganization_1.json"
V2_MEMBERS = (
    "id",
    "resource",
    "resourceType",
    "resourceOwnerAccount",
    "status",
    "createdAt",
    "analyzedAt",
    "updatedAt",
)


def _v2_findings(*paths: str) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        _, data = recording(path)
        for f in data["findings"]:
            out.append(
                {**{k: f[k] for k in V2_MEMBERS if k in f}, "findingType": "ExternalAccess", "_public": f["isPublic"]}
            )
    return out


PUBLIC_ROLE = "arn:aws:iam::644160558196:role/aws-RecorderRoleC4E33B-TSABEY6UXXXX"
CROSS_ROLE = "arn:aws:iam::644160558196:role/aws-pe-RecorderRoleC4E33A-3B9W2DM0TNW"
QUEUE = "arn:aws:sqs:us-east-1:644160558196:public-test"
FINDINGS = _v2_findings(
    "placebo/test_access_analyzer_finding/access-analyzer.ListFindings_1.json",
    "placebo/test_sqs_analyzer_finding/access-analyzer.ListFindings_1.json",
)


def _list_findings_v2(params: dict[str, Any]) -> dict[str, Any]:
    """Answer as the service does: only findings matching the request's filter (eq on status/isPublic)."""
    wanted = params.get("filter") or {}
    found = []
    for f in FINDINGS:
        facts = {"status": f["status"], "isPublic": "true" if f["_public"] else "false"}
        if all(facts.get(key, "") in crit.get("eq", []) for key, crit in wanted.items()):
            found.append({k: v for k, v in f.items() if not k.startswith("_")})
    return {"findings": found}


def _analyzers(kinds: list[str]) -> dict[str, Any]:
    _, data = recording(ANALYZERS)
    template = data["analyzers"][0]
    return {
        "analyzers": [
            {
                **template,
                "name": f"{k.lower()}",
                "type": k,
                "arn": f"arn:aws:access-analyzer:{REGION}:{ME}:analyzer/{k}",
            }
            for k in kinds
        ]
    }


def _scenario(name: str, account_id: str = ME) -> Scenario:
    return Scenario(
        name, source="recorded Access Analyzer / Organizations responses (module doc)", account_id=account_id
    )


def _run(sc: Scenario, ruleset):  # type: ignore[no-untyped-def]
    run = sc.collect(regions=[REGION], only={"accessanalyzer", "organization"})
    assert run.collector_crashes() == []
    return run, evaluate(run.inventory, ruleset)


def _enabled(findings):  # type: ignore[no-untyped-def]
    return one([f for f in findings if f.region == REGION], "accessanalyzer.enabled")


def test_unused_and_internal_access_analyzers_do_not_count(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("only unused/internal analyzers, standalone account")
    sc.answer("accessanalyzer", "ListAnalyzers", _analyzers(["ACCOUNT_UNUSED_ACCESS", "ACCOUNT_INTERNAL_ACCESS"]),
              source="recorded ListAnalyzers with types from the botocore Type enum")  # fmt: skip
    sc.recorded("organizations", "DescribeOrganization", NO_ORG)
    run, findings = _run(sc, ruleset)
    f = _enabled(findings)
    assert f.status is Status.FAIL, f.message
    assert "ACCOUNT_UNUSED_ACCESS" in f.message and "not in an organization" in f.message
    assert run.requests("accessanalyzer", "ListFindingsV2") == []  # no external analyzer: nothing to list


def test_member_account_without_its_own_analyzer_is_unknown_with_what_it_can_see(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("member account, no analyzer")
    sc.answer("accessanalyzer", "ListAnalyzers", {"analyzers": []}, source="botocore model")
    sc.recorded("organizations", "DescribeOrganization", ORG)
    run, findings = _run(sc, ruleset)
    f = _enabled(findings)
    assert f.status is Status.UNKNOWN
    assert "o-vjtynx2e3h" in f.message and "644160558196" in f.message and "cannot be read" in f.message
    assert run.requests("organizations", "ListDelegatedAdministrators") == []  # a member may not ask


def test_organization_unreadable_is_unknown_with_the_call(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("no analyzer, DescribeOrganization denied")
    sc.answer("accessanalyzer", "ListAnalyzers", {"analyzers": []}, source="botocore model")
    sc.recorded("organizations", "DescribeOrganization", ORG_DENIED)
    _, findings = _run(sc, ruleset)
    f = _enabled(findings)
    assert f.status is Status.UNKNOWN and "organizations:DescribeOrganization" in (f.unknown_reason or "")


def test_management_account_looks_for_a_delegated_administrator(ruleset) -> None:  # type: ignore[no-untyped-def]
    admin = {"Id": "210987654321", "Arn": "arn:aws:organizations::644160558196:account/o-vjtynx4d1h/210987654321"}
    for admins, expected in (([admin], Status.UNKNOWN), ([], Status.FAIL)):
        sc = _scenario("management account, no analyzer", account_id="644160558196")
        sc.answer("accessanalyzer", "ListAnalyzers", {"analyzers": []}, source="botocore model")
        sc.recorded("organizations", "DescribeOrganization", ORG)
        sc.answer("organizations", "ListDelegatedAdministrators", {"DelegatedAdministrators": admins},
                  source="botocore model DelegatedAdministrator")  # fmt: skip
        run, findings = _run(sc, ruleset)
        request = run.requests("organizations", "ListDelegatedAdministrators")[0]
        assert request["ServicePrincipal"] == "access-analyzer.amazonaws.com" and request["MaxResults"] == 20
        f = _enabled(findings)
        assert f.status is expected, f.message
        if admins:
            assert "210987654321" in f.message


def test_active_external_findings_are_reported_in_the_analyzers_words(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("account analyzer with findings")
    sc.recorded("accessanalyzer", "ListAnalyzers", ANALYZERS)
    sc.answer(
        "accessanalyzer", "ListFindingsV2", _list_findings_v2, source="recorded ListFindings cut to FindingSummaryV2"
    )
    sc.recorded("organizations", "DescribeOrganization", NO_ORG)
    run, findings = _run(sc, ruleset)
    enabled = _enabled(findings)
    assert enabled.status is Status.PASS and "3 active finding(s)" in enabled.message
    requests = run.requests("accessanalyzer", "ListFindingsV2")
    assert all(r["filter"]["status"] == {"eq": ["ACTIVE"]} for r in requests)
    assert "maxResults" not in requests[0]  # no documented maximum (srmscan/collect/_page_sizes.py)
    reported = {f.resource_id: f for f in by_rule(findings, "accessanalyzer.external_access_finding")}
    assert set(reported) == {PUBLIC_ROLE, CROSS_ROLE, QUEUE}  # one per analyzed resource, by its ARN
    public_role = reported[PUBLIC_ROLE]
    assert public_role.status is Status.FAIL and public_role.severity is Severity.CRITICAL
    assert public_role.region == "global"  # IAM roles are global resources
    assert public_role.evidence["finding_ids"] == ["532ef930-f3f7-4389-a9f0-6ae323bfa899"]
    assert "ExternalAccess" in public_role.message and "owned by account 644160558196" in public_role.message
    cross = reported[CROSS_ROLE]
    assert cross.status is Status.FAIL and cross.severity is Severity.HIGH and cross.evidence["public"] is False
    queue = reported[QUEUE]
    assert queue.severity is Severity.CRITICAL and queue.region == REGION
    assert queue.evidence["resource_type"] == "AWS::SQS::Queue"


def test_a_global_role_reported_by_every_regions_analyzer_is_one_finding(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("account analyzers in two regions")
    sc.recorded("accessanalyzer", "ListAnalyzers", ANALYZERS)
    sc.answer(
        "accessanalyzer", "ListFindingsV2", _list_findings_v2, source="recorded ListFindings cut to FindingSummaryV2"
    )

    def roles_only(params: dict[str, Any]) -> dict[str, Any]:  # eu-west-1 sees the global roles, not the queue
        found = _list_findings_v2(params)["findings"]
        return {"findings": [f for f in found if f["resourceType"] == "AWS::IAM::Role"]}

    sc.answer("accessanalyzer", "ListFindingsV2", roles_only, region="eu-west-1", source="as above, IAM roles only")
    sc.recorded("organizations", "DescribeOrganization", NO_ORG)
    run = sc.collect(regions=[REGION, "eu-west-1"], only={"accessanalyzer", "organization"})
    reported = by_rule(evaluate(run.inventory, ruleset), "accessanalyzer.external_access_finding")
    assert sorted(f.resource_id for f in reported) == sorted([PUBLIC_ROLE, CROSS_ROLE, QUEUE])
    assert {f.region for f in reported if f.resource_id != QUEUE} == {"global"}


def test_organization_analyzer_counts_and_its_findings_are_read(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("account and organization analyzers")
    sc.recorded("accessanalyzer", "ListAnalyzers", ORG_ANALYZERS)
    sc.answer("accessanalyzer", "ListFindingsV2", {"findings": []}, source="botocore model")
    run, findings = _run(sc, ruleset)
    assert _enabled(findings).status is Status.PASS
    arns = {r["analyzerArn"] for r in run.requests("accessanalyzer", "ListFindingsV2")}
    assert len(arns) == 2 and any("ORG-" in a for a in arns)


def test_findings_that_cannot_be_listed_are_unknown_not_absent(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("findings listing denied")
    sc.recorded("accessanalyzer", "ListAnalyzers", ANALYZERS)
    sc.error(
        "accessanalyzer", "ListFindingsV2", "AccessDeniedException", status=403, source="Access Analyzer API errors"
    )
    sc.recorded("organizations", "DescribeOrganization", NO_ORG)
    _, findings = _run(sc, ruleset)
    gap = one(findings, "accessanalyzer.external_access_finding")
    assert gap.status is Status.UNKNOWN and "access-analyzer:ListFindings" in (gap.unknown_reason or "")


def test_public_filter_rejected_still_reports_the_findings(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = _scenario("isPublic filter rejected")
    sc.recorded("accessanalyzer", "ListAnalyzers", ANALYZERS)
    sc.answer(
        "accessanalyzer", "ListFindingsV2", _list_findings_v2, source="recorded ListFindings cut to FindingSummaryV2"
    )
    sc.error("accessanalyzer", "ListFindingsV2", "ValidationException", status=400, source="Access Analyzer API errors",
             when={"filter": {"status": {"eq": ["ACTIVE"]}, "isPublic": {"eq": ["true"]}}})  # fmt: skip
    sc.recorded("organizations", "DescribeOrganization", NO_ORG)
    _, findings = _run(sc, ruleset)
    reported = by_rule(findings, "accessanalyzer.external_access_finding")
    assert len(reported) == 3 and all(f.status is Status.FAIL and f.severity is Severity.HIGH for f in reported)
    assert all("could not be read" in f.message for f in reported)
