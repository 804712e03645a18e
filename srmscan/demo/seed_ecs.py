"""Incident 1, the container half: three Fargate services on one cluster, their images in ECR.

- checkout-web: platform LATEST, but its task definition holds a database password in a plain
  environment variable, a writable root filesystem, no user, and tasks get public IPs.
- checkout-worker: same task definition (described once), platform version pinned to 1.4.0.
- payments-api: the twin done right (LATEST, private, read-only root, non-root user, secrets
  from Secrets Manager), in an immutable, scanned repository with a lifecycle policy.

moto stores ECR images but has no scanner; `install` answers ecr:DescribeImageScanFindings
with the demo's SIMULATED scan results: the checkout image carries a critical glibc CVE
(CVE-2023-4911, "Looney Tunables") and a high openssl one; the payments image is clean.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 40
REGION = "eu-west-1"
CLUSTER = "acme-prod"
CHECKOUT_REPO = "acme/checkout-api"
PAYMENTS_REPO = "acme/payments-api"
CHECKOUT_TAG = "2026-09-14"
PAYMENTS_TAG = "v3.2.0"
# Must never appear in any scanner output: tests grep every report for it.
CANARY = "demo-canary-secret-1234"


def seed(world: DemoWorld) -> None:
    ecr = world.client("ecr", REGION)
    ecr.create_repository(repositoryName=CHECKOUT_REPO)  # mutable, no scan on push, no lifecycle
    ecr.create_repository(
        repositoryName=PAYMENTS_REPO,
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
    )
    ecr.put_lifecycle_policy(
        repositoryName=PAYMENTS_REPO,
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": 14,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    registry = f"{DEMO_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    for repo, tag in ((CHECKOUT_REPO, CHECKOUT_TAG), (PAYMENTS_REPO, PAYMENTS_TAG)):
        manifest = _manifest(repo)
        # A registry names an image by the SHA-256 of its manifest bytes. moto would hash the
        # (empty) layer list instead, giving both images the digest of empty content.
        digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
        ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag=tag, imageDigest=digest)

    ecs = world.client("ecs", REGION)
    ecs.create_cluster(
        clusterName=CLUSTER,
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        settings=[{"name": "containerInsights", "value": "enabled"}],
        tags=[{"key": "Team", "value": "platform"}],
    )
    logs = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/acme", "awslogs-region": REGION}}
    ecs.register_task_definition(
        family="checkout",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="512",
        memory="1024",
        runtimePlatform={"operatingSystemFamily": "LINUX"},
        containerDefinitions=[
            {
                "name": "checkout",
                "image": f"{registry}/{CHECKOUT_REPO}:{CHECKOUT_TAG}",
                "essential": True,
                "environment": [
                    {"name": "DB_HOST", "value": "checkout-db.internal"},
                    {"name": "DB_PASSWORD", "value": CANARY},
                    {"name": "PASSWORD_MIN_LENGTH", "value": "12"},
                ],
                "logConfiguration": logs,
            }
        ],
    )
    ecs.register_task_definition(
        family="payments",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="512",
        memory="1024",
        runtimePlatform={"operatingSystemFamily": "LINUX"},
        containerDefinitions=[
            {
                "name": "payments",
                "image": f"{registry}/{PAYMENTS_REPO}:{PAYMENTS_TAG}",
                "essential": True,
                "user": "10001:10001",
                "readonlyRootFilesystem": True,
                "environment": [{"name": "LOG_LEVEL", "value": "info"}],
                "secrets": [
                    {
                        "name": "DB_PASSWORD",
                        "valueFrom": f"arn:aws:secretsmanager:{REGION}:{DEMO_ACCOUNT}:secret:payments/db-AbCdEf",
                    }
                ],
                "logConfiguration": logs,
            }
        ],
    )
    subnets, group = _default_network(world)
    services: list[tuple[str, str, str, str]] = [
        ("checkout-web", "checkout", "LATEST", "ENABLED"),
        ("checkout-worker", "checkout", "1.4.0", "DISABLED"),
        ("payments-api", "payments", "LATEST", "DISABLED"),
    ]
    for name, family, platform, public_ip in services:
        ecs.create_service(
            cluster=CLUSTER,
            serviceName=name,
            taskDefinition=family,
            desiredCount=2,
            launchType="FARGATE",
            platformVersion=platform,
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group], "assignPublicIp": public_ip}
            },
            tags=[{"key": "Team", "value": "payments" if family == "payments" else "checkout"}],
        )
    world.ids["ecs_cluster"] = CLUSTER
    world.ids["ecs_canary"] = CANARY


def _manifest(repo: str) -> str:
    """A minimal image manifest; distinct per repository so the images get distinct digests."""
    config = "sha256:" + hashlib.sha256(repo.encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": config},
            "layers": [],
        }
    )


def _default_network(world: DemoWorld) -> tuple[list[str], str]:
    ec2 = world.client("ec2", REGION)
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    vpc = subnets[0]["VpcId"]
    group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    return [s["SubnetId"] for s in subnets[:2]], group


def _finding(cve: str, severity: str, package: str, version: str) -> dict[str, Any]:
    return {
        "name": cve,
        "uri": f"https://www.cve.org/CVERecord?id={cve}",
        "severity": severity,
        "attributes": [
            {"key": "package_name", "value": package},
            {"key": "package_version", "value": version},
        ],
    }


def install(events: Any, world: DemoWorld) -> None:
    """Answer ecr:DescribeImageScanFindings (moto has no scanner) with SIMULATED scan results."""
    scanned = world.now

    def scan_findings(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = params.get("body") or b"{}"
        request = json.loads(body.decode() if isinstance(body, bytes) else body)
        repo = request.get("repositoryName")
        if repo == CHECKOUT_REPO:
            # SIMULATED: the checkout image was built on a base image with a vulnerable glibc.
            findings = [
                _finding("CVE-2023-4911", "CRITICAL", "glibc", "2.34-60.amzn2023"),
                _finding("CVE-2023-5363", "HIGH", "openssl", "3.0.8-1.amzn2023"),
                _finding("CVE-2023-4806", "MEDIUM", "glibc", "2.34-60.amzn2023"),
            ]
        elif repo == PAYMENTS_REPO:
            findings = [_finding("CVE-2023-39615", "LOW", "libxml2", "2.10.4-1.amzn2023")]  # SIMULATED
        else:
            raise ClientError(
                {"Error": {"Code": "ScanNotFoundException", "Message": "no scan"}}, "DescribeImageScanFindings"
            )
        counts: dict[str, int] = {}
        for f in findings:
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        return AWSResponse("", 200, {}, None), {
            "registryId": DEMO_ACCOUNT,
            "repositoryName": repo,
            "imageId": request.get("imageId") or {},
            "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
            "imageScanFindings": {
                "imageScanCompletedAt": scanned,
                "findings": findings,
                "findingSeverityCounts": counts,
            },
        }

    pushed = {CHECKOUT_REPO: scanned - timedelta(days=78), PAYMENTS_REPO: scanned - timedelta(days=20)}

    def push_dates(parsed: dict[str, Any], **_: Any) -> None:
        # SIMULATED: moto dates every push "now"; the demo's images were pushed weeks ago.
        for detail in parsed.get("imageDetails", []) or []:
            if detail.get("repositoryName") in pushed:
                detail["imagePushedAt"] = pushed[detail["repositoryName"]]

    events.register("before-call.ecr.DescribeImageScanFindings", scan_findings)
    events.register("after-call.ecr.DescribeImages", push_dates)
