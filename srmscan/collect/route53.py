"""Route 53: hosted zones, their query logging and the records that could dangle; registered
domains (Route 53 Domains, an API that exists only in us-east-1); and the account's Elastic IPs.

Global: ListHostedZones (page 100) and ListQueryLoggingConfigs (page 100, every config of the
account in one listing) cost one call each; the records of each public zone need
ListResourceRecordSets (page 300, per zone: AWS has no cross-zone listing). Only the records a
takeover rule reads are kept (CNAME values, A/AAAA values and alias targets); TXT and other
records, which may carry verification tokens, are dropped here. Private zones are listed but
their records are not read. ListDomains carries transfer lock and auto-renew for every domain.

Regional (`elastic_ips`): DescribeAddresses, so the rules can tell which A-record addresses the
account holds. Whether a record points at something that no longer exists is the rules' join.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from srmscan.collect.context import Collection, fill, named_resource
from srmscan.collect.registry import collector
from srmscan.collect.session import partition_region
from srmscan.model import GLOBAL_REGION, Resource

ZONE = "AWS::Route53::HostedZone"
DOMAIN = "AWS::Route53Domains::Domain"
_KEPT_TYPES = {"CNAME", "A", "AAAA"}


def _r53_region(c: Collection) -> str:
    # The partition's own default region: us-east-1, cn-northwest-1, us-gov-west-1 (partitions.json).
    return partition_region(c.partition)


@collector(
    "route53",
    scope="global",
    produces=(ZONE, DOMAIN),
    actions=[
        "route53:ListHostedZones",
        "route53:ListQueryLoggingConfigs",
        "route53:ListResourceRecordSets",
        "route53domains:ListDomains",
    ],
)
def collect_route53(c: Collection, region: str) -> None:
    home = _r53_region(c)
    zones = c.listing(
        "route53",
        home,
        "ListHostedZones",
        "HostedZones",
        gaps=(ZONE,),
        gap_region=GLOBAL_REGION,
        PaginationConfig={"PageSize": "100"},
    )
    if zones.ok:
        logging = c.pages(
            "route53", home, "ListQueryLoggingConfigs", "QueryLoggingConfigs", PaginationConfig={"PageSize": "100"}
        )
        resources = [_zone(c, z) for z in zones.entries("Id")]
        for res in resources:
            fill(res, "query_logging", logging, _logging_for(res.id))
        c.fanout(lambda res: _records(c, home, res), resources)
    if c.partition == "aws":  # Route 53 Domains exists only in the aws partition, in us-east-1
        _domains(c)


def _zone(c: Collection, z: dict[str, Any]) -> Resource:
    zone_id = str(z["Id"]).removeprefix("/hostedzone/")
    private = bool((z.get("Config") or {}).get("PrivateZone"))
    return Resource(
        type=ZONE,
        id=zone_id,
        name=str(z.get("Name") or zone_id).rstrip("."),
        region=GLOBAL_REGION,
        arn=f"arn:{c.partition}:route53:::hostedzone/{zone_id}",
        tier="serverless",
        attrs={"private": private, "record_count": z.get("ResourceRecordSetCount")},
    )


def _logging_for(zone_id: str) -> Callable[[list[dict[str, Any]]], list[str]]:
    """The log groups of one zone's query logging configs, from the account-wide listing."""

    def pick(items: list[dict[str, Any]]) -> list[str]:
        return [
            str(i.get("CloudWatchLogsLogGroupArn") or "")
            for i in items
            if isinstance(i, dict) and str(i.get("HostedZoneId") or "").removeprefix("/hostedzone/") == zone_id
        ]

    return pick


def _records(c: Collection, home: str, res: Resource) -> None:
    if res.attrs["private"]:
        res.attrs["records"] = None  # not read: the takeover rules judge public zones
        c.add(res)
        return
    answer = c.pages(
        "route53",
        home,
        "ListResourceRecordSets",
        "ResourceRecordSets",
        HostedZoneId=res.id,
        PaginationConfig={"PageSize": "300"},
    )
    fill(res, "records", answer, keep_records)
    c.add(res)


def keep_records(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records the takeover rules read: name, type, values and alias target, nothing else."""
    out = []
    for r in items:
        if not isinstance(r, dict) or r.get("Type") not in _KEPT_TYPES:
            continue
        alias = r.get("AliasTarget") or {}
        out.append(
            {
                "name": str(r.get("Name") or "").rstrip(".").lower(),
                "type": str(r["Type"]),
                "values": [str(v.get("Value") or "").rstrip(".").lower() for v in r.get("ResourceRecords") or []],
                "alias": str(alias.get("DNSName") or "").rstrip(".").lower() or None,
            }
        )
    return out


def _domains(c: Collection) -> None:
    answer = c.listing(
        "route53domains",
        "us-east-1",
        "ListDomains",
        "Domains",
        gaps=(DOMAIN,),
        gap_region=GLOBAL_REGION,
        PaginationConfig={"PageSize": 100},
    )
    if answer.error is not None:
        return
    for d in answer.data:
        if not isinstance(d, dict) or not d.get("DomainName"):
            continue
        name = str(d["DomainName"])
        expiry: Any = d.get("Expiry")
        attrs = {
            # ListDomains carries both; absent = not seen, never "on".
            "auto_renew": d.get("AutoRenew"),
            "transfer_lock": d.get("TransferLock"),
            "expiry": expiry.isoformat() if hasattr(expiry, "isoformat") else expiry,
        }
        arn = f"arn:{c.partition}:route53domains:::domain/{name}"
        c.add(named_resource(DOMAIN, name, GLOBAL_REGION, arn, "serverless", attrs=attrs))


@collector("elastic_ips", scope="regional", actions=["ec2:DescribeAddresses"])
def collect_elastic_ips(c: Collection, region: str) -> None:
    """The Elastic IPs the account holds in this region (DescribeAddresses has no pagination)."""
    answer = c.call("ec2", region, "DescribeAddresses")
    fill(
        c.account(region),
        "elastic_ips",
        answer,
        lambda d: sorted(str(a.get("PublicIp")) for a in d.get("Addresses") or [] if a.get("PublicIp")),
    )
