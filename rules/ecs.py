"""ECS services, the task definitions they run, and EC2 container instances.

Fargate moves the host OS to AWS, but not the platform version choice (shared), nor anything
inside the task definition or the image (ours). On EC2 container instances the host is ours.
Task definition rules only see task definitions a service uses: those are what runs.
"""

from datetime import datetime

from srmscan.model import Resource
from srmscan.rules_api import (
    CUSTOMER,
    DATA,
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
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
CLUSTER = "AWS::ECS::Cluster"
CONTAINER_INSTANCE = "AWS::ECS::ContainerInstance"
HOST_AMI_MAX_AGE_DAYS = 90
ROOT_USERS = {"root", "0"}


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


def _td(**container):
    base = {
        "name": "app",
        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1",
        "privileged": None,
        "read_only_root": True,
        "user": "1000",
        "log_driver": "awslogs",
        "env_names": ["LOG_LEVEL"],
        "secret_like_env": [],
        "secret_names": ["DB_PASSWORD"],
    }
    return {"containers": [{**base, **container}], "os_family": "LINUX", "used_by": ["svc"], "pid_mode": None}


def _version(text):
    try:
        return tuple(int(p) for p in str(text).split("."))
    except ValueError:
        return None


def _names(containers):
    return ", ".join(str(c.get("name")) for c in containers)


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
    if r["compute"] not in ("FARGATE", "MIXED") and not configured:
        return None
    running = r.get("platform_versions_running") or []
    if not configured or configured == "LATEST":
        note = "" if configured else " (not set: ECS uses LATEST)"
        return passed(
            f"Platform version LATEST{note}; AWS moves new tasks onto its newest patched revision",
            configured=configured or "LATEST",
            running=running,
        )
    family = "windows" if str(r.get("platform_family") or "").upper().startswith("WINDOWS") else "linux"
    newest = inv.table("fargate_platforms")[family]["latest"]
    pinned, best = _version(configured), _version(newest)
    if pinned is not None and best is not None and pinned >= best:
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


# --- task definitions -------------------------------------------------------------------
@rule(
    id="ecs.privileged_container",
    title="ECS containers do not run privileged",
    resource_type=TASK_DEFINITION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["ECS.4"],
    rationale="""A privileged container has root on the host: a compromise of the container is a
    compromise of the container instance and of every other task on it.""",
    remediation="""Remove "privileged": true from the container definition (grant specific Linux
    capabilities instead) and register a new task definition revision; update the service to it.""",
    failing=_td(privileged=True),
    passing=_td(),
)
def privileged_container(r, inv):
    bad = [c for c in r["containers"] if c.get("privileged") is True]
    if bad:
        return fail(f"Privileged containers: {_names(bad)}", containers=[c["name"] for c in bad])
    return passed("No container runs privileged")


@rule(
    id="ecs.read_only_root",
    title="ECS containers have a read-only root filesystem",
    resource_type=TASK_DEFINITION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["ECS.5"],
    rationale="""A writable root filesystem lets an attacker who gets code execution modify binaries
    and drop tools inside the container. Read-only root plus explicit volumes for scratch space
    limits what a compromise can change.""",
    remediation="""Set "readonlyRootFilesystem": true on each container, mount writable paths
    (/tmp, caches) as volumes, register a new revision and update the service.""",
    failing=_td(read_only_root=None),
    passing=_td(),
)
def read_only_root(r, inv):
    bad = [c for c in r["containers"] if c.get("read_only_root") is not True]
    if bad:
        return fail(f"Containers with a writable root filesystem: {_names(bad)}", containers=[c["name"] for c in bad])
    return passed("Every container has a read-only root filesystem")


@rule(
    id="ecs.plaintext_secrets",
    title="ECS task definitions keep secrets out of plain environment variables",
    resource_type=TASK_DEFINITION,
    owner=CUSTOMER,
    layer=DATA,
    severity=HIGH,
    fsbp=["ECS.8"],
    rationale="""Plain environment variables are stored in the task definition and readable by anyone
    with ecs:DescribeTaskDefinition, and they show up in consoles and logs. Secrets belong in
    Secrets Manager or SSM Parameter Store, referenced through the `secrets` field. Detected by
    variable name and value shape; only names are reported, values were dropped at collection.""",
    remediation="""Move each flagged value to Secrets Manager (or an SSM SecureString), reference it
    from the container's "secrets" list, grant the execution role read access, register a new
    revision, and rotate the exposed secret: old revisions keep the value.""",
    failing=_td(env_names=["DB_PASSWORD"], secret_like_env=[{"name": "DB_PASSWORD", "by": "name"}]),
    passing=_td(),
)
def plaintext_secrets(r, inv):
    flagged = [
        {"container": c["name"], "variable": s["name"], "detected_by": s["by"]}
        for c in r["containers"]
        for s in c.get("secret_like_env") or []
    ]
    if flagged:
        listed = ", ".join(f"{f['variable']} ({f['container']}, by {f['detected_by']})" for f in flagged)
        return fail(f"Environment variables that look like secrets: {listed}", variables=flagged)
    return passed("No plain environment variable looks like a secret")


@rule(
    id="ecs.task_logging",
    title="ECS containers have a logging configuration",
    resource_type=TASK_DEFINITION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["ECS.9"],
    rationale="""Without a log driver a container's output is lost when the task stops: no evidence
    for an incident, no trace of what an attacker ran. AWS runs the log pipeline; sending logs to it
    is our setting.""",
    remediation="""Add a logConfiguration (logDriver awslogs, or awsfirelens) to each container
    definition, register a new revision and update the service.""",
    failing=_td(log_driver=None),
    passing=_td(),
)
def task_logging(r, inv):
    bad = [c for c in r["containers"] if not c.get("log_driver")]
    if bad:
        return fail(f"Containers without a log configuration: {_names(bad)}", containers=[c["name"] for c in bad])
    return passed(
        "Every container ships its logs (" + ", ".join(sorted({c["log_driver"] for c in r["containers"]})) + ")"
    )


@rule(
    id="ecs.container_root_user",
    title="ECS containers run as an explicit non-root user",
    resource_type=TASK_DEFINITION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    rationale="""When the task definition sets no user, the container runs as the image's USER,
    which is root for most base images. Root inside a container makes container escapes and
    tampering with the image's files much easier; an explicit non-root user makes the intent
    visible and enforceable regardless of how the image was built.""",
    remediation="""Set "user": "UID:GID" (non-zero) on each container, or build the image with a
    non-root USER and state it in the task definition as well; register a new revision.""",
    failing=_td(user=None),
    passing=_td(),
)
def container_root_user(r, inv):
    if str(r.get("os_family") or "").upper().startswith("WINDOWS"):
        return None  # the user parameter does not apply to Windows containers
    unset = [c for c in r["containers"] if not str(c.get("user") or "").strip()]
    root = [
        c
        for c in r["containers"]
        if str(c.get("user") or "").strip() and str(c["user"]).strip().split(":", 1)[0] in ROOT_USERS
    ]
    if root or unset:
        parts = []
        if root:
            parts.append(f"run as root: {_names(root)}")
        if unset:
            parts.append(f"set no user (the image's USER applies, root unless the image changes it): {_names(unset)}")
        return fail(
            "Containers that " + "; ".join(parts),
            root=[c["name"] for c in root],
            user_not_set=[c["name"] for c in unset],
        )
    return passed("Every container runs as a non-root user")


@rule(
    id="ecs.host_pid_mode",
    title="ECS task definitions do not share the host's process namespace",
    resource_type=TASK_DEFINITION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["ECS.3"],
    rationale="""pidMode host lets the containers see and signal every process on the container
    instance, including other tasks and the ECS agent.""",
    remediation="Remove pidMode host (or use task) from the task definition and register a new revision.",
    failing={**_td(), "pid_mode": "host"},
    passing=_td(),
)
def host_pid_mode(r, inv):
    if r["pid_mode"] == "host":
        return fail("The task shares the host's process namespace (pidMode host)")
    return passed("The task has its own process namespace")


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
    (see the SSM patch findings for the same instance). Unlike Fargate, an OS-library fix (such as glibc's) is
    ours here twice over: the host and the image.""",
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
