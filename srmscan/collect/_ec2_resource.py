"""The one way every EC2 listing's item becomes a resource.

EC2 answers describe volumes, templates, subnets, VPCs, security groups and instances alike: the
id is a member of the item, tags come as a `Tags` list of Key/Value pairs, the console shows the
`Name` tag as the name, some answers carry the ARN and the others leave it to be built from the
id. All of it is infrastructure whose OS and network are ours (`iaas`).
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, tags_from
from srmscan.model import Resource


def ec2_resource(
    c: Collection,
    region: str,
    rtype: str,
    item: dict[str, Any],
    arn_kind: str,
    ident: str,
    attrs: dict[str, Any],
    *,
    arn: str | None = None,
    name: str | None = None,
) -> Resource:
    """`item` as a resource of `rtype` with id `ident`: its ARN the answer's own (`arn`) or else
    `arn_kind/ident`, its name the API's own (`name`) or else its `Name` tag."""
    tags = tags_from(item.get("Tags"))
    return Resource(
        type=rtype,
        id=ident,
        region=region,
        arn=arn or c.arn("ec2", region, f"{arn_kind}/{ident}"),
        name=tags.get("Name") if name is None else name,
        tags=tags,
        tier="iaas",
        attrs=attrs,
    )
