"""The AMIs that instances and launch templates run, described in batches by image id."""

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
