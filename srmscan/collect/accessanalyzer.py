"""IAM Access Analyzer analyzers, per region."""

from __future__ import annotations

from srmscan.collect.context import Collection
from srmscan.collect.registry import collector
from srmscan.model import Resource

ANALYZER = "AWS::AccessAnalyzer::Analyzer"


@collector("accessanalyzer", scope="regional", produces=(ANALYZER,), actions=["access-analyzer:ListAnalyzers"])
def collect_analyzers(c: Collection, region: str) -> None:
    listing = c.pages("accessanalyzer", region, "ListAnalyzers", "analyzers")
    if listing.error is not None:
        c.gap(ANALYZER, region, listing)
        return
    for analyzer in listing.data:
        name = str(analyzer.get("name"))
        c.add(
            Resource(
                type=ANALYZER,
                id=str(analyzer.get("arn") or name),
                name=name,
                region=region,
                arn=analyzer.get("arn"),
                tier="managed",
                tags=dict(analyzer.get("tags") or {}),
                attrs={"type": analyzer.get("type"), "status": analyzer.get("status")},
            )
        )
