"""ElastiCache replication groups and cache clusters.

moto 5.2.5 serves DescribeReplicationGroups and DescribeCacheClusters, but its cache clusters
omit AutoMinorVersionUpgrade, CacheSubnetGroupName and the encryption flags, and a replication
group's member clusters are not listed. Those members are exercised with real-shaped answers
validated by Stubber, and every recorded real answer of both operations is fed through the parser.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from srmscan.collect.elasticache import cluster_attrs, group_attrs
from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests import svc_recordings as rec
from tests.helpers import fail_operation, one

REGION = "eu-west-1"
GROUP_RULES = (
    "elasticache.group_backups",
    "elasticache.group_auto_minor_upgrade",
    "elasticache.group_automatic_failover",
    "elasticache.group_encrypted_at_rest",
    "elasticache.group_encrypted_in_transit",
    "elasticache.group_auth",
)


def _seed(session) -> None:  # type: ignore[no-untyped-def]
    cache = session.client("elasticache", region_name=REGION)
    common: dict[str, Any] = {"CacheNodeType": "cache.t3.micro", "NumCacheClusters": 2}
    cache.create_replication_group(
        ReplicationGroupId="good",
        ReplicationGroupDescription="d",
        Engine="valkey",
        EngineVersion="8.0",
        AutomaticFailoverEnabled=True,
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        AuthToken="a-token-of-twenty-chars",
        SnapshotRetentionLimit=3,
        AutoMinorVersionUpgrade=True,
        **common,
    )
    cache.create_replication_group(
        ReplicationGroupId="bad",
        ReplicationGroupDescription="d",
        Engine="redis",
        EngineVersion="7.1",
        AutomaticFailoverEnabled=False,
        SnapshotRetentionLimit=0,
        AutoMinorVersionUpgrade=False,
        **common,
    )
    cache.create_cache_cluster(
        CacheClusterId="old", Engine="redis", EngineVersion="5.0.6", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )


def _scan(aws, ruleset):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only={"elasticache"})
    return inv, evaluate(inv, ruleset)


def test_group_done_right_passes_and_wrong_fails(session, aws, ruleset) -> None:
    _seed(session)
    _inv, findings = _scan(aws, ruleset)
    for rule_id in GROUP_RULES:
        assert one(findings, rule_id, "good").status is Status.PASS, rule_id
        assert one(findings, rule_id, "bad").status is Status.FAIL, rule_id
    minor = one(findings, "elasticache.group_auto_minor_upgrade", "bad")
    assert (minor.owner, minor.layer) == ("shared", "runtime")
    # moto lists no member clusters, so engine version and subnet group are not known: unknown.
    assert one(findings, "elasticache.group_engine_supported", "good").status is Status.UNKNOWN
    assert one(findings, "elasticache.group_default_subnet_group", "good").status is Status.UNKNOWN


def test_standalone_cluster_past_standard_support(session, aws, ruleset) -> None:
    _seed(session)
    _inv, findings = _scan(aws, ruleset)
    f = one(findings, "elasticache.cluster_engine_supported", "old")
    assert f.status is Status.FAIL and "2026-01-31" in f.message
    assert one(findings, "elasticache.cluster_backups", "old").status is Status.FAIL
    # moto leaves AutoMinorVersionUpgrade out of cache clusters: not reported means unknown.
    assert one(findings, "elasticache.cluster_auto_minor_upgrade", "old").status is Status.UNKNOWN


def _member(cluster_id: str, group: str, version: str, subnet_group: str) -> dict[str, Any]:
    return {
        "CacheClusterId": cluster_id,
        "ReplicationGroupId": group,
        "Engine": "redis",
        "EngineVersion": version,
        "CacheClusterStatus": "available",
        "CacheNodeType": "cache.r6g.large",
        "CacheSubnetGroupName": subnet_group,
        "AutoMinorVersionUpgrade": True,
        "SnapshotRetentionLimit": 1,
        "AuthTokenEnabled": False,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
    }


def test_group_engine_and_subnet_group_come_from_member_clusters(aws, ruleset) -> None:
    """Real-shaped answers (Stubber validates them against the output shapes)."""
    client = aws.client("elasticache", REGION)
    stub = Stubber(client)
    stub.add_response(
        "describe_cache_clusters",
        {
            "CacheClusters": [
                _member("legacy-001", "legacy", "5.0.6", "default"),
                _member("new-001", "new", "7.1.0", "cache-private"),
            ]
        },
        {"MaxRecords": 100},
    )
    stub.add_response(
        "describe_replication_groups",
        {
            "ReplicationGroups": [
                {"ReplicationGroupId": "legacy", "MemberClusters": ["legacy-001"], "AutomaticFailover": "disabled"},
                {
                    "ReplicationGroupId": "new",
                    "MemberClusters": ["new-001"],
                    "AutomaticFailover": "enabled",
                    "UserGroupIds": ["app"],
                },
            ]
        },
        {"MaxRecords": 100},
    )
    stub.activate()
    _inv, findings = _scan(aws, ruleset)
    stub.assert_no_pending_responses()
    assert one(findings, "elasticache.group_engine_supported", "legacy").status is Status.FAIL
    assert one(findings, "elasticache.group_engine_supported", "new").status is Status.PASS
    assert one(findings, "elasticache.group_default_subnet_group", "legacy").status is Status.FAIL
    assert one(findings, "elasticache.group_default_subnet_group", "new").status is Status.PASS
    assert one(findings, "elasticache.group_auth", "new").status is Status.PASS
    # The answer left out encryption and AUTH for the legacy group: unknown, not pass.
    assert one(findings, "elasticache.group_encrypted_at_rest", "legacy").status is Status.UNKNOWN
    assert one(findings, "elasticache.group_auth", "legacy").status is Status.UNKNOWN
    # Member clusters are judged through their group, not once per node.
    assert not [f for f in findings if f.resource_id == "legacy-001" and f.status is not Status.INFO]


def test_denied_listing_is_unknown(session, aws, ruleset) -> None:
    _seed(session)
    fail_operation(aws.events, "elasticache", "DescribeCacheClusters")
    _inv, findings = _scan(aws, ruleset)
    assert one(findings, "elasticache.cluster_backups", "*").status is Status.UNKNOWN
    f = one(findings, "elasticache.group_engine_supported", "good")
    assert f.status is Status.UNKNOWN and "elasticache:DescribeCacheClusters" in (f.unknown_reason or "")
    assert one(findings, "elasticache.group_auth", "good").status is Status.PASS


def test_page_sizes_are_the_api_maximum(session, aws) -> None:
    sent: dict[str, Any] = {}

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        sent[model.name] = dict(params)

    for op in ("DescribeCacheClusters", "DescribeReplicationGroups"):
        aws.events.register(f"provide-client-params.elasticache.{op}", record)
    collect_inventory(aws, [REGION], only={"elasticache"})
    assert sent == {"DescribeCacheClusters": {"MaxRecords": 100}, "DescribeReplicationGroups": {"MaxRecords": 100}}


OPS = ["DescribeCacheClusters", "DescribeReplicationGroups"]


@pytest.mark.parametrize("directory", rec.directories(*(f"elasticache.{op}" for op in OPS)), ids=lambda p: p.name)
def test_recorded_answers_through_the_collector(directory, aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    rec.replay(aws.events, directory, "elasticache", "elasticache", OPS)
    inv = collect_inventory(aws, ["us-east-1"], only={"elasticache"})
    assert not [e for e in inv.errors if e.operation.startswith("collector:")], inv.errors
    findings = evaluate(inv, ruleset)
    groups = {
        str(g.get("ReplicationGroupId")): g
        for _, d in (rec.load(p) for p in rec.files(directory, "elasticache.DescribeReplicationGroups"))
        for g in d.get("ReplicationGroups") or []
    }
    for f in findings:
        if f.resource_type == "AWS::ElastiCache::ReplicationGroup" and f.status is Status.PASS:
            raw = groups.get(f.resource_id, {})
            member = {
                "elasticache.group_encrypted_at_rest": "AtRestEncryptionEnabled",
                "elasticache.group_encrypted_in_transit": "TransitEncryptionEnabled",
                "elasticache.group_auto_minor_upgrade": "AutoMinorVersionUpgrade",
                "elasticache.group_backups": "SnapshotRetentionLimit",
            }.get(f.rule_id)
            if member:
                assert member in raw, (f.rule_id, f.resource_id)


def test_every_recorded_answer_parses() -> None:
    seen = 0
    for path, data in rec.every_answer("elasticache.DescribeCacheClusters"):
        for item in data.get("CacheClusters") or []:
            attrs = cluster_attrs(item)
            seen += 1
            if "AutoMinorVersionUpgrade" not in item:
                assert attrs["auto_minor_version_upgrade"] is None, path
    for path, data in rec.every_answer("elasticache.DescribeReplicationGroups"):
        for item in data.get("ReplicationGroups") or []:
            attrs = group_attrs(item, [])
            seen += 1
            if "AtRestEncryptionEnabled" not in item:
                assert attrs["at_rest_encryption"] is None, path
    assert seen >= 20
