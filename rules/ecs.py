"""ECS services (and their task sets), clusters, and EC2 container instances.

Fargate moves the host OS to AWS, but not the platform version choice (shared), nor anything
inside the task definition or the image (ours). On EC2 container instances the host is ours.
Task definition rules are in ecs_task_definitions.py. Services deployed by CodeDeploy or an
EXTERNAL controller are judged on each of their task sets' settings.
"""

from datetime import datetime

from srmscan.model import Resource
from srmscan.rules_api import (
    CUSTOMER,
    HIGH,
    LOW,
    MEDIUM,
    OS_PATCHING,
    RUNTIME,
    SERVICE_CONFIG,
    SHARED,
    Example,
    fail,
    passed,
    rule,
    unknown,
)

SERVICE = "AWS::ECS::Service"
CLUSTER = "AWS::ECS::Cluster"
CONTAINER_INSTANCE = "AWS::ECS::ContainerInstance"
HOST_AMI_MAX_AGE_DAYS = 90


def _svc(**attrs):
    base = {
        "compute": "FARGATE",
        "launch_type": "FARGATE",
        "platform_version": "LATEST",
        "platform_versions_running": ["1.4.0"],
        "platform_family": "Linux",
        "assign_public_ip": "DISABLED",
        "deployments_assign_public_ip": ["DISABLED"],
    }
    return {**base, **attrs}


def _version(text):
    try:
        return tuple(int(p) for p in str(text).split("."))
    except ValueError:
        return None


def _pin(configured, family, inv):
    """(severity rank, text) for one platform version setting: 0 fine, 1 pinned at newest, 2 older."""
    if not configured or configured == "LATEST":
        return 0, "LATEST" if configured else "not set (ECS uses LATEST)"
    newest = inv.table("fargate_platforms")[family]["latest"]
    pinned, best = _version(configured), _version(newest)
    if pinned is not None and best is not None and pinned >= best:
        return 1, f"pinned to {configured}, today the newest {family} version"
    return 2, f"pinned to {configured}; the newest {family} version is {newest}"


# --- services ---------------------------------------------------------------------------
@rule(
    id="ecs.fargate_platform_version",
    title="Fargate service uses platform version LATEST",
    resource_type=SERVICE,
    owner=SHARED,
    layer=RUNTIME,
    severity=MEDIUM,
    fsbp=["ECS.10"],
    rationale="""AWS patches the Fargate host (kernel, OS, container runtime) by publishing platform
    versions and revisions, and retires tasks on vulnerable ones. Which version our tasks land on is
    our lever: a service pinned to a version never moves to a newer one unless we change it, so the
    host-side fix for the next glibc-class CVE may not reach us.""",
    remediation="""Set the service's platform version to LATEST and redeploy:
    aws ecs update-service --cluster CLUSTER --service SERVICE --platform-version LATEST --force-new-deployment.
    In IaC, drop the PlatformVersion pin (it defaults to LATEST).""",
    failing=_svc(platform_version="1.3.0", platform_versions_running=["1.3.0"]),
    passing=_svc(),
)
def fargate_platform_version(r, inv):
    configured = r.get("platform_version")
    task_sets = [ts for ts in r.get("task_sets") or [] if ts.get("compute") in ("FARGATE", "MIXED")]
    if r["compute"] not in ("FARGATE", "MIXED") and not configured and not task_sets:
        return None
    running = r.get("platform_versions_running") or []
    family = "windows" if str(r.get("platform_family") or "").upper().startswith("WINDOWS") else "linux"
    newest = inv.table("fargate_platforms")[family]["latest"]
    if task_sets:
        # Blue/green and external deployments: each task set carries its own platform version.
        judged = [(*_pin(ts.get("platform_version"), family, inv), f"task set {ts.get('id')}") for ts in task_sets]
        worst = max(rank for rank, _, _ in judged)
        listed = "; ".join(f"{where}: {text}" for rank, text, where in judged)
        evidence = {"task_sets": {where: text for _, text, where in judged}, "newest": newest, "running": running}
        if worst == 0:
            return passed(f"Every task set uses platform version LATEST ({listed})", **evidence)
        return fail(
            f"Task sets pinned to a platform version: {listed}", severity=LOW if worst == 1 else None, **evidence
        )
    rank = _pin(configured, family, inv)[0]
    if rank == 0:
        note = "" if configured else " (not set: ECS uses LATEST)"
        return passed(
            f"Platform version LATEST{note}; AWS moves new tasks onto its newest patched revision",
            configured=configured or "LATEST",
            running=running,
        )
    if rank == 1:
        return fail(
            f"Pinned to platform version {configured}, today the newest {family} version: AWS still "
            "patches it through revisions, but a newer platform version will not be picked up until "
            "someone changes the pin (FSBP ECS.10 passes today)",
            severity=LOW,
            configured=configured,
            newest=newest,
            running=running,
        )
    return fail(
        f"Pinned to platform version {configured}; the newest {family} version is {newest}. AWS patches "
        "the Fargate host, but only in the platform versions we choose",
        configured=configured,
        newest=newest,
        running=running,
    )


@rule(
    id="ecs.service_public_ip",
    title="ECS service does not assign public IP addresses to tasks",
    resource_type=SERVICE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["ECS.2"],
    rationale="""With assignPublicIp ENABLED every task gets an internet-routable address; one
    permissive security group rule then exposes the container directly. Tasks in private subnets
    reach the internet through a NAT gateway and are reached through a load balancer.""",
    remediation="""Move the service to private subnets and disable public IPs:
    aws ecs update-service --cluster CLUSTER --service SERVICE --network-configuration
    'awsvpcConfiguration={subnets=[PRIVATE_SUBNETS],securityGroups=[SG],assignPublicIp=DISABLED}'""",
    failing=_svc(assign_public_ip="ENABLED", deployments_assign_public_ip=["ENABLED"]),
    passing=_svc(),
)
def service_public_ip(r, inv):
    setting = r.get("assign_public_ip")
    deployments = r.get("deployments_assign_public_ip") or []
    open_sets = [ts for ts in r.get("task_sets") or [] if ts.get("assign_public_ip") == "ENABLED"]
    if open_sets:
        return fail(
            "Task sets give their tasks public IP addresses (assignPublicIp ENABLED): "
            + ", ".join(f"{ts.get('id')} ({ts.get('status')})" for ts in open_sets),
            task_sets=[ts.get("id") for ts in open_sets],
            subnets=sorted({s for ts in open_sets for s in ts.get("subnets") or []}),
            security_groups=sorted({g for ts in open_sets for g in ts.get("security_groups") or []}),
        )
    if setting == "ENABLED" or "ENABLED" in deployments:
        return fail(
            "Tasks get public IP addresses (assignPublicIp ENABLED)",
            assign_public_ip=setting,
            subnets=r.get("subnets") or [],
            security_groups=r.get("security_groups") or [],
        )
    if setting is None:
        return passed("The service does not use awsvpc public IP assignment")
    return passed("assignPublicIp is DISABLED")


# --- clusters and container instances ---------------------------------------------------
@rule(
    id="ecs.cluster_container_insights",
    title="ECS cluster has Container Insights enabled",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["ECS.12"],
    rationale="""Container Insights gives task- and service-level metrics and performance logs;
    without it, a crash loop or resource exhaustion after a patch rollout is harder to see.""",
    remediation="aws ecs update-cluster-settings --cluster CLUSTER --settings name=containerInsights,value=enabled",
    failing={"status": "ACTIVE", "container_insights": "disabled"},
    passing={"status": "ACTIVE", "container_insights": "enabled"},
)
def cluster_container_insights(r, inv):
    value = r["container_insights"]
    if value in ("enabled", "enhanced"):
        return passed(f"Container Insights is {value}")
    return fail(f"Container Insights is {value or 'not configured'}")


def _instance_example(created: str) -> Example:
    ec2 = Resource(
        type="AWS::EC2::Instance",
        id="i-0abc",
        region="us-east-1",
        attrs={"image": {"name": "al2023-ami-ecs-hvm-2023.0.20260101-kernel-6.1-x86_64", "creation_date": created}},
    )
    return Example(
        attrs={"ec2_instance_id": "i-0abc", "ami_id": "ami-0abc", "agent_version": "1.90.0", "status": "ACTIVE"},
        related=(ec2,),
    )


@rule(
    id="ecs.container_instance_host_patching",
    title="ECS container instance runs a recent ECS-optimized AMI (its host OS is ours to patch)",
    resource_type=CONTAINER_INSTANCE,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=MEDIUM,
    rationale=f"""On ECS with EC2 capacity the container host is our EC2 instance: AWS publishes
    patched ECS-optimized AMIs, but never replaces our hosts. An AMI older than
    {HOST_AMI_MAX_AGE_DAYS} days has missed OS and agent fixes unless the hosts are patched in place
    (see the SSM patch findings for the same instance). Unlike Fargate, a fix to an OS library
    such as glibc is ours here twice over: the host and the image.""",
    remediation="""Point the Auto Scaling group's launch template at the latest ECS-optimized AMI
    (SSM parameter /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id), then
    drain and replace the hosts with an instance refresh; or patch in place with SSM Patch Manager.""",
    failing=_instance_example("2025-01-10T00:00:00.000Z"),
    passing=_instance_example("2026-11-01T00:00:00.000Z"),
)
def container_instance_host_patching(r, inv):
    evidence = {"ec2_instance_id": r.get("ec2_instance_id"), "ami_id": r.get("ami_id"), "agent": r.get("agent_version")}
    instance = inv.find("AWS::EC2::Instance", r.get("ec2_instance_id"))
    if instance is None:
        return unknown("The host's EC2 instance is not in the inventory, so its AMI age is unknown", **evidence)
    image = instance.get("image")
    if not image or not image.get("creation_date"):
        return unknown("The host's AMI is deregistered or not readable, so its age is unknown", **evidence)
    created = datetime.fromisoformat(str(image["creation_date"]).replace("Z", "+00:00"))
    age = (inv.scan_time - created).days
    evidence.update(ami_name=image.get("name"), ami_created=image["creation_date"], ami_age_days=age)
    if age > HOST_AMI_MAX_AGE_DAYS:
        return fail(
            f"The host runs an AMI {age} days old ({image.get('name') or r.get('ami_id')}): the host OS is ours "
            "to patch; roll the hosts onto the latest ECS-optimized AMI or patch them in place",
            **evidence,
        )
    return passed(f"The host's AMI is {age} days old", **evidence)
