"""EC2 instances, volumes and launch templates: every setting here is on our side of the line."""

from srmscan.model import Resource
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CUSTOMER,
    DATA,
    HIGH,
    LOW,
    MEDIUM,
    OS_PATCHING,
    SERVICE_CONFIG,
    Example,
    fail,
    passed,
    regional,
    rule,
)

INSTANCE = "AWS::EC2::Instance"
VOLUME = "AWS::EC2::Volume"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
PROFILE = "arn:aws:iam::123456789012:instance-profile/app"


def _account(**attrs):
    return Resource(type=ACCOUNT_TYPE, id="123456789012", region="us-east-1", attrs=attrs)


def _live(r):
    return r.get("state") in ("running", "pending", "stopped", "stopping")


@rule(
    id="ec2.imdsv2_required",
    title="EC2 instance requires IMDSv2 (session tokens)",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["EC2.8"],
    cis=["5.6"],
    where=_live,
    rationale="""IMDSv1 answers any request that reaches 169.254.169.254, so a server-side request forgery
    in the application hands out the instance role's credentials. IMDSv2 requires a PUT-issued token.""",
    remediation="""aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required
    --http-endpoint enabled (and set MetadataOptions.HttpTokens=required in launch templates).""",
    failing={"state": "running", "metadata": {"http_tokens": "optional", "http_endpoint": "enabled"}},
    passing={"state": "running", "metadata": {"http_tokens": "required", "http_endpoint": "enabled"}},
)
def imdsv2_required(r, inv):
    meta = r["metadata"] or {}
    if meta.get("http_endpoint") == "disabled":
        return passed("The instance metadata service is disabled")
    if meta.get("http_tokens") == "required":
        return passed("IMDSv2 is required")
    return fail(f"IMDSv1 is allowed (HttpTokens={meta.get('http_tokens') or 'unset'})")


@rule(
    id="ec2.public_ip",
    title="EC2 instance has no public IPv4 address",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["EC2.9"],
    where=_live,
    rationale="""A public address plus a route to an internet gateway makes the instance reachable from the
    internet, limited only by its security groups. Put instances in private subnets behind a load balancer.""",
    remediation="""Launch into a private subnet (no 0.0.0.0/0 route to an igw-) with AssociatePublicIpAddress
    false; release Elastic IPs; reach it with SSM Session Manager instead of SSH.""",
    failing={"state": "running", "public_ip": "203.0.113.10", "in_public_subnet": True},
    passing={"state": "running", "public_ip": None, "in_public_subnet": False},
)
def public_ip(r, inv):
    address = r["public_ip"]
    if not address:
        return passed("The instance has no public IPv4 address", in_public_subnet=r.get("in_public_subnet"))
    in_public = r["in_public_subnet"]
    if in_public:
        return fail(
            f"Public IP {address} in a public subnet (routes 0.0.0.0/0 to an internet gateway): reachable",
            severity=HIGH,
            public_ip=address,
            in_public_subnet=True,
        )
    return fail(
        f"Public IP {address}, though its subnet has no internet-gateway route",
        public_ip=address,
        in_public_subnet=False,
    )


@rule(
    id="ec2.instance_profile",
    title="EC2 instance has an instance profile (so SSM can manage it)",
    resource_type=INSTANCE,
    owner=CUSTOMER,
    layer=OS_PATCHING,
    severity=MEDIUM,
    where=_live,
    rationale="""The SSM agent authenticates with the instance's role. Without an instance profile (and
    without Default Host Management Configuration) Systems Manager cannot see or patch the instance: in a
    glibc-style emergency it is invisible to Patch Manager.""",
    remediation="""aws ec2 associate-iam-instance-profile --instance-id ID --iam-instance-profile
    Name=PROFILE (role with AmazonSSMManagedInstanceCore), or turn on Default Host Management Configuration.""",
    failing=Example({"state": "running", "iam_instance_profile": None}, related=(_account(ssm_managed_instances={}),)),
    passing={"state": "running", "iam_instance_profile": PROFILE},
)
def instance_profile(r, inv):
    profile = r["iam_instance_profile"]
    if profile:
        return passed(f"Instance profile {profile}")
    account = inv.account(r.region)
    readable = account is not None and account.readable("ssm_managed_instances") and "ssm_managed_instances" in account
    if readable and r.id in (account["ssm_managed_instances"] or {}):
        return passed("No instance profile, but SSM manages it (Default Host Management Configuration)")
    return fail("No instance profile: SSM cannot manage it unless Default Host Management Configuration is on")


@rule(
    id="ec2.ebs_encryption_by_default",
    title="EBS encryption by default is enabled in the region",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="ec2",
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["EC2.7"],
    cis=["2.2.1"],
    rationale="""With the regional default on, every new volume and snapshot copy is encrypted, whoever
    launches it and whatever template they use; without it, encryption depends on each launch.""",
    remediation="aws ec2 enable-ebs-encryption-by-default --region REGION",
    failing={"ebs_encryption_by_default": False},
    passing={"ebs_encryption_by_default": True},
)
def ebs_encryption_by_default(r, inv):
    if r["ebs_encryption_by_default"]:
        return passed("EBS encryption by default is on")
    return fail("EBS encryption by default is off in this region")


@rule(
    id="ec2.volume_encrypted",
    title="Attached EBS volume is encrypted",
    resource_type=VOLUME,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["EC2.3"],
    where=lambda r: bool(r.get("attached_to")),
    rationale="""AWS encrypts nothing on EBS unless asked; an unencrypted volume's snapshots are unencrypted
    too and can be shared or copied in the clear.""",
    remediation="""Snapshot the volume, copy the snapshot with --encrypted, create a volume from it and swap it
    in; turn on EBS encryption by default so it does not recur.""",
    failing={"encrypted": False, "attached_to": ["i-1"]},
    passing={"encrypted": True, "attached_to": ["i-1"]},
)
def volume_encrypted(r, inv):
    if r["encrypted"]:
        return passed("The volume is encrypted")
    return fail("The attached volume is not encrypted", attached_to=r["attached_to"])


@rule(
    id="ec2.launch_template_imdsv2",
    title="Launch template requires IMDSv2",
    resource_type=LAUNCH_TEMPLATE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["EC2.170"],
    rationale="Every instance launched from the template inherits its metadata settings; fixing instances one by one "
    "does not survive the next scale-out.",
    remediation="""Create a new template version with MetadataOptions HttpTokens=required and make it the
    default: aws ec2 create-launch-template-version ... && aws ec2 modify-launch-template --default-version N""",
    failing={"http_tokens": "optional"},
    passing={"http_tokens": "required"},
)
def launch_template_imdsv2(r, inv):
    tokens = r["http_tokens"]
    if tokens == "required":
        return passed("The default version requires IMDSv2")
    return fail(f"The default version does not require IMDSv2 (HttpTokens={tokens or 'unset'})")


@rule(
    id="ec2.launch_template_public_ip",
    title="Launch template does not assign public IP addresses",
    resource_type=LAUNCH_TEMPLATE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["EC2.25"],
    rationale="A template that assigns public IPs puts every instance it launches on the internet.",
    remediation="Create a template version whose network interfaces set AssociatePublicIpAddress=false.",
    failing={"associate_public_ip": True},
    passing={"associate_public_ip": False},
)
def launch_template_public_ip(r, inv):
    if r["associate_public_ip"]:
        return fail("The default version assigns public IP addresses")
    return passed("The default version does not assign public IP addresses")
