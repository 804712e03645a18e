"""KMS keys: who manages each key, its state, rotation and key policy.

AWS runs the HSMs and never lets key material leave them; which keys exist, who may use them
(the key policy), whether they rotate and when they are deleted are ours, for customer managed
keys. AWS managed keys (aws/<service>) rotate yearly and their policies cannot be changed, so
they cost no per-key call beyond DescribeKey.

Call budget: ListKeys and ListAliases once per region (pages of 1000, the maximum). KMS has no
batch describe: DescribeKey per key, plus GetKeyRotationStatus and GetKeyPolicy per customer
managed key. Tags are not collected (one extra call per key). Key descriptions are not kept.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, fill
from srmscan.collect.registry import collector
from srmscan.evaluate.policy import MalformedPolicy, parse
from srmscan.model import Resource

KEY = "AWS::KMS::Key"
PAGE = 1000  # ListKeys / ListAliases Limit: 1..1000


@collector(
    "kms",
    scope="regional",
    produces=(KEY,),
    actions=["kms:ListKeys", "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy"],
)
def collect_kms(c: Collection, region: str) -> None:
    keys = c.listing("kms", region, "ListKeys", "Keys", gaps=(KEY,), PaginationConfig={"PageSize": PAGE})
    if keys.error is not None:
        return
    listed = keys.entries("KeyId")
    if not listed:
        return
    aliases = c.pages("kms", region, "ListAliases", "Aliases", PaginationConfig={"PageSize": PAGE})
    by_key: dict[str, list[str]] = {}
    if aliases.ok:
        for alias in aliases.data:
            if isinstance(alias, dict) and alias.get("TargetKeyId"):
                by_key.setdefault(str(alias["TargetKeyId"]), []).append(str(alias.get("AliasName")))
    c.fanout(lambda k: _key(c, region, k, by_key, aliases.error.id if aliases.error else None), listed)


def _key(
    c: Collection, region: str, listed: dict[str, Any], aliases: dict[str, list[str]], alias_error: str | None
) -> None:
    key_id = str(listed["KeyId"])
    names = sorted(aliases.get(key_id, []))
    res = Resource(
        type=KEY,
        id=key_id,
        name=names[0] if names else key_id,
        region=region,
        arn=str(listed.get("KeyArn") or c.arn("kms", region, f"key/{key_id}")),
        tier="managed",
    )
    if alias_error:
        res.unreadable["aliases"] = alias_error
    else:
        res.attrs["aliases"] = names
    described = c.call("kms", region, "DescribeKey", KeyId=key_id, absent={"NotFoundException"})
    if described.absent:
        return
    if described.error is not None:
        for attr in ("manager", "state", "spec", "usage", "origin", "deletion_date"):
            res.unreadable[attr] = described.error.id
        c.add(res)
        return
    res.attrs.update(key_attrs((described.data or {}).get("KeyMetadata") or {}))
    if res.attrs["manager"] == "CUSTOMER" and res.attrs["state"] not in ("PendingDeletion", "PendingReplicaDeletion"):
        if res.attrs["spec"] == "SYMMETRIC_DEFAULT" and res.attrs["origin"] == "AWS_KMS":
            rotation = c.call("kms", region, "GetKeyRotationStatus", KeyId=key_id)
            fill(res, "rotation_enabled", rotation, lambda d: d.get("KeyRotationEnabled"))
            fill(res, "rotation_period_days", rotation, lambda d: d.get("RotationPeriodInDays"))
        policy = c.call("kms", region, "GetKeyPolicy", KeyId=key_id, PolicyName="default")
        fill(res, "policy", policy, lambda d: _policy(d.get("Policy")))
    c.add(res)


def key_attrs(meta: dict[str, Any]) -> dict[str, Any]:
    deletion: Any = meta.get("DeletionDate")
    return {
        "manager": meta.get("KeyManager"),
        "state": meta.get("KeyState"),
        "spec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
        "usage": meta.get("KeyUsage"),
        "origin": meta.get("Origin"),
        "multi_region": meta.get("MultiRegion"),
        "deletion_date": deletion.isoformat()
        if hasattr(deletion, "isoformat")
        else (str(deletion) if deletion else None),
    }


def _policy(text: Any) -> dict[str, Any]:
    try:
        return {"document": parse(text), "malformed": None}
    except MalformedPolicy as exc:
        return {"document": None, "malformed": str(exc)}
