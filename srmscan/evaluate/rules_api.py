"""What a rule file imports. A rule is one decorated function plus its metadata.

    @rule(
        id="s3.bucket_versioning", title="S3 bucket versioning is enabled",
        resource_type="AWS::S3::Bucket", owner=CUSTOMER, layer=DATA, severity=MEDIUM,
        fsbp=["S3.14"], rationale="...", remediation="...",
        failing={"versioning": {"status": "Suspended"}},
        passing={"versioning": {"status": "Enabled"}},
    )
    def versioning(r, inv):
        status = r["versioning"]["status"]
        return passed("versioning is on") if status == "Enabled" else fail(f"versioning is {status}")

A check that is the same on several resource types (an RDS instance's and a cluster's backup
retention) is declared once, with `also=[Target(OTHER_TYPE, id=..., title=..., failing=...,
passing=...)]`: one function, one rule id per type, an example pair per type.

Rules are pure: they read the resource (`r`) and the inventory (`inv`) and return a verdict,
or None when the rule does not apply. Reading an attribute a failed call would have filled
raises `Unreadable`, which the engine turns into an `unknown` finding with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from collections.abc import Sequence as _Sequence
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from datetime import datetime
from typing import Any

from srmscan.model import (
    ACCOUNT_TYPE,
    GLOBAL_REGION,
    Inventory,
    Layer,
    Owner,
    Resource,
    Severity,
    Status,
    Tier,
)

__all__ = [
    "ACCOUNT_TYPE",
    "AWS",
    "CUSTOMER",
    "DATA",
    "GLOBAL_REGION",
    "IAM",
    "OS_PATCHING",
    "PHYSICAL",
    "RUNTIME",
    "SERVICE_CONFIG",
    "SHARED",
    "Example",
    "InventoryView",
    "ResourceView",
    "Rule",
    "Target",
    "Unreadable",
    "Verdict",
    "account_wide",
    "fail",
    "info",
    "passed",
    "regional",
    "rule",
    "unknown",
]

CUSTOMER, AWS, SHARED = Owner.CUSTOMER, Owner.AWS, Owner.SHARED
PHYSICAL, OS_PATCHING, RUNTIME = Layer.PHYSICAL, Layer.OS_PATCHING, Layer.RUNTIME
SERVICE_CONFIG, DATA, IAM = Layer.SERVICE_CONFIG, Layer.DATA, Layer.IAM
CRITICAL, HIGH, MEDIUM, LOW, INFO = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)


class Unreadable(Exception):
    """A rule touched data the collector could not read."""

    def __init__(self, what: str, error_id: str) -> None:
        super().__init__(what)
        self.what = what
        self.error_id = error_id


@dataclass(frozen=True)
class Verdict:
    status: Status
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None


def fail(message: str, severity: Severity | None = None, **evidence: Any) -> Verdict:
    return Verdict(Status.FAIL, message, evidence, severity)


def passed(message: str, **evidence: Any) -> Verdict:
    return Verdict(Status.PASS, message, evidence)


def unknown(message: str, **evidence: Any) -> Verdict:
    """For rules that can tell, from readable data, that they cannot decide."""
    return Verdict(Status.UNKNOWN, message, evidence)


def info(message: str, **evidence: Any) -> Verdict:
    return Verdict(Status.INFO, message, evidence)


class ResourceView:
    """Read-only access to one resource that refuses to hand out unreadable values."""

    def __init__(self, resource: Resource) -> None:
        self._r = resource

    type = property(lambda self: self._r.type)
    id = property(lambda self: self._r.id)
    region = property(lambda self: self._r.region)
    arn = property(lambda self: self._r.arn)
    name = property(lambda self: self._r.name)
    tier = property(lambda self: self._r.tier)

    @property
    def tags(self) -> dict[str, str]:
        if "tags" in self._r.unreadable:
            raise Unreadable("tags", self._r.unreadable["tags"])
        return self._r.tags

    def readable(self, key: str) -> bool:
        return key not in self._r.unreadable

    def __getitem__(self, key: str) -> Any:
        if key in self._r.unreadable:
            raise Unreadable(key, self._r.unreadable[key])
        return self._r.attrs[key]

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._r.unreadable:
            raise Unreadable(key, self._r.unreadable[key])
        return self._r.attrs.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self._r.attrs or key in self._r.unreadable

    @property
    def resource(self) -> Resource:
        return self._r


class InventoryView:
    """The inventory as rules see it: lookups raise `Unreadable` where a listing failed."""

    def __init__(self, inventory: Inventory, tables: dict[str, Any] | None = None) -> None:
        self._inv = inventory
        self._tables = tables or {}
        self._by_type: dict[str, list[Resource]] = {}
        self._by_key: dict[tuple[str, str], Resource] = {}
        for res in inventory.resources:
            self._by_type.setdefault(res.type, []).append(res)
            self._by_key.setdefault((res.type, res.id), res)
        self._gaps = {(g.resource_type, g.region): g.error_id for g in inventory.gaps}

    @property
    def account_id(self) -> str:
        return self._inv.account_id

    @property
    def regions(self) -> list[str]:
        return self._inv.regions

    @property
    def scan_time(self) -> datetime:
        """The scan's own timestamp: rules never read the clock."""
        return datetime.fromisoformat(self._inv.started_at.replace("Z", "+00:00"))

    def table(self, name: str) -> Any:
        """A data table shipped in rules/data (e.g. Lambda runtime deprecation dates)."""
        return self._tables[name]

    def gap(self, resource_type: str, region: str | None = None) -> str | None:
        for (rtype, gregion), error_id in self._gaps.items():
            if rtype == resource_type and (region is None or gregion in (region, GLOBAL_REGION)):
                return error_id
        return None

    def resources(self, resource_type: str, region: str | None = None) -> list[ResourceView]:
        """All resources of a type (in one region); raises `Unreadable` if that listing failed."""
        error_id = self.gap(resource_type, region)
        if error_id is not None:
            raise Unreadable(f"list of {resource_type}", error_id)
        return [ResourceView(r) for r in self._by_type.get(resource_type, []) if region is None or r.region == region]

    def find(self, resource_type: str, resource_id: str | None) -> ResourceView | None:
        if resource_id is None:
            return None
        res = self._by_key.get((resource_type, resource_id))
        return ResourceView(res) if res else None

    def account(self, region: str = GLOBAL_REGION) -> ResourceView | None:
        for res in self._by_type.get(ACCOUNT_TYPE, []):
            if res.region == region:
                return ResourceView(res)
        return None

    def targets(self, resource_type: str) -> Iterator[Resource]:
        yield from self._by_type.get(resource_type, [])

    @property
    def raw(self) -> Inventory:
        return self._inv


def account_wide(r: ResourceView) -> bool:
    """`where=` filter: the account resource that holds account-wide settings."""
    return r.region == GLOBAL_REGION


def regional(r: ResourceView) -> bool:
    """`where=` filter: the account resource of one scanned region."""
    return r.region != GLOBAL_REGION


@dataclass(frozen=True)
class Example:
    """A resource (its attrs) plus any related resources the rule looks up."""

    attrs: dict[str, Any]
    related: tuple[Resource, ...] = ()
    region: str = "us-east-1"
    tags: dict[str, str] = field(default_factory=dict)
    # Rules that only ever state facts (status `info`, e.g. an AWS-owned maintenance event)
    # say what their examples must produce instead of fail/pass.
    expect: Status | None = None


CheckFn = Callable[[ResourceView, InventoryView], Verdict | None]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    service: str
    resource_type: str
    owner: Owner
    layer: Layer
    severity: Severity
    rationale: str
    remediation: str
    check: CheckFn
    failing: Example
    passing: Example
    fsbp: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()
    tier: Tier | None = None
    where: Callable[[ResourceView], bool] | None = None
    source: str = ""

    @property
    def frameworks(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if self.fsbp:
            out["fsbp"] = list(self.fsbp)
        if self.cis:
            out["cis"] = list(self.cis)
        return out

    def metadata(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "service": self.service,
            "resource_type": self.resource_type,
            "owner": str(self.owner),
            "layer": str(self.layer),
            "severity": str(self.severity),
            "frameworks": self.frameworks,
            "rationale": self.rationale,
            "remediation": self.remediation,
        }


RULE_ATTR = "__srmscan_rule__"
RULES_ATTR = "__srmscan_rules__"


@dataclass(frozen=True)
class Target:
    """One more resource type for a rule whose check is the same on several types.

    The check, owner, layer and severity are shared; each type keeps its own rule id (so a
    finding's id never changes when rules are merged), its title, its framework ids, its own
    failing and passing example and its own `where` filter (a filter reads one type's attributes).
    Rationale, remediation and tier default to the rule's."""

    resource_type: str
    id: str
    title: str
    failing: Example | dict[str, Any]
    passing: Example | dict[str, Any]
    fsbp: _Sequence[str] = ()
    cis: _Sequence[str] = ()
    rationale: str | None = None
    remediation: str | None = None
    where: Callable[[ResourceView], bool] | None = None
    tier: Tier | None = None


def _example(value: Example | dict[str, Any]) -> Example:
    return value if isinstance(value, Example) else Example(attrs=value)


def declared_rules(obj: object) -> tuple[Rule, ...]:
    """Every rule an object of a rules file declares: none, one, or one per resource type."""
    many = getattr(obj, RULES_ATTR, None)
    if isinstance(many, tuple):
        return many
    one = getattr(obj, RULE_ATTR, None)
    return (one,) if isinstance(one, Rule) else ()


def rule(
    *,
    id: str,
    title: str,
    resource_type: str,
    owner: Owner,
    layer: Layer,
    severity: Severity,
    rationale: str,
    remediation: str,
    failing: Example | dict[str, Any],
    passing: Example | dict[str, Any],
    service: str | None = None,
    fsbp: list[str] | tuple[str, ...] = (),
    cis: list[str] | tuple[str, ...] = (),
    tier: Tier | None = None,
    where: Callable[[ResourceView], bool] | None = None,
    also: _Sequence[Target] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Declare a rule. The function stays callable; the loader finds the metadata on it.

    `also` lists further resource types the same check judges (see `Target`)."""

    def decorate(check: CheckFn) -> CheckFn:
        first = Rule(
            id=id,
            title=title,
            service=service or id.split(".", 1)[0],
            resource_type=resource_type,
            owner=owner,
            layer=layer,
            severity=severity,
            rationale=" ".join(rationale.split()),
            remediation=" ".join(remediation.split()),
            check=check,
            failing=_example(failing),
            passing=_example(passing),
            fsbp=tuple(fsbp),
            cis=tuple(cis),
            tier=tier,
            where=where,
        )
        more = tuple(
            _replace(
                first,
                id=t.id,
                title=t.title,
                service=t.id.split(".", 1)[0],
                resource_type=t.resource_type,
                rationale=" ".join(t.rationale.split()) if t.rationale else first.rationale,
                remediation=" ".join(t.remediation.split()) if t.remediation else first.remediation,
                failing=_example(t.failing),
                passing=_example(t.passing),
                fsbp=tuple(t.fsbp),
                cis=tuple(t.cis),
                tier=t.tier or tier,
                where=t.where,
            )
            for t in also
        )
        types = [first.resource_type, *(r.resource_type for r in more)]
        if len(set(types)) != len(types):
            raise ValueError(f"rule {id}: a resource type is declared twice")
        setattr(check, RULE_ATTR, first)
        setattr(check, RULES_ATTR, (first, *more))
        return check

    return decorate
