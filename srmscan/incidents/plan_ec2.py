"""Patch-plan rows for EC2 instances and ECS container instances: ours end to end.

Evidence: SSM managed-instance list, patch states, DescribeInstancePatches for the package,
the patch baseline's auto-approval delay and the next maintenance window running AWS-RunPatchBaseline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from srmscan.incidents.evidence import PatchEvidence, managed_instances, patch_states
from srmscan.incidents.plan_common import (
    CONTAINER_INSTANCE,
    EC2_INSTANCE,
    MISSING,
    NO_EVIDENCE,
    NOT_CHECKED,
    NOT_REPORTED,
    PENDING_REBOOT,
    PlanRequest,
    PlanRow,
    before_deadline,
    parse_time,
    patch_hits,
)
from srmscan.model import Inventory, Resource


def _window_for(instance: Resource, windows: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The earliest enabled patching window that targets the instance, or why that is unknown."""
    if windows is None or (isinstance(windows, dict) and "error" in windows):
        return None, (windows or {}).get("error", "maintenance windows not read")
    found: list[dict[str, Any]] = []
    unresolved: list[str] = []
    for w in windows:
        if w.get("targets") is None:
            unresolved.append(f"targets of {w['id']} unreadable ({w.get('targets_error')})")
            continue
        if w.get("runs_patch_baseline") is False:
            continue
        hit = False
        for t in w["targets"]:
            key, values = t["key"], t["values"]
            if (
                (key == "InstanceIds" and instance.id in values)
                or (key.startswith("tag:") and instance.tags.get(key[4:]) in values)
                or (key == "tag-key" and any(v in instance.tags for v in values))
            ):
                hit = True
            elif key.startswith("resource-groups:"):
                unresolved.append(f"{w['id']} targets a resource group (not resolved)")
        if hit:
            found.append(w)
    found.sort(key=lambda w: str(w.get("next_execution") or "9999"))
    if found:
        return found[0], None
    return None, "; ".join(unresolved) or None


def _baseline_note(state: dict[str, Any] | None, evidence: PatchEvidence, req: PlanRequest) -> str:
    bid = (state or {}).get("baseline_id")
    if not bid:
        return ""
    base = evidence.baselines.get(str(bid))
    if base is None or "error" in base:
        return f"baseline {bid}: approval rules unreadable" + (f" ({base['error']})" if base else "")
    delays = sorted({int(r["approve_after_days"]) for r in base["rules"] if r.get("approve_after_days") is not None})
    if not delays:
        return f"baseline {base['name'] or bid}: no auto-approval delay (explicit approvals only)"
    delay = delays[0] if len(delays) == 1 else f"{delays[0]}-{delays[-1]}"
    approved = req.disclosed + timedelta(days=delays[-1])
    text = f"baseline {base['name'] or bid} auto-approves after {delay} days (a fix released {req.disclosed} is "
    text += f"approved by {approved})"
    if approved > req.deadline:
        text += ": after the deadline, approve the fix explicitly"
    return text


def _os_and_ami(instance: Resource, ssm_entry: dict[str, Any] | None, now: datetime) -> str:
    parts = []
    if ssm_entry and ssm_entry.get("platform_name"):
        parts.append(f"{ssm_entry['platform_name']} {ssm_entry.get('platform_version') or ''}".strip())
    elif instance.attrs.get("platform_details"):
        parts.append(str(instance.attrs["platform_details"]))
    image = instance.attrs.get("image") if "image" not in instance.unreadable else None
    created = parse_time((image or {}).get("creation_date"))
    if created:
        parts.append(f"AMI built {created.date()} ({(now - created).days} days old)")
    elif "image" in instance.unreadable or image is None:
        parts.append("AMI age unknown")
    return ", ".join(parts)


def instance_row(
    instance: Resource,
    req: PlanRequest,
    inv: Inventory,
    evidence: PatchEvidence,
    now: datetime,
    ecs: Resource | None,
) -> PlanRow:
    managed = managed_instances(inv, instance.region)
    states = patch_states(inv, instance.region)
    ssm_entry = (managed or {}).get(instance.id)
    state = (states or {}).get(instance.id)
    facts = [_os_and_ami(instance, ssm_entry, now)]
    asg = instance.attrs.get("asg_name")
    if ecs is not None:
        lever = (
            "replace with a patched ECS-optimized AMI: drain the container instance, then an instance refresh of its "
            "Auto Scaling group (or AWS-RunPatchBaseline and a reboot)"
        )
        facts.insert(0, f"ECS container instance of cluster {ecs.attrs.get('cluster_name')}")
    elif asg:
        lever = (
            f"Auto Scaling instance refresh of {asg} with a patched AMI, or SSM Patch Manager (AWS-RunPatchBaseline)"
        )
    else:
        lever = "SSM Patch Manager: AWS-RunPatchBaseline (Operation=Install) in a maintenance window, then reboot"
    status, managed_flag = NO_EVIDENCE, False
    if managed is None:
        facts.append("no patch evidence: SSM managed-instance list could not be read")
    elif ssm_entry is None:
        hint = "" if instance.attrs.get("iam_instance_profile") else " (no instance profile)"
        facts.append(f"no patch evidence: SSM does not manage this instance{hint}")
        if ecs is None and not asg:
            lever = (
                "make it SSM-managed (instance profile with AmazonSSMManagedInstanceCore), then AWS-RunPatchBaseline"
            )
    elif states is None:
        facts.append("no patch evidence: SSM patch states could not be read")
    elif state is None:
        facts.append(
            f"no patch evidence: SSM manages it (agent {ssm_entry.get('ping_status')}) but no patch scan reported"
        )
    else:
        managed_flag = True
        status, detail = _patch_status(instance.id, state, req, evidence)
        facts.append(detail)
        facts.append(
            f"compliance at last {state.get('operation') or 'scan'} {state.get('operation_end_time')}: "
            f"{state.get('missing', 0)} missing, {state.get('installed_pending_reboot', 0)} installed pending reboot, "
            f"{state.get('failed', 0)} failed"
        )
        note = _baseline_note(state, evidence, req)
        if note:
            facts.append(note)
    window, why = _window_for(instance, evidence.windows.get(instance.region))
    when = parse_time((window or {}).get("next_execution"))
    before = before_deadline(when, req.deadline)
    if window is not None:
        facts.append(f"next patch window {window['name'] or window['id']}")
        if when is None:
            before = "unknown"
    elif why:
        before = "unknown"
        facts.append(f"maintenance windows: {why}")
    return PlanRow(
        resource=instance.id,
        name=instance.name or "",
        resource_type=CONTAINER_INSTANCE if ecs is not None else EC2_INSTANCE,
        region=instance.region,
        tier="iaas",
        owner="customer",
        who_patches="customer: the guest OS and every package on it (AWS publishes the fixed packages and AMIs)",
        lever=lever,
        status=status,
        evidence="; ".join(f for f in facts if f),
        deadline=req.deadline.isoformat(),
        next_window=when.isoformat() if when else "",
        window_before_deadline=before,
        managed=managed_flag,
    )


def _patch_status(iid: str, state: dict[str, Any], req: PlanRequest, evidence: PatchEvidence) -> tuple[str, str]:
    if iid in evidence.capped:
        return NOT_CHECKED, f"{req.subject} not looked up: over the per-run instance lookup cap"
    found = evidence.instance_patches.get(iid)
    if found is None or "error" in found:
        reason = (found or {}).get("error", "not looked up")
        return NOT_CHECKED, f"{req.subject} state unknown: DescribeInstancePatches failed ({reason})"
    hits = patch_hits(found["open_patches"], req)
    if not hits:
        return NOT_REPORTED, (
            f"last SSM scan ({state.get('operation_end_time')}) does not report {req.subject} missing "
            "(only fixes the patch baseline knows of are reported)"
        )
    states = sorted({str(h["state"]) for h in hits})
    titles = ", ".join(sorted({h["title"] or h["kb_id"] for h in hits})[:5])
    cves = sorted({c for h in hits for c in h.get("cves") or []})
    text = f"SSM reports {titles} {'/'.join(states)}"
    if req.cve:
        text += f"; {req.cve} {'listed' if req.cve in cves else 'not listed'} in the patch CVE ids"
    open_states = {"Missing", "Failed", "AvailableSecurityUpdate"}
    return (MISSING if open_states & set(states) else PENDING_REBOOT), text


def orphan_host(ci: Resource, req: PlanRequest) -> PlanRow:
    return PlanRow(
        resource=ci.id,
        name=ci.name or "",
        resource_type=CONTAINER_INSTANCE,
        region=ci.region,
        tier="iaas",
        owner="customer",
        who_patches="customer: the container instance's OS and every package on it",
        lever="replace with a patched ECS-optimized AMI",
        status=NO_EVIDENCE,
        evidence=f"no patch evidence: its EC2 instance {ci.attrs.get('ec2_instance_id')} is not in the inventory",
        deadline=req.deadline.isoformat(),
    )
