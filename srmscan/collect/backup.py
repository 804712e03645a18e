"""AWS Backup: which resources each backup plan selects, per region.

Stored on the region's account resource as `backup_selections`, so that rules can decide for a
table (or any other resource) whether a plan selects it. AWS Backup has no API that answers
"is this ARN in a plan" (ListProtectedResources lists what *was* backed up, not what a plan
selects), and no batch form of GetBackupSelection: one ListBackupPlans per region (pages of
1000, the maximum), then ListBackupSelections per plan and GetBackupSelection per selection.
A region without plans costs one call. If any of those calls fails the whole attribute is
unreadable: a partial list of selections could miss the one that covers a resource.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection
from srmscan.collect.registry import collector

PAGE = 1000  # ListBackupPlans / ListBackupSelections MaxResults: 1..1000


@collector(
    "backup",
    scope="regional",
    actions=["backup:ListBackupPlans", "backup:ListBackupSelections", "backup:GetBackupSelection"],
)
def collect_backup(c: Collection, region: str) -> None:
    account = c.account(region)
    plans = c.pages("backup", region, "ListBackupPlans", "BackupPlansList", PaginationConfig={"PageSize": PAGE})
    if plans.error is not None:
        account.unreadable["backup_selections"] = plans.error.id
        return
    selections: list[dict[str, Any]] = []
    for plan in plans.data:
        if not isinstance(plan, dict) or not plan.get("BackupPlanId"):
            continue
        plan_id = str(plan["BackupPlanId"])
        listed = c.pages(
            "backup",
            region,
            "ListBackupSelections",
            "BackupSelectionsList",
            BackupPlanId=plan_id,
            PaginationConfig={"PageSize": PAGE},
        )
        if listed.error is not None:
            account.unreadable["backup_selections"] = listed.error.id
            return
        for entry in listed.data:
            if not isinstance(entry, dict) or not entry.get("SelectionId"):
                continue
            got = c.call(
                "backup", region, "GetBackupSelection", BackupPlanId=plan_id, SelectionId=str(entry["SelectionId"])
            )
            if got.error is not None:
                account.unreadable["backup_selections"] = got.error.id
                return
            selections.append(selection(str(plan.get("BackupPlanName") or plan_id), got.data))
    account.attrs["backup_selections"] = selections


def selection(plan_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """One selection as plain data: the patterns and tag conditions that pick resources."""
    sel = (data or {}).get("BackupSelection") or {}
    raw_conditions = sel.get("Conditions")
    conditions: dict[str, Any] = raw_conditions if isinstance(raw_conditions, dict) else {}
    return {
        "plan": plan_name,
        "name": str(sel.get("SelectionName") or ""),
        "resources": [str(r) for r in sel.get("Resources") or []],
        "not_resources": [str(r) for r in sel.get("NotResources") or []],
        "list_of_tags": [
            {
                "type": str(t.get("ConditionType") or ""),
                "key": str(t.get("ConditionKey") or ""),
                "value": str(t.get("ConditionValue") or ""),
            }
            for t in sel.get("ListOfTags") or []
            if isinstance(t, dict)
        ],
        "conditions": {
            str(op): [
                {"key": str(t.get("ConditionKey") or ""), "value": str(t.get("ConditionValue") or "")}
                for t in items or []
                if isinstance(t, dict)
            ]
            for op, items in conditions.items()
            if isinstance(items, list)
        },
    }
