"""EKS: clusters, managed node groups, Fargate profiles, and AWS's own Kubernetes version calendar.

Container tier: AWS runs and patches the control plane of the Kubernetes version we choose;
managed node groups get AMIs that AWS builds but that we roll out; Fargate pods run on hosts
AWS patches; self-managed nodes are plain EC2 instances whose OS is ours (the rules find them
among the EC2 instances by their cluster tag).

Call budget: ListClusters per region (pages of 100, the maximum); EKS has no batch describe, so
each cluster costs DescribeCluster, ListNodegroups and ListFargateProfiles (pages of 100), and
each node group one DescribeNodegroup. Fargate profiles are not described (the list gives
what the map needs). DescribeClusterVersions (one listing, only in regions with clusters) gives
AWS's own end-of-support dates; where it cannot be read the rules fall back to srmscan's table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from srmscan.collect.context import Collection, fill, named_resource
from srmscan.collect.registry import collector
from srmscan.model import Resource

CLUSTER = "AWS::EKS::Cluster"
NODEGROUP = "AWS::EKS::Nodegroup"
FARGATE_PROFILE = "AWS::EKS::FargateProfile"
PAGE = 100  # maxResults: 1..100


@collector(
    "eks",
    scope="regional",
    produces=(CLUSTER, NODEGROUP, FARGATE_PROFILE),
    actions=[
        "eks:ListClusters",
        "eks:DescribeCluster",
        "eks:ListNodegroups",
        "eks:DescribeNodegroup",
        "eks:ListFargateProfiles",
        "eks:DescribeClusterVersions",
    ],
)
def collect_eks(c: Collection, region: str) -> None:
    names = c.listing(
        "eks",
        region,
        "ListClusters",
        "clusters",
        gaps=(CLUSTER, NODEGROUP, FARGATE_PROFILE),
        PaginationConfig={"PageSize": PAGE},
    )
    if names.error is not None:
        return
    clusters = [str(n) for n in names.data if isinstance(n, str)]
    if not clusters:
        return
    versions = c.pages(
        "eks",
        region,
        "DescribeClusterVersions",
        "clusterVersions",
        includeAll=True,
        PaginationConfig={"PageSize": PAGE},
    )
    fill(c.account(region), "eks_versions", versions, version_calendar)
    c.fanout(lambda name: _cluster(c, region, name), clusters)


def _cluster(c: Collection, region: str, name: str) -> None:
    described = c.call("eks", region, "DescribeCluster", name=name, absent={"ResourceNotFoundException"})
    item = (described.data or {}).get("cluster") if described.ok else None
    if described.absent or (described.ok and not isinstance(item, dict)):
        return
    res = named_resource(CLUSTER, name, region, None, "container")
    if described.error is not None or not isinstance(item, dict):
        for key in ("version", "endpoint_public", "public_cidrs", "secrets_encrypted", "log_types", "support_type"):
            res.unreadable[key] = described.error.id if described.error is not None else ""
        res.arn = c.arn("eks", region, f"cluster/{name}")
    else:
        res.arn = str(item.get("arn") or c.arn("eks", region, f"cluster/{name}"))
        res.tags = {str(k): str(v) for k, v in (item.get("tags") or {}).items()}
        res.attrs.update(cluster_attrs(item))
    groups = c.pages(
        "eks", region, "ListNodegroups", "nodegroups", clusterName=name, PaginationConfig={"PageSize": PAGE}
    )
    profiles = c.pages(
        "eks",
        region,
        "ListFargateProfiles",
        "fargateProfileNames",
        clusterName=name,
        PaginationConfig={"PageSize": PAGE},
    )
    fill(res, "nodegroups", groups, lambda d: sorted(str(g) for g in d))
    fill(res, "fargate_profiles", profiles, lambda d: sorted(str(p) for p in d))
    c.add(res)
    if groups.error is not None:
        if c.claim(f"gap:{NODEGROUP}:{region}"):
            c.gap(NODEGROUP, region, groups)
    else:
        c.fanout(lambda group: _nodegroup(c, region, name, str(group), res), list(groups.data))
    if profiles.error is not None:
        if c.claim(f"gap:{FARGATE_PROFILE}:{region}"):
            c.gap(FARGATE_PROFILE, region, profiles)
    else:
        for profile in profiles.data:
            c.add(
                Resource(
                    type=FARGATE_PROFILE,
                    id=f"{name}/{profile}",
                    name=str(profile),
                    region=region,
                    arn=c.arn("eks", region, f"fargateprofile/{name}/{profile}"),
                    tier="container",
                    tags=dict(res.tags),
                    attrs={"cluster": name},
                )
            )


def cluster_attrs(item: dict[str, Any]) -> dict[str, Any]:
    vpc = item.get("resourcesVpcConfig") or {}
    public = vpc.get("endpointPublicAccess")
    encryption = item.get("encryptionConfig")
    logging = (item.get("logging") or {}).get("clusterLogging")
    compute = item.get("computeConfig") or {}
    return {
        "version": item.get("version"),
        "platform_version": item.get("platformVersion"),
        "status": item.get("status"),
        "endpoint_public": public if isinstance(public, bool) else None,
        "endpoint_private": vpc.get("endpointPrivateAccess"),
        # AWS reports ["0.0.0.0/0"] when the public endpoint is open to all; absent = not reported.
        "public_cidrs": [str(x) for x in vpc["publicAccessCidrs"]]
        if isinstance(vpc.get("publicAccessCidrs"), list)
        else None,
        # An empty or missing encryptionConfig means secrets are not envelope-encrypted with a KMS key.
        "secrets_encrypted": any(
            "secrets" in (e.get("resources") or []) for e in encryption or [] if isinstance(e, dict)
        ),
        "secrets_key_arn": next(
            (
                str((e.get("provider") or {}).get("keyArn"))
                for e in encryption or []
                if isinstance(e, dict) and (e.get("provider") or {}).get("keyArn")
            ),
            None,
        ),
        "log_types": sorted(
            str(t)
            for entry in (logging if isinstance(logging, list) else [])
            if isinstance(entry, dict) and entry.get("enabled")
            for t in entry.get("types") or []
        )
        if isinstance(logging, list)
        else None,
        "support_type": (item.get("upgradePolicy") or {}).get("supportType"),
        "auto_mode": bool(compute.get("enabled")) if isinstance(compute, dict) else False,
    }


def _nodegroup(c: Collection, region: str, cluster: str, name: str, parent: Resource) -> None:
    described = c.call(
        "eks",
        region,
        "DescribeNodegroup",
        clusterName=cluster,
        nodegroupName=name,
        absent={"ResourceNotFoundException"},
    )
    item = (described.data or {}).get("nodegroup") if described.ok else None
    if described.absent or (described.ok and not isinstance(item, dict)):
        return
    res = Resource(
        type=NODEGROUP,
        id=f"{cluster}/{name}",
        name=name,
        region=region,
        arn=c.arn("eks", region, f"nodegroup/{cluster}/{name}"),
        tier="container",
    )
    if described.error is not None or not isinstance(item, dict):
        for key in ("version", "release_version", "release_date", "ami_type", "custom_ami"):
            res.unreadable[key] = described.error.id if described.error is not None else ""
    else:
        res.arn = str(item.get("nodegroupArn") or res.arn)
        res.tags = {str(k): str(v) for k, v in (item.get("tags") or {}).items()}
        res.attrs.update(nodegroup_attrs(item))
    res.attrs["cluster"] = cluster
    if "version" in parent.unreadable:
        res.unreadable["cluster_version"] = parent.unreadable["version"]
    else:
        res.attrs["cluster_version"] = parent.attrs.get("version")
    c.add(res)


def nodegroup_attrs(item: dict[str, Any]) -> dict[str, Any]:
    release = item.get("releaseVersion")
    return {
        "version": item.get("version"),
        "release_version": str(release) if release else None,
        "release_date": release_date(release),
        "ami_type": item.get("amiType"),
        "custom_ami": item.get("amiType") == "CUSTOM",
        "status": item.get("status"),
        "capacity_type": item.get("capacityType"),
        "launch_template": bool(item.get("launchTemplate")),
    }


def release_date(release: Any) -> str | None:
    """EKS optimized Amazon Linux AMIs are versioned `1.29.0-20240129`: the date is the build date.
    Bottlerocket and Windows releases carry no date; they stay None (age unknown)."""
    text = str(release or "")
    stamp = text.rsplit("-", 1)[-1] if "-" in text else ""
    if len(stamp) == 8 and stamp.isdigit():
        try:
            return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])).isoformat()
        except ValueError:
            return None
    return None


def version_calendar(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """AWS's own calendar: version -> end of standard / extended support and its status."""
    out: dict[str, dict[str, Any]] = {}
    for item in items or []:
        if isinstance(item, dict) and item.get("clusterVersion"):
            out[str(item["clusterVersion"])] = {
                "standard_end": _day(item.get("endOfStandardSupportDate")),
                "extended_end": _day(item.get("endOfExtendedSupportDate")),
                "status": item.get("versionStatus") or item.get("status"),
            }
    return out


def _day(value: Any) -> str | None:
    """A timestamp as its UTC date; real answers parse to datetime, some recordings keep strings."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date().isoformat()
    return None
