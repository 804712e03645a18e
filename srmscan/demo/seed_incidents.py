"""Incidents 1 and 3 as commands: what `srmscan patch-plan --demo` and `srmscan events --demo` read.

Seeds (through moto) a weekly patching maintenance window that targets the `acme-web` fleet
by its Name tag and runs AWS-RunPatchBaseline; the legacy and batch instances have none.

moto lacks ssm:DescribeInstancePatches, ssm:GetPatchBaseline, a window's NextExecutionTime,
lambda:GetRuntimeManagementConfig and the AWS Health API. `install` answers them with the
demo's SIMULATED data: the glibc fix for CVE-2023-4911 ("Looney Tunables", a real 2023 glibc
CVE used here as the demo's example) missing on the same instances seed_ec2 marks
non-compliant, a baseline that auto-approves security fixes after 7 days, every Lambda
function on runtime updates Auto, and one AWS Health scheduled change (a retirement of a
batch instance) as an account with a Business support plan would see it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.awsrequest import AWSResponse

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 60
REGION = "eu-west-1"
BASELINE = "pb-0e392de35e7c563b7"  # the id seed_ec2's simulated patch states name
DEMO_CVE = "CVE-2023-4911"


def seed(world: DemoWorld) -> None:
    if "ec2" not in world.ids:
        return
    ssm = world.client("ssm", REGION)
    window = ssm.create_maintenance_window(
        Name="acme-web-patching",
        Schedule="cron(0 3 ? * TUE *)",
        Duration=3,
        Cutoff=1,
        AllowUnassociatedTargets=False,
    )["WindowId"]
    target = ssm.register_target_with_maintenance_window(
        WindowId=window, ResourceType="INSTANCE", Targets=[{"Key": "tag:Name", "Values": ["acme-web"]}]
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=window,
        Targets=[{"Key": "WindowTargetIds", "Values": [target]}],
        TaskArn="AWS-RunPatchBaseline",
        TaskType="RUN_COMMAND",
        MaxConcurrency="25%",
        MaxErrors="1",
    )
    world.ids["patch_window"] = window


def _answer(parsed: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
    return AWSResponse("", 200, {}, None), parsed


def _body(params: dict[str, Any]) -> dict[str, Any]:
    body = params.get("body") or b"{}"
    return dict(json.loads(body.decode() if isinstance(body, bytes) else body))


def install(events: Any, world: DemoWorld) -> None:
    ids = world.ids.get("ec2")
    if not ids:
        return
    now = world.now
    web, legacy = ids["web"], ids["legacy"]
    glibc_missing = set(web[: len(web) // 2]) | {legacy}  # the same instances seed_ec2 reports non-compliant

    def instance_patches(params: dict[str, Any], **_: Any) -> Any:
        iid = _body(params).get("InstanceId")
        patches = []
        if iid in glibc_missing:
            # SIMULATED: the last Patch Manager scan lists the glibc fix as missing (CVE ids come with Missing).
            version = "2.26-64.amzn2.0.2" if iid == legacy else "2.34-117.amzn2023.0.1"
            for name in ("glibc", "glibc-common"):
                patches.append(
                    {
                        "Title": f"{name}.x86_64:0:{version}",
                        "KBId": f"{name}.x86_64",
                        "Classification": "Security",
                        "Severity": "Critical",
                        "State": "Missing",
                        "InstalledTime": datetime(1970, 1, 1, tzinfo=UTC),
                        "CVEIds": f"{DEMO_CVE},CVE-2023-4806",
                    }
                )
        return _answer({"Patches": patches})

    def patch_baseline(params: dict[str, Any], **_: Any) -> Any:
        # SIMULATED: the fleet's custom baseline auto-approves critical/important security fixes after 7 days.
        return _answer(
            {
                "BaselineId": _body(params).get("BaselineId"),
                "Name": "acme-al2023-security",
                "OperatingSystem": "AMAZON_LINUX_2023",
                "ApprovalRules": {
                    "PatchRules": [
                        {
                            "PatchFilterGroup": {
                                "PatchFilters": [
                                    {"Key": "CLASSIFICATION", "Values": ["Security"]},
                                    {"Key": "SEVERITY", "Values": ["Critical", "Important"]},
                                ]
                            },
                            "ComplianceLevel": "CRITICAL",
                            "ApproveAfterDays": 7,
                        }
                    ]
                },
                "ApprovedPatches": [],
            }
        )

    def next_execution(parsed: dict[str, Any], **_: Any) -> None:
        # SIMULATED: moto does not compute when a window runs next (cron: Tuesdays 03:00 UTC).
        tuesday = (now + timedelta(days=(1 - now.weekday()) % 7 or 7)).replace(hour=3, minute=0, second=0)
        for w in parsed.get("WindowIdentities", []) or []:
            w["NextExecutionTime"] = tuesday.isoformat()

    def runtime_config(params: dict[str, Any], **_: Any) -> Any:
        # SIMULATED: every demo function lets AWS roll out patched runtime versions (Auto).
        return _answer({"UpdateRuntimeOn": "Auto", "FunctionArn": str(params.get("url_path", ""))})

    retirement = f"arn:aws:health:{REGION}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/demo-0001"

    def health_events(params: dict[str, Any], **_: Any) -> Any:
        # SIMULATED: an AWS Health scheduled change, as an account with Business support would see it.
        return _answer(
            {
                "events": [
                    {
                        "arn": retirement,
                        "service": "EC2",
                        "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                        "eventTypeCategory": "scheduledChange",
                        "region": REGION,
                        "startTime": now + timedelta(days=14),
                        "endTime": now + timedelta(days=14, hours=2),
                        "lastUpdatedTime": now,
                        "statusCode": "upcoming",
                        "eventScopeCode": "ACCOUNT_SPECIFIC",
                    }
                ]
            }
        )

    def affected(params: dict[str, Any], **_: Any) -> Any:
        wanted = (_body(params).get("filter") or {}).get("eventArns") or []
        entities = []
        if retirement in wanted:
            entities.append(
                {
                    "entityArn": f"arn:aws:health:{REGION}:{DEMO_ACCOUNT}:entity/demo-0001",
                    "eventArn": retirement,
                    "entityValue": ids["batch"][0],
                    "awsAccountId": DEMO_ACCOUNT,
                    "statusCode": "IMPAIRED",
                }
            )
        return _answer({"entities": entities})

    events.register("before-call.ssm.DescribeInstancePatches", instance_patches)
    events.register("before-call.ssm.GetPatchBaseline", patch_baseline)
    events.register("after-call.ssm.DescribeMaintenanceWindows", next_execution)
    events.register("before-call.lambda.GetRuntimeManagementConfig", runtime_config)
    events.register("before-call.health.DescribeEvents", health_events)
    events.register("before-call.health.DescribeAffectedEntities", affected)
