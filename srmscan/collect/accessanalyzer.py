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
from srmscan.model import GLOBAL_REGION, Resource

ANALYZER = "AWS::AccessAnalyzer::Analyzer"
FINDING = "AWS::AccessAnalyzer::Finding"
EXTERNAL_ACCESS_TYPES = ("ACCOUNT", "ORGANIZATION")
ACTIVE = {"status": {"eq": ["ACTIVE"]}}
GLOBAL_TYPES = ("AWS::IAM::Role", "AWS::IAM::User")


@collector(
    "accessanalyzer",
    scope="regional",
    produces=(ANALYZER, FINDING),
    actions=["access-analyzer:ListAnalyzers", "access-analyzer:ListFindings"],
)
def collect_analyzers(c: Collection, region: str) -> None:
    listing = c.listing("accessanalyzer", region, "ListAnalyzers", "analyzers", gaps=(ANALYZER, FINDING))
    if listing.error is not None:
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
    items = active.entries("id")
    analyzer.attrs["active_findings"] = len(items)
    # One srmscan finding per analyzed resource (a resource has a finding per outside principal),
    # so it is muted by the ARN its owners know. IAM roles and users are global: every region's
    # analyzer reports them, so the first region to get there keeps them, under region "global".
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(str(item.get("resource") or item["id"]), []).append(item)
    for key, group in sorted(groups.items()):
        kind = str(group[0].get("resourceType") or "")
        where = GLOBAL_REGION if kind in GLOBAL_TYPES else region
        if where == GLOBAL_REGION and not c.claim(f"accessanalyzer:{analyzer.attrs['type']}:{key}"):
            continue
        c.add(_finding(where, analyzer, key, group, public))


def _finding(region: str, analyzer: Resource, key: str, group: list[dict[str, Any]], public: Answer) -> Resource:
    first = group[0]
    errors = [str(f["error"]) for f in group if f.get("error")]
    res = Resource(
        type=FINDING,
        id=key,
        name=key,
        region=region,
        arn=key if key.startswith("arn:") else None,
        tier="managed",
        attrs={
            "analyzer": analyzer.name,
            "analyzer_type": analyzer.attrs["type"],
            "finding_ids": sorted(str(f["id"]) for f in group),
            "resource": first.get("resource"),
            "resource_type": first.get("resourceType"),
            "resource_owner_account": first.get("resourceOwnerAccount"),
            "finding_type": first.get("findingType"),
            "status": "ACTIVE",
            # An error finding means the analyzer could not analyze the resource; it decides only
            # when no finding of the resource was analyzed.
            "error": "; ".join(sorted(set(errors))) if len(errors) == len(group) else None,
            "created_at": min((_iso(f.get("createdAt")) or "" for f in group), default="") or None,
        },
    )
    if public.error is not None:
        res.unreadable["public"] = public.error.id
    else:
        public_ids = {f.get("id") for f in public.data if isinstance(f, dict)}
        res.attrs["public"] = any(f["id"] in public_ids for f in group)
    return res


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
