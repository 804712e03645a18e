"""EC2 and VPC: instances, the AMIs they run, security groups, subnets, VPCs, volumes, templates.

Every listing here is one paginated call per region; nothing is described per instance or
per subnet. Facts that need two answers are combined here (a subnet is public when its own
route table, or else its VPC's main table, routes 0.0.0.0/0 or ::/0 to an internet gateway)
so that rules stay simple. User data is never requested from DescribeInstances' siblings,
and the one call that returns it (launch template versions) has it dropped on arrival.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, fill, tags_from
from srmscan.collect.registry import collector
from srmscan.model import Resource

INSTANCE = "AWS::EC2::Instance"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
SUBNET = "AWS::EC2::Subnet"
VPC = "AWS::EC2::VPC"
VOLUME = "AWS::EC2::Volume"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"

# EC2 accepts up to 200 values per filter.
IMAGE_BATCH = 200
_GONE_STATES = {"terminated", "shutting-down"}
WORLD = ("0.0.0.0/0", "::/0")


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
    public_by_subnet = _subnet_publicity(routes)
    _subnets(c, region, routes, public_by_subnet)
    _vpcs(c, region)
    _security_groups(c, region)
    volumes = _volumes(c, region)
    templates = _launch_templates(c, region)
    _instances(c, region, routes, public_by_subnet, volumes, templates)


# --- networking -------------------------------------------------------------------------
def _subnet_publicity(routes: Answer) -> dict[str, Any]:
    """Per subnet id, and per VPC (`vpc:<id>` = its main table): (public, table id, igw ids)."""
    out: dict[str, Any] = {}
    if routes.error is not None:
        return out
    for table in routes.data:
        igws = sorted(
            {
                str(r.get("GatewayId"))
                for r in table.get("Routes", []) or []
                if str(r.get("GatewayId") or "").startswith("igw-")
                and r.get("State", "active") != "blackhole"
                and (r.get("DestinationCidrBlock") in WORLD or r.get("DestinationIpv6CidrBlock") in WORLD)
            }
        )
        fact = {"public": bool(igws), "route_table_id": table.get("RouteTableId"), "internet_gateways": igws}
        for assoc in table.get("Associations", []) or []:
            if assoc.get("Main"):
                out[f"vpc:{table.get('VpcId')}"] = {**fact, "route_table_via": "main"}
            elif assoc.get("SubnetId"):
                out[str(assoc["SubnetId"])] = {**fact, "route_table_via": "explicit"}
    return out


def _route_fact(subnet_id: str | None, vpc_id: str | None, publicity: dict[str, Any]) -> dict[str, Any] | None:
    if not subnet_id:
        return None
    return publicity.get(subnet_id) or publicity.get(f"vpc:{vpc_id}")


def _subnets(c: Collection, region: str, routes: Answer, publicity: dict[str, Any]) -> None:
    listing = c.pages("ec2", region, "DescribeSubnets", "Subnets")
    if listing.error is not None:
        c.gap(SUBNET, region, listing)
        return
    for s in listing.data:
        sid = str(s["SubnetId"])
        res = Resource(
            type=SUBNET,
            id=sid,
            region=region,
            arn=s.get("SubnetArn") or c.arn("ec2", region, f"subnet/{sid}"),
            name=tags_from(s.get("Tags")).get("Name"),
            tags=tags_from(s.get("Tags")),
            tier="iaas",
            attrs={
                "vpc_id": s.get("VpcId"),
                "availability_zone": s.get("AvailabilityZone"),
                "cidr": s.get("CidrBlock"),
                "map_public_ip_on_launch": bool(s.get("MapPublicIpOnLaunch")),
                "assign_ipv6_on_creation": bool(s.get("AssignIpv6AddressOnCreation")),
                "default_for_az": bool(s.get("DefaultForAz")),
            },
        )
        if routes.error is not None:
            for key in ("public", "route_table_id", "internet_gateways"):
                res.unreadable[key] = routes.error.id
        else:
            fact = _route_fact(sid, s.get("VpcId"), publicity)
            # No table at all (not even a main one) means nothing routes out: private.
            fact = fact or {"public": False, "route_table_id": None, "internet_gateways": [], "route_table_via": None}
            res.attrs.update(fact)
        c.add(res)


def _vpcs(c: Collection, region: str) -> None:
    listing = c.pages("ec2", region, "DescribeVpcs", "Vpcs")
    if listing.error is not None:
        c.gap(VPC, region, listing)
        return
    flows = c.pages("ec2", region, "DescribeFlowLogs", "FlowLogs")
    by_vpc: dict[str, list[dict[str, Any]]] = {}
    if flows.ok:
        for f in flows.data:
            by_vpc.setdefault(str(f.get("ResourceId")), []).append(
                {
                    "id": f.get("FlowLogId"),
                    "status": f.get("FlowLogStatus"),
                    "traffic_type": f.get("TrafficType"),
                    "destination_type": f.get("LogDestinationType"),
                }
            )
    for v in listing.data:
        vid = str(v["VpcId"])
        tags = tags_from(v.get("Tags"))
        res = Resource(
            type=VPC,
            id=vid,
            region=region,
            arn=c.arn("ec2", region, f"vpc/{vid}"),
            name=tags.get("Name"),
            tags=tags,
            tier="iaas",
            attrs={"cidr": v.get("CidrBlock"), "is_default": bool(v.get("IsDefault"))},
        )
        fill(res, "flow_logs", flows, lambda _d: by_vpc.get(vid, []))  # noqa: B023 (called at once)
        c.add(res)


def _permissions(perms: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Security-group rules reduced to what a rule needs: protocol, ports and sources."""
    out = []
    for p in perms or []:
        out.append(
            {
                "protocol": str(p.get("IpProtocol", "")),
                "from_port": p.get("FromPort"),
                "to_port": p.get("ToPort"),
                "cidrs": [str(r.get("CidrIp")) for r in p.get("IpRanges", []) or []]
                + [str(r.get("CidrIpv6")) for r in p.get("Ipv6Ranges", []) or []],
                "prefix_lists": [str(r.get("PrefixListId")) for r in p.get("PrefixListIds", []) or []],
                "groups": [str(r.get("GroupId")) for r in p.get("UserIdGroupPairs", []) or []],
            }
        )
    return out


def _security_groups(c: Collection, region: str) -> None:
    listing = c.pages("ec2", region, "DescribeSecurityGroups", "SecurityGroups")
    if listing.error is not None:
        c.gap(SECURITY_GROUP, region, listing)
        return
    for g in listing.data:
        gid = str(g["GroupId"])
        tags = tags_from(g.get("Tags"))
        c.add(
            Resource(
                type=SECURITY_GROUP,
                id=gid,
                region=region,
                arn=g.get("SecurityGroupArn") or c.arn("ec2", region, f"security-group/{gid}"),
                name=str(g.get("GroupName", "")),
                tags=tags,
                tier="iaas",
                attrs={
                    "group_name": g.get("GroupName"),
                    "vpc_id": g.get("VpcId"),
                    "is_default": g.get("GroupName") == "default",
                    "ingress": _permissions(g.get("IpPermissions")),
                    "egress": _permissions(g.get("IpPermissionsEgress")),
                },
            )
        )


def _volumes(c: Collection, region: str) -> Answer:
    listing = c.pages("ec2", region, "DescribeVolumes", "Volumes")
    if listing.error is not None:
        c.gap(VOLUME, region, listing)
        return listing
    for v in listing.data:
        vid = str(v["VolumeId"])
        tags = tags_from(v.get("Tags"))
        attached = [a for a in v.get("Attachments", []) or [] if a.get("State") in ("attached", "attaching")]
        c.add(
            Resource(
                type=VOLUME,
                id=vid,
                region=region,
                arn=c.arn("ec2", region, f"volume/{vid}"),
                name=tags.get("Name"),
                tags=tags,
                tier="iaas",
                attrs={
                    "encrypted": bool(v.get("Encrypted")),
                    "kms_key_id": v.get("KmsKeyId"),
                    "state": v.get("State"),
                    "size_gib": v.get("Size"),
                    "attached_to": [str(a.get("InstanceId")) for a in attached],
                },
            )
        )
    return listing


def _launch_templates(c: Collection, region: str) -> dict[str, Resource]:
    """Templates plus their default version's settings, from one listing of all default versions.

    DescribeLaunchTemplateVersions without a template id and with `$Default` answers for every
    template at once; UserData is dropped here and never stored."""
    listing = c.pages("ec2", region, "DescribeLaunchTemplates", "LaunchTemplates")
    if listing.error is not None:
        c.gap(LAUNCH_TEMPLATE, region, listing)
        return {}
    if not listing.data:
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
        tags = tags_from(t.get("Tags"))
        res = Resource(
            type=LAUNCH_TEMPLATE,
            id=tid,
            region=region,
            arn=c.arn("ec2", region, f"launch-template/{tid}"),
            name=str(t.get("LaunchTemplateName", "")),
            tags=tags,
            tier="iaas",
            attrs={
                "default_version": t.get("DefaultVersionNumber"),
                "latest_version": t.get("LatestVersionNumber"),
            },
        )
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


# --- instances --------------------------------------------------------------------------
def _images(c: Collection, region: str, image_ids: list[str]) -> Answer:
    """The AMIs by id, up to 200 ids per call (the filter-value limit): one call for a usual region.

    An `image-id` filter is used rather than ImageIds because AWS fails the whole ImageIds
    request with InvalidAMIID.NotFound when one AMI has been deregistered; with the filter a
    gone AMI is simply absent from the answer, which the rules read as "image info missing"."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(image_ids), IMAGE_BATCH):
        batch = list(image_ids[start : start + IMAGE_BATCH])
        answer = c.pages(
            "ec2",
            region,
            "DescribeImages",
            "Images",
            Filters=[{"Name": "image-id", "Values": batch}],
            IncludeDeprecated=True,
        )
        if answer.error is not None:
            return answer
        for img in answer.data:
            found[str(img["ImageId"])] = _image_facts(img)
    return Answer(data=found)


def _image_facts(img: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": img.get("Name"),
        "description": (str(img.get("Description") or "")[:300]) or None,
        "creation_date": img.get("CreationDate"),
        "platform_details": img.get("PlatformDetails"),
        "owner": img.get("OwnerId"),
        "owner_alias": img.get("ImageOwnerAlias"),
        "deprecation_time": img.get("DeprecationTime"),
        "state": img.get("State"),
    }


def _events(c: Collection, region: str) -> Answer:
    """Scheduled events per instance id, from one paginated status listing (running instances)."""
    listing = c.pages("ec2", region, "DescribeInstanceStatus", "InstanceStatuses", IncludeAllInstances=False)
    if listing.error is not None:
        return listing
    out: dict[str, list[dict[str, Any]]] = {}
    for status in listing.data:
        events = []
        for e in status.get("Events", []) or []:
            description = str(e.get("Description") or "")[:300]
            events.append(
                {
                    "id": e.get("InstanceEventId"),
                    "code": e.get("Code"),
                    "description": description,
                    "not_before": _iso(e.get("NotBefore")),
                    "not_after": _iso(e.get("NotAfter")),
                    "not_before_deadline": _iso(e.get("NotBeforeDeadline")),
                    # AWS keeps finished events listed, prefixed in the description.
                    "completed": description.startswith(("[Completed]", "[Canceled]")),
                }
            )
        out[str(status.get("InstanceId"))] = events
    return Answer(data=out)


def _instances(
    c: Collection,
    region: str,
    routes: Answer,
    publicity: dict[str, Any],
    volumes: Answer,
    templates: dict[str, Resource],
) -> None:
    listing = c.pages("ec2", region, "DescribeInstances", "Reservations")
    if listing.error is not None:
        c.gap(INSTANCE, region, listing)
        return
    instances = [
        i
        for reservation in listing.data
        for i in reservation.get("Instances", []) or []
        if (i.get("State") or {}).get("Name") not in _GONE_STATES
    ]
    image_ids = sorted({str(i["ImageId"]) for i in instances if i.get("ImageId")})
    template_images = {str(t.attrs["image_id"]) for t in templates.values() if t.attrs.get("image_id")}
    wanted = sorted(set(image_ids) | template_images)
    images = _images(c, region, wanted) if wanted else Answer(data={})
    for template in templates.values():
        if "image_id" in template.attrs:
            image_id = template.attrs["image_id"]
            fill(template, "image", images, lambda d: d.get(image_id))  # noqa: B023 (called at once)
    events = _events(c, region) if instances else Answer(data={})
    encrypted = {str(v["VolumeId"]): bool(v.get("Encrypted")) for v in volumes.data} if volumes.ok else {}
    for i in instances:
        c.add(_instance(c, region, i, images, events, volumes, encrypted, routes, publicity))


def _instance(
    c: Collection,
    region: str,
    i: dict[str, Any],
    images: Answer,
    events: Answer,
    volumes: Answer,
    encrypted: dict[str, bool],
    routes: Answer,
    publicity: dict[str, Any],
) -> Resource:
    iid = str(i["InstanceId"])
    tags = tags_from(i.get("Tags"))
    profile = i.get("IamInstanceProfile") or {}
    metadata = i.get("MetadataOptions") or {}
    res = Resource(
        type=INSTANCE,
        id=iid,
        region=region,
        arn=c.arn("ec2", region, f"instance/{iid}"),
        name=tags.get("Name"),
        tags=tags,
        tier="iaas",
        attrs={
            "state": (i.get("State") or {}).get("Name"),
            "instance_type": i.get("InstanceType"),
            "image_id": i.get("ImageId"),
            "platform_details": i.get("PlatformDetails"),
            "availability_zone": (i.get("Placement") or {}).get("AvailabilityZone"),
            "subnet_id": i.get("SubnetId"),
            "vpc_id": i.get("VpcId"),
            "public_ip": i.get("PublicIpAddress"),
            "ipv6_addresses": sorted(
                str(a.get("Ipv6Address"))
                for n in i.get("NetworkInterfaces", []) or []
                for a in n.get("Ipv6Addresses", []) or []
            ),
            "iam_instance_profile": profile.get("Arn"),
            "metadata": {
                "http_tokens": metadata.get("HttpTokens"),
                "http_endpoint": metadata.get("HttpEndpoint"),
            },
            "launch_time": _iso(i.get("LaunchTime")),
            "security_groups": [str(g.get("GroupId")) for g in i.get("SecurityGroups", []) or []],
            "asg_name": tags.get("aws:autoscaling:groupName"),
            "launch_template_id": (i.get("LaunchTemplate") or {}).get("LaunchTemplateId"),
        },
    )
    if images.error is not None:
        res.unreadable["image"] = images.error.id
    else:
        image = (images.data or {}).get(str(i.get("ImageId")))
        res.attrs["image"] = image  # None: the AMI is deregistered or no longer shared with us
    fill(res, "scheduled_events", events, lambda d: d.get(iid, []))
    device_volumes = [
        str((m.get("Ebs") or {}).get("VolumeId")) for m in i.get("BlockDeviceMappings", []) or [] if m.get("Ebs")
    ]
    if volumes.error is not None:
        res.unreadable["volumes"] = volumes.error.id
    else:
        res.attrs["volumes"] = [{"volume_id": v, "encrypted": encrypted.get(v)} for v in device_volumes]
    if routes.error is not None:
        res.unreadable["in_public_subnet"] = routes.error.id
    else:
        fact = _route_fact(i.get("SubnetId"), i.get("VpcId"), publicity)
        res.attrs["in_public_subnet"] = bool(fact and fact["public"]) if i.get("SubnetId") else None
    return res


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
