"""The extra, per-need calls `srmscan patch-plan` makes on top of the normal collection.

A scan does not make these calls: they are per instance (`DescribeInstancePatches` has no batch
form) or per function (`GetRuntimeManagementConfig`), and only worth their cost when someone asks
"is glibc missing, and who fixes it by when". Everything goes through the `Collection` choke
point, so a denied or unsupported call becomes a reason in the plan, never a silent "patched".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from srmscan.collect.context import Answer, Collection
from srmscan.collect.registry import declare_actions
from srmscan.collect.session import AwsSession
from srmscan.model import ACCOUNT_TYPE, CallError, Inventory

ACTIONS = (
    "ssm:DescribeInstancePatches",
    "ssm:GetPatchBaseline",
    "ssm:DescribeMaintenanceWindows",
    "ssm:DescribeMaintenanceWindowTargets",
    "ssm:DescribeMaintenanceWindowTasks",
    "lambda:GetRuntimeManagementConfig",
)
declare_actions("patch-plan", ACTIONS)

FUNCTION = "AWS::Lambda::Function"
# Patch states that mean "the fix is not in effect". CVE ids are reported only for Missing/Failed.
OPEN_STATES = ["Missing", "Failed", "InstalledPendingReboot", "AvailableSecurityUpdate"]
DEFAULT_MAX_INSTANCE_LOOKUPS = 500
PATCH_DOCUMENTS = {"AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks"}


@dataclass
class PatchEvidence:
    """What the extra calls found, keyed so the pure planner can join it to the inventory.

    Values that could not be read are `{"error": reason}` rather than absent, so the planner
    can tell "SSM reports nothing missing" from "we could not ask"."""

    instance_patches: dict[str, dict[str, Any]] = field(default_factory=dict)  # instance id -> result
    capped: list[str] = field(default_factory=list)  # managed instances not looked up (over the cap)
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)  # baseline id -> approval facts
    windows: dict[str, Any] = field(default_factory=dict)  # region -> list of windows | {"error": reason}
    runtime_management: dict[str, dict[str, Any]] = field(default_factory=dict)  # function arn -> mode
    errors: list[CallError] = field(default_factory=list)
    api_calls: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "instance_patches": self.instance_patches,
            "capped": self.capped,
            "baselines": self.baselines,
            "windows": self.windows,
            "runtime_management": self.runtime_management,
            "errors": [e.to_dict() for e in self.errors],
            "api_calls": self.api_calls,
        }


def _reason(answer: Answer) -> dict[str, Any]:
    assert answer.error is not None
    return {"error": answer.error.reason}


def managed_instances(inv: Inventory, region: str) -> dict[str, Any] | None:
    """SSM's managed-instance map for a region from the inventory; None when it could not be read."""
    for res in inv.resources:
        if res.type == ACCOUNT_TYPE and res.region == region:
            if "ssm_managed_instances" in res.unreadable:
                return None
            return dict(res.attrs.get("ssm_managed_instances") or {})
    return None


def patch_states(inv: Inventory, region: str) -> dict[str, Any] | None:
    for res in inv.resources:
        if res.type == ACCOUNT_TYPE and res.region == region:
            if "ssm_patch_states" in res.unreadable:
                return None
            return dict(res.attrs.get("ssm_patch_states") or {})
    return None


def gather(
    aws: AwsSession,
    inv: Inventory,
    *,
    package: str,
    max_instance_lookups: int = DEFAULT_MAX_INSTANCE_LOOKUPS,
) -> PatchEvidence:
    """Make the per-need calls for every scanned region, concurrently, through one Collection."""
    c = Collection(aws, inv.account_id, inv.partition, list(inv.regions))
    evidence = PatchEvidence()
    try:
        lookups: list[tuple[str, str]] = []
        for region in inv.regions:
            managed = managed_instances(inv, region) or {}
            states = patch_states(inv, region) or {}
            # Only instances a patch scan has reported on can have patch details.
            lookups.extend((region, iid) for iid in sorted(managed) if iid in states)
        lookups.sort(key=lambda item: (item[0], item[1]))
        evidence.capped = [iid for _, iid in lookups[max_instance_lookups:]]
        for iid, result in c.fanout(
            lambda item: _instance_patches(c, item[0], item[1]), lookups[:max_instance_lookups]
        ):
            evidence.instance_patches[iid] = result
        baseline_ids = sorted(
            {
                (region, str(s.get("baseline_id")))
                for region in inv.regions
                for s in (patch_states(inv, region) or {}).values()
                if s.get("baseline_id")
            }
        )
        for key, result in c.fanout(lambda item: (item[1], _baseline(c, item[0], item[1])), baseline_ids):
            evidence.baselines[key] = result
        for region, result in c.fanout(lambda region: (region, _windows(c, region)), list(inv.regions)):
            evidence.windows[region] = result
        functions = [
            r for r in inv.resources if r.type == FUNCTION and str(r.attrs.get("package_type") or "Zip") == "Zip"
        ]
        for arn, result in c.fanout(lambda r: (str(r.arn or r.id), _runtime(c, r.region, r.id)), functions):
            evidence.runtime_management[arn] = result
    finally:
        c.close()
    evidence.errors = list(c.errors)
    evidence.api_calls = c.api_calls
    return evidence


def _instance_patches(c: Collection, region: str, instance_id: str) -> tuple[str, dict[str, Any]]:
    """Patches whose fix is not in effect on one instance (the package filter is applied by the planner:
    the API filters by state, classification, severity or KB id, not by package name)."""
    answer = c.pages(
        "ssm",
        region,
        "DescribeInstancePatches",
        "Patches",
        InstanceId=instance_id,
        Filters=[{"Key": "State", "Values": OPEN_STATES}],
        PaginationConfig={"PageSize": 100},
    )
    if answer.error is not None:
        return instance_id, _reason(answer)
    patches = [
        {
            "title": str(p.get("Title") or "")[:256],
            "kb_id": str(p.get("KBId") or "")[:256],
            "state": str(p.get("State") or ""),
            "severity": p.get("Severity"),
            "classification": p.get("Classification"),
            "cves": [s.strip() for s in str(p.get("CVEIds") or "").split(",") if s.strip()][:50],
        }
        for p in answer.data
        if isinstance(p, dict)
    ]
    return instance_id, {"open_patches": patches}


def _baseline(c: Collection, region: str, baseline_id: str) -> dict[str, Any]:
    answer = c.call("ssm", region, "GetPatchBaseline", BaselineId=baseline_id)
    if answer.error is not None:
        return _reason(answer)
    data = answer.data or {}
    rules = []
    for rule in (data.get("ApprovalRules") or {}).get("PatchRules") or []:
        filters = {
            str(f.get("Key")): [str(v) for v in f.get("Values") or []]
            for f in (rule.get("PatchFilterGroup") or {}).get("PatchFilters") or []
        }
        rules.append(
            {
                "approve_after_days": rule.get("ApproveAfterDays"),
                "approve_until_date": rule.get("ApproveUntilDate"),
                "compliance_level": rule.get("ComplianceLevel"),
                "filters": filters,
            }
        )
    return {
        "name": str(data.get("Name") or "")[:128],
        "operating_system": data.get("OperatingSystem"),
        "rules": rules,
        "approved_patches": len(data.get("ApprovedPatches") or []),
    }


def _windows(c: Collection, region: str) -> Any:
    """Enabled maintenance windows with their targets and whether a task runs the patch baseline."""
    listing = c.pages("ssm", region, "DescribeMaintenanceWindows", "WindowIdentities")
    if listing.error is not None:
        return _reason(listing)
    out = []
    for w in listing.data:
        if not isinstance(w, dict) or not w.get("Enabled", True):
            continue
        wid = str(w.get("WindowId"))
        targets = c.pages("ssm", region, "DescribeMaintenanceWindowTargets", "Targets", WindowId=wid)
        tasks = c.pages("ssm", region, "DescribeMaintenanceWindowTasks", "Tasks", WindowId=wid)
        out.append(
            {
                "id": wid,
                "name": str(w.get("Name") or "")[:128],
                "schedule": w.get("Schedule"),
                "next_execution": w.get("NextExecutionTime"),
                "targets": _targets(targets.data) if targets.ok else None,
                "targets_error": targets.error.reason if targets.error else None,
                "runs_patch_baseline": any(str(t.get("TaskArn")) in PATCH_DOCUMENTS for t in tasks.data)
                if tasks.ok
                else None,
                "tasks_error": tasks.error.reason if tasks.error else None,
            }
        )
    return out


def _targets(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"key": str(t.get("Key") or ""), "values": [str(v) for v in t.get("Values") or []][:200]}
        for item in items
        if isinstance(item, dict) and item.get("ResourceType", "INSTANCE") == "INSTANCE"
        for t in item.get("Targets") or []
        if isinstance(t, dict)
    ]


def _runtime(c: Collection, region: str, name: str) -> dict[str, Any]:
    answer = c.call("lambda", region, "GetRuntimeManagementConfig", FunctionName=name)
    if answer.error is not None:
        return _reason(answer)
    data = answer.data or {}
    return {"update_runtime_on": data.get("UpdateRuntimeOn"), "runtime_version_arn": data.get("RuntimeVersionArn")}
