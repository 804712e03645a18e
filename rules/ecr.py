"""ECR repositories and the images running ECS services use.

AWS runs the registry and the scanner; what is inside an image is ours. On Fargate, AWS
patches the host, but the libraries copied into an image (glibc, openssl) are ours.
"""

from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    HIGH,
    LOW,
    MEDIUM,
    OS_PATCHING,
    SERVICE_CONFIG,
    Example,
    fail,
    passed,
    rule,
    unknown,
)

REPOSITORY = "AWS::ECR::Repository"
IMAGE = "AWS::ECR::Image"
MAX_NAMED = 5


def _repo(**attrs):
    base = {
        "scanning": {"scan_on_push": True, "frequency": "SCAN_ON_PUSH", "filters": ["*"]},
        "registry_scan_type": "BASIC",
        "tag_mutability": "IMMUTABLE",
        "tag_mutability_exclusions": [],
        "lifecycle_policy": {"present": True, "rule_count": 1},
    }
    return {**base, **attrs}


@rule(
    id="ecr.scan_on_push",
    title="ECR repository scans images on push",
    resource_type=REPOSITORY,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["ECR.1"],
    rationale="""AWS runs the scanner, but only for images we ask it to scan. Without scan on push
    (or enhanced continuous scanning) a vulnerable base image, such as one carrying a critical
    glibc CVE, reaches production with no finding anywhere.""",
    remediation="""Registry-wide (preferred): aws ecr put-registry-scanning-configuration --scan-type BASIC
    --rules '[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]'
    (or --scan-type ENHANCED with CONTINUOUS_SCAN for Amazon Inspector).""",
    failing=_repo(scanning={"scan_on_push": False, "frequency": "MANUAL", "filters": []}),
    passing=_repo(),
)
def scan_on_push(r, inv):
    scanning = r["scanning"]
    if scanning is None:
        return unknown("ECR returned no scanning configuration for this repository")
    frequency = scanning.get("frequency")
    if scanning.get("scan_on_push") or frequency in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"):
        return passed(f"Images are scanned ({frequency or 'on push'})", frequency=frequency)
    # The legacy repository-level switch still applies under basic scanning; enhanced
    # scanning (Inspector) ignores it and goes by the registry's rules only.
    if r.get("repo_scan_on_push") and r["registry_scan_type"] == "BASIC":
        return passed("Images are scanned on push (repository-level setting, basic scanning)", frequency="SCAN_ON_PUSH")
    return fail(f"Images are not scanned on push (scan frequency {frequency or 'MANUAL'})", frequency=frequency)


@rule(
    id="ecr.tag_immutability",
    title="ECR repository has immutable image tags",
    resource_type=REPOSITORY,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["ECR.2"],
    rationale="""With mutable tags, v1 today and v1 tomorrow can be different images: a service that
    restarts may pull an image nobody reviewed or scanned, and a scan result for a tag proves little.""",
    remediation="aws ecr put-image-tag-mutability --repository-name REPO --image-tag-mutability IMMUTABLE",
    failing=_repo(tag_mutability="MUTABLE"),
    passing=_repo(),
)
def tag_immutability(r, inv):
    mode = str(r["tag_mutability"] or "MUTABLE")
    exclusions = r.get("tag_mutability_exclusions") or []
    if mode.startswith("IMMUTABLE"):
        note = f" except tags matching {', '.join(exclusions)}" if exclusions else ""
        return passed(f"Tags are immutable{note}", mode=mode, exclusions=exclusions)
    return fail(f"Tags are mutable ({mode})", mode=mode, exclusions=exclusions)


@rule(
    id="ecr.lifecycle_policy",
    title="ECR repository has a lifecycle policy",
    resource_type=REPOSITORY,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["ECR.3"],
    rationale="""Without a lifecycle policy old, unpatched images pile up and stay pullable; a rollback
    or a stray task definition can bring one back into production.""",
    remediation="""aws ecr put-lifecycle-policy --repository-name REPO --lifecycle-policy-text
    '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed",
    "countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'""",
    failing=_repo(lifecycle_policy=None),
    passing=_repo(),
)
def lifecycle_policy(r, inv):
    policy = r["lifecycle_policy"]
    if not policy:
        return fail("No lifecycle policy")
    if not policy.get("rule_count"):
        return fail("The lifecycle policy has no rules", severity=LOW)
    return passed(f"Lifecycle policy with {policy['rule_count']} rule(s)")


def _image(scan, fargate=True):
    return Example(
        attrs={
            "repository_name": "web",
            "repository_exists": True,
            "exists": True,
            "tag": "v1",
            "used_by": ["arn:aws:ecs:us-east-1:123456789012:service/prod/web"],
            "used_by_names": ["web"],
            "used_by_fargate": ["arn:aws:ecs:us-east-1:123456789012:service/prod/web"] if fargate else [],
            "pushed_at": "2026-10-01T00:00:00+00:00",
            "scan": scan,
        }
    )


_CLEAN = {"status": "COMPLETE", "severity_counts": {"LOW": 2}, "findings": [], "truncated": False}
_GLIBC = {
    "status": "COMPLETE",
    "severity_counts": {"CRITICAL": 1, "HIGH": 2},
    "findings": [{"id": "CVE-2023-4911", "severity": "CRITICAL", "package": "glibc", "version": "2.34-60"}],
    "truncated": False,
}


@rule(
    id="ecr.image_vulnerabilities",
    title="Images that running services use have no critical or high scan findings",
    resource_type=IMAGE,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=CRITICAL,
    rationale="""AWS patches the Fargate host OS, but never reaches inside our image: the glibc or
    openssl copied in from our base image is ours until we rebuild and redeploy. On Fargate
    that is our whole share of an OS-library CVE; on EC2-backed services the host is ours as well.""",
    remediation="""Rebuild the image from a patched base image (e.g. update the FROM line and run the
    package manager's upgrade), push it under a new immutable tag, register a new task definition
    revision and update the services listed (aws ecs update-service --force-new-deployment).""",
    failing=_image(_GLIBC),
    passing=_image(_CLEAN),
)
def image_vulnerabilities(r, inv):
    who = ", ".join(r["used_by_names"][:MAX_NAMED]) + (" …" if len(r["used_by_names"]) > MAX_NAMED else "")
    if not r["repository_exists"]:
        return unknown(f"The repository {r['repository_name']} does not exist in this account's registry")
    if not r["exists"]:
        return unknown(f"The image {r.get('tag')} is no longer in the repository; its scan cannot be read")
    scan = r["scan"]
    if scan is None:
        return unknown("The image has never been scanned, so its packages are unchecked (turn on scan on push)")
    if scan.get("status") not in ("COMPLETE", "ACTIVE"):
        return unknown(f"The image scan status is {scan.get('status')}; no findings to judge")
    counts = scan.get("severity_counts") or {}
    critical, high = int(counts.get("CRITICAL", 0)), int(counts.get("HIGH", 0))
    evidence = {
        "services": r["used_by_names"],
        "severity_counts": counts,
        "findings": [f for f in scan.get("findings") or [] if f.get("severity") in ("CRITICAL", "HIGH")],
        "pushed_at": r.get("pushed_at"),
        "truncated": scan.get("truncated", False),
    }
    if not critical and not high:
        return passed(f"No critical or high findings in the image used by {who}", **evidence)
    examples = [f"{f['id']} in {f['package']}" if f.get("package") else f["id"] for f in evidence["findings"][:3]]
    listed = f" (e.g. {', '.join(examples)})" if examples else ""
    if r["used_by_fargate"]:
        split = (
            "AWS patched the Fargate host; the packages inside this image are ours: rebuild it on a patched "
            "base image and redeploy"
        )
    else:
        split = (
            "On EC2 capacity both the container instance and the image are ours: rebuild the image and patch the host"
        )
    return fail(
        f"Image used by {who} has {critical} critical and {high} high findings{listed}. {split}",
        severity=CRITICAL if critical else HIGH,
        **evidence,
    )
