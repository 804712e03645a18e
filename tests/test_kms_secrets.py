"""KMS keys and Secrets Manager secrets.

moto 5.2.5 serves every call both collectors make (KMS ListKeys, ListAliases, DescribeKey,
GetKeyRotationStatus, GetKeyPolicy with PolicyName "default"; Secrets Manager ListSecrets and
GetResourcePolicy). It cannot backdate a secret's rotation or access dates, so those rules are
also exercised with real-shaped ListSecrets answers validated by Stubber, and every recorded real
answer is fed through both collectors.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from srmscan.collect.kms import key_attrs
from srmscan.collect.runner import collect_inventory
from srmscan.collect.secretsmanager import secret_attrs
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests import svc_recordings as rec
from tests.helpers import fail_operation, one

REGION = "eu-west-1"
ROOT = "arn:aws:iam::123456789012:root"


def _policy(principal: Any) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:*", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _keys(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    kms = session.client("kms", region_name=REGION)
    good = kms.create_key(Policy=_policy(ROOT))["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good)
    bad = kms.create_key(Policy=_policy("*"))["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/bad", TargetKeyId=bad)
    doomed = kms.create_key(Policy=_policy(ROOT))["KeyMetadata"]
    session.client("dynamodb", region_name=REGION).create_table(
        TableName="archive",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": doomed["Arn"]},
    )
    kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
    unused = kms.create_key(Policy=_policy(ROOT))["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=unused, PendingWindowInDays=7)
    return {"good": good, "bad": bad, "doomed": doomed["KeyId"], "unused": unused}


def test_keys(session, aws, ruleset) -> None:
    ids = _keys(session)
    inv = collect_inventory(aws, [REGION], only={"kms", "dynamodb"})
    findings = evaluate(inv, ruleset)
    assert one(findings, "kms.key_rotation", ids["good"]).status is Status.PASS
    assert one(findings, "kms.key_rotation", ids["bad"]).status is Status.FAIL
    assert one(findings, "kms.key_policy_public", ids["good"]).status is Status.PASS
    assert one(findings, "kms.key_policy_public", ids["bad"]).status is Status.FAIL
    doomed = one(findings, "kms.key_pending_deletion_in_use", ids["doomed"])
    assert doomed.status is Status.FAIL and "AWS::DynamoDB::Table archive" in doomed.message
    assert one(findings, "kms.key_pending_deletion_in_use", ids["unused"]).status is Status.PASS
    # Keys pending deletion are not judged for rotation or policy (the calls are not made).
    assert not [f for f in findings if f.resource_id == ids["doomed"] and f.rule_id == "kms.key_rotation"]
    named = next(r for r in inv.resources if r.id == ids["bad"])
    assert named.name == "alias/bad"
    # The table's key kind comes from the KMS inventory.
    assert one(findings, "dynamodb.table_encryption_key", "archive").evidence["key"] == "customer_managed"


@pytest.mark.parametrize("operation", ["ListTables", "DescribeTable"])
def test_pending_deletion_is_unknown_when_a_possible_user_was_not_read(session, aws, ruleset, operation) -> None:  # type: ignore[no-untyped-def]
    """ "No collected resource uses the key" is a pass only if the key's region was read in full:
    a failed listing (ListTables) or an unread table (DescribeTable) could hide the one user."""
    ids = _keys(session)
    fail_operation(aws.events, "dynamodb", operation)
    findings = evaluate(collect_inventory(aws, [REGION], only={"kms", "dynamodb"}), ruleset)
    for key in ("doomed", "unused"):
        f = one(findings, "kms.key_pending_deletion_in_use", ids[key])
        assert f.status is Status.UNKNOWN and f.error_ids, (key, f.status)
        assert "dynamodb" in (f.unknown_reason or "").lower(), f.unknown_reason


def test_denied_key_calls_are_unknown(session, aws, ruleset) -> None:
    ids = _keys(session)
    fail_operation(aws.events, "kms", "GetKeyPolicy")
    fail_operation(aws.events, "kms", "GetKeyRotationStatus")
    findings = evaluate(collect_inventory(aws, [REGION], only={"kms"}), ruleset)
    for rule_id, action in (
        ("kms.key_policy_public", "kms:GetKeyPolicy"),
        ("kms.key_rotation", "kms:GetKeyRotationStatus"),
    ):
        f = one(findings, rule_id, ids["bad"])
        assert f.status is Status.UNKNOWN and action in (f.unknown_reason or ""), rule_id


def test_page_sizes_are_the_api_maximum(session, aws) -> None:
    _keys(session)
    session.client("secretsmanager", region_name=REGION).create_secret(Name="s", SecretString="x")
    sent: dict[str, Any] = {}

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        sent[model.name] = dict(params)

    for service, op in (("kms", "ListKeys"), ("kms", "ListAliases"), ("secrets-manager", "ListSecrets")):
        aws.events.register(f"provide-client-params.{service}.{op}", record)
    collect_inventory(aws, [REGION], only={"kms", "secretsmanager"})
    assert sent["ListKeys"]["Limit"] == 1000 and sent["ListAliases"]["Limit"] == 1000
    assert sent["ListSecrets"]["MaxResults"] == 100


CANARY_DESCRIPTION = "canary-secret-description-77ab"
CANARY_VALUE = "canary-secret-value-19cd"


def test_secrets_done_right_pass_and_wrong_fail_and_no_value_or_description_is_kept(session, aws, ruleset) -> None:
    sm = session.client("secretsmanager", region_name=REGION)
    sm.create_secret(
        Name="open", SecretString=CANARY_VALUE, Description=CANARY_DESCRIPTION, Tags=[{"Key": "Team", "Value": "x"}]
    )
    sm.put_resource_policy(
        SecretId="open",
        ResourcePolicy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}],
            }
        ),
    )
    sm.create_secret(Name="closed", SecretString=CANARY_VALUE)
    calls: list[str] = []
    aws.events.register("provide-client-params.secrets-manager.*", lambda model, **_: calls.append(model.name))
    inv = collect_inventory(aws, [REGION], only={"secretsmanager"})
    findings = evaluate(inv, ruleset)
    assert one(findings, "secretsmanager.policy_public", "open").status is Status.FAIL
    assert one(findings, "secretsmanager.policy_public", "closed").status is Status.PASS
    assert one(findings, "secretsmanager.rotation_enabled", "open").status is Status.FAIL
    blob = json.dumps(inv.to_dict(), default=str) + json.dumps([f.to_dict() for f in findings], default=str)
    assert CANARY_DESCRIPTION not in blob and CANARY_VALUE not in blob
    assert set(calls) == {"ListSecrets", "GetResourcePolicy"}  # never GetSecretValue


def _listed(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "ARN": f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}-AbCdEf",
        "Name": name,
        "CreatedDate": datetime(2025, 1, 1, tzinfo=UTC),
        "LastChangedDate": datetime(2025, 1, 1, tzinfo=UTC),
        **extra,
    }


def test_rotation_age_and_last_use_from_real_shaped_answers(aws, ruleset) -> None:
    """moto cannot backdate these dates; Stubber validates the answers against the output shape."""
    stub = Stubber(aws.client("secretsmanager", REGION))
    secrets = [
        _listed(
            "stale",
            RotationEnabled=True,
            RotationRules={"AutomaticallyAfterDays": 30},
            LastRotatedDate=datetime(2026, 2, 1, tzinfo=UTC),
            LastAccessedDate=datetime(2026, 11, 30, tzinfo=UTC),
        ),
        _listed(
            "fresh",
            RotationEnabled=True,
            RotationRules={"AutomaticallyAfterDays": 30},
            LastRotatedDate=datetime(2026, 11, 15, tzinfo=UTC),
            LastAccessedDate=datetime(2026, 6, 1, tzinfo=UTC),
        ),
        _listed("never-read"),
    ]
    stub.add_response("list_secrets", {"SecretList": secrets}, {"MaxResults": 100})
    for s in secrets:
        stub.add_response("get_resource_policy", {"ARN": s["ARN"], "Name": s["Name"]}, {"SecretId": s["ARN"]})
    stub.activate()
    inv = collect_inventory(
        aws,
        [REGION],
        only={"secretsmanager"},
    )
    inv.started_at = "2026-12-01T09:00:00Z"
    findings = evaluate(inv, ruleset)
    assert one(findings, "secretsmanager.rotation_recent", "stale").status is Status.FAIL
    assert one(findings, "secretsmanager.rotation_recent", "fresh").status is Status.PASS
    assert one(findings, "secretsmanager.unused", "stale").status is Status.PASS
    assert one(findings, "secretsmanager.unused", "fresh").status is Status.FAIL
    never = one(findings, "secretsmanager.unused", "never-read")
    assert never.status is Status.FAIL and "Never retrieved" in never.message
    assert one(findings, "secretsmanager.rotation_enabled", "never-read").status is Status.FAIL


@pytest.mark.parametrize("directory", rec.directories("kms.ListKeys", "kms.DescribeKey"), ids=lambda p: p.name)
def test_recorded_kms_answers_through_the_collector(directory, aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    described = [d.get("KeyMetadata") for _, d in (rec.load(p) for p in rec.files(directory, "kms.DescribeKey"))]
    keys = [{"KeyId": m["KeyId"], "KeyArn": m.get("Arn")} for m in described if isinstance(m, dict) and m.get("KeyId")]

    def same_key(params: dict[str, Any], data: dict[str, Any]) -> bool:
        meta = data.get("KeyMetadata") or {}
        return params.get("KeyId") in (meta.get("KeyId"), meta.get("Arn"))

    rec.replay(
        aws.events,
        directory,
        "kms",
        "kms",
        ["ListKeys", "ListAliases", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy"],
        match={"DescribeKey": same_key},
        synthesize={"ListKeys": lambda: {"Keys": keys}},
    )
    inv = collect_inventory(aws, ["us-east-1"], only={"kms"})
    assert not [e for e in inv.errors if e.operation.startswith("collector:")], inv.errors
    for f in evaluate(inv, ruleset):
        if f.rule_id == "kms.key_rotation" and f.status is Status.PASS:
            assert rec.files(directory, "kms.GetKeyRotationStatus")
        if f.rule_id == "kms.key_policy_public" and f.status is Status.PASS:
            assert rec.files(directory, "kms.GetKeyPolicy")


@pytest.mark.parametrize("directory", rec.directories("secretsmanager.ListSecrets"), ids=lambda p: p.name)
def test_recorded_secret_answers_through_the_collector(directory, aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    rec.replay(aws.events, directory, "secretsmanager", "secrets-manager", ["ListSecrets", "GetResourcePolicy"])
    inv = collect_inventory(aws, ["us-east-1"], only={"secretsmanager"})
    assert not [e for e in inv.errors if e.operation.startswith("collector:")], inv.errors
    texts = [
        str(item.get("Description"))
        for _, d in (rec.load(p) for p in rec.files(directory, "secretsmanager.ListSecrets"))
        for item in d.get("SecretList") or []
        if item.get("Description")
    ]
    blob = json.dumps(inv.to_dict(), default=str)
    assert not [t for t in texts if len(t) > 8 and t in blob]  # descriptions never kept
    for f in evaluate(inv, ruleset):
        if f.rule_id == "secretsmanager.policy_public" and f.status is Status.PASS:
            assert rec.files(directory, "secretsmanager.GetResourcePolicy")


def test_every_recorded_answer_parses() -> None:
    seen = 0
    for path, data in rec.every_answer("kms.DescribeKey"):
        attrs = key_attrs(data.get("KeyMetadata") or {})
        seen += 1
        if "KeyManager" not in (data.get("KeyMetadata") or {}):
            assert attrs["manager"] is None, path  # neither customer nor AWS: no rule applies
    for _path, data in rec.every_answer("secretsmanager.ListSecrets"):
        for item in data.get("SecretList") or []:
            attrs = secret_attrs(item)
            seen += 1
            assert attrs["rotation_enabled"] is bool(item.get("RotationEnabled"))
    assert seen >= 100
