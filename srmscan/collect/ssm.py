"""Systems Manager: which instances SSM manages and what their last patch scan found.

Both facts are kept on the region's account resource, keyed by instance id, because rules
join them to EC2 instances (and ECS container instances) rather than judging them alone:
`ssm_managed_instances` and `ssm_patch_states`. When a call fails those keys are marked
unreadable, so "not managed" or "compliant" can never be concluded from a call that failed.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, fill
from srmscan.collect.registry import collector

PATCH_STATE_BATCH = 50  # DescribeInstancePatchStates accepts at most 50 instance ids


@collector(
    "ssm",
    scope="regional",
    actions=["ssm:DescribeInstanceInformation", "ssm:DescribeInstancePatchStates"],
)
def collect_ssm(c: Collection, region: str) -> None:
    account = c.account(region)
    info = c.pages("ssm", region, "DescribeInstanceInformation", "InstanceInformationList")
    fill(account, "ssm_managed_instances", info, _managed)
    if info.error is not None:
        account.unreadable["ssm_patch_states"] = info.error.id
        return
    ids = sorted({str(i.get("InstanceId")) for i in info.data if i.get("InstanceId")})
    fill(account, "ssm_patch_states", _patch_states(c, region, ids))


def _managed(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        str(i.get("InstanceId")): {
            "ping_status": i.get("PingStatus"),
            "last_ping": _iso(i.get("LastPingDateTime")),
            "agent_version": i.get("AgentVersion"),
            "platform_type": i.get("PlatformType"),
            "platform_name": i.get("PlatformName"),
            "platform_version": i.get("PlatformVersion"),
            "resource_type": i.get("ResourceType"),
        }
        for i in items
        if i.get("InstanceId")
    }


def _patch_states(c: Collection, region: str, ids: list[str]) -> Answer:
    """Patch states of managed instances in batches of 50; any failed batch makes the whole map unreadable
    (a partial map would make the missing instances look as if SSM had never scanned them)."""
    states: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), PATCH_STATE_BATCH):
        batch = ids[start : start + PATCH_STATE_BATCH]
        answer = c.pages("ssm", region, "DescribeInstancePatchStates", "InstancePatchStates", InstanceIds=batch)
        if answer.error is not None:
            return answer
        for s in answer.data:
            states[str(s.get("InstanceId"))] = {
                "baseline_id": s.get("BaselineId"),
                "operation": s.get("Operation"),
                "operation_end_time": _iso(s.get("OperationEndTime")),
                "missing": int(s.get("MissingCount") or 0),
                "failed": int(s.get("FailedCount") or 0),
                "installed_pending_reboot": int(s.get("InstalledPendingRebootCount") or 0),
                "installed_rejected": int(s.get("InstalledRejectedCount") or 0),
                "critical_non_compliant": int(s.get("CriticalNonCompliantCount") or 0),
                "security_non_compliant": int(s.get("SecurityNonCompliantCount") or 0),
                "other_non_compliant": int(s.get("OtherNonCompliantCount") or 0),
                "reboot_option": s.get("RebootOption"),
            }
    return Answer(data=states)


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
