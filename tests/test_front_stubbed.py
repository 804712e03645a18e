"""Real-shaped answers (validated by botocore's Stubber against the output shapes) for the calls
that neither moto nor the recordings cover: GetEnabledStandards, GetServiceSetting,
ListResourceComplianceSummaries and GetParameters (the parameter values must be judged and
dropped), and v2 GetRoutes; plus every recorded DescribeAddresses and ListDomains answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from botocore.stub import Stubber

from srmscan.collect import route53 as r53
from srmscan.collect.context import Collection
from srmscan.collect.detection import collect_detection
from srmscan.collect.ssm_config import DHMC_SETTING, collect_ssm_config
from srmscan.evaluate.engine import evaluate
from srmscan.model import Resource, Status
from tests.helpers import by_rule, inventory
from tests.placebo_feed import recordings, shape_problems

REGION = "eu-west-1"
VALUE = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # shaped like a GitHub token


def _collection(aws) -> Collection:  # type: ignore[no-untyped-def]
    return Collection(aws, "123456789012", "aws", [REGION])


def test_ssm_config_on_real_shaped_answers(aws, ruleset) -> None:
    c = _collection(aws)
    ssm = aws.client("ssm", REGION)
    try:
        with Stubber(ssm) as stub:
            stub.add_response("list_documents", {"DocumentIdentifiers": []})
            stub.add_response(
                "list_resource_compliance_summaries",
                {
                    "ResourceComplianceSummaryItems": [
                        {
                            "ComplianceType": "Association",
                            "ResourceType": "ManagedInstance",
                            "ResourceId": "i-0123456789abcdef0",
                            "Status": "NON_COMPLIANT",
                            "OverallSeverity": "UNSPECIFIED",
                            "ExecutionSummary": {"ExecutionTime": datetime(2026, 11, 20, tzinfo=UTC)},
                        }
                    ]
                },
            )
            stub.add_response(
                "describe_parameters",
                {
                    "Parameters": [
                        {"Name": "/ci/settings", "Type": "String", "Version": 1},
                        {"Name": "/ci/db_password", "Type": "StringList", "Version": 1},
                        {"Name": "/ci/real-secret", "Type": "SecureString", "Version": 1},
                    ]
                },
            )
            stub.add_response(
                "get_parameters",
                {"Parameters": [{"Name": "/ci/settings", "Type": "String", "Value": VALUE, "Version": 1}]},
                {"Names": ["/ci/settings"], "WithDecryption": False},
            )
            stub.add_response(
                "get_service_setting",
                {"ServiceSetting": {"SettingId": DHMC_SETTING, "SettingValue": "$None", "Status": "Default"}},
                {"SettingId": DHMC_SETTING},
            )
            collect_ssm_config(c, REGION)
            stub.assert_no_pending_responses()
    finally:
        c.close()
    account = c.account(REGION)
    assert account.unreadable == {}
    assert account.attrs["ssm_plaintext_secret_parameters"] == [
        {"name": "/ci/db_password", "why": "name"},
        {"name": "/ci/settings", "why": "value"},
    ]
    assert VALUE not in json.dumps([r.to_dict() for r in c.resources], default=str)
    findings = evaluate(inventory(*c.resources, regions=[REGION]), ruleset)
    assert {f.rule_id: f.status for f in findings if f.rule_id.startswith("ssm.") and f.region == REGION} == {
        "ssm.association_compliance": Status.FAIL,
        "ssm.plaintext_secret_parameters": Status.FAIL,
        "ssm.default_host_management": Status.FAIL,
    }


def test_security_hub_standards_on_real_shaped_answers(aws, ruleset) -> None:
    c = _collection(aws)
    hub, gd = aws.client("securityhub", REGION), aws.client("guardduty", REGION)
    cis = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
    try:
        with Stubber(hub) as hub_stub, Stubber(gd) as gd_stub:
            gd_stub.add_response("list_detectors", {"DetectorIds": []})
            hub_stub.add_response("describe_hub", {"HubArn": f"arn:aws:securityhub:{REGION}:123456789012:hub/default"})
            hub_stub.add_response(
                "get_enabled_standards",
                {
                    "StandardsSubscriptions": [
                        {
                            "StandardsSubscriptionArn": f"arn:aws:securityhub:{REGION}:123456789012:subscription/cis",
                            "StandardsArn": cis,
                            "StandardsInput": {},
                            "StandardsStatus": "READY",
                        }
                    ]
                },
            )
            collect_detection(c, REGION)
    finally:
        c.close()
    findings = evaluate(inventory(*c.resources, regions=[REGION]), ruleset)
    [hub_finding] = [f for f in by_rule(findings, "securityhub.enabled") if f.region == REGION]
    assert hub_finding.status is Status.FAIL and "FSBP standard is not subscribed" in hub_finding.message
    [gd_finding] = [f for f in by_rule(findings, "guardduty.enabled") if f.region == REGION]
    assert gd_finding.status is Status.FAIL


def test_recorded_addresses_and_domains(aws, ruleset) -> None:
    ec2 = aws.client("ec2", "us-east-1")
    for name, data in recordings("ec2", "DescribeAddresses"):
        assert shape_problems(ec2, "DescribeAddresses", data) == [], name
    domains = aws.client("route53domains", "us-east-1")
    for name, data in recordings("route53domains", "ListDomains"):
        assert shape_problems(domains, "ListDomains", data) == [], name
        for d in data.get("Domains") or []:
            # Recordings that leave out TransferLock / AutoRenew must not read as "on".
            res = Resource(
                type=r53.DOMAIN,
                id=d["DomainName"],
                region="global",
                attrs={"auto_renew": d.get("AutoRenew"), "transfer_lock": d.get("TransferLock"), "expiry": None},
            )
            for f in evaluate(inventory(res), ruleset):
                if f.rule_id == "route53domains.transfer_lock" and d.get("TransferLock") is None:
                    assert f.status is Status.UNKNOWN


def test_recorded_records_through_the_dangling_rule(ruleset) -> None:
    zones = []
    for n, (_, data) in enumerate(recordings("route53", "ListResourceRecordSets")):
        zones.append(
            Resource(
                type=r53.ZONE,
                id=f"Z{n}",
                region="global",
                attrs={"private": False, "records": r53.keep_records(data.get("ResourceRecordSets") or [])},
            )
        )
    findings = by_rule(evaluate(inventory(*zones), ruleset), "route53.dangling_records")
    assert len(findings) == len(zones)
    # Nothing collected about buckets, distributions or addresses: nothing may be called held.
    aws_shaped = (".cloudfront.net", "amazonaws.com")
    for f in findings:
        zone = next(z for z in zones if z.id == f.resource_id)
        targets = [t for r in zone.attrs["records"] for t in [*r["values"], r["alias"] or ""]]
        if f.status is Status.PASS:
            assert not any(t.endswith(aws_shaped) for t in targets), (zone.id, targets)
            assert not any(_public(t) for r in zone.attrs["records"] if r["type"] == "A" for t in r["values"])


def _public(value: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(value).is_global
    except ValueError:
        return False


def test_v2_routes_real_shaped(aws) -> None:
    v2 = aws.client("apigatewayv2", REGION)
    answer = {
        "Items": [
            {"RouteId": "r1", "RouteKey": "GET /orders", "AuthorizationType": "NONE", "ApiKeyRequired": False},
            {"RouteId": "r2", "RouteKey": "$default", "AuthorizationType": "JWT", "AuthorizerId": "a1"},
        ]
    }
    with Stubber(v2) as stub:
        stub.add_response("get_routes", answer, {"ApiId": "abc"})
        got = v2.get_routes(ApiId="abc")
    from srmscan.collect.apigateway import _routes

    assert _routes(got["Items"]) == [
        {"route": "GET /orders", "caller_check": "NONE", "api_key_required": False},
        {"route": "$default", "caller_check": "JWT", "api_key_required": False},
    ]


def test_every_front_door_resource_type_has_a_matrix_row(ruleset) -> None:
    """The map can only show what the matrix knows: every type these collectors produce, and every
    type their rules judge, has a row whose AWS and shared cells cite a source."""
    from srmscan.collect import apigateway, cloudfront, cloudwatch, detection, ssm_config

    types = {
        cloudfront.DISTRIBUTION,
        apigateway.REST_API,
        apigateway.REST_STAGE,
        apigateway.HTTP_API,
        apigateway.HTTP_STAGE,
        detection.DETECTOR,
        detection.HUB,
        cloudwatch.LOG_GROUP,
        r53.ZONE,
        r53.DOMAIN,
        ssm_config.DOCUMENT,
    }
    services = {"cloudfront", "apigateway", "guardduty", "securityhub", "cloudwatch", "route53", "route53domains"}
    judged = {r.resource_type for r in ruleset.rules if r.service in services or r.id.startswith("ssm.")}
    for rtype in types | (judged - {"AWS::::Account", "AWS::EC2::Instance"}):
        row = ruleset.matrix.rows[rtype]
        assert set(row.cells) == {"physical", "os_patching", "runtime", "service_config", "data", "iam"}, rtype
        for layer, cell in row.cells.items():
            assert cell.why, (rtype, layer)
            if cell.owner in ("aws", "shared"):
                assert cell.source.startswith("https://docs.aws.amazon.com/"), (rtype, layer)
