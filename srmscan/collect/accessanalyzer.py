"""IAM Access Analyzer analyzers per region, and the external-access findings they already raised.

Only `ACCOUNT` and `ORGANIZATION` analyzers detect external (cross-account and public) access;
`*_UNUSED_ACCESS` and `*_INTERNAL_ACCESS` analyzers answer other questions. For each active
external-access analyzer, ListFindingsV2 lists its ACTIVE findings (one listing per analyzer), and
a second listing filtered on `isPublic` tells public access from cross-account access without a
per-finding GetFindingV2 call. moto has no Access Analyzer: tests answer with real-shaped responses.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection
from srmscan.collect.registry import collector
from srmscan.model import Resource

ANALYZER = "AWS::AccessAnalyzer::Analyzer"
FINDING = "AWS::AccessAnalyzer::Finding"
EXTERNAL_ACCESS_TYPES = ("ACCOUNT", "ORGANIZATION")
ACTIVE = {"status": {"eq": ["ACTIVE"]}}


@collector(
    "accessanalyzer",
    scope="regional",
    produces=(ANALYZER, FINDING),
    actions=["access-analyzer:ListAnalyzers", "access-analyzer:ListFindings"],
)
def collect_analyzers(c: Collection, region: str) -> None:
    listing = c.pages("accessanalyzer", region, "ListAnalyzers", "analyzers")
    if listing.error is not None:
        c.gap(ANALYZER, region, listing)
        c.gap(FINDING, region, listing)
        return
    for analyzer in listing.data:
        if not isinstance(analyzer, dict):
            continue
        res = c.add(_analyzer(region, analyzer))
        if res.attrs["type"] in EXTERNAL_ACCESS_TYPES and res.attrs["status"] == "ACTIVE" and res.arn:
            _findings(c, region, res)


def _analyzer(region: str, analyzer: dict[str, Any]) -> Resource:
    name = str(analyzer.get("name"))
    return Resource(
        type=ANALYZER,
        id=str(analyzer.get("arn") or name),
        name=name,
        region=region,
        arn=analyzer.get("arn"),
        tier="managed",
        tags={str(k): str(v) for k, v in (analyzer.get("tags") or {}).items()},
        attrs={
            "type": str(analyzer.get("type") or "") or None,
            "status": analyzer.get("status"),
            "status_reason": (analyzer.get("statusReason") or {}).get("code"),
        },
    )


def _findings(c: Collection, region: str, analyzer: Resource) -> None:
    arn = str(analyzer.arn)
    active = c.pages("accessanalyzer", region, "ListFindingsV2", "findings", analyzerArn=arn, filter=ACTIVE)
    if active.error is not None:
        analyzer.unreadable["active_findings"] = active.error.id
        c.gap(FINDING, region, active)
        return
    public = c.pages(
        "accessanalyzer",
        region,
        "ListFindingsV2",
        "findings",
        analyzerArn=arn,
        filter={**ACTIVE, "isPublic": {"eq": ["true"]}},
    )
    items = [f for f in active.data if isinstance(f, dict) and f.get("id")]
    analyzer.attrs["active_findings"] = len(items)
    for item in items:
        c.add(_finding(region, analyzer, item, public))


def _finding(region: str, analyzer: Resource, item: dict[str, Any], public: Answer) -> Resource:
    resource = str(item.get("resource") or "")
    res = Resource(
        type=FINDING,
        id=str(item["id"]),
        name=resource or str(item["id"]),
        region=region,
        arn=resource if resource.startswith("arn:") else None,
        tier="managed",
        attrs={
            "analyzer": analyzer.name,
            "analyzer_type": analyzer.attrs["type"],
            "resource": resource or None,
            "resource_type": item.get("resourceType"),
            "resource_owner_account": item.get("resourceOwnerAccount"),
            "finding_type": item.get("findingType"),
            "status": item.get("status"),
            "error": item.get("error"),
            "created_at": _iso(item.get("createdAt")),
            "updated_at": _iso(item.get("updatedAt")),
        },
    )
    if public.error is not None:
        res.unreadable["public"] = public.error.id
    else:
        res.attrs["public"] = item["id"] in {f.get("id") for f in public.data if isinstance(f, dict)}
    return res


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
