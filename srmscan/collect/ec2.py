"""EC2 and VPC: instances, the AMIs they run, security groups, subnets, VPCs, volumes, templates.

Every listing here is one paginated call per region; nothing is described per instance or
per subnet. Facts that need two answers are combined here (a subnet is public when its own
route table, or else its VPC's main table, routes 0.0.0.0/0 or ::/0 to an internet gateway)
so that rules stay simple. User data is never requested from DescribeInstances' siblings,
and the one call that returns it (launch template versions) has it dropped on arrival.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect._ec2_instances import INSTANCE, instances
from srmscan.collect._ec2_network import SECURITY_GROUP, SUBNET, VPC, security_groups, subnet_publicity, subnets, vpcs
from srmscan.collect._ec2_resource import ec2_resource
from srmscan.collect.context import Answer, Collection, fill
from srmscan.collect.registry import collector
from srmscan.model import Resource

VOLUME = "AWS::EC2::Volume"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
__all__ = ["INSTANCE", "LAUNCH_TEMPLATE", "SECURITY_GROUP", "SUBNET", "VOLUME", "VPC", "collect_ec2"]


@collector(
    "ec2",
    scope="regional",
    produces=(INSTANCE, SECURITY_GROUP, SUBNET, VPC, VOLUME, LAUNCH_TEMPLATE),
    actions=[
        "ec2:DescribeInstances",
        "ec2:DescribeImages",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
        "ec2:DescribeVpcs",
        "ec2:DescribeFlowLogs",
        "ec2:GetEbsEncryptionByDefault",
        "ec2:DescribeVolumes",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeInstanceStatus",
        "ec2:GetAllowedImagesSettings",
        "ec2:GetManagedPrefixListEntries",
    ],
)
def collect_ec2(c: Collection, region: str) -> None:
    fill(
        c.account(region),
        "ebs_encryption_by_default",
        c.call("ec2", region, "GetEbsEncryptionByDefault"),
        lambda d: bool(d.get("EbsEncryptionByDefault")),
    )
    routes = c.pages("ec2", region, "DescribeRouteTables", "RouteTables")
    public_by_subnet = subnet_publicity(routes)
    subnets(c, region, routes, public_by_subnet)
    vpcs(c, region)
    security_groups(c, region)
    volumes = _volumes(c, region)
    templates = _launch_templates(c, region)
    instances(c, region, routes, public_by_subnet, volumes, templates)


# --- storage and templates ---------------------------------------------------------------
def _volumes(c: Collection, region: str) -> Answer:
    listing = c.listing("ec2", region, "DescribeVolumes", "Volumes", gaps=(VOLUME,))
    if listing.error is not None:
        return listing
    for v in listing.data:
        attached = [a for a in v.get("Attachments", []) or [] if a.get("State") in ("attached", "attaching")]
        attrs = {
            "encrypted": bool(v.get("Encrypted")),
            "kms_key_id": v.get("KmsKeyId"),
            "state": v.get("State"),
            "size_gib": v.get("Size"),
            "attached_to": [str(a.get("InstanceId")) for a in attached],
        }
        c.add(ec2_resource(c, region, VOLUME, v, "volume", str(v["VolumeId"]), attrs))
    return listing


def _launch_templates(c: Collection, region: str) -> dict[str, Resource]:
    """Templates plus their default version's settings, from one listing of all default versions.

    DescribeLaunchTemplateVersions without a template id and with `$Default` answers for every
    template at once; UserData is dropped here and never stored."""
    listing = c.listing("ec2", region, "DescribeLaunchTemplates", "LaunchTemplates", gaps=(LAUNCH_TEMPLATE,))
    if not listing.ok or not listing.data:
        return {}
    versions = c.pages("ec2", region, "DescribeLaunchTemplateVersions", "LaunchTemplateVersions", Versions=["$Default"])
    data_by_id: dict[str, dict[str, Any]] = {}
    if versions.ok:
        for v in versions.data:
            data = dict(v.get("LaunchTemplateData") or {})
            data.pop("UserData", None)
            data_by_id[str(v.get("LaunchTemplateId"))] = {"version": v.get("VersionNumber"), "data": data}
    out = {}
    for t in listing.data:
        tid = str(t["LaunchTemplateId"])
        attrs = {"default_version": t.get("DefaultVersionNumber"), "latest_version": t.get("LatestVersionNumber")}
        name = str(t.get("LaunchTemplateName", ""))
        res = ec2_resource(c, region, LAUNCH_TEMPLATE, t, "launch-template", tid, attrs, name=name)
        if versions.error is not None:
            for key in ("image_id", "http_tokens", "associate_public_ip", "iam_instance_profile"):
                res.unreadable[key] = versions.error.id
        else:
            data = (data_by_id.get(tid) or {}).get("data", {})
            nics = data.get("NetworkInterfaces", []) or []
            profile = data.get("IamInstanceProfile") or {}
            res.attrs.update(
                {
                    "image_id": data.get("ImageId"),
                    # Unset in a template means the account/AMI default, which may be optional.
                    "http_tokens": (data.get("MetadataOptions") or {}).get("HttpTokens"),
                    "associate_public_ip": any(bool(n.get("AssociatePublicIpAddress")) for n in nics),
                    "iam_instance_profile": profile.get("Arn") or profile.get("Name"),
                }
            )
        out[tid] = c.add(res)
    return out
