"""CloudFront: distributions, the front door most public web content passes through.

CloudFront is global (its API lives in us-east-1 whichever region the scan starts in).
ListDistributions returns almost everything a rule needs in one paginated call: origins,
cache behaviours (viewer protocol policy), viewer certificate and TLS policy, the web ACL.
Two settings are only in the full configuration, so each distribution costs one
GetDistributionConfig call (AWS has no batch form): standard (legacy) access logging and the
default root object. Tags come from one tagging-API listing, not one call per distribution.

The collector only records facts, including a parsed view of each origin (S3 REST endpoint,
S3 website endpoint, other custom origin, with the bucket name where the domain names one);
whether that bucket exists in the account is the rules' join with the S3 inventory.
"""

from __future__ import annotations

import re
from typing import Any

from srmscan.collect.context import Collection, apply_tags, fill, tags_by_arn
from srmscan.collect.registry import collector
from srmscan.collect.session import partition_region
from srmscan.model import GLOBAL_REGION, Resource

DISTRIBUTION = "AWS::CloudFront::Distribution"
# The ListDistributions API reference: "The maximum and default values are both 100"
# (the botocore model declares MaxItems as a string with no maximum).
PAGE = "100"

# bucket.s3.amazonaws.com, bucket.s3.eu-west-1.amazonaws.com, bucket.s3-eu-west-1.amazonaws.com,
# bucket.s3.dualstack.eu-west-1.amazonaws.com, and the .amazonaws.com.cn partition.
_S3_REST = re.compile(r"^(?P<bucket>.+?)\.s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$", re.I)
# bucket.s3-website-eu-west-1.amazonaws.com and bucket.s3-website.eu-west-1.amazonaws.com
_S3_WEBSITE = re.compile(r"^(?P<bucket>.+?)\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(?:\.cn)?$", re.I)


@collector(
    "cloudfront",
    scope="global",
    produces=(DISTRIBUTION,),
    actions=["cloudfront:ListDistributions", "cloudfront:GetDistributionConfig", "tag:GetResources"],
)
def collect_cloudfront(c: Collection, region: str) -> None:
    listing = c.listing(
        "cloudfront",
        _cf_region(c),
        "ListDistributions",
        "DistributionList.Items",
        gaps=(DISTRIBUTION,),
        gap_region=GLOBAL_REGION,
        PaginationConfig={"PageSize": PAGE},
    )
    if listing.error is not None:
        return
    distributions = [_distribution(c, item) for item in listing.entries("Id")]
    if distributions:
        tags = tags_by_arn(c, _cf_region(c), "cloudfront:distribution", PaginationConfig={"PageSize": 100})
        apply_tags(distributions, tags)
    c.fanout(lambda res: _config(c, res), distributions)


def _cf_region(c: Collection) -> str:
    """The region CloudFront's API is signed for: us-east-1, or cn-northwest-1 in China."""
    # The partition's own default region: us-east-1, cn-northwest-1, us-gov-west-1 (partitions.json).
    return partition_region(c.partition)


def _distribution(c: Collection, item: dict[str, Any]) -> Resource:
    dist_id = str(item["Id"])
    behaviors = [item.get("DefaultCacheBehavior") or {}]
    behaviors += list(_items(item.get("CacheBehaviors")))
    cert = item.get("ViewerCertificate") or {}
    return Resource(
        type=DISTRIBUTION,
        id=dist_id,
        name=str(item.get("DomainName") or dist_id),
        region=GLOBAL_REGION,
        arn=str(item.get("ARN") or f"arn:{c.partition}:cloudfront::{c.account_id}:distribution/{dist_id}"),
        tier="serverless",
        attrs={
            "domain_name": item.get("DomainName"),
            "aliases": [str(a) for a in _items(item.get("Aliases"))],
            "enabled": item.get("Enabled"),
            "status": item.get("Status"),
            "viewer_protocol_policies": [
                {
                    "path": str(b.get("PathPattern") or "Default (*)"),
                    "policy": b.get("ViewerProtocolPolicy"),
                    "origin": b.get("TargetOriginId"),
                }
                for b in behaviors
                if isinstance(b, dict)
            ],
            "viewer_certificate": {
                "cloudfront_default": bool(cert.get("CloudFrontDefaultCertificate")),
                "minimum_protocol_version": cert.get("MinimumProtocolVersion"),
                "ssl_support_method": cert.get("SSLSupportMethod"),
            },
            # ListDistributions carries WebACLId as "" when no web ACL is attached; absent = not seen.
            "web_acl_id": item.get("WebACLId") if "WebACLId" in item else None,
            "web_acl_seen": "WebACLId" in item,
            "origins": [_origin(o) for o in _items(item.get("Origins")) if isinstance(o, dict)],
        },
    )


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    """One origin: its kind, the S3 bucket its domain names (if any), and transport settings."""
    domain = str(origin.get("DomainName") or "")
    custom = origin.get("CustomOriginConfig")
    website = _S3_WEBSITE.match(domain)
    rest = _S3_REST.match(domain)
    if origin.get("S3OriginConfig") is not None or (rest and custom is None):
        # AWS requires one of S3OriginConfig / CustomOriginConfig; an S3 REST domain with neither
        # (moto leaves S3OriginConfig out of listings) can only be an S3 origin.
        kind = "s3"
    elif website:
        kind = "s3_website"
    elif rest and custom is not None:
        kind = "s3_as_custom"  # an S3 REST endpoint configured as a custom origin
    else:
        kind = "custom"
    named = website or rest
    bucket = named.group("bucket") if named else None
    s3_config = origin.get("S3OriginConfig") or {}
    custom = custom if isinstance(custom, dict) else {}
    return {
        "id": str(origin.get("Id") or domain),
        "domain": domain,
        "kind": kind,
        "bucket": bucket,
        "origin_access_control_id": origin.get("OriginAccessControlId") or None,
        "origin_access_identity": s3_config.get("OriginAccessIdentity") or None,
        "protocol_policy": custom.get("OriginProtocolPolicy"),
        "ssl_protocols": [str(p) for p in _items(custom.get("OriginSslProtocols"))],
    }


def _items(wrapper: Any) -> list[Any]:
    """CloudFront wraps every list as {"Quantity": n, "Items": [...]}; Items is left out when empty."""
    if not isinstance(wrapper, dict):
        return []
    items = wrapper.get("Items")
    return list(items) if isinstance(items, list) else []


def _config(c: Collection, res: Resource) -> None:
    answer = c.call("cloudfront", _cf_region(c), "GetDistributionConfig", Id=res.id)
    fill(res, "logging", answer, lambda d: _logging((d.get("DistributionConfig") or {}).get("Logging")))
    fill(
        res,
        "default_root_object",
        answer,
        lambda d: str((d.get("DistributionConfig") or {}).get("DefaultRootObject") or ""),
    )
    c.add(res)


def _logging(logging: Any) -> dict[str, Any]:
    logging = logging if isinstance(logging, dict) else {}
    return {"enabled": bool(logging.get("Enabled")), "bucket": logging.get("Bucket") or None}
