"""Collectors against moto in-process, and the promise that a failed call never becomes a pass."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate
from srmscan.model import ErrorKind, Inventory, Status
from tests.helpers import by_rule, fail_operation, one

PUBLIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::leaky/*"}],
}
ALL_ON = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)


def _buckets(session: boto3.Session) -> None:
    s3 = session.client("s3", region_name="eu-west-1")
    loc = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket="leaky", CreateBucketConfiguration=loc)
    s3.put_bucket_policy(Bucket="leaky", Policy=json.dumps(PUBLIC_POLICY))
    s3.create_bucket(Bucket="tidy", CreateBucketConfiguration=loc)
    s3.put_public_access_block(Bucket="tidy", PublicAccessBlockConfiguration=ALL_ON)


def _scan(aws: AwsSession, ruleset, regions=("eu-west-1",)):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, list(regions))
    return inv, evaluate(inv, ruleset)


def test_public_bucket_fails_and_private_twin_passes(session, aws, ruleset) -> None:
    _buckets(session)
    inv, findings = _scan(aws, ruleset)
    assert one(findings, "s3.bucket_policy_public", "leaky").status is Status.FAIL
    assert one(findings, "s3.bucket_policy_public", "tidy").status is Status.PASS
    assert one(findings, "s3.bucket_public_access_block", "leaky").status is Status.FAIL
    assert one(findings, "s3.bucket_public_access_block", "tidy").status is Status.PASS
    leaky = next(r for r in inv.resources if r.id == "leaky")
    assert leaky.region == "eu-west-1"
    assert leaky.attrs["effective_pab"] == dict.fromkeys(ALL_ON, False)


def test_account_level_bpa_protects_every_bucket(session, aws, ruleset) -> None:
    """Effective BPA = account OR bucket, so an account-level setting makes the bucket pass."""
    _buckets(session)
    session.client("s3control", region_name="eu-west-1").put_public_access_block(
        AccountId="123456789012", PublicAccessBlockConfiguration=ALL_ON
    )
    _, findings = _scan(aws, ruleset)
    assert one(findings, "s3.account_public_access_block").status is Status.PASS
    assert one(findings, "s3.bucket_public_access_block", "leaky").status is Status.PASS
    # The public statement is still reported, at low severity, because BPA neutralises it.
    policy = one(findings, "s3.bucket_policy_public", "leaky")
    assert policy.status is Status.FAIL and policy.severity == "low"


def test_denied_bucket_policy_read_is_unknown_not_pass(session, aws, ruleset) -> None:
    """AccessDenied is injected with a before-call hook: moto only denies when IAM is enforced."""
    _buckets(session)
    fail_operation(aws.events, "s3", "GetBucketPolicy")
    inv, findings = _scan(aws, ruleset)
    for bucket in ("leaky", "tidy"):
        f = one(findings, "s3.bucket_policy_public", bucket)
        assert f.status is Status.UNKNOWN
        assert "s3:GetBucketPolicy" in (f.unknown_reason or "")
        assert f.error_ids
    # Only one error is recorded for the same call failing the same way in the same region.
    denied = [e for e in inv.errors if e.operation == "GetBucketPolicy"]
    assert len(denied) == 1 and denied[0].kind is ErrorKind.ACCESS_DENIED
    # Other checks on the same buckets are intact.
    assert one(findings, "s3.bucket_public_access_block", "tidy").status is Status.PASS


def test_denied_account_bpa_makes_bucket_bpa_unknown(session, aws, ruleset) -> None:
    _buckets(session)
    fail_operation(aws.events, "s3-control", "GetPublicAccessBlock")
    _, findings = _scan(aws, ruleset)
    assert one(findings, "s3.account_public_access_block").status is Status.UNKNOWN
    # Without the account setting, a bucket with its own BPA off cannot be judged...
    assert one(findings, "s3.bucket_public_access_block", "leaky").status is Status.UNKNOWN
    # ...but a bucket that blocks everything itself is protected whatever the account says.
    assert one(findings, "s3.bucket_public_access_block", "tidy").status is Status.PASS


def test_list_buckets_denied_yields_one_unknown_per_bucket_rule(session, aws, ruleset) -> None:
    _buckets(session)
    fail_operation(aws.events, "s3", "ListBuckets")
    inv, findings = _scan(aws, ruleset)
    assert any(g.resource_type == "AWS::S3::Bucket" for g in inv.gaps)
    bucket_rules = [r.id for r in ruleset.rules if r.resource_type == "AWS::S3::Bucket"]
    for rule_id in bucket_rules:
        found = by_rule(findings, rule_id)
        assert [f.status for f in found] == [Status.UNKNOWN], rule_id
        assert found[0].resource_id == "*"
    assert not [f for f in findings if f.resource_type == "AWS::S3::Bucket" and f.status is Status.PASS]


def test_unimplemented_api_is_unknown_with_reason(aws, ruleset) -> None:
    """moto lacks Access Analyzer: the real error surfaces as unknown, kind unsupported."""
    inv, findings = _scan(aws, ruleset)
    f = one(findings, "accessanalyzer.enabled")
    assert f.status is Status.UNKNOWN
    err = next(e for e in inv.errors if e.service == "accessanalyzer")
    assert err.kind is ErrorKind.UNSUPPORTED
    assert "access-analyzer:ListAnalyzers" in (f.unknown_reason or "")


def test_not_implemented_error_in_process_is_recorded(aws, ruleset) -> None:
    """moto in-process raises a bare NotImplementedError for some APIs: it must become data."""

    def raise_not_implemented(**_):  # type: ignore[no-untyped-def]
        raise NotImplementedError("The describe_configuration_recorders action has not been implemented")

    aws.events.register("before-call.config-service.DescribeConfigurationRecorders", raise_not_implemented)
    inv, findings = _scan(aws, ruleset)
    assert one(findings, "config.recorder_enabled").status is Status.UNKNOWN
    assert any(e.kind is ErrorKind.UNSUPPORTED and e.service == "config" for e in inv.errors)


def test_analyzer_present_passes_via_stubber(aws, ruleset) -> None:
    """Access Analyzer is not in moto: Stubber supplies a realistic ListAnalyzers answer."""
    client = aws.client("accessanalyzer", "eu-west-1")
    stub = Stubber(client)
    stub.add_response(
        "list_analyzers",
        {
            "analyzers": [
                {
                    "arn": "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/acct",
                    "name": "acct",
                    "type": "ACCOUNT",
                    "createdAt": "2026-01-01T00:00:00Z",
                    "status": "ACTIVE",
                }
            ]
        },
    )
    with stub:
        _, findings = _scan(aws, ruleset)
    assert one(findings, "accessanalyzer.enabled").status is Status.PASS


def test_malformed_bucket_policy_is_not_a_pass(session, aws, ruleset) -> None:
    """A policy the scanner cannot parse can never be reported as private."""
    _buckets(session)

    def garble(parsed, **_):  # type: ignore[no-untyped-def]
        parsed["Policy"] = '{"Statement": [ {"Effect": "Allow", "Principal": '

    aws.events.register("after-call.s3.GetBucketPolicy", garble)
    _, findings = _scan(aws, ruleset)
    f = one(findings, "s3.bucket_policy_public", "leaky")
    assert f.status is Status.FAIL
    assert "could not be parsed" in f.message


def test_inventory_round_trips_through_json(session, aws, ruleset) -> None:
    _buckets(session)
    fail_operation(aws.events, "s3", "GetBucketVersioning")
    inv, findings = _scan(aws, ruleset)
    again = Inventory.from_dict(json.loads(json.dumps(inv.to_dict(), default=str)))
    assert again.to_dict() == json.loads(json.dumps(inv.to_dict(), default=str))
    assert [f.to_dict() for f in evaluate(again, ruleset)] == [f.to_dict() for f in findings]


def test_config_recorder_missing_in_one_region_fails_there_only(session, aws, ruleset) -> None:
    config = session.client("config", region_name="eu-west-1")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/c",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    session.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="cfg", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "cfg"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    _, findings = _scan(aws, ruleset, regions=("eu-west-1", "us-east-1"))
    statuses = {f.region: f.status for f in by_rule(findings, "config.recorder_enabled")}
    assert statuses == {"eu-west-1": Status.PASS, "us-east-1": Status.FAIL}


@pytest.mark.parametrize(
    "code,kind",
    [
        ("ThrottlingException", ErrorKind.THROTTLED),
        ("ExpiredToken", ErrorKind.EXPIRED_CREDENTIALS),
        ("AccessDeniedException", ErrorKind.ACCESS_DENIED),
    ],
)
def test_error_kinds_are_classified(aws, ruleset, code, kind) -> None:
    fail_operation(aws.events, "cloudtrail", "DescribeTrails", code=code, status=400)
    inv, findings = _scan(aws, ruleset)
    err = next(e for e in inv.errors if e.operation == "DescribeTrails")
    assert err.kind is kind
    assert one(findings, "cloudtrail.multi_region_trail").status is Status.UNKNOWN
