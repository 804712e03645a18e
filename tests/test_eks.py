"""EKS clusters, managed node groups, Fargate profiles and self-managed nodes.

moto 5.2.5 serves the cluster, node group and Fargate profile calls but not
eks:DescribeClusterVersions (in-process it answers 404): the version rule then falls back to
srmscan's table and says so. AWS's own calendar is exercised with Stubber (answers validated
against the output shape), and every recorded real EKS answer is fed through the collector.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from srmscan.collect.eks import cluster_attrs, nodegroup_attrs, release_date, version_calendar
from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests import svc_recordings as rec
from tests.helpers import fail_operation, one

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/eks"


def _seed(session) -> None:  # type: ignore[no-untyped-def]
    eks = session.client("eks", region_name=REGION)
    eks.create_cluster(
        name="good",
        version="1.34",
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": ["subnet-1"], "endpointPublicAccess": False, "endpointPrivateAccess": True},
        encryptionConfig=[
            {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:eu-west-1:123456789012:key/k"}}
        ],
        logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
        tags={"Team": "platform"},
    )
    eks.create_nodegroup(
        clusterName="good",
        nodegroupName="ng",
        subnets=["subnet-1"],
        nodeRole=ROLE,
        version="1.34",
        releaseVersion="1.34.2-20261101",
    )
    eks.create_fargate_profile(
        fargateProfileName="fp", clusterName="good", podExecutionRoleArn=ROLE, selectors=[{"namespace": "batch"}]
    )
    eks.create_cluster(
        name="bad",
        version="1.29",
        roleArn=ROLE,
        resourcesVpcConfig={
            "subnetIds": ["subnet-1"],
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["0.0.0.0/0"],
        },
    )
    eks.create_nodegroup(
        clusterName="bad",
        nodegroupName="old",
        subnets=["subnet-1"],
        nodeRole=ROLE,
        version="1.28",
        releaseVersion="1.28.0-20240110",
    )


def _scan(aws, ruleset, only=("eks",)):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only=set(only))
    return inv, evaluate(inv, ruleset)


def test_cluster_done_right_passes_and_wrong_fails(session, aws, ruleset) -> None:
    _seed(session)
    inv, findings = _scan(aws, ruleset)
    for rule_id in ("eks.endpoint_public", "eks.version_supported", "eks.secrets_encrypted", "eks.audit_logging"):
        assert one(findings, rule_id, "good").status is Status.PASS, rule_id
        assert one(findings, rule_id, "bad").status is Status.FAIL, rule_id
    version = one(findings, "eks.version_supported", "good")
    assert "extended support begins 2026-12-03" in version.message
    assert "table" in version.evidence["source"]  # moto lacks DescribeClusterVersions: said, not hidden
    old = one(findings, "eks.nodegroup_ami_current", "bad/old")
    assert old.status is Status.FAIL and "1.28" in old.message and "1.29" in old.message
    assert (old.owner, old.layer) == ("shared", "os_patching")
    assert one(findings, "eks.nodegroup_ami_current", "good/ng").status is Status.PASS
    profile = next(r for r in inv.resources if r.type == "AWS::EKS::FargateProfile")
    assert profile.id == "good/fp" and profile.tier == "container"
    good = next(r for r in inv.resources if r.id == "good")
    assert good.tags == {"Team": "platform"} and good.attrs["nodegroups"] == ["ng"]


def test_self_managed_nodes_are_found_among_ec2_instances(session, aws, ruleset) -> None:
    _seed(session)
    ec2 = session.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    tags = [{"Key": "kubernetes.io/cluster/bad", "Value": "owned"}]
    ec2.run_instances(
        ImageId=image, MinCount=2, MaxCount=2, TagSpecifications=[{"ResourceType": "instance", "Tags": tags}]
    )
    managed = [*tags, {"Key": "eks:nodegroup-name", "Value": "old"}]
    ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=[{"ResourceType": "instance", "Tags": managed}]
    )
    _inv, findings = _scan(aws, ruleset, only=("eks", "ec2"))
    f = one(findings, "eks.self_managed_nodes", "bad")
    assert f.status is Status.INFO and len(f.evidence["instances"]) == 2
    assert (f.owner, f.layer) == ("customer", "os_patching")
    assert one(findings, "eks.self_managed_nodes", "good").evidence["instances"] == []
    assert "among the 3 EC2 instance(s)" in one(findings, "eks.self_managed_nodes", "good").message


def test_self_managed_nodes_unknown_when_instances_cannot_be_listed(session, aws, ruleset) -> None:
    _seed(session)
    fail_operation(aws.events, "ec2", "DescribeInstances")
    _inv, findings = _scan(aws, ruleset, only=("eks", "ec2"))
    f = one(findings, "eks.self_managed_nodes", "bad")
    assert f.status is Status.UNKNOWN and "ec2:DescribeInstances" in (f.unknown_reason or "")


def _version(v: str, std: datetime, ext: datetime, status: str) -> dict[str, Any]:
    return {
        "clusterVersion": v,
        "clusterType": "eks",
        "endOfStandardSupportDate": std,
        "endOfExtendedSupportDate": ext,
        "status": status,
        "versionStatus": status,
    }


def test_aws_calendar_is_preferred_to_the_table(aws, ruleset) -> None:
    """Real-shaped answers validated by Stubber; AWS's calendar decides, not srmscan's table."""
    stub = Stubber(aws.client("eks", REGION))
    stub.add_response("list_clusters", {"clusters": ["c"]}, {"maxResults": 100})
    stub.add_response(
        "describe_cluster_versions",
        {
            "clusterVersions": [
                _version(
                    "1.33", datetime(2026, 7, 29, tzinfo=UTC), datetime(2027, 7, 29, tzinfo=UTC), "EXTENDED_SUPPORT"
                )
            ]
        },
        {"includeAll": True, "maxResults": 100},
    )
    stub.add_response(
        "describe_cluster",
        {
            "cluster": {
                "name": "c",
                "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/c",
                "version": "1.33",
                "resourcesVpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]},
                "logging": {"clusterLogging": [{"types": ["audit"], "enabled": True}]},
                "upgradePolicy": {"supportType": "STANDARD"},
            }
        },
        {"name": "c"},
    )
    stub.add_response("list_nodegroups", {"nodegroups": []}, {"clusterName": "c", "maxResults": 100})
    stub.add_response("list_fargate_profiles", {"fargateProfileNames": []}, {"clusterName": "c", "maxResults": 100})
    stub.activate()
    _inv, findings = _scan(aws, ruleset)
    stub.assert_no_pending_responses()
    f = one(findings, "eks.version_supported", "c")
    assert f.status is Status.FAIL and "AWS will upgrade it automatically" in f.message
    assert f.evidence["source"] == "eks:DescribeClusterVersions"
    endpoint = one(findings, "eks.endpoint_public", "c")
    assert endpoint.status is Status.FAIL and endpoint.severity == "low"


def test_denied_describe_is_unknown(session, aws, ruleset) -> None:
    _seed(session)
    fail_operation(aws.events, "eks", "DescribeCluster")
    _inv, findings = _scan(aws, ruleset)
    f = one(findings, "eks.endpoint_public", "good")
    assert f.status is Status.UNKNOWN and "eks:DescribeCluster" in (f.unknown_reason or "")
    assert one(findings, "eks.nodegroup_ami_current", "bad/old").status is Status.FAIL  # node age still judged


def test_release_dates() -> None:
    assert release_date("1.29.0-20240129") == "2024-01-29"
    assert release_date("1.19.2-29cc92cc") is None  # Bottlerocket: no date, age not judged
    assert release_date(None) is None


OPS = [
    "ListClusters",
    "DescribeCluster",
    "ListNodegroups",
    "DescribeNodegroup",
    "ListFargateProfiles",
    "DescribeClusterVersions",
]


def _by_name(key: str, param: str):  # type: ignore[no-untyped-def]
    return lambda params, data: (
        (data.get(key) or {}).get("name" if key == "cluster" else "nodegroupName") == params.get(param)
    )


@pytest.mark.parametrize("directory", rec.directories(*(f"eks.{op}" for op in OPS)), ids=lambda p: p.name)
def test_recorded_answers_through_the_collector(directory, aws, ruleset) -> None:  # type: ignore[no-untyped-def]
    described = [d.get("cluster") for _, d in (rec.load(p) for p in rec.files(directory, "eks.DescribeCluster"))]
    names = [str(c["name"]) for c in described if isinstance(c, dict)]
    rec.replay(
        aws.events,
        directory,
        "eks",
        "eks",
        OPS,
        match={
            "DescribeCluster": _by_name("cluster", "name"),
            "DescribeNodegroup": _by_name("nodegroup", "nodegroupName"),
        },
        synthesize={"ListClusters": lambda: {"clusters": names}},
    )
    inv = collect_inventory(aws, ["us-east-1"], only={"eks"})
    assert not [e for e in inv.errors if e.operation.startswith("collector:")], inv.errors
    findings = evaluate(inv, ruleset)
    raw = {str(c["name"]): c for c in reversed(described) if isinstance(c, dict)}
    for f in findings:
        if f.resource_type != "AWS::EKS::Cluster" or f.status is not Status.PASS:
            continue
        cluster = raw.get(f.resource_id, {})
        if f.rule_id == "eks.endpoint_public":
            assert (cluster.get("resourcesVpcConfig") or {}).get("endpointPublicAccess") is False
        if f.rule_id == "eks.audit_logging":
            assert "audit" in str(cluster.get("logging"))


def test_every_recorded_answer_parses() -> None:
    seen = 0
    for path, data in rec.every_answer("eks.DescribeCluster"):
        attrs = cluster_attrs(data.get("cluster") or {})
        seen += 1
        if "endpointPublicAccess" not in ((data.get("cluster") or {}).get("resourcesVpcConfig") or {}):
            assert attrs["endpoint_public"] is None, path
    for _path, data in rec.every_answer("eks.DescribeNodegroup"):
        nodegroup_attrs(data.get("nodegroup") or {})
        seen += 1
    for path, data in rec.every_answer("eks.DescribeClusterVersions"):
        calendar = version_calendar(data.get("clusterVersions") or [])
        assert all(v["standard_end"] for v in calendar.values()), path
    assert seen >= 20
