"""ECR collection and rules against moto in-process.

moto stores repositories and images but has no scanner: DescribeImageScanFindings answers
ScanNotFoundException for an unscanned image. Scan results are therefore supplied by a
before-call event hook on the scanner's session (`_scan_results`), and AccessDenied is
injected the same way. Everything else (repositories, lifecycle policies, registry scanning
rules, DescribeImages) is moto.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import fail_operation, one

REGION = "eu-west-1"
REGISTRY = f"123456789012.dkr.ecr.{REGION}.amazonaws.com"


def _manifest(seed: str) -> str:
    digest = "sha256:" + hashlib.sha256(seed.encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": digest},
            "layers": [],
        }
    )


def _world(session: boto3.Session, images: dict[str, str]) -> str:
    """Repository `web` with tag v1; one Fargate service per entry of `images` (name -> image ref).

    Returns the pushed image's digest."""
    ecr = session.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="web")
    digest = ecr.put_image(repositoryName="web", imageManifest=_manifest("web"), imageTag="v1")["image"]["imageId"][
        "imageDigest"
    ]
    ecs = session.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="prod")
    for name, ref in images.items():
        ecs.register_task_definition(
            family=name,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "app", "image": ref.replace("DIGEST", digest)}],
        )
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition=name, desiredCount=1, launchType="FARGATE")
    return str(digest)


def _scan_results(aws: AwsSession, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answer DescribeImageScanFindings with `findings` (moto has no scanner); returns the calls seen."""
    calls: list[dict[str, Any]] = []

    def answer(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        request = json.loads(params["body"])
        calls.append(request)
        counts: dict[str, int] = {}
        for f in findings:
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        return AWSResponse("", 200, {}, None), {
            "repositoryName": request["repositoryName"],
            "imageId": request["imageId"],
            "imageScanStatus": {"status": "COMPLETE"},
            "imageScanFindings": {"findings": findings, "findingSeverityCounts": counts},
        }

    aws.events.register("before-call.ecr.DescribeImageScanFindings", answer)
    return calls


def _finding(cve: str, severity: str, package: str) -> dict[str, Any]:
    return {
        "name": cve,
        "severity": severity,
        "attributes": [{"key": "package_name", "value": package}, {"key": "package_version", "value": "1"}],
    }


def _scan(aws: AwsSession, ruleset):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only={"ecs", "ecr"})
    return inv, evaluate(inv, ruleset)


def _images(inv):  # type: ignore[no-untyped-def]
    return [r for r in inv.resources if r.type == "AWS::ECR::Image"]


def test_critical_glibc_in_fargate_image_fails_with_the_split_spelled_out(session, aws, ruleset) -> None:
    # Same image by tag and by digest from two services: one image, one scan-findings call.
    _world(session, {"checkout": f"{REGISTRY}/web:v1", "worker": f"{REGISTRY}/web@DIGEST"})
    calls = _scan_results(
        aws,
        [_finding("CVE-2023-4911", "CRITICAL", "glibc"), _finding("CVE-2023-5363", "HIGH", "openssl")]
        + [_finding(f"CVE-2020-{i:04d}", "LOW", "zlib") for i in range(40)],
    )
    inv, findings = _scan(aws, ruleset)
    assert len(calls) == 1
    (image,) = _images(inv)
    assert image.attrs["used_by_names"] == ["checkout", "worker"] and image.tier == "container"
    scan = image.attrs["scan"]
    assert scan["truncated"] and len(scan["findings"]) == 20 and scan["findings"][0]["id"] == "CVE-2023-4911"
    f = one(findings, "ecr.image_vulnerabilities", image.id)
    assert f.status is Status.FAIL and f.severity == "critical"
    assert f.owner == "customer" and f.layer == "os_patching"
    assert "CVE-2023-4911 in glibc" in f.message and "AWS patched the Fargate host" in f.message


def test_denied_scan_findings_is_unknown_not_pass(session, aws, ruleset) -> None:
    _world(session, {"checkout": f"{REGISTRY}/web:v1"})
    fail_operation(aws.events, "ecr", "DescribeImageScanFindings")
    inv, findings = _scan(aws, ruleset)
    (image,) = _images(inv)
    f = one(findings, "ecr.image_vulnerabilities", image.id)
    assert f.status is Status.UNKNOWN and "ecr:DescribeImageScanFindings" in (f.unknown_reason or "")


def test_unscanned_and_missing_images_are_unknown(session, aws, ruleset) -> None:
    """moto answers ScanNotFoundException for an image never scanned; a tag that is gone makes
    DescribeImages fail for the whole batch, so the collector asks per image."""
    _world(session, {"checkout": f"{REGISTRY}/web:v1", "stale": f"{REGISTRY}/web:gone"})
    inv, findings = _scan(aws, ruleset)
    by_tag = {r.attrs["tag"]: r for r in _images(inv)}
    assert by_tag["v1"].attrs["exists"] is True and by_tag["v1"].attrs["scan"] is None
    assert by_tag["gone"].attrs["exists"] is False
    for image in by_tag.values():
        assert one(findings, "ecr.image_vulnerabilities", image.id).status is Status.UNKNOWN
    assert not inv.errors


def test_clean_image_passes_and_images_outside_ecr_are_not_looked_up(session, aws, ruleset) -> None:
    _world(session, {"checkout": f"{REGISTRY}/web:v1", "hub": "nginx:1.27"})
    calls = _scan_results(aws, [_finding("CVE-2020-0001", "LOW", "zlib")])
    inv, findings = _scan(aws, ruleset)
    (image,) = _images(inv)
    assert len(calls) == 1
    assert one(findings, "ecr.image_vulnerabilities", image.id).status is Status.PASS


def test_repository_settings(session, aws, ruleset) -> None:
    ecr = session.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="loose")
    ecr.create_repository(repositoryName="tight", imageTagMutability="IMMUTABLE")
    ecr.put_lifecycle_policy(
        repositoryName="tight",
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    ecr.put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "tight", "filterType": "WILDCARD"}]}],
    )
    inv, findings = _scan(aws, ruleset)
    ids = {r.name: r.id for r in inv.resources if r.type == "AWS::ECR::Repository"}
    expect = {
        "ecr.scan_on_push": (Status.FAIL, Status.PASS),
        "ecr.tag_immutability": (Status.FAIL, Status.PASS),
        "ecr.lifecycle_policy": (Status.FAIL, Status.PASS),
    }
    for rule_id, (loose, tight) in expect.items():
        assert one(findings, rule_id, ids["loose"]).status is loose, rule_id
        assert one(findings, rule_id, ids["tight"]).status is tight, rule_id


def test_denied_lifecycle_read_is_unknown(session, aws, ruleset) -> None:
    session.client("ecr", region_name=REGION).create_repository(repositoryName="web")
    fail_operation(aws.events, "ecr", "GetLifecyclePolicy")
    inv, findings = _scan(aws, ruleset)
    repo = next(r for r in inv.resources if r.type == "AWS::ECR::Repository")
    assert one(findings, "ecr.lifecycle_policy", repo.id).status is Status.UNKNOWN
    assert one(findings, "ecr.tag_immutability", repo.id).status is Status.FAIL
