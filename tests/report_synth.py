"""Synthetic ScanResults for report tests and the report scale benchmark.

Built directly (no AWS, no moto): reporters are pure functions of a ScanResult, so a result
with 10,000 findings, or with hostile strings in every field, tests them without a scan.
"""

from __future__ import annotations

import random

from srmscan.evaluate.engine import RuleSet
from srmscan.model import (
    CallError,
    ErrorKind,
    Finding,
    Inventory,
    Layer,
    Owner,
    Resource,
    Severity,
    Status,
    finding_id,
)

ACCOUNT = "111122223333"
REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]
TEAMS = ["payments", "platform", "marketing-web", "data", None]
# (resource type, service, layer, owner)
SHAPES = [
    ("AWS::S3::Bucket", "s3", Layer.SERVICE_CONFIG, Owner.CUSTOMER),
    ("AWS::S3::Bucket", "s3", Layer.DATA, Owner.CUSTOMER),
    ("AWS::EC2::Instance", "ec2", Layer.OS_PATCHING, Owner.CUSTOMER),
    ("AWS::EC2::SecurityGroup", "ec2", Layer.SERVICE_CONFIG, Owner.CUSTOMER),
    ("AWS::IAM::Role", "iam", Layer.IAM, Owner.CUSTOMER),
    ("AWS::RDS::DBInstance", "rds", Layer.RUNTIME, Owner.SHARED),
    ("AWS::Lambda::Function", "lambda", Layer.RUNTIME, Owner.SHARED),
    ("AWS::ECS::Service", "ecs", Layer.RUNTIME, Owner.SHARED),
]
STATUSES = [Status.FAIL] * 5 + [Status.PASS] * 4 + [Status.UNKNOWN]


def finding(
    *,
    rule_id: str = "s3.bucket_public_access_block",
    title: str = "S3 bucket blocks public access",
    status: Status = Status.FAIL,
    severity: Severity = Severity.HIGH,
    owner: Owner = Owner.CUSTOMER,
    layer: Layer = Layer.SERVICE_CONFIG,
    service: str = "s3",
    resource_type: str = "AWS::S3::Bucket",
    resource_id: str = "bucket-1",
    region: str = "eu-west-1",
    name: str | None = None,
    team: str | None = "platform",
    message: str = "Block Public Access is off",
    evidence: dict[str, object] | None = None,
    remediation: str = "Console: S3 > bucket > Permissions > Block public access. CLI: aws s3api put-public-access-block",
    rationale: str = "A public bucket leaks data.",
    unknown_reason: str | None = None,
    error_ids: list[str] | None = None,
    mute: dict[str, object] | None = None,
    fsbp: list[str] | None = None,
) -> Finding:
    return Finding(
        id=finding_id(rule_id, ACCOUNT, region, resource_type, resource_id),
        rule_id=rule_id,
        title=title,
        status=status,
        severity=severity,
        owner=owner,
        layer=layer,
        service=service,
        service_tier="serverless",
        account_id=ACCOUNT,
        region=region,
        resource_type=resource_type,
        resource_id=resource_id,
        resource_arn=f"arn:aws:{service}:{region}:{ACCOUNT}:{resource_id}",
        resource_name=name if name is not None else resource_id,
        team=team,
        message=message,
        rationale=rationale,
        remediation=remediation,
        frameworks={"fsbp": fsbp if fsbp is not None else ["S3.8"], "cis": ["2.1.4"]},
        evidence=evidence if evidence is not None else {"block_public_policy": False},
        unknown_reason=unknown_reason,
        error_ids=error_ids or [],
        mute=mute,
    )


def inventory(resources: list[Resource] | None = None, errors: list[CallError] | None = None) -> Inventory:
    return Inventory(
        account_id=ACCOUNT,
        partition="aws",
        regions=list(REGIONS),
        started_at="2026-11-24T10:00:00Z",
        finished_at="2026-11-24T10:01:30Z",
        resources=resources or [],
        errors=errors or [],
        account_alias="synthetic",
        api_calls=1234,
    )


def large_result(ruleset: RuleSet, n_findings: int = 10_000, seed: int = 7) -> tuple[Inventory, list[Finding]]:
    """An account with `n_findings` findings over many resources, with realistic text lengths.

    About 1 in 10 findings is unknown because of a denied call, so the "could not see"
    section is exercised at scale too.
    """
    rng = random.Random(seed)
    rules = list(ruleset.rules)
    errors = [
        CallError(
            id=f"E{i}",
            service="s3",
            operation="GetBucketPolicy",
            region=REGIONS[i % len(REGIONS)],
            code="AccessDenied",
            message="User is not authorized to perform s3:GetBucketPolicy",
            kind=ErrorKind.ACCESS_DENIED,
            iam_action="s3:GetBucketPolicy",
        )
        for i in range(300)
    ]
    resources: list[Resource] = []
    findings: list[Finding] = []
    for i in range(n_findings):
        rtype, service, layer, owner = SHAPES[i % len(SHAPES)]
        rule = rules[i % len(rules)]
        region = REGIONS[i % len(REGIONS)]
        rid = f"{service}-resource-{i // 4:05d}"
        status = rng.choice(STATUSES)
        team = rng.choice(TEAMS)
        if i % 4 == 0:
            resources.append(Resource(type=rtype, id=rid, region=region, name=rid, tags={"Team": team} if team else {}))
        error_ids = [f"E{i % 300}"] if status is Status.UNKNOWN else []
        findings.append(
            finding(
                rule_id=f"{rule.id}.{i % 40}",
                title=rule.title,
                status=status,
                severity=rng.choice(list(Severity)),
                owner=owner,
                layer=layer,
                service=service,
                resource_type=rtype,
                resource_id=rid,
                region=region,
                team=team,
                message=f"{rule.title}: observed value differs for {rid} (setting {i % 17} is off)",
                evidence={"setting": i % 17, "observed": "off", "expected": "on", "resource": rid},
                remediation=rule.remediation,
                rationale=rule.rationale,
                unknown_reason="could not read policy: s3:GetBucketPolicy denied" if error_ids else None,
                error_ids=error_ids,
                fsbp=list(rule.frameworks.get("fsbp", [])),
            )
        )
    return inventory(resources, errors), findings
