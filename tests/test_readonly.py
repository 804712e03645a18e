"""Read-only and least privilege, proven on a full demo scan.

Every API call the *scanner's* session makes is recorded (the demo seeds through a separate
session, which is not recorded). The calls must all be read-only, every one must map to an
action the printed `srmscan permissions` policy grants, and every granted action must be
used, or be listed below with the reason the demo cannot exercise it.
"""

from __future__ import annotations

import json
import re

import boto3
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.collect.iam_actions import UNAUTHORISED_OK, iam_action, is_read_only
from srmscan.collect.registry import declared_actions
from srmscan.demo.account import demo_session
from srmscan.scan import run_scan
from tests.faultkit import record_calls

# Declared actions a demo scan does not call, each with the reason. Keep this list short and
# honest: an entry here is an action the least-privilege policy grants without a test proving
# it is needed.
USED_OUTSIDE_DEMO: dict[str, str] = {
    "cloudtrail:LookupEvents": "only with `scan --attribute` (srmscan/collect/cloudtrail_events.py); moto lacks it",
    "ecs:DescribeContainerInstances": "only for ECS clusters on EC2 capacity; the demo's cluster has no instances",
    "elasticloadbalancing:DescribeTargetHealth": "only for target groups attached to an Auto Scaling group",
    "rds:DescribeDBSubnetGroups": "only for Aurora/Multi-AZ clusters with a subnet group; the demo has none",
    "access-analyzer:ListFindings": "ListFindingsV2 per active external-access analyzer; moto lacks Access Analyzer "
    "(tests/realworld/test_access_analyzer.py)",
    "organizations:ListDelegatedAdministrators": "only from an organization's management account; the demo is "
    "not in one (tests/realworld/test_access_analyzer.py)",
    "ec2:GetAllowedImagesSettings": "only when an AMI in use is not visible (tests/realworld/test_ec2_images.py)",
    "ec2:GetManagedPrefixListEntries": "only for security groups naming a prefix list (tests/realworld/test_ec2_corners.py)",
}
# Only `srmscan patch-plan` / `srmscan events` make these calls, never a scan; the demo runs of both
# commands in tests/test_patch_plan.py prove they are called, read-only and declared.
for _action in (
    "ssm:DescribeInstancePatches",
    "ssm:GetPatchBaseline",
    "ssm:DescribeMaintenanceWindows",
    "ssm:DescribeMaintenanceWindowTargets",
    "ssm:DescribeMaintenanceWindowTasks",
    "lambda:GetRuntimeManagementConfig",
    "health:DescribeEvents",
    "health:DescribeAffectedEntities",
):
    USED_OUTSIDE_DEMO[_action] = "only `srmscan patch-plan` / `srmscan events` (tests/test_patch_plan.py)"

WRITE_VERBS = re.compile(
    r"^(Put|Create|Delete|Update|Modify|Start|Stop|Attach|Detach|Associate|Disassociate|Enable|Disable|Run|"
    r"Terminate|Reboot|Register|Deregister|Tag|Untag|Set|Add|Remove|Revoke|Authorize|Invoke|Publish|Send|"
    r"Import|Export|Copy|Restore|Reset|Cancel|Upload|Replace|Accept|Reject|Apply|Change|Assume)"
)


def _service_names() -> dict[str, str]:
    """Event service names (hyphenised service ids) -> boto3 service names."""
    session = boto3.Session(region_name="us-east-1")
    return {session._session.get_service_model(n).service_id.hyphenize(): n for n in session.get_available_services()}


def _demo_calls(ruleset) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with demo_session() as (aws, regions):
        calls = record_calls(aws.events)
        result = run_scan(aws, regions, ruleset)
    assert result.findings and result.inventory.resources
    names = _service_names()
    return sorted({(names[service], op) for service, op, _ in calls})


def test_demo_scan_is_read_only_and_matches_the_declared_policy(ruleset) -> None:
    calls = _demo_calls(ruleset)
    assert len(calls) > 10
    writes = [f"{s}:{op}" for s, op in calls if not is_read_only(op) or WRITE_VERBS.match(op)]
    # GenerateCredentialReport is the one allowed non-Get verb: it writes nothing in the account.
    assert [w for w in writes if w != "iam:GenerateCredentialReport"] == []
    declared = set(declared_actions())
    used = {iam_action(s, op) for s, op in calls if (s, op) not in UNAUTHORISED_OK}
    undeclared = sorted(used - declared)
    assert undeclared == [], f"called but not in `srmscan permissions`: {undeclared}"
    unused = sorted(declared - used - set(USED_OUTSIDE_DEMO))
    assert unused == [], f"declared but never called by a demo scan (add a reason to USED_OUTSIDE_DEMO): {unused}"
    stale = sorted(set(USED_OUTSIDE_DEMO) & used)
    assert stale == [], f"listed as unused by the demo but it is used: {stale}"


def test_permissions_command_prints_a_valid_least_privilege_policy() -> None:
    result = CliRunner().invoke(app, ["permissions"])
    assert result.exit_code == 0, result.output
    policy = json.loads(result.stdout)
    assert policy["Version"] == "2012-10-17"
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    actions = statement["Action"]
    assert actions == sorted(set(actions)) == declared_actions()
    for action in actions:
        service, _, name = action.partition(":")
        assert re.fullmatch(r"[a-z0-9-]+", service) and re.fullmatch(r"[A-Z][A-Za-z0-9]+", name), action
        assert "*" not in action
        assert is_read_only(name) and (not WRITE_VERBS.match(name)), action
