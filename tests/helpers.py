"""Small builders shared by tests."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from srmscan.model import Finding, Inventory, Resource


def inventory(*resources: Resource, regions: list[str] | None = None, **kw: Any) -> Inventory:
    return Inventory(
        account_id="123456789012",
        partition="aws",
        regions=regions or ["us-east-1"],
        started_at="2026-11-24T10:00:00Z",
        finished_at="2026-11-24T10:01:00Z",
        resources=list(resources),
        **kw,
    )


def by_rule(findings: list[Finding], rule_id: str, resource_id: str | None = None) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id and (resource_id is None or f.resource_id == resource_id)]


def one(findings: list[Finding], rule_id: str, resource_id: str | None = None) -> Finding:
    found = by_rule(findings, rule_id, resource_id)
    assert len(found) == 1, f"expected one {rule_id} finding for {resource_id}, got {len(found)}"
    return found[0]


def fail_operation(
    events: Any, service_event: str, operation: str, code: str = "AccessDenied", status: int = 403
) -> None:
    """Register a before-call hook that makes one operation fail as AWS would, without a network.

    Used where moto cannot produce the error (e.g. AccessDenied for one call only)."""

    def deny(**_: Any) -> None:
        raise ClientError(
            {
                "Error": {"Code": code, "Message": f"simulated {code}"},
                "ResponseMetadata": {"HTTPStatusCode": status},
            },
            operation,
        )

    events.register(f"before-call.{service_event}.{operation}", deny)
