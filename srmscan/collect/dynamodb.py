"""DynamoDB tables and DAX clusters: what the managed tier leaves to us.

AWS runs the storage nodes, patches the software and encrypts every table at rest; the
switches that decide whether a table survives a bad deploy (point-in-time recovery, deletion
protection, a backup plan), which key protects it, and who its resource policy lets in are ours.

Call budget: ListTables is one paginated call per region (pages of 100, the API maximum);
DynamoDB has no batch describe, so each table costs DescribeTable, DescribeContinuousBackups
and GetResourcePolicy. Tags for every table come from one tagging-API listing per region. DAX:
one DescribeClusters listing per region (pages of 100) and one ListTags per cluster (DAX has no
batch tag API and the tagging API does not cover DAX). A region without tables or clusters
costs two calls.

Absent members are kept as None ("not reported"), never read as safe: an older or trimmed
DescribeTable answer without `DeletionProtectionEnabled` does not prove protection is off or on.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, apply_tags, fill, named_resource, tags_by_arn, tags_from
from srmscan.collect.registry import collector
from srmscan.evaluate.policy import MalformedPolicy, parse

TABLE = "AWS::DynamoDB::Table"
DAX_CLUSTER = "AWS::DAX::Cluster"

LIST_TABLES_PAGE = 100  # ListTables Limit: 1..100
DAX_PAGE = 100  # DescribeClusters MaxResults: 20..100
TAGGING_PAGE = 100  # GetResources ResourcesPerPage: 1..100


@collector(
    "dynamodb",
    scope="regional",
    produces=(TABLE, DAX_CLUSTER),
    actions=[
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:GetResourcePolicy",
        "tag:GetResources",
        "dax:DescribeClusters",
        "dax:ListTags",
    ],
)
def collect_dynamodb(c: Collection, region: str) -> None:
    names = c.listing(
        "dynamodb", region, "ListTables", "TableNames", gaps=(TABLE,), PaginationConfig={"PageSize": LIST_TABLES_PAGE}
    )
    if names.ok:
        tables = [str(n) for n in names.data if isinstance(n, str | int)]
        tags = _table_tags(c, region) if tables else Answer(data={})
        c.fanout(lambda name: _table(c, region, name, tags), tables)
    clusters = c.listing(
        "dax", region, "DescribeClusters", "Clusters", gaps=(DAX_CLUSTER,), PaginationConfig={"PageSize": DAX_PAGE}
    )
    if clusters.error is not None:
        return
    c.fanout(lambda item: _dax(c, region, item), clusters.entries())


def _table_tags(c: Collection, region: str) -> Answer:
    return tags_by_arn(c, region, "dynamodb:table", PaginationConfig={"PageSize": TAGGING_PAGE})


def _table(c: Collection, region: str, name: str, tags: Answer) -> None:
    described = c.call("dynamodb", region, "DescribeTable", TableName=name, absent={"ResourceNotFoundException"})
    if described.absent or (described.ok and not isinstance((described.data or {}).get("Table"), dict)):
        return
    item = (described.data or {}).get("Table") or {}
    arn = str(item.get("TableArn") or c.arn("dynamodb", region, f"table/{name}"))
    res = named_resource(TABLE, name, region, arn, "managed")
    if described.error is not None:
        for key in ("status", "deletion_protection", "encryption", "billing_mode", "replica_regions"):
            res.unreadable[key] = described.error.id
    else:
        res.attrs.update(table_attrs(item))
    apply_tags([res], tags)
    backups = c.call("dynamodb", region, "DescribeContinuousBackups", TableName=name)
    fill(res, "point_in_time_recovery", backups, continuous_backups)
    policy = c.call("dynamodb", region, "GetResourcePolicy", ResourceArn=arn, absent={"PolicyNotFoundException"})
    fill(res, "policy", policy, lambda d: resource_policy(d.get("Policy")), default=None)
    c.add(res)


def table_attrs(item: dict[str, Any]) -> dict[str, Any]:
    """The DescribeTable members the rules read; a member the answer leaves out stays None."""
    protection = item.get("DeletionProtectionEnabled")
    billing = item.get("BillingModeSummary") or {}
    return {
        "status": item.get("TableStatus"),
        "deletion_protection": protection if isinstance(protection, bool) else None,
        "encryption": table_encryption(item.get("SSEDescription")),
        "billing_mode": billing.get("BillingMode") if isinstance(billing, dict) else None,
        "replica_regions": sorted(
            str(r.get("RegionName")) for r in item.get("Replicas") or [] if isinstance(r, dict) and r.get("RegionName")
        ),
    }


def table_encryption(sse: Any) -> dict[str, Any]:
    """Which key protects the table. DynamoDB encrypts every table; with no SSEDescription (or
    SSE not ENABLED/UPDATING) the key is the AWS owned one; with SSEType KMS it is a KMS key
    in this account, AWS managed (aws/dynamodb) or customer managed."""
    if not isinstance(sse, dict) or not sse:
        return {"key": "aws_owned", "status": None, "kms_key": None}
    status = sse.get("Status")
    if sse.get("SSEType") == "KMS" and status in ("ENABLED", "UPDATING", "ENABLING"):
        return {"key": "kms", "status": status, "kms_key": sse.get("KMSMasterKeyArn")}
    if status in ("DISABLED", "DISABLING", None) and not sse.get("KMSMasterKeyArn"):
        return {"key": "aws_owned", "status": status, "kms_key": None}
    # e.g. INACCESSIBLE_ENCRYPTION_CREDENTIALS: the customer managed key is disabled or gone.
    return {"key": "kms", "status": status, "kms_key": sse.get("KMSMasterKeyArn")}


def continuous_backups(data: dict[str, Any]) -> str | None:
    """PointInTimeRecoveryStatus (ENABLED / DISABLED), None when the answer does not carry it."""
    desc = (data or {}).get("ContinuousBackupsDescription") or {}
    pitr = desc.get("PointInTimeRecoveryDescription") if isinstance(desc, dict) else None
    status = pitr.get("PointInTimeRecoveryStatus") if isinstance(pitr, dict) else None
    return str(status) if status else None


def resource_policy(text: Any) -> dict[str, Any]:
    try:
        return {"document": parse(text), "malformed": None}
    except MalformedPolicy as exc:
        return {"document": None, "malformed": str(exc)}


def _dax(c: Collection, region: str, item: dict[str, Any]) -> None:
    name = str(item.get("ClusterName"))
    arn = str(item.get("ClusterArn") or c.arn("dax", region, f"cache/{name}"))
    res = named_resource(DAX_CLUSTER, name, region, arn, "managed", attrs=dax_attrs(item))
    tags = c.pages("dax", region, "ListTags", "Tags", ResourceName=arn)
    if tags.error is not None:
        res.unreadable["tags"] = tags.error.id
    else:
        res.tags = tags_from(tags.data)
    c.add(res)


def dax_attrs(item: dict[str, Any]) -> dict[str, Any]:
    sse = item.get("SSEDescription")
    endpoint = item.get("ClusterEndpointEncryptionType")
    return {
        "status": item.get("Status"),
        "node_type": item.get("NodeType"),
        "nodes": len(item.get("Nodes") or []) or item.get("TotalNodes"),
        # None: the answer does not say (older clusters' answers may omit both members).
        "sse_status": sse.get("Status") if isinstance(sse, dict) else None,
        "endpoint_encryption": str(endpoint) if endpoint else None,
        "subnet_group": item.get("SubnetGroup"),
        "security_group_ids": [
            str(g.get("SecurityGroupIdentifier")) for g in item.get("SecurityGroups") or [] if isinstance(g, dict)
        ],
    }
