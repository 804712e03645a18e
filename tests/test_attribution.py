"""Attribution through CloudTrail LookupEvents.

moto does not implement LookupEvents, so these tests use botocore's Stubber on the scanner's
cloudtrail client, answering with event shapes recorded from real accounts (a CloudTrailEvent
JSON string with userIdentity, sourceIPAddress, userAgent and requestParameters).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.stub import Stubber
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.collect.cloudtrail_events import RateLimiter, parse_event
from srmscan.collect.context import Collection
from srmscan.drift.attribution import attribute_findings, entry_for, event_map, event_name_matches
from srmscan.model import Finding, Layer, Owner, Severity, Status

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
ROLE_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/DeveloperAccess/dev.sam@example.com"


def _finding(rule: str, rid: str, *, rtype: str = "AWS::S3::Bucket", region: str = "eu-west-1", **kw: Any) -> Finding:
    values: dict[str, Any] = dict(
        id=f"{rule}-{rid}",
        rule_id=rule,
        title=rule,
        status=Status.FAIL,
        severity=Severity.HIGH,
        owner=Owner.CUSTOMER,
        layer=Layer.SERVICE_CONFIG,
        service=rule.split(".")[0],
        service_tier="serverless",
        account_id=ACCOUNT,
        region=region,
        resource_type=rtype,
        resource_id=rid,
        resource_arn=None,
        resource_name=rid,
        team=None,
        message="m",
        rationale="r",
        remediation="x",
        frameworks={},
        evidence={},
    )
    values.update(kw)
    return Finding(**values)


def _event(
    name: str,
    when: str,
    *,
    resource: str,
    params: dict[str, Any],
    error: str | None = None,
    identity: dict[str, Any] | None = None,
    source: str = "s3.amazonaws.com",
) -> dict[str, Any]:
    detail = {
        "eventVersion": "1.09",
        "userIdentity": identity
        or {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLEID:dev.sam@example.com",
            "arn": ROLE_SESSION,
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/DeveloperAccess",
                    "userName": "DeveloperAccess",
                },
                "attributes": {"creationDate": "2026-11-03T14:01:10Z", "mfaAuthenticated": "false"},
            },
        },
        "eventTime": when,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.77",
        "userAgent": "[aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 command/s3api.put-public-access-block]",
        "requestParameters": params,
        "responseElements": None,
        "eventID": f"ev-{name}-{when}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    }
    if error:
        detail["errorCode"] = error
        detail["errorMessage"] = "Access Denied"
    return {
        "EventId": detail["eventID"],
        "EventName": name,
        "ReadOnly": "false",
        "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
        "EventTime": datetime.fromisoformat(when.replace("Z", "+00:00")),
        "EventSource": source,
        "Username": "dev.sam@example.com",
        "Resources": [{"ResourceType": "AWS::S3::Bucket", "ResourceName": resource}],
        "CloudTrailEvent": json.dumps(detail),
    }


BPA_OFF = {
    "bucketName": "acme-marketing",
    "PublicAccessBlock": "",
    "PublicAccessBlockConfiguration": {
        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    },
    "Host": "acme-marketing.s3.eu-west-1.amazonaws.com",
}


def _params(attr: str, value: str, token: str | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": attr, "AttributeValue": value}],
        "StartTime": NOW - timedelta(days=90),
        "EndTime": NOW,
        "MaxResults": 50,
    }
    if token:
        p["NextToken"] = token
    return p


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


def _collection(aws) -> Collection:  # type: ignore[no-untyped-def]
    return Collection(aws, ACCOUNT, "aws", ["eu-west-1"])


def _map(ruleset) -> list:  # type: ignore[no-untyped-def]
    return event_map(ruleset.tables)


def test_most_recent_successful_matching_event_names_who_when_where(aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    ct = aws.client("cloudtrail", "eu-west-1")
    events = [
        # newest first, as LookupEvents answers
        _event("GetBucketPolicy", "2026-11-20T09:00:00Z", resource="acme-marketing", params={"bucketName": "x"}),
        _event(
            "PutBucketPublicAccessBlock",
            "2026-11-18T08:00:00Z",
            resource="acme-marketing",
            params=BPA_OFF,
            error="AccessDenied",
        ),
        _event(
            "PutBucketPublicAccessBlock",
            "2026-11-03T14:22:05Z",
            resource="acme-marketing",
            params={**BPA_OFF, "note": "temp key AKIAIOSFODNN7EXAMPLE"},
        ),
        _event("PutBucketPolicy", "2026-11-02T10:00:00Z", resource="acme-marketing", params={"bucketName": "x"}),
    ]
    clock = FakeClock()
    with Stubber(ct) as stub:
        # One call serves both findings on the bucket.
        stub.add_response("lookup_events", {"Events": events}, _params("ResourceName", "acme-marketing"))
        c = _collection(aws)
        findings = [
            _finding("s3.bucket_public_access_block", "acme-marketing"),
            _finding("s3.bucket_policy_public", "acme-marketing", severity=Severity.CRITICAL),
            _finding("s3.bucket_versioning", "other", status=Status.PASS),
        ]
        out = attribute_findings(
            c, findings, _map(ruleset), now=NOW, limiter=RateLimiter(clock=clock.now, sleep=clock.sleep)
        )
        stub.assert_no_pending_responses()
    bpa = out.findings[0].attribution
    assert bpa is not None and bpa["status"] == "found"
    assert bpa["event_name"] == "PutBucketPublicAccessBlock"
    assert bpa["event_time"] == "2026-11-03T14:22:05Z"  # not the newer, failed (AccessDenied) attempt
    assert bpa["principal_arn"] == ROLE_SESSION
    assert bpa["session_name"] == "dev.sam@example.com"
    assert bpa["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/DeveloperAccess"
    assert bpa["source_ip"] == "203.0.113.77" and "aws-cli/2.15.30" in bpa["user_agent"]
    assert bpa["request_parameters"]["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is False
    assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(bpa)
    # The policy finding's newest candidate event is the BPA change (it made the policy effective).
    assert out.findings[1].attribution["event_name"] == "PutBucketPublicAccessBlock"  # type: ignore[index]
    assert out.findings[2].attribution is None  # passing findings are not attributed
    assert out.calls == 1 and out.looked_up == 2 and out.found == 2


def test_budget_caps_lookups_and_reports_what_was_skipped(aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    ct = aws.client("cloudtrail", "eu-west-1")
    with Stubber(ct) as stub:
        # Most severe first: the critical finding on "b-crit" is looked up, "a-low" is not.
        stub.add_response("lookup_events", {"Events": []}, _params("ResourceName", "b-crit"))
        findings = [
            _finding("s3.bucket_versioning", "a-low", severity=Severity.LOW, layer=Layer.DATA),
            _finding("s3.bucket_policy_public", "b-crit", severity=Severity.CRITICAL),
            _finding("iam.root_mfa", ACCOUNT, rtype="AWS::::Account", region="global", layer=Layer.IAM),
        ]
        out = attribute_findings(
            _collection(aws), findings, _map(ruleset), now=NOW, max_lookups=1, limiter=RateLimiter(sleep=lambda s: None)
        )
        stub.assert_no_pending_responses()
    low, crit, root = (f.attribution for f in out.findings)
    assert crit == {**crit, "status": "none", "complete": True}  # type: ignore[dict-item]
    assert low["status"] == "not_looked_up" and "budget of 1" in low["reason"]  # type: ignore[index]
    assert root["status"] == "not_looked_up" and "no CloudTrail event names" in root["reason"]  # type: ignore[index]
    notes = " ".join(out.notes())
    assert "1 failing finding(s) not looked up: lookup budget of 1" in notes


def test_lookup_failure_becomes_data_not_an_exception(aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    ct = aws.client("cloudtrail", "eu-west-1")
    with Stubber(ct) as stub:
        stub.add_client_error("lookup_events", service_error_code="AccessDeniedException", http_status_code=400)
        c = _collection(aws)
        out = attribute_findings(
            c,
            [_finding("s3.bucket_public_access_block", "x")],
            _map(ruleset),
            now=NOW,
            limiter=RateLimiter(sleep=lambda s: None),
        )
    a = out.findings[0].attribution
    assert a["status"] == "error" and "cloudtrail:LookupEvents" in a["reason"]  # type: ignore[index]
    assert c.errors and c.errors[0].operation == "LookupEvents"


def test_denied_region_is_not_asked_again(aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    ct = aws.client("cloudtrail", "eu-west-1")
    with Stubber(ct) as stub:
        stub.add_client_error("lookup_events", service_error_code="AccessDeniedException", http_status_code=400)
        findings = [_finding("s3.bucket_public_access_block", name) for name in ("a", "b", "c")]
        out = attribute_findings(
            _collection(aws), findings, _map(ruleset), now=NOW, limiter=RateLimiter(sleep=lambda s: None)
        )
        stub.assert_no_pending_responses()  # a second call would have raised: the stub has one answer
    assert out.calls == 1
    assert all(f.attribution["status"] == "error" for f in out.findings)  # type: ignore[index]


def test_account_wide_rule_is_looked_up_by_event_name(aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    """config.recorder_enabled is about the account in a region: lookup by each event name."""
    ct = aws.client("cloudtrail", "us-east-1")
    stop = _event(
        "StopConfigurationRecorder",
        "2026-10-01T12:00:00Z",
        resource="default",
        params={"configurationRecorderName": "default"},
        source="config.amazonaws.com",
        identity={"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/ops-admin", "userName": "ops-admin"},
    )
    with Stubber(ct) as stub:
        stub.add_response("lookup_events", {"Events": [stop]}, _params("EventName", "StopConfigurationRecorder"))
        stub.add_response("lookup_events", {"Events": []}, _params("EventName", "DeleteConfigurationRecorder"))
        stub.add_response("lookup_events", {"Events": []}, _params("EventName", "DeleteDeliveryChannel"))
        f = _finding("config.recorder_enabled", ACCOUNT, rtype="AWS::::Account", region="us-east-1")
        out = attribute_findings(
            _collection(aws), [f], _map(ruleset), now=NOW, limiter=RateLimiter(sleep=lambda s: None)
        )
        stub.assert_no_pending_responses()
    a = out.findings[0].attribution
    assert a["event_name"] == "StopConfigurationRecorder"  # type: ignore[index]
    assert a["principal_arn"].endswith("user/ops-admin") and a["session_name"] == "ops-admin"  # type: ignore[index]


def test_pages_are_followed_up_to_the_page_cap(aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    ct = aws.client("cloudtrail", "eu-west-1")
    noise = [_event("GetObject", "2026-11-20T09:00:00Z", resource="busy", params={})]
    hit = [_event("PutBucketVersioning", "2026-09-01T09:00:00Z", resource="busy", params={"bucketName": "busy"})]
    with Stubber(ct) as stub:
        stub.add_response("lookup_events", {"Events": noise, "NextToken": "t1"}, _params("ResourceName", "busy"))
        stub.add_response("lookup_events", {"Events": hit, "NextToken": "t2"}, _params("ResourceName", "busy", "t1"))
        out = attribute_findings(
            _collection(aws),
            [_finding("s3.bucket_versioning", "busy", layer=Layer.DATA)],
            _map(ruleset),
            now=NOW,
            limiter=RateLimiter(sleep=lambda s: None),
        )
        stub.assert_no_pending_responses()
    assert out.findings[0].attribution["event_time"] == "2026-09-01T09:00:00Z"  # type: ignore[index]


def test_rate_limiter_spaces_calls_per_region() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=2.0, clock=clock.now, sleep=clock.sleep)
    for _ in range(4):
        limiter.wait("eu-west-1")
    assert clock.sleeps == [0.5, 0.5, 0.5]  # first call immediate, then one every 0.5 s
    limiter.wait("us-east-1")  # another region has its own quota ... but the clock already moved on
    assert len(clock.sleeps) == 3


def test_event_map_and_name_matching(ruleset) -> None:  # type: ignore[no-untyped-def]
    entries = _map(ruleset)
    assert "PutBucketAcl" in entry_for("s3.bucket_acl_public", entries).events  # type: ignore[union-attr]
    assert entry_for("iam.role_trust_public", entries).events == ("UpdateAssumeRolePolicy", "CreateRole")  # type: ignore[union-attr]
    assert entry_for("iam.root_mfa", entries) is None
    assert event_name_matches("AddPermission20150331v2", ["AddPermission"])
    assert not event_name_matches("AddPermissionSomething", ["AddPermission"])


def test_parse_event_tolerates_malformed_and_huge_detail() -> None:
    assert parse_event({"EventName": "PutBucketAcl", "CloudTrailEvent": "{not json"})["event_name"] == "PutBucketAcl"  # type: ignore[index]
    huge = {"EventName": "X", "CloudTrailEvent": json.dumps({"requestParameters": {"k": "v" * 10_000}})}
    assert parse_event(huge)["request_parameters"]["truncated"] is True  # type: ignore[index]
    assert parse_event({"CloudTrailEvent": "[]"}) is None


def test_permissions_declare_lookup_events() -> None:
    result = CliRunner().invoke(app, ["permissions"])
    actions = json.loads(result.output)["Statement"][0]["Action"]
    assert "cloudtrail:LookupEvents" in actions


def test_explain_prints_attribution_from_the_report(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = _finding("s3.bucket_public_access_block", "acme-marketing")
    f.attribution = {
        "status": "found",
        **parse_event(
            _event(  # type: ignore[dict-item]
                "PutBucketPublicAccessBlock", "2026-11-03T14:22:05Z", resource="acme-marketing", params=BPA_OFF
            )
        ),
    }
    report = {"kind": "srmscan-report", "account_id": ACCOUNT, "regions": ["eu-west-1"], "findings": [f.to_dict()]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report, default=str))
    res = CliRunner().invoke(app, ["explain", f.id[:12], "--report", str(path), "--no-lookup"])
    assert res.exit_code == 0, res.output
    assert ROLE_SESSION in res.output and "2026-11-03T14:22:05Z" in res.output and "203.0.113.77" in res.output
    assert CliRunner().invoke(app, ["explain", "nope", "--report", str(path)]).exit_code == 2


def test_ec2_resources_are_looked_up_by_id_as_cloudtrail_names_them(aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    ct = aws.client("cloudtrail", "eu-west-1")
    sg = _finding(
        "vpc.sg_admin_ports_open", "sg-0123456789abcdef0", rtype="AWS::EC2::SecurityGroup", resource_name="legacy-ssh"
    )
    assert entry_for(sg.rule_id, _map(ruleset)) is not None  # the vpc.sg_* rules are mapped too
    with Stubber(ct) as stub:
        # Looking up by the group's name would never match: CloudTrail records sg-... ids.
        stub.add_response("lookup_events", {"Events": []}, _params("ResourceName", "sg-0123456789abcdef0"))
        out = attribute_findings(
            _collection(aws),
            [sg],
            _map(ruleset),
            now=NOW,
            limiter=RateLimiter(clock=FakeClock().now, sleep=lambda s: None),
        )
        stub.assert_no_pending_responses()
    assert out.findings[0].attribution["status"] == "none"  # type: ignore[index]
