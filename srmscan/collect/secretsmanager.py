"""Secrets Manager: each secret's rotation, last use and resource policy, never its value.

Only ListSecrets and GetResourcePolicy are called: srmscan never asks for a secret's value
(no GetSecretValue, no BatchGetSecretValue). ListSecrets already carries the rotation and
access dates, so one paginated listing per region (pages of 100, the maximum) answers almost
everything; GetResourcePolicy has no batch form and costs one call per secret.

Descriptions are dropped here: they are free text that teams sometimes fill with connection
strings. Names, ARNs, tags and dates are kept.

AWS leaves `RotationEnabled` out of ListSecrets for secrets that have never had rotation
configured, and leaves `LastAccessedDate` out for secrets never retrieved in the Region; those
absences are facts AWS documents, so they are stored as "not enabled" and "never accessed".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from srmscan.collect.context import Collection, fill, named_resource, tags_from
from srmscan.collect.registry import collector
from srmscan.evaluate.policy import MalformedPolicy, parse
from srmscan.model import Resource

SECRET = "AWS::SecretsManager::Secret"
PAGE = 100  # ListSecrets MaxResults: 1..100


@collector(
    "secretsmanager",
    scope="regional",
    produces=(SECRET,),
    actions=["secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"],
)
def collect_secretsmanager(c: Collection, region: str) -> None:
    listing = c.listing(
        "secretsmanager", region, "ListSecrets", "SecretList", gaps=(SECRET,), PaginationConfig={"PageSize": PAGE}
    )
    if listing.error is not None:
        return
    # Build every resource (dropping descriptions) before any further call.
    secrets = [_secret(c, region, item) for item in listing.entries("ARN")]
    c.fanout(lambda res: _policy(c, region, res), secrets)


def _secret(c: Collection, region: str, item: dict[str, Any]) -> Resource:
    name = str(item.get("Name") or item.get("ARN"))
    return named_resource(
        SECRET, name, region, str(item["ARN"]), "managed", tags=tags_from(item.get("Tags")), attrs=secret_attrs(item)
    )


def secret_attrs(item: dict[str, Any]) -> dict[str, Any]:
    rules = item.get("RotationRules") or {}
    return {
        "rotation_enabled": bool(item.get("RotationEnabled")),
        "rotation_days": rules.get("AutomaticallyAfterDays") if isinstance(rules, dict) else None,
        "rotation_schedule": rules.get("ScheduleExpression") if isinstance(rules, dict) else None,
        "last_rotated": _iso(item.get("LastRotatedDate")),
        "next_rotation": _iso(item.get("NextRotationDate")),
        "last_accessed": _iso(item.get("LastAccessedDate")),
        "last_changed": _iso(item.get("LastChangedDate")),
        "created": _iso(item.get("CreatedDate")),
        "deleted": _iso(item.get("DeletedDate")),
        "kms_key": item.get("KmsKeyId"),
        "owning_service": item.get("OwningService"),
        "primary_region": item.get("PrimaryRegion"),
    }


def _policy(c: Collection, region: str, res: Resource) -> None:
    answer = c.call("secretsmanager", region, "GetResourcePolicy", SecretId=str(res.arn))
    fill(res, "policy", answer, _parse_policy)
    c.add(res)


def _parse_policy(data: dict[str, Any]) -> dict[str, Any] | None:
    text = (data or {}).get("ResourcePolicy")
    if not text:
        return None  # the secret has no resource policy
    try:
        return {"document": parse(text), "malformed": None}
    except MalformedPolicy as exc:
        return {"document": None, "malformed": str(exc)}


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if value else None
