"""DynamoDB tables, DAX clusters and AWS Backup selections.

moto 5.2.5 serves ListTables, DescribeTable, DescribeContinuousBackups, Get/PutResourcePolicy,
DAX DescribeClusters/ListTags and backup:ListBackupPlans, but not backup:ListBackupSelections or
GetBackupSelection (NotImplementedError in-process). Those are answered with botocore's Stubber,
which validates every answer against the operation's output shape. Every recorded real answer
of DescribeTable, ListTables, DescribeContinuousBackups, GetResourcePolicy and DAX DescribeClusters
is fed through the collector as well.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from srmscan.collect.dynamodb import continuous_backups, dax_attrs, table_attrs
from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests import svc_recordings as rec
from tests.helpers import fail_operation, one

REGION = "eu-west-1"
SCHEMA: dict[str, Any] = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def _tables(session: boto3.Session) -> dict[str, str]:
    ddb = session.client("dynamodb", region_name=REGION)
    key = session.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    good = ddb.create_table(
        TableName="good",
        DeletionProtectionEnabled=True,
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
        Tags=[{"Key": "backup", "Value": "daily"}, {"Key": "Team", "Value": "orders"}],
        **SCHEMA,
    )["TableDescription"]["TableArn"]
    ddb.update_continuous_backups(
        TableName="good", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    bad = ddb.create_table(TableName="bad", **SCHEMA)["TableDescription"]["TableArn"]
    public = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "dynamodb:*", "Resource": bad}
    ddb.put_resource_policy(ResourceArn=bad, Policy=json.dumps({"Version": "2012-10-17", "Statement": [public]}))
    narrowed = {**public, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    ddb.put_resource_policy(ResourceArn=good, Policy=json.dumps({"Version": "2012-10-17", "Statement": [narrowed]}))
    return {"good": good, "bad": bad}


def _scan(aws, ruleset, only=("dynamodb", "backup")):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only=set(only))
    return inv, evaluate(inv, ruleset)


def test_table_done_right_passes_and_wrong_fails(session, aws, ruleset) -> None:
    _tables(session)
    inv, findings = _scan(aws, ruleset)
    for rule_id in ("dynamodb.table_pitr", "dynamodb.table_deletion_protection", "dynamodb.table_policy_public"):
        assert one(findings, rule_id, "bad").status is Status.FAIL, rule_id
        assert one(findings, rule_id, "good").status is Status.PASS, rule_id
    assert "dynamodb:*" in one(findings, "dynamodb.table_policy_public", "bad").message
    good = next(r for r in inv.resources if r.id == "good")
    assert good.tags["Team"] == "orders" and good.tier == "managed"
    # No backup plan in the region: a plain fail, with the reason.
    backup = one(findings, "dynamodb.table_backup_plan", "good")
    assert backup.status is Status.FAIL and "no AWS Backup plan" in backup.message
    assert one(findings, "dynamodb.table_encryption_key", "bad").status is Status.INFO
    assert one(findings, "dynamodb.table_encryption_key", "bad").evidence["key"] == "aws_owned"


def test_key_manager_comes_from_the_kms_inventory(session, aws, ruleset) -> None:
    _tables(session)
    _inv, findings = _scan(aws, ruleset, only=("dynamodb", "kms"))
    f = one(findings, "dynamodb.table_encryption_key", "good")
    assert f.status is Status.INFO
    # moto creates the key as customer managed; without the KMS collector the kind is not claimed.
    assert f.evidence["key"] in ("customer_managed", "kms")


def test_backup_selection_unknown_where_moto_lacks_it(session, aws, ruleset) -> None:
    """A plan exists but its selections cannot be read (moto: NotImplementedError): unknown."""
    _tables(session)
    session.client("backup", region_name=REGION).create_backup_plan(
        BackupPlan={"BackupPlanName": "daily", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "Default"}]}
    )
    inv, findings = _scan(aws, ruleset)
    for table in ("good", "bad"):
        f = one(findings, "dynamodb.table_backup_plan", table)
        assert f.status is Status.UNKNOWN
        assert "backup:ListBackupSelections" in (f.unknown_reason or "")
    assert any(e.kind == "unsupported" for e in inv.errors)


def _stub_backup(aws, selection: dict[str, Any]) -> Stubber:  # type: ignore[no-untyped-def]
    """Real-shaped AWS Backup answers, validated by Stubber against the botocore output shapes."""
    client = aws.client("backup", REGION)
    stub = Stubber(client)
    stub.add_response(
        "list_backup_plans",
        {"BackupPlansList": [{"BackupPlanId": "plan-1", "BackupPlanName": "daily", "VersionId": "v1"}]},
        {"MaxResults": 1000},
    )
    stub.add_response(
        "list_backup_selections",
        {"BackupSelectionsList": [{"SelectionId": "sel-1", "SelectionName": "s", "BackupPlanId": "plan-1"}]},
        {"BackupPlanId": "plan-1", "MaxResults": 1000},
    )
    stub.add_response(
        "get_backup_selection",
        {"BackupSelection": {"SelectionName": "s", "IamRoleArn": "arn:aws:iam::123456789012:role/b", **selection}},
        {"BackupPlanId": "plan-1", "SelectionId": "sel-1"},
    )
    stub.activate()
    return stub


@pytest.mark.parametrize(
    ("selection", "good", "bad"),
    [
        ({"Resources": ["arn:aws:dynamodb:*:*:table/*"]}, Status.PASS, Status.PASS),
        ({"Resources": ["arn:aws:dynamodb:*:*:table/*"], "NotResources": ["*:table/bad"]}, Status.PASS, Status.FAIL),
        (
            {
                "Resources": ["*"],
                "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}],
            },
            Status.PASS,
            Status.FAIL,
        ),
        (
            {
                "Resources": ["*"],
                "Conditions": {"StringLike": [{"ConditionKey": "aws:ResourceTag/Team", "ConditionValue": "ord*"}]},
            },
            Status.PASS,
            Status.FAIL,
        ),
        ({"Resources": ["arn:aws:s3:::*"]}, Status.FAIL, Status.FAIL),
    ],
)
def test_backup_selection_rules(session, aws, ruleset, selection, good, bad) -> None:  # type: ignore[no-untyped-def]
    _tables(session)
    stub = _stub_backup(aws, selection)
    _inv, findings = _scan(aws, ruleset)
    stub.assert_no_pending_responses()
    assert one(findings, "dynamodb.table_backup_plan", "good").status is good
    assert one(findings, "dynamodb.table_backup_plan", "bad").status is bad


def test_tag_selection_with_unreadable_tags_is_unknown(session, aws, ruleset) -> None:
    _tables(session)
    _stub_backup(
        aws,
        {
            "Resources": ["*"],
            "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}],
        },
    )
    fail_operation(aws.events, "resource-groups-tagging-api", "GetResources")
    _inv, findings = _scan(aws, ruleset)
    f = one(findings, "dynamodb.table_backup_plan", "good")
    assert f.status is Status.UNKNOWN and "tag:GetResources" in (f.unknown_reason or "")


def test_denied_calls_are_unknown_never_pass(session, aws, ruleset) -> None:
    _tables(session)
    fail_operation(aws.events, "dynamodb", "DescribeContinuousBackups")
    fail_operation(aws.events, "dynamodb", "GetResourcePolicy")
    _inv, findings = _scan(aws, ruleset)
    for rule_id, action in (
        ("dynamodb.table_pitr", "dynamodb:DescribeContinuousBackups"),
        ("dynamodb.table_policy_public", "dynamodb:GetResourcePolicy"),
    ):
        f = one(findings, rule_id, "good")
        assert f.status is Status.UNKNOWN and action in (f.unknown_reason or ""), rule_id
    assert one(findings, "dynamodb.table_deletion_protection", "bad").status is Status.FAIL


def test_denied_listing_is_a_gap(session, aws, ruleset) -> None:
    _tables(session)
    fail_operation(aws.events, "dynamodb", "ListTables")
    fail_operation(aws.events, "dax", "DescribeClusters")
    _inv, findings = _scan(aws, ruleset)
    assert one(findings, "dynamodb.table_pitr", "*").status is Status.UNKNOWN
    assert one(findings, "dynamodb.dax_encrypted_at_rest", "*").status is Status.UNKNOWN


def test_page_sizes_are_the_api_maximum(session, aws) -> None:
    _tables(session)
    sent: dict[str, Any] = {}

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        sent[model.name] = dict(params)

    aws.events.register("provide-client-params.dynamodb.ListTables", record)
    aws.events.register("provide-client-params.dax.DescribeClusters", record)
    aws.events.register("provide-client-params.resource-groups-tagging-api.GetResources", record)
    collect_inventory(aws, [REGION], only={"dynamodb"})
    assert sent["ListTables"]["Limit"] == 100
    assert sent["DescribeClusters"]["MaxResults"] == 100
    assert sent["GetResources"]["ResourcesPerPage"] == 100


def test_dax_clusters(session, aws, ruleset) -> None:
    dax = session.client("dax", region_name=REGION)
    role = "arn:aws:iam::123456789012:role/dax"
    dax.create_cluster(
        ClusterName="goodcache",
        NodeType="dax.t3.small",
        ReplicationFactor=1,
        IamRoleArn=role,
        SSESpecification={"Enabled": True},
        ClusterEndpointEncryptionType="TLS",
        Tags=[{"Key": "Team", "Value": "cache"}],
    )
    dax.create_cluster(ClusterName="badcache", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=role)
    inv, findings = _scan(aws, ruleset, only=("dynamodb",))
    for rule_id in ("dynamodb.dax_encrypted_at_rest", "dynamodb.dax_encrypted_in_transit"):
        assert one(findings, rule_id, "goodcache").status is Status.PASS
        assert one(findings, rule_id, "badcache").status is Status.FAIL
    assert next(r for r in inv.resources if r.id == "goodcache").tags == {"Team": "cache"}


# ----------------------------------------------------------------------------- recorded real answers

TABLE_OPS = ["ListTables", "DescribeTable", "DescribeContinuousBackups", "GetResourcePolicy"]


def _table_name_matches(params: dict[str, Any], data: dict[str, Any]) -> bool:
    return (data.get("Table") or {}).get("TableName") == params.get("TableName")


@pytest.mark.parametrize("directory", rec.directories(*(f"dynamodb.{op}" for op in TABLE_OPS)), ids=lambda p: p.name)
def test_recorded_table_answers(directory, aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    described = [d for _, d in (rec.load(p) for p in rec.files(directory, "dynamodb.DescribeTable"))]
    names = [str((d.get("Table") or {}).get("TableName")) for d in described if d.get("Table")]
    rec.replay(
        aws.events,
        directory,
        "dynamodb",
        "dynamodb",
        TABLE_OPS,
        match={"DescribeTable": _table_name_matches},
        synthesize={"ListTables": lambda: {"TableNames": names}},
    )
    fail_operation(aws.events, "dax", "DescribeClusters")
    inv = collect_inventory(aws, ["us-east-1"], only={"dynamodb"})
    assert not [e for e in inv.errors if e.operation.startswith("collector:")], inv.errors
    findings = evaluate(inv, ruleset)
    raw: dict[str, Any] = {}
    for d in described:  # the replay answers with the first recorded answer for a name
        if isinstance(d.get("Table"), dict):
            raw.setdefault(str(d["Table"]["TableName"]), d["Table"])
    for f in findings:
        if f.resource_type != "AWS::DynamoDB::Table" or f.status is not Status.PASS:
            continue
        # A pass must rest on a member the recorded answer actually carries.
        table = raw.get(f.resource_id, {})
        if f.rule_id == "dynamodb.table_deletion_protection":
            assert table.get("DeletionProtectionEnabled") is True
        if f.rule_id == "dynamodb.table_pitr":
            assert rec.files(directory, "dynamodb.DescribeContinuousBackups")


def test_every_recorded_describe_table_parses() -> None:
    seen = 0
    for path, data in rec.every_answer("dynamodb.DescribeTable"):
        attrs = table_attrs(data.get("Table") or {})
        seen += 1
        if "DeletionProtectionEnabled" not in (data.get("Table") or {}):
            assert attrs["deletion_protection"] is None, path  # absent is "not reported", never False/True
        assert attrs["encryption"]["key"] in ("aws_owned", "kms"), path
    assert seen >= 20
    for path, data in rec.every_answer("dynamodb.DescribeContinuousBackups"):
        assert continuous_backups(data) in ("ENABLED", "DISABLED"), path


def test_every_recorded_dax_cluster_parses() -> None:
    seen = 0
    for path, data in rec.every_answer("dax.DescribeClusters"):
        for item in data.get("Clusters") or []:
            attrs = dax_attrs(item)
            seen += 1
            if "ClusterEndpointEncryptionType" not in item:
                assert attrs["endpoint_encryption"] is None, path
            if "SSEDescription" not in item:
                assert attrs["sse_status"] is None, path
    assert seen >= 5


@pytest.mark.parametrize("directory", rec.directories("dax.DescribeClusters"), ids=lambda p: p.name)
def test_recorded_dax_answers_through_the_collector(directory, aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    fail_operation(aws.events, "dynamodb", "ListTables")
    rec.replay(aws.events, directory, "dax", "dax", ["DescribeClusters", "ListTags"])
    inv = collect_inventory(aws, ["us-east-1"], only={"dynamodb"})
    assert not [e for e in inv.errors if e.operation.startswith("collector:")], inv.errors
    raw = {
        str(c.get("ClusterName")): c
        for _, d in (rec.load(p) for p in rec.files(directory, "dax.DescribeClusters"))
        for c in d.get("Clusters") or []
    }
    for f in evaluate(inv, ruleset):
        if f.rule_id == "dynamodb.dax_encrypted_in_transit" and f.status is Status.PASS:
            assert raw[f.resource_id].get("ClusterEndpointEncryptionType") == "TLS"
        if f.rule_id == "dynamodb.dax_encrypted_at_rest" and f.status is Status.PASS:
            assert (raw[f.resource_id].get("SSEDescription") or {}).get("Status") == "ENABLED"
