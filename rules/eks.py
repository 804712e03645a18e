"""EKS: AWS runs and patches the control plane of the Kubernetes version we choose; nodes depend.

Managed node groups run AMIs that AWS builds and patches, but a new AMI reaches the nodes only
when we update the node group (shared). Fargate pods run on hosts AWS patches. Self-managed
nodes are EC2 instances: their operating system is ours, exactly as for any instance.
"""

from datetime import date, timedelta

from srmscan.model import Resource, Status
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
    info,
    passed,
    rule,
    unknown,
)

CLUSTER = "AWS::EKS::Cluster"
NODEGROUP = "AWS::EKS::Nodegroup"
INSTANCE = "AWS::EC2::Instance"
OPEN = {"0.0.0.0/0", "::/0"}
AMI_MAX_AGE_DAYS = 90


@rule(
    id="eks.endpoint_public",
    title="EKS cluster API endpoint is not open to the internet",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["EKS.1"],
    rationale="""The Kubernetes API endpoint is the cluster's front door. AWS runs and patches it; whether
    it answers anyone on the internet (publicAccessCidrs 0.0.0.0/0), a list of networks, or only the
    VPC is our setting. An open endpoint leaves authentication as the only barrier.""",
    remediation="""aws eks update-cluster-config --name CLUSTER --resources-vpc-config
    endpointPublicAccess=false,endpointPrivateAccess=true (or publicAccessCidrs=OFFICE_CIDR,...)""",
    failing={"endpoint_public": True, "public_cidrs": ["0.0.0.0/0"]},
    passing={"endpoint_public": False, "public_cidrs": ["0.0.0.0/0"]},
)
def endpoint_public(r, inv):
    public = r["endpoint_public"]
    if public is None:
        return unknown("DescribeCluster did not report endpointPublicAccess")
    if not public:
        return passed("The API endpoint is private (reachable from the VPC only)")
    cidrs = r["public_cidrs"]
    if cidrs is None:
        return unknown("The endpoint is public and its allowed CIDRs were not reported")
    if set(cidrs) & OPEN:
        return fail("The API endpoint is public and open to 0.0.0.0/0", cidrs=cidrs)
    return fail("The API endpoint is public, restricted to " + ", ".join(cidrs), severity=LOW, cidrs=cidrs)


def _calendar(r, inv):
    """(version -> dates, where they came from): AWS's own answer if read, else srmscan's table."""
    account = inv.account(r.region)
    if account is not None and "eks_versions" in account and account.readable("eks_versions"):
        return account["eks_versions"], "eks:DescribeClusterVersions"
    table = {str(v.get("version")): v for v in inv.table("eks_versions").get("version", [])}
    return table, "srmscan's EKS version table (DescribeClusterVersions not read)"


def _as_date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _minor(version):
    try:
        major, minor = str(version).split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return None


def _account(calendar):
    return Resource(type="AWS::::Account", id="123456789012", region="us-east-1", attrs={"eks_versions": calendar})


@rule(
    id="eks.version_supported",
    title="EKS cluster runs a Kubernetes version in standard support",
    resource_type=CLUSTER,
    owner=SHARED,
    layer=RUNTIME,
    severity=MEDIUM,
    fsbp=["EKS.2"],
    rationale="""AWS patches the control plane, but only of the Kubernetes version we choose. Each version
    has 14 months of standard support, then 12 months of paid extended support, after which AWS
    upgrades the cluster itself. Knowing the date extended support begins is how we plan the upgrade.""",
    remediation="""Upgrade one minor version at a time: aws eks update-cluster-version --name CLUSTER
    --kubernetes-version NEXT, then update node groups and add-ons.""",
    failing=Example(
        attrs={"version": "1.29", "support_type": "EXTENDED"},
        related=(_account({"1.29": {"standard_end": "2025-03-23", "extended_end": "2026-03-23"}}),),
    ),
    passing=Example(
        attrs={"version": "1.34", "support_type": "STANDARD"},
        related=(_account({"1.34": {"standard_end": "2026-12-02", "extended_end": "2027-12-02"}}),),
    ),
)
def version_supported(r, inv):
    version = r["version"]
    if not version:
        return unknown("DescribeCluster did not report the Kubernetes version")
    calendar, source = _calendar(r, inv)
    entry = calendar.get(str(version))
    today = inv.scan_time.date()
    if entry is None:
        known = [v for v in (_minor(k) for k in calendar) if v]
        mine = _minor(version)
        if known and mine and mine > max(known):
            return passed(f"Kubernetes {version} is newer than every version in {source}", source=source)
        return unknown(f"Kubernetes {version} is not in {source}", source=source)
    standard_end = _as_date(entry.get("standard_end"))
    extended_end = _as_date(entry.get("extended_end"))
    evidence = {"standard_end": str(standard_end), "extended_end": str(extended_end), "source": source}
    if standard_end is None:
        return unknown(f"No end of standard support is known for Kubernetes {version}", **evidence)
    extended_from = standard_end + timedelta(days=1)
    if today <= standard_end:
        return passed(
            f"Kubernetes {version} is in standard support until {standard_end}; extended support begins {extended_from}",
            **evidence,
        )
    if extended_end is not None and today > extended_end:
        return fail(
            f"Kubernetes {version} is past the end of extended support ({extended_end}): AWS upgrades it on its own schedule",
            severity=HIGH,
            **evidence,
        )
    policy = r.get("support_type")
    then = (
        "AWS will upgrade it automatically (upgrade policy STANDARD)"
        if policy == "STANDARD"
        else f"extended support (paid) runs until {extended_end}"
    )
    return fail(f"Kubernetes {version} left standard support on {standard_end}; {then}", **evidence)


@rule(
    id="eks.secrets_encrypted",
    title="EKS cluster envelope-encrypts Kubernetes secrets with a KMS key",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["EKS.3"],
    rationale="""Kubernetes secrets are stored in etcd. With envelope encryption they are encrypted with a
    KMS key we control, so access to the key (and its CloudTrail log) governs access to the secrets.
    AWS encrypts the etcd volumes either way; the extra layer is our choice.""",
    remediation="""aws eks associate-encryption-config --cluster-name CLUSTER --encryption-config
    '[{"resources":["secrets"],"provider":{"keyArn":"KEY_ARN"}}]'""",
    failing={"secrets_encrypted": False},
    passing={"secrets_encrypted": True},
)
def secrets_encrypted(r, inv):
    if r["secrets_encrypted"]:
        return passed("Secrets are envelope-encrypted with a KMS key")
    return fail("Kubernetes secrets are not envelope-encrypted with a KMS key")


@rule(
    id="eks.audit_logging",
    title="EKS cluster sends control-plane audit logs to CloudWatch",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["EKS.8"],
    rationale="""The audit log records who did what through the Kubernetes API: the evidence for any
    investigation inside the cluster. AWS runs the control plane but exports its logs only when we
    enable them.""",
    remediation="""aws eks update-cluster-config --name CLUSTER --logging
    '{"clusterLogging":[{"types":["api","audit","authenticator"],"enabled":true}]}'""",
    failing={"log_types": ["api"]},
    passing={"log_types": ["api", "audit", "authenticator"]},
)
def audit_logging(r, inv):
    types = r["log_types"]
    if types is None:
        return unknown("DescribeCluster did not report control-plane logging")
    if "audit" in types:
        return passed("Audit logging is enabled", log_types=types)
    return fail("Control-plane audit logging is off", log_types=types)


@rule(
    id="eks.self_managed_nodes",
    title="EKS cluster: self-managed nodes whose operating system is ours to patch",
    resource_type=CLUSTER,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=LOW,
    rationale="""Nodes outside managed node groups, Fargate and Auto Mode are ordinary EC2 instances: AWS
    neither builds nor rolls out their AMI. Their OS patching is ours, as for any instance; the EC2
    and patching findings for these instances say where they stand.""",
    remediation="""Move workloads to managed node groups, Fargate or EKS Auto Mode, or patch these
    instances with Systems Manager Patch Manager like any other EC2 instance.""",
    failing=Example(
        attrs={},
        related=(
            Resource(
                type=INSTANCE,
                id="i-0self",
                region="us-east-1",
                tags={"kubernetes.io/cluster/example-resource": "owned"},
            ),
        ),
        expect=Status.INFO,
    ),
    passing=Example(
        attrs={}, related=(Resource(type=INSTANCE, id="i-0other", region="us-east-1"),), expect=Status.INFO
    ),
)
def self_managed_nodes(r, inv):
    tag = f"kubernetes.io/cluster/{r.id}"
    nodes = []
    instances = inv.resources(INSTANCE, r.region)  # raises Unreadable if instances could not be listed
    for instance in instances:
        tags = instance.tags
        if (tag in tags or tags.get("eks:cluster-name") == r.id) and "eks:nodegroup-name" not in tags:
            nodes.append(instance.id)
    if nodes:
        return info(
            f"{len(nodes)} self-managed node(s); their OS patching is yours: " + ", ".join(sorted(nodes)[:20]),
            instances=sorted(nodes),
        )
    return info(
        f"No self-managed nodes among the {len(instances)} EC2 instance(s) collected in this region",
        instances=[],
    )


@rule(
    id="eks.nodegroup_ami_current",
    title="EKS managed node group runs a current AMI release for the cluster's version",
    resource_type=NODEGROUP,
    owner=SHARED,
    layer=OS_PATCHING,
    severity=MEDIUM,
    rationale=f"""AWS builds EKS optimized AMIs with OS and kubelet patches every few weeks, but nodes get
    a new AMI only when we update the node group. A release older than {AMI_MAX_AGE_DAYS} days, or a node
    group behind the control plane's Kubernetes version, means patches AWS shipped are not running.""",
    remediation="""aws eks update-nodegroup-version --cluster-name CLUSTER --nodegroup-name GROUP
    (add --kubernetes-version to follow the control plane); roll nodes regularly.""",
    failing={"version": "1.29", "cluster_version": "1.30", "release_date": "2024-01-29", "custom_ami": False},
    passing={"version": "1.34", "cluster_version": "1.34", "release_date": "2026-11-10", "custom_ami": False},
)
def nodegroup_ami_current(r, inv):
    if r["custom_ami"]:
        return unknown("The node group uses a custom AMI: its patch level is yours and not visible here")
    version = r["version"]
    # The age of the AMI is judged even when the cluster's version could not be read.
    cluster_version = r["cluster_version"] if r.readable("cluster_version") else None
    problems = []
    mine, theirs = _minor(version), _minor(cluster_version)
    if mine and theirs and mine < theirs:
        problems.append(f"nodes run Kubernetes {version}, the control plane {cluster_version}")
    built = _as_date(r["release_date"])
    age = (inv.scan_time.date() - built).days if built else None
    if age is not None and age > AMI_MAX_AGE_DAYS:
        problems.append(f"AMI release {r.get('release_version') or built} is {age} days old")
    if problems:
        return fail("; ".join(problems), age_days=age, version=version, cluster_version=cluster_version)
    r["cluster_version"]  # unreadable: the version skew is unknown, so is the verdict
    if age is None:
        return unknown(
            f"The AMI release {r.get('release_version')} carries no build date (e.g. Bottlerocket); age not judged",
            version=version,
        )
    return passed(f"AMI release built {built} ({age} days ago), Kubernetes {version}", age_days=age)
