"""EC2 networking: route tables, subnets, VPCs (with flow logs) and security groups.

A subnet is public when its own route table, or else its VPC's main table, routes 0.0.0.0/0 or
::/0 to an internet gateway; that fact is combined here so that rules stay simple. Security-group
rules are reduced to protocol, ports and sources (CIDRs, prefix lists, groups): a prefix list is a
named set of CIDRs: the entries of every prefix list an ingress rule names are read (one
GetManagedPrefixListEntries listing per distinct list) and join the rule's CIDRs, so a prefix list
holding 0.0.0.0/0 opens the port as surely as the CIDR itself; unreadable entries make the ingress
unreadable.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect._ec2_resource import ec2_resource
from srmscan.collect.context import Answer, Collection, fill

SECURITY_GROUP = "AWS::EC2::SecurityGroup"
SUBNET = "AWS::EC2::Subnet"
VPC = "AWS::EC2::VPC"
WORLD = ("0.0.0.0/0", "::/0")


def subnet_publicity(routes: Answer) -> dict[str, Any]:
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


def route_fact(subnet_id: str | None, vpc_id: str | None, publicity: dict[str, Any]) -> dict[str, Any] | None:
    if not subnet_id:
        return None
    return publicity.get(subnet_id) or publicity.get(f"vpc:{vpc_id}")


def subnets(c: Collection, region: str, routes: Answer, publicity: dict[str, Any]) -> None:
    listing = c.listing("ec2", region, "DescribeSubnets", "Subnets", gaps=(SUBNET,))
    if listing.error is not None:
        return
    for s in listing.data:
        sid = str(s["SubnetId"])
        attrs = {
            "vpc_id": s.get("VpcId"),
            "availability_zone": s.get("AvailabilityZone"),
            "cidr": s.get("CidrBlock"),
            "map_public_ip_on_launch": bool(s.get("MapPublicIpOnLaunch")),
            "assign_ipv6_on_creation": bool(s.get("AssignIpv6AddressOnCreation")),
            "default_for_az": bool(s.get("DefaultForAz")),
        }
        res = ec2_resource(c, region, SUBNET, s, "subnet", sid, attrs, arn=s.get("SubnetArn"))
        if routes.error is not None:
            for key in ("public", "route_table_id", "internet_gateways"):
                res.unreadable[key] = routes.error.id
        else:
            fact = route_fact(sid, s.get("VpcId"), publicity)
            # No table at all (not even a main one) means nothing routes out: private.
            fact = fact or {"public": False, "route_table_id": None, "internet_gateways": [], "route_table_via": None}
            res.attrs.update(fact)
        c.add(res)


def vpcs(c: Collection, region: str) -> None:
    listing = c.listing("ec2", region, "DescribeVpcs", "Vpcs", gaps=(VPC,))
    if listing.error is not None:
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
        res = ec2_resource(
            c, region, VPC, v, "vpc", vid, {"cidr": v.get("CidrBlock"), "is_default": bool(v.get("IsDefault"))}
        )
        fill(res, "flow_logs", flows, lambda _d: by_vpc.get(vid, []))  # noqa: B023 (called at once)
        c.add(res)


def _permissions(
    perms: list[dict[str, Any]] | None, prefix_lists: dict[str, Answer] | None = None
) -> list[dict[str, Any]]:
    """Security-group rules reduced to what a rule needs: protocol, ports and sources.

    With `prefix_lists`, the CIDRs of each referenced prefix list join the rule's own CIDRs
    (`prefix_list_cidrs` keeps them apart), so 0.0.0.0/0 inside a prefix list is seen."""
    out = []
    for p in perms or []:
        lists = [str(r.get("PrefixListId")) for r in p.get("PrefixListIds", []) or []]
        from_lists = sorted(
            {
                str(e.get("Cidr"))
                for pl in lists
                for e in ((prefix_lists or {}).get(pl) or Answer(data=[])).data or []
                if e.get("Cidr")
            }
        )
        own = [str(r.get("CidrIp")) for r in p.get("IpRanges", []) or []]
        own += [str(r.get("CidrIpv6")) for r in p.get("Ipv6Ranges", []) or []]
        out.append(
            {
                "protocol": str(p.get("IpProtocol", "")),
                "from_port": p.get("FromPort"),
                "to_port": p.get("ToPort"),
                "cidrs": own + [c for c in from_lists if c not in own],
                "prefix_lists": lists,
                "prefix_list_cidrs": from_lists,
                "groups": [str(r.get("GroupId")) for r in p.get("UserIdGroupPairs", []) or []],
            }
        )
    return out


def _prefix_lists(c: Collection, region: str, groups: list[dict[str, Any]]) -> dict[str, Answer]:
    """The entries of every prefix list an ingress rule names, one listing per distinct list."""
    ids = sorted(
        {
            str(r.get("PrefixListId"))
            for g in groups
            for p in g.get("IpPermissions", []) or []
            for r in p.get("PrefixListIds", []) or []
            if r.get("PrefixListId")
        }
    )
    return {pl: c.pages("ec2", region, "GetManagedPrefixListEntries", "Entries", PrefixListId=pl) for pl in ids}


def security_groups(c: Collection, region: str) -> None:
    listing = c.listing("ec2", region, "DescribeSecurityGroups", "SecurityGroups", gaps=(SECURITY_GROUP,))
    if listing.error is not None:
        return
    prefix_lists = _prefix_lists(c, region, listing.data)
    for g in listing.data:
        attrs = {
            "group_name": g.get("GroupName"),
            "vpc_id": g.get("VpcId"),
            "is_default": g.get("GroupName") == "default",
            "ingress": _permissions(g.get("IpPermissions"), prefix_lists),
            "egress": _permissions(g.get("IpPermissionsEgress")),
        }
        name = str(g.get("GroupName", ""))
        arn = g.get("SecurityGroupArn")
        res = ec2_resource(c, region, SECURITY_GROUP, g, "security-group", str(g["GroupId"]), attrs, arn=arn, name=name)
        named = {pl for p in res.attrs["ingress"] for pl in p["prefix_lists"]}
        failed = [prefix_lists[pl].error for pl in sorted(named) if prefix_lists[pl].error is not None]
        if failed and failed[0] is not None:
            # A prefix list whose entries could not be read may hold 0.0.0.0/0: the ingress is not known.
            res.unreadable["ingress"] = failed[0].id
        c.add(res)
