"""Drift between two scans: what started failing, what got fixed, where we lost sight.

Findings are matched by their stable id (rule, account, region, resource type, resource id),
so the comparison needs no heuristics. A muted finding is compared by the real status kept
under its mute: a failure does not "resolve" because someone muted it. Pure functions over two
report dicts (the `report.json` contract); the CLI turns inventories into reports first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS, RuleSet
from srmscan.model import Inventory, Severity, Status

if TYPE_CHECKING:
    from srmscan.evaluate.mutes import Mute

DIFF_SCHEMA_VERSION = 1
_ACCOUNT_TYPE = "AWS::::Account"


def real_status(finding: dict[str, Any]) -> str:
    """The observed status: for a muted finding, the one kept under the mute."""
    status = str(finding.get("status", ""))
    if status == Status.MUTED:
        mute = finding.get("mute") or {}
        return str(mute.get("status") or Status.UNKNOWN)
    return status


def _entry(new: dict[str, Any] | None, old: dict[str, Any] | None, change: str) -> dict[str, Any]:
    f = new or old or {}
    return {
        "id": f.get("id"),
        "rule_id": f.get("rule_id"),
        "title": f.get("title"),
        "severity": f.get("severity"),
        "owner": f.get("owner"),
        "region": f.get("region"),
        "resource_type": f.get("resource_type"),
        "resource_id": f.get("resource_id"),
        "resource_name": f.get("resource_name"),
        "old_status": real_status(old) if old else None,
        "new_status": real_status(new) if new else None,
        "muted": bool(new and new.get("status") == Status.MUTED),
        "change": change,
        "message": (new or old or {}).get("message"),
    }


def _change_label(old: str | None, new: str | None) -> str:
    if new == Status.UNKNOWN and old in (Status.PASS, Status.FAIL):
        return "we lost visibility"
    if old == Status.UNKNOWN and new in (Status.PASS, Status.FAIL):
        return "visibility regained"
    if old is None:
        return "new check"
    if new is None:
        return "check no longer reported"
    return f"{old} -> {new}"


def _resources(report: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Resources of a report: its `resources` list, or (older reports) those its findings name."""
    listed = report.get("resources")
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    if isinstance(listed, list):
        for r in listed:
            if isinstance(r, dict) and r.get("type") != _ACCOUNT_TYPE:
                out[(str(r.get("type")), str(r.get("region")), str(r.get("id")))] = r
        return out
    for f in report.get("findings", []):
        rid = f.get("resource_id")
        if f.get("resource_type") == _ACCOUNT_TYPE or rid in (None, "*") or f.get("status") == Status.INFO:
            continue
        key = (str(f.get("resource_type")), str(f.get("region")), str(rid))
        out.setdefault(
            key,
            {
                "type": key[0],
                "region": key[1],
                "id": key[2],
                "name": f.get("resource_name"),
                "arn": f.get("resource_arn"),
            },
        )
    return out


def _resource_entry(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r.get(k) for k in ("type", "region", "id", "name", "arn")}


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Compare two report dicts. Raises ValueError when they are not comparable."""
    for name, rep in (("old", old), ("new", new)):
        if rep.get("kind") != "srmscan-report":
            raise ValueError(f"the {name} file is not an srmscan report")
    if old.get("account_id") != new.get("account_id"):
        raise ValueError(f"the reports are of different accounts ({old.get('account_id')} vs {new.get('account_id')})")
    before = {f["id"]: f for f in old.get("findings", []) if isinstance(f, dict) and "id" in f}
    after = {f["id"]: f for f in new.get("findings", []) if isinstance(f, dict) and "id" in f}
    new_failures, resolved, changes = [], [], []
    for fid in sorted(set(before) | set(after)):
        o, n = before.get(fid), after.get(fid)
        os_, ns = (real_status(o) if o else None), (real_status(n) if n else None)
        if os_ == ns:
            was_muted = bool(o and o.get("status") == Status.MUTED)
            if n and o and was_muted != (n.get("status") == Status.MUTED):
                changes.append(_entry(n, o, "mute lifted" if was_muted else "muted"))
            continue
        if ns == Status.FAIL:
            new_failures.append(_entry(n, o, "new failure"))
        elif os_ == Status.FAIL and ns in (Status.PASS, None):
            resolved.append(_entry(n, o, "resolved" if ns else "resolved (finding no longer reported)"))
        elif os_ is not None and ns is not None:
            changes.append(_entry(n, o, _change_label(os_, ns)))
    res_before, res_after = _resources(old), _resources(new)
    order = _severity_order
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "kind": "srmscan-diff",
        "account_id": new.get("account_id"),
        "old": {"started_at": old.get("started_at"), "regions": old.get("regions")},
        "new": {"started_at": new.get("started_at"), "regions": new.get("regions")},
        "new_failures": sorted(new_failures, key=order),
        "resolved_failures": sorted(resolved, key=order),
        "status_changes": sorted(changes, key=order),
        "resources_appeared": [_resource_entry(res_after[k]) for k in sorted(set(res_after) - set(res_before))],
        "resources_disappeared": [_resource_entry(res_before[k]) for k in sorted(set(res_before) - set(res_after))],
        "summary": {
            "new_failures": len(new_failures),
            "new_unmuted_failures": sum(1 for e in new_failures if not e["muted"]),
            "resolved_failures": len(resolved),
            "status_changes": len(changes),
            "lost_visibility": sum(1 for e in changes if e["change"] == "we lost visibility"),
            "resources_appeared": len(set(res_after) - set(res_before)),
            "resources_disappeared": len(set(res_before) - set(res_after)),
        },
    }


def _severity_order(e: dict[str, Any]) -> tuple[int, str, str]:
    try:
        rank = Severity(str(e.get("severity"))).rank
    except ValueError:
        rank = -1
    return (-rank, str(e.get("rule_id")), str(e.get("resource_id")))


def new_failures_at_or_above(diff: dict[str, Any], threshold: Severity) -> list[dict[str, Any]]:
    """New failures that are not muted and at least as severe as `threshold` (for --fail-on-new)."""
    out = []
    for e in diff.get("new_failures", []):
        try:
            severity = Severity(str(e.get("severity")))
        except ValueError:
            continue
        if not e.get("muted") and severity.rank >= threshold.rank:
            out.append(e)
    return out


def sections(diff: dict[str, Any]) -> Iterable[tuple[str, str, list[dict[str, Any]]]]:
    """(key, heading, entries) in reading order, for the terminal table and the HTML report."""
    yield "new_failures", "New failures", diff.get("new_failures", [])
    yield "resolved_failures", "Resolved failures", diff.get("resolved_failures", [])
    yield "status_changes", "Status changes", diff.get("status_changes", [])


def load_report(
    path: Path,
    ruleset: Callable[[], RuleSet],
    *,
    mutes: list[Mute] | None = None,
    owner_tags: Iterable[str] = DEFAULT_OWNER_TAGS,
) -> dict[str, Any]:
    """A report.json as a dict; an inventory is evaluated first (with `mutes`) into the same shape.

    Raises ValueError with a readable reason for anything that is neither.
    """
    from srmscan.drift.snapshot import read_json
    from srmscan.report.json_report import report_dict
    from srmscan.scan import evaluate_inventory

    data = read_json(path)
    kind = data.get("kind")
    if kind == "srmscan-report":
        if not isinstance(data.get("findings"), list):
            raise ValueError(f"{path}: report has no findings list")
        return data
    if kind == "srmscan-inventory":
        try:
            inventory = Inventory.from_dict(data)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}: malformed inventory ({type(exc).__name__}: {exc})") from exc
        return report_dict(evaluate_inventory(inventory, ruleset(), owner_tags=owner_tags, mutes=mutes))
    raise ValueError(f"{path} is neither an srmscan report nor an inventory")
