"""ECS task definitions: what runs inside the container is ours, on Fargate and EC2 alike.

These rules judge the latest ACTIVE revision of every task definition family (a definition run
by a schedule, RunTask or a pipeline runs too, though no service names it: FSBP ECS.4, ECS.5 and
ECS.8 judge the latest revision for that reason) and every revision a service or task set runs.
"""

from srmscan.rules_api import (
    CUSTOMER,
    DATA,
    HIGH,
    MEDIUM,
    SERVICE_CONFIG,
    fail,
    passed,
    rule,
)

TASK_DEFINITION = "AWS::ECS::TaskDefinition"
ROOT_USERS = {"root", "0"}


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


def _names(containers):
    return ", ".join(str(c.get("name")) for c in containers)


def _containers_fail(problem, bad):
    """The failure of a check that judges each container alike: the offenders, named in the message
    and listed in the evidence."""
    return fail(f"{problem}: {_names(bad)}", containers=[c["name"] for c in bad])


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
        return _containers_fail("Privileged containers", bad)
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
        return _containers_fail("Containers with a writable root filesystem", bad)
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
        return _containers_fail("Containers without a log configuration", bad)
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
