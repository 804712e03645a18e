"""The merged (multi-account) report.html: the same design as one account's report — owner
panels, responsibility maps (the whole estate, then each account), the findings with an account
filter and the team column, what could not be seen, and the muted findings.

Works from the merged JSON contract only (srmscan/accounts/merge.py), so shards written
anywhere can be shown. Findings are rebuilt as model objects so every count comes from the
same tested functions as the single-account page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from srmscan.evaluate.engine import load_ruleset
from srmscan.evaluate.matrix import Matrix
from srmscan.model import Finding, Inventory, Resource, Status
from srmscan.report.html_report import OWNER_BLURB, SECTION_PAGE, _environment, _json_chunks_for_script, page_assets
from srmscan.report.sections import (
    NO_TEAM_VALUE,
    OWNER_LABELS,
    aws_panel,
    customer_panel,
    filter_options,
    findings_payload,
    muted_rows,
    shared_panel,
)

MERGED_SECTIONS = [
    "_merged_accounts.html.j2",
    "_panels.html.j2",
    "_map.html.j2",
    "_findings.html.j2",
    "_merged_errors.html.j2",
    "_muted.html.j2",
]


def _findings(merged: dict[str, Any]) -> tuple[list[Finding], int]:
    """Model findings from the merged JSON; an entry that does not parse is counted, not guessed."""
    out, skipped = [], 0
    for data in merged.get("findings", []):
        try:
            out.append(Finding.from_dict(data))
        except (KeyError, TypeError, ValueError):
            skipped += 1
    return out, skipped


def _inventory(account_id: str, counts: dict[str, int]) -> Inventory:
    """An inventory that only carries resource counts: what the map and the lever panel need.

    The merged contract keeps counts per type (`resource_counts`), not the resources themselves.
    """
    resources = [
        Resource(type=rtype, id=f"{rtype}#{i}", region="")
        for rtype, n in sorted(counts.items())
        for i in range(int(n or 0))
    ]
    return Inventory(account_id=account_id, partition="", regions=[], started_at="", resources=resources)


def _counts(entry: dict[str, Any], findings: list[Finding]) -> dict[str, int]:
    """Resource counts of one account. Counts are per scan, so an account united from several
    (per-region) scans, or an older shard without counts, falls back to distinct resources seen."""
    recorded = entry.get("resource_counts")
    if isinstance(recorded, dict) and recorded and not entry.get("merged_from"):
        return {str(k): int(v) for k, v in recorded.items() if isinstance(v, int)}
    seen = {(f.resource_type, f.region, f.resource_id) for f in findings if f.status is not Status.INFO}
    return dict(Counter(t for t, _, _ in seen))


def merged_view(merged: dict[str, Any], matrix: Matrix | None = None) -> dict[str, Any]:
    matrix = matrix or load_ruleset().matrix
    findings, skipped = _findings(merged)
    accounts = list(merged.get("accounts", []))
    by_account: dict[str, list[Finding]] = {}
    for f in findings:
        by_account.setdefault(f.account_id, []).append(f)
    estate: Counter[str] = Counter()
    maps = []
    for entry in accounts:
        acct = str(entry.get("account_id"))
        counts = _counts(entry, by_account.get(acct, []))
        estate.update(counts)
        alias = f" ({entry['account_alias']})" if entry.get("account_alias") else ""
        maps.append(
            {
                "id": f"map-{acct}",
                "title": f"Account {acct}{alias}",
                "rows": matrix.account_map(_inventory(acct, counts), by_account.get(acct, [])),
                "account": acct,
            }
        )
    estate_inv = _inventory("estate", dict(estate))
    maps.insert(
        0,
        {
            "id": "map-h",
            "title": f"The responsibility map of the estate ({len(accounts)} accounts)",
            "rows": matrix.account_map(estate_inv, findings),
            "account": "",
        },
    )
    options = filter_options(findings)
    aliases = {str(a.get("account_id")): a.get("account_alias") for a in accounts}
    for o in options["account"]:
        if aliases.get(o["value"]):
            o["label"] = f"{o['value']} ({aliases[o['value']]})"
    return {
        **page_assets(),
        "merged": merged,
        "skipped": skipped,
        "owner_labels": OWNER_LABELS,
        "owner_blurb": OWNER_BLURB,
        "customer": customer_panel(findings),
        "shared": shared_panel(matrix, estate_inv, findings),
        "aws": aws_panel(matrix, findings),
        "layer_labels": matrix.layer_labels,
        "maps": maps,
        "muted": muted_rows(findings),
        "options": options,
        "sections": MERGED_SECTIONS,
        "payload_chunks": _json_chunks_for_script(findings_payload(findings)),
        "config": {
            "section_page": SECTION_PAGE,
            "no_team": NO_TEAM_VALUE,
            "layer_labels": matrix.layer_labels,
            "multi_account": True,
        },
    }


def render_merged_page(merged: dict[str, Any], matrix: Matrix | None = None) -> str:
    return _environment().get_template("merged.html.j2").render(**merged_view(merged, matrix))
