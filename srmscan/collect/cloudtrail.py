"""CloudTrail trails: which exist, which are logging, and what they record."""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, arn_resource, fill, tags_from
from srmscan.collect.registry import collector

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
    attrs = {
        "multi_region": bool(trail.get("IsMultiRegionTrail")),
        "organization_trail": bool(trail.get("IsOrganizationTrail")),
        "log_file_validation": bool(trail.get("LogFileValidationEnabled")),
        "s3_bucket": trail.get("S3BucketName"),
        "kms_key": trail.get("KmsKeyId"),
        "include_global_events": bool(trail.get("IncludeGlobalServiceEvents")),
        "cloudwatch_logs": trail.get("CloudWatchLogsLogGroupArn"),
    }
    res = arn_resource(TRAIL, arn, str(trail.get("Name")), home, "managed", attrs=attrs)
    fill(
        res,
        "is_logging",
        c.call("cloudtrail", home, "GetTrailStatus", Name=arn),
        lambda d: bool(d.get("IsLogging")),
    )
    # From the trail's home region, which answers for organization and shadow trails too.
    selectors = c.call("cloudtrail", home, "GetEventSelectors", TrailName=arn)
    fill(res, "data_events", selectors, _s3_data_events)
    fill(res, "management_events", selectors, management_events)
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


def management_events(data: dict[str, Any]) -> dict[str, Any]:
    """Which management events the trail records (read, write), from basic or advanced selectors.

    Basic selectors: `IncludeManagementEvents` and `ReadWriteType` default to true and `All` (botocore
    model). Advanced selectors: one with `eventCategory` = Management records reads and writes unless
    a `readOnly` field narrows it (Equals is the only operator those fields accept). An `eventSource`
    filter other than NotEquals limits the sources: such a selector is not taken to cover all of them.
    A trail with no selectors at all records no events. Facts only; the rule judges."""
    read = write = False
    excluded: set[str] = set()
    limited: list[str] = []
    basic = [s for s in data.get("EventSelectors") or [] if isinstance(s, dict)]
    advanced = [s for s in data.get("AdvancedEventSelectors") or [] if isinstance(s, dict)]
    for selector in basic:
        if selector.get("IncludeManagementEvents", True) is False:
            continue
        kind = str(selector.get("ReadWriteType") or "All")
        read = read or kind in ("All", "ReadOnly")
        write = write or kind in ("All", "WriteOnly")
        excluded.update(str(x) for x in selector.get("ExcludeManagementEventSources") or [])
    for selector in advanced:
        fields = [f for f in selector.get("FieldSelectors") or [] if isinstance(f, dict)]
        category = next((f for f in fields if f.get("Field") == "eventCategory"), None)
        if category is None or "Management" not in (category.get("Equals") or []):
            continue
        source = next((f for f in fields if f.get("Field") == "eventSource"), None)
        if source is not None:
            if any(source.get(op) for op in ("Equals", "StartsWith", "EndsWith", "NotStartsWith", "NotEndsWith")):
                limited.append(str(selector.get("Name") or "unnamed selector"))
                continue
            excluded.update(str(x) for x in source.get("NotEquals") or [])
        read_only = next((f for f in fields if f.get("Field") == "readOnly"), None)
        values = {str(v).lower() for v in (read_only.get("Equals") or [])} if read_only else {"true", "false"}
        read = read or "true" in values
        write = write or "false" in values
    return {
        "read": read,
        "write": write,
        "excluded_sources": sorted(excluded),
        "limited_selectors": limited,
        "selectors": "advanced" if advanced else ("basic" if basic else "none"),
    }
