"""CloudTrail trails: which exist, which are logging, and what they record."""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, fill, tags_from
from srmscan.collect.registry import collector
from srmscan.model import Resource

TRAIL = "AWS::CloudTrail::Trail"


@collector(
    "cloudtrail",
    scope="regional",
    produces=(TRAIL,),
    actions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
)
def collect_cloudtrail(c: Collection, region: str) -> None:
    # Shadow trails are multi-region (or organization) trails homed elsewhere: listing them
    # per region tells which trails cover this region without scanning their home region.
    listing = c.call("cloudtrail", region, "DescribeTrails", includeShadowTrails=True)
    if listing.error is not None:
        c.gap(TRAIL, region, listing)
        c.account(region).unreadable["trails_covering"] = listing.error.id
        return
    trails = listing.data.get("trailList", []) or []
    c.account(region).attrs["trails_covering"] = [t.get("TrailARN") for t in trails]
    for trail in trails:
        # A multi-region trail shows up in every region: describe it once.
        if c.claim(f"cloudtrail:{trail.get('TrailARN')}"):
            _trail(c, trail)


def _trail(c: Collection, trail: dict[str, Any]) -> None:
    home = str(trail.get("HomeRegion") or "us-east-1")
    arn = str(trail.get("TrailARN"))
    res = Resource(
        type=TRAIL,
        id=arn,
        name=str(trail.get("Name")),
        arn=arn,
        region=home,
        tier="managed",
        attrs={
            "multi_region": bool(trail.get("IsMultiRegionTrail")),
            "organization_trail": bool(trail.get("IsOrganizationTrail")),
            "log_file_validation": bool(trail.get("LogFileValidationEnabled")),
            "s3_bucket": trail.get("S3BucketName"),
            "kms_key": trail.get("KmsKeyId"),
            "include_global_events": bool(trail.get("IncludeGlobalServiceEvents")),
            "cloudwatch_logs": trail.get("CloudWatchLogsLogGroupArn"),
        },
    )
    fill(
        res,
        "is_logging",
        c.call("cloudtrail", home, "GetTrailStatus", Name=arn),
        lambda d: bool(d.get("IsLogging")),
    )
    fill(res, "data_events", c.call("cloudtrail", home, "GetEventSelectors", TrailName=arn), _s3_data_events)
    res.tags = tags_from(trail.get("Tags"))
    c.add(res)


def _s3_data_events(data: dict[str, Any]) -> dict[str, Any]:
    """Whether the trail records S3 object-level events, from basic or advanced selectors."""
    s3 = False
    for selector in data.get("EventSelectors", []) or []:
        for resource in selector.get("DataResources", []) or []:
            if resource.get("Type") == "AWS::S3::Object":
                s3 = True
    for selector in data.get("AdvancedEventSelectors", []) or []:
        for field in selector.get("FieldSelectors", []) or []:
            if field.get("Field") == "resources.type" and "AWS::S3::Object" in (field.get("Equals") or []):
                s3 = True
    return {"s3": s3}
