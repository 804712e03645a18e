"""EC2 instances, joined with their AMI, volumes, scheduled events and subnet's route table.

Everything is read from region-wide listings (DescribeInstances, DescribeInstanceStatus, the AMIs
in use in batches); nothing is described per instance. Terminated and shutting-down instances are
left out; stopped ones are kept (their settings still count, and they can be started again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from srmscan.collect._ec2_images import absence, describe_images
from srmscan.collect._ec2_network import route_fact
from srmscan.collect._ec2_resource import ec2_resource
from srmscan.collect.context import Answer, Collection, fill, tags_from
from srmscan.model import Resource

INSTANCE = "AWS::EC2::Instance"
_GONE_STATES = {"terminated", "shutting-down"}


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


@dataclass(frozen=True)
class _RegionJoins:
    """The region-wide answers every instance is joined with: nothing is described per instance."""

    images: Answer
    events: Answer
    volumes: Answer
    encrypted: dict[str, bool]  # volume id -> encrypted, from `volumes`
    routes: Answer
    publicity: dict[str, Any]  # see `_ec2_network.subnet_publicity`


def instances(
    c: Collection,
    region: str,
    routes: Answer,
    publicity: dict[str, Any],
    volumes: Answer,
    templates: dict[str, Resource],
) -> None:
    listing = c.listing("ec2", region, "DescribeInstances", "Reservations", gaps=(INSTANCE,))
    if listing.error is not None:
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
    images = describe_images(c, region, wanted) if wanted else Answer(data={})
    missing = absence(c, region, wanted, images)
    for template in templates.values():
        if "image_id" in template.attrs:
            image_id = template.attrs["image_id"]
            fill(template, "image", images, lambda d: d.get(image_id))  # noqa: B023 (called at once)
    events = _events(c, region) if instances else Answer(data={})
    encrypted = {str(v["VolumeId"]): bool(v.get("Encrypted")) for v in volumes.data} if volumes.ok else {}
    joins = _RegionJoins(images, events, volumes, encrypted, routes, publicity)
    for i in instances:
        res = c.add(_instance(c, region, i, joins))
        if res.attrs.get("image", "") is None:
            res.attrs["image_missing"] = missing.get(str(i.get("ImageId")))


def _instance(c: Collection, region: str, i: dict[str, Any], joins: _RegionJoins) -> Resource:
    iid = str(i["InstanceId"])
    profile = i.get("IamInstanceProfile") or {}
    metadata = i.get("MetadataOptions") or {}
    res = ec2_resource(
        c,
        region,
        INSTANCE,
        i,
        "instance",
        iid,
        {
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
            "asg_name": tags_from(i.get("Tags")).get("aws:autoscaling:groupName"),
            "launch_template_id": (i.get("LaunchTemplate") or {}).get("LaunchTemplateId"),
        },
    )
    if joins.images.error is not None:
        res.unreadable["image"] = joins.images.error.id
    else:
        image = (joins.images.data or {}).get(str(i.get("ImageId")))
        res.attrs["image"] = image  # None: not visible to DescribeImages; `image_missing` says why
    fill(res, "scheduled_events", joins.events, lambda d: d.get(iid, []))
    device_volumes = [
        str((m.get("Ebs") or {}).get("VolumeId")) for m in i.get("BlockDeviceMappings", []) or [] if m.get("Ebs")
    ]
    if joins.volumes.error is not None:
        res.unreadable["volumes"] = joins.volumes.error.id
    else:
        res.attrs["volumes"] = [{"volume_id": v, "encrypted": joins.encrypted.get(v)} for v in device_volumes]
    if joins.routes.error is not None:
        res.unreadable["in_public_subnet"] = joins.routes.error.id
    else:
        fact = route_fact(i.get("SubnetId"), i.get("VpcId"), joins.publicity)
        res.attrs["in_public_subnet"] = bool(fact and fact["public"]) if i.get("SubnetId") else None
    return res


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
