"""The vocabulary every other module speaks: owners, layers, tiers, statuses, resources, findings.

Everything here is plain data so that an inventory or a result can be written to JSON, read
back, and evaluated again offline with the same outcome.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

GLOBAL_REGION = "global"
ACCOUNT_TYPE = "AWS::::Account"


class Owner(StrEnum):
    CUSTOMER = "customer"
    AWS = "aws"
    SHARED = "shared"


class Layer(StrEnum):
    PHYSICAL = "physical"
    OS_PATCHING = "os_patching"
    RUNTIME = "runtime"
    SERVICE_CONFIG = "service_config"
    DATA = "data"
    IAM = "iam"


class Tier(StrEnum):
    IAAS = "iaas"
    CONTAINER = "container"
    MANAGED = "managed"
    SERVERLESS = "serverless"
    ACCOUNT = "account"


class Status(StrEnum):
    FAIL = "fail"
    PASS = "pass"
    UNKNOWN = "unknown"
    MUTED = "muted"
    INFO = "info"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; lets `--fail-on` compare severities."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class ErrorKind(StrEnum):
    """Why a call failed, in the words the report groups by."""

    ACCESS_DENIED = "access_denied"
    UNSUPPORTED = "unsupported"
    THROTTLED = "throttled"
    REGION_DISABLED = "region_disabled"
    EXPIRED_CREDENTIALS = "expired_credentials"
    NOT_SUBSCRIBED = "not_subscribed"
    SERVICE_ERROR = "service_error"
    CONNECTION = "connection"
    OTHER = "other"


@dataclass(frozen=True)
class CallError:
    """One API call that did not answer; kept as data so the report can say what it could not see."""

    id: str
    service: str
    operation: str
    region: str
    code: str
    message: str
    kind: ErrorKind
    iam_action: str

    @property
    def reason(self) -> str:
        return f"{self.iam_action} failed in {self.region}: {self.code} ({self.kind.value})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallError:
        return cls(**{**data, "kind": ErrorKind(data["kind"])})


@dataclass
class Resource:
    """One thing in the account as the collectors saw it.

    `attrs` holds collected values; `unreadable` names the attrs a failed call would have
    filled, mapped to that call's error id. Rules read attrs through `get`, so touching
    something unreadable turns into an `unknown` finding instead of a silent default.
    """

    type: str
    id: str
    region: str
    arn: str | None = None
    name: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    tier: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type, self.region, self.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "region": self.region,
            "arn": self.arn,
            "name": self.name,
            "tags": self.tags,
            "tier": self.tier,
            "attrs": self.attrs,
            "unreadable": self.unreadable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resource:
        return cls(
            type=data["type"],
            id=data["id"],
            region=data["region"],
            arn=data.get("arn"),
            name=data.get("name"),
            tags=dict(data.get("tags") or {}),
            attrs=dict(data.get("attrs") or {}),
            unreadable=dict(data.get("unreadable") or {}),
            tier=data.get("tier"),
        )


@dataclass(frozen=True)
class ListingGap:
    """A resource type that could not be listed in a region: rules over it are unknown there."""

    resource_type: str
    region: str
    error_id: str


@dataclass
class Inventory:
    """Everything collected from one account: the only input rules ever see."""

    account_id: str
    partition: str
    regions: list[str]
    started_at: str
    finished_at: str = ""
    resources: list[Resource] = field(default_factory=list)
    errors: list[CallError] = field(default_factory=list)
    gaps: list[ListingGap] = field(default_factory=list)
    account_alias: str | None = None
    partial: bool = False
    api_calls: int = 0

    SCHEMA_VERSION = 1

    def error(self, error_id: str) -> CallError | None:
        for err in self.errors:
            if err.id == error_id:
                return err
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.SCHEMA_VERSION,
            "kind": "srmscan-inventory",
            "account_id": self.account_id,
            "account_alias": self.account_alias,
            "partition": self.partition,
            "regions": self.regions,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "partial": self.partial,
            "api_calls": self.api_calls,
            "resources": [r.to_dict() for r in self.resources],
            "errors": [e.to_dict() for e in self.errors],
            "gaps": [asdict(g) for g in self.gaps],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inventory:
        if data.get("kind") != "srmscan-inventory":
            raise ValueError("not an srmscan inventory file")
        version = data.get("schema_version")
        if version != cls.SCHEMA_VERSION:
            raise ValueError(f"unsupported inventory schema_version {version!r}")
        return cls(
            account_id=data["account_id"],
            account_alias=data.get("account_alias"),
            partition=data.get("partition", "aws"),
            regions=list(data["regions"]),
            started_at=data["started_at"],
            finished_at=data.get("finished_at", ""),
            partial=bool(data.get("partial", False)),
            api_calls=int(data.get("api_calls", 0)),
            resources=[Resource.from_dict(r) for r in data.get("resources", [])],
            errors=[CallError.from_dict(e) for e in data.get("errors", [])],
            gaps=[ListingGap(**g) for g in data.get("gaps", [])],
        )


def finding_id(rule_id: str, account_id: str, region: str, resource_type: str, resource_id: str) -> str:
    """Stable across scans so that two reports can be diffed and mutes keep matching."""
    raw = "|".join((rule_id, account_id, region, resource_type, resource_id))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


@dataclass
class Finding:
    id: str
    rule_id: str
    title: str
    status: Status
    severity: Severity
    owner: Owner
    layer: Layer
    service: str
    service_tier: str
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    resource_arn: str | None
    resource_name: str | None
    team: str | None
    message: str
    rationale: str
    remediation: str
    frameworks: dict[str, list[str]]
    evidence: dict[str, Any]
    unknown_reason: str | None = None
    error_ids: list[str] = field(default_factory=list)
    mute: dict[str, Any] | None = None
    # The most recent CloudTrail event that could have caused a failure (srmscan.drift.attribution).
    attribution: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("status", "severity", "owner", "layer"):
            data[key] = str(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["status"] = Status(values["status"])
        values["severity"] = Severity(values["severity"])
        values["owner"] = Owner(values["owner"])
        values["layer"] = Layer(values["layer"])
        return cls(**values)
