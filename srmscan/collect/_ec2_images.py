"""The AMIs that instances and launch templates run, described in batches by image id.

DescribeImages leaves out disabled AMIs unless `IncludeDisabled` is set, and deprecated ones
unless `IncludeDeprecated` is; both are sent, so an AMI that still exists is found. An AMI can
also be hidden: with the region's "Allowed AMIs" setting `enabled`, DescribeImages lists only
allowed images. So an AMI missing from the answer is not simply "deregistered": `absence` says
what can and cannot be told, from GetAllowedImagesSettings (asked only when an AMI is missing)."""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection

# EC2 accepts up to 200 values per filter.
IMAGE_BATCH = 200


def describe_images(c: Collection, region: str, image_ids: list[str]) -> Answer:
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
            IncludeDisabled=True,
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
        # Set when Allowed AMIs is enabled or in audit mode: False = outside the account's criteria.
        "allowed": img.get("ImageAllowed"),
    }


def absence(c: Collection, region: str, wanted: list[str], images: Answer) -> dict[str, str]:
    """Why each wanted AMI is missing from a successful DescribeImages answer, in words for the report."""
    if images.error is not None:
        return {}
    missing = [i for i in wanted if i not in (images.data or {})]
    if not missing:
        return {}
    settings = c.call("ec2", region, "GetAllowedImagesSettings")
    if settings.error is not None:
        why = (
            "it is deregistered, no longer shared with this account, or hidden by Allowed AMIs "
            f"(the region's Allowed AMIs setting could not be read: {settings.error.reason})"
        )
    elif str((settings.data or {}).get("State") or "").lower() == "enabled":
        why = (
            "Allowed AMIs is enabled in this region and hides every AMI outside its criteria, "
            "so the AMI may exist but be disallowed rather than deregistered"
        )
    else:
        why = "it is deregistered or no longer shared with this account"
    return {i: f"AMI {i} is not visible to DescribeImages: {why}" for i in missing}
