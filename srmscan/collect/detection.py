"""GuardDuty and Security Hub: AWS runs the detectors; whether they are on in each region, and
whether anyone answers them, is ours.

Both are regional account settings, kept on the region's account resource:
- `guardduty`: the region's detector (ListDetectors, then GetDetector for its status and
  protection plans), or None when the region has no detector (GuardDuty off).
- `securityhub`: the hub (DescribeHub), or None when the account is not subscribed in that
  region; `securityhub_standards`: the subscribed standards (GetEnabledStandards).
A failed call marks the key unreadable; it never reads as "off".
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, fill
from srmscan.collect.registry import collector
from srmscan.model import Resource

DETECTOR = "AWS::GuardDuty::Detector"
HUB = "AWS::SecurityHub::Hub"

# DescribeHub answers InvalidAccessException when the account is not subscribed to Security Hub
# in the region (AccessDenied is a different code, AccessDeniedException).
_HUB_ABSENT = {"InvalidAccessException", "ResourceNotFoundException"}


@collector(
    "detection",
    scope="regional",
    actions=[
        "guardduty:ListDetectors",
        "guardduty:GetDetector",
        "securityhub:DescribeHub",
        "securityhub:GetEnabledStandards",
    ],
)
def collect_detection(c: Collection, region: str) -> None:
    account = c.account(region)
    detector = _guardduty(c, region)
    fill(account, "guardduty", detector)
    if detector.ok and detector.data:
        # The detector itself, so the map shows what AWS runs and what we configure.
        c.add(
            Resource(
                type=DETECTOR,
                id=detector.data["detector_id"],
                region=region,
                arn=c.arn("guardduty", region, f"detector/{detector.data['detector_id']}"),
                name=f"GuardDuty detector in {region}",
                tier="managed",
                attrs=dict(detector.data),
            )
        )
    _securityhub(c, region)


def _guardduty(c: Collection, region: str) -> Answer:
    detectors = c.pages("guardduty", region, "ListDetectors", "DetectorIds", PaginationConfig={"PageSize": 50})
    if detectors.error is not None:
        return detectors
    ids = [str(d) for d in detectors.data if d]
    if not ids:
        return Answer(data=None)
    # A region has at most one detector per account.
    detail = c.call("guardduty", region, "GetDetector", DetectorId=ids[0])
    if detail.error is not None:
        return detail
    data = detail.data or {}
    return Answer(
        data={
            "detector_id": ids[0],
            "status": data.get("Status"),
            "finding_publishing_frequency": data.get("FindingPublishingFrequency"),
            "features": {
                str(f.get("Name")): f.get("Status")
                for f in data.get("Features") or []
                if isinstance(f, dict) and f.get("Name")
            },
        }
    )


def _securityhub(c: Collection, region: str) -> None:
    account = c.account(region)
    hub = c.call("securityhub", region, "DescribeHub", absent=_HUB_ABSENT)
    if hub.error is not None:
        account.unreadable["securityhub"] = account.unreadable["securityhub_standards"] = hub.error.id
        return
    if hub.absent:
        account.attrs["securityhub"] = None
        account.attrs["securityhub_standards"] = []
        return
    hub_arn = (hub.data or {}).get("HubArn")
    account.attrs["securityhub"] = {"hub_arn": hub_arn}
    c.add(
        Resource(
            type=HUB,
            id=str(hub_arn or c.arn("securityhub", region, "hub/default")),
            region=region,
            arn=hub_arn,
            name=f"Security Hub in {region}",
            tier="managed",
        )
    )
    standards = c.pages(
        "securityhub", region, "GetEnabledStandards", "StandardsSubscriptions", PaginationConfig={"PageSize": 100}
    )
    fill(account, "securityhub_standards", standards, _standards)


def _standards(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"arn": str(s.get("StandardsArn") or ""), "status": s.get("StandardsStatus")}
        for s in items
        if isinstance(s, dict)
    ]
