"""`srmscan patch-plan`: who patches what, by when (incident 1).

moto lacks ssm DescribeInstanceInformation / DescribeInstancePatchStates / DescribeInstancePatches /
GetPatchBaseline, a maintenance window's NextExecutionTime and lambda GetRuntimeManagementConfig:
these tests answer them with botocore event hooks on the scanner's session (SIMULATED answers,
registered on `aws.events`). EC2 instances, Lambda functions and the maintenance window, its
targets and tasks are real moto resources.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.cli.incidents import patch_plan_text
from srmscan.collect.iam_actions import iam_action, is_read_only
from srmscan.collect.registry import declared_actions
from srmscan.incidents import patch_plan as pp
from srmscan.incidents.evidence import ACTIONS
from tests.helpers import fail_operation

REGION = "eu-west-1"
RUNNER = CliRunner()


def _respond(parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    return SimpleNamespace(status_code=200, headers={}), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}


def _body(params: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(params.get("body") or b"{}"))


def _fleet(session: Any) -> dict[str, str]:
    ec2 = session.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ids = {}
    for name in ("missing", "clean", "unmanaged", "pending"):
        out = ec2.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"web-{name}"}]}],
        )
        ids[name] = out["Instances"][0]["InstanceId"]
    return ids


def _simulate_ssm(events: Any, ids: dict[str, str], patch_calls: list[str] | None = None) -> None:
    """SIMULATED SSM: three managed instances (one missing glibc, one pending reboot), one unmanaged."""
    managed = [ids["missing"], ids["clean"], ids["pending"]]

    def information(**_: Any) -> Any:
        return _respond({"InstanceInformationList": [{"InstanceId": i, "PingStatus": "Online"} for i in managed]})

    def states(params: dict[str, Any], **_: Any) -> Any:
        wanted = _body(params).get("InstanceIds", [])
        return _respond(
            {
                "InstancePatchStates": [
                    {
                        "InstanceId": i,
                        "BaselineId": "pb-0123456789abcdef0",
                        "Operation": "Scan",
                        "OperationEndTime": datetime(2026, 11, 23, tzinfo=UTC),
                        "MissingCount": 2 if i == ids["missing"] else 0,
                        "InstalledPendingRebootCount": 1 if i == ids["pending"] else 0,
                        "FailedCount": 0,
                    }
                    for i in wanted
                    if i in managed
                ]
            }
        )

    def patches(params: dict[str, Any], **_: Any) -> Any:
        body = _body(params)
        iid = body["InstanceId"]
        if patch_calls is not None:
            patch_calls.append(iid)
        # The collector asks only for patches whose fix is not in effect.
        assert body["Filters"] == [
            {"Key": "State", "Values": ["Missing", "Failed", "InstalledPendingReboot", "AvailableSecurityUpdate"]}
        ]
        found = []
        if iid == ids["missing"]:
            found = [
                {
                    "Title": "glibc.x86_64:0:2.34-117.amzn2023.0.1",
                    "KBId": "glibc.x86_64",
                    "Classification": "Security",
                    "Severity": "Critical",
                    "State": "Missing",
                    "InstalledTime": datetime(1970, 1, 1, tzinfo=UTC),
                    "CVEIds": "CVE-2023-4911",
                },
                {
                    "Title": "openssl.x86_64:1:3.0.8-1.amzn2023",
                    "KBId": "openssl.x86_64",
                    "Classification": "Security",
                    "Severity": "Important",
                    "State": "Missing",
                    "InstalledTime": datetime(1970, 1, 1, tzinfo=UTC),
                },
            ]
        elif iid == ids["pending"]:
            found = [
                {
                    "Title": "glibc-common.x86_64:0:2.34-117.amzn2023.0.1",
                    "KBId": "glibc-common.x86_64",
                    "Classification": "Security",
                    "Severity": "Critical",
                    "State": "InstalledPendingReboot",
                    "InstalledTime": datetime(2026, 11, 22, tzinfo=UTC),
                }
            ]
        return _respond({"Patches": found})

    def baseline(params: dict[str, Any], **_: Any) -> Any:
        rule = {"PatchFilterGroup": {"PatchFilters": []}, "ApproveAfterDays": 10}
        return _respond(
            {"BaselineId": _body(params)["BaselineId"], "Name": "web", "ApprovalRules": {"PatchRules": [rule]}}
        )

    events.register("before-call.ssm.DescribeInstanceInformation", information)
    events.register("before-call.ssm.DescribeInstancePatchStates", states)
    events.register("before-call.ssm.DescribeInstancePatches", patches)
    events.register("before-call.ssm.GetPatchBaseline", baseline)


def _window(session: Any, events: Any, instance: str, when: str) -> None:
    """A real moto window targeting one instance by id, running AWS-RunPatchBaseline; NextExecutionTime SIMULATED."""
    ssm = session.client("ssm", region_name=REGION)
    wid = ssm.create_maintenance_window(
        Name="patch", Schedule="cron(0 3 ? * TUE *)", Duration=2, Cutoff=1, AllowUnassociatedTargets=False
    )["WindowId"]
    target = ssm.register_target_with_maintenance_window(
        WindowId=wid, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": [instance]}]
    )["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=wid,
        Targets=[{"Key": "WindowTargetIds", "Values": [target]}],
        TaskArn="AWS-RunPatchBaseline",
        TaskType="RUN_COMMAND",
        MaxConcurrency="1",
        MaxErrors="1",
    )

    def next_run(parsed: dict[str, Any], **_: Any) -> None:
        for w in parsed.get("WindowIdentities", []):
            w["NextExecutionTime"] = when

    events.register("after-call.ssm.DescribeMaintenanceWindows", next_run)


def _request(**kw: Any) -> pp.PlanRequest:
    args = {"package": "glibc", "cve": "CVE-2023-4911", "severity": "critical", "disclosed": "2026-11-21", "sla": None}
    args.update(kw)
    return pp.make_request(today=date(2026, 11, 24), **args)


def _plan(aws: Any, fmt: str = "json", **kw: Any) -> Any:
    text = patch_plan_text(aws, [REGION], _request(), fmt, kw.pop("max_lookups", 100))
    return json.loads(text) if fmt == "json" else text


def _row(plan: dict[str, Any], resource: str) -> dict[str, str]:
    return next(r for r in plan["rows"] if r["resource"] == resource)


def test_instances_rows_owner_status_deadline_and_window(session, aws) -> None:
    ids = _fleet(session)
    _simulate_ssm(aws.events, ids)
    _window(session, aws.events, ids["missing"], "2026-11-25T03:00Z")
    plan = _plan(aws)

    missing = _row(plan, ids["missing"])
    assert missing["owner"] == "customer" and missing["tier"] == "iaas"
    assert missing["status"] == "missing"
    assert "glibc.x86_64:0:2.34-117.amzn2023.0.1" in missing["evidence"] and "openssl" not in missing["evidence"]
    assert "CVE-2023-4911 listed" in missing["evidence"]
    assert "AWS-RunPatchBaseline" in missing["lever"]
    assert missing["deadline"] == "2026-11-28"  # disclosed 2026-11-21 + critical 7 days
    assert missing["next_window"].startswith("2026-11-25") and missing["window_before_deadline"] == "yes"
    # Auto-approval after 10 days lands after the 7-day deadline: the plan says so.
    assert "approved by 2026-12-01" in missing["evidence"] and "approve the fix explicitly" in missing["evidence"]

    assert _row(plan, ids["pending"])["status"] == "pending-reboot"  # a subpackage counts (glibc-common)
    clean = _row(plan, ids["clean"])
    assert clean["status"] == "not-reported-missing" and clean["window_before_deadline"] == "none"
    unmanaged = _row(plan, ids["unmanaged"])
    assert unmanaged["status"] == "no-patch-evidence" and "does not manage" in unmanaged["evidence"]

    summary = plan["summary"]
    assert (summary["instances"], summary["managed"], summary["without_patch_evidence"]) == (4, 3, 1)
    assert summary["not_in_effect"] == 2
    assert plan["summary"]["lines"][0].startswith(
        "Customer: 4 instances (3 managed, 1 without patch evidence; 2 with glibc (CVE-2023-4911) not in effect)"
    )


def test_failed_lookup_and_cap_are_never_counted_as_patched(session, aws) -> None:
    ids = _fleet(session)
    calls: list[str] = []
    _simulate_ssm(aws.events, ids, calls)
    plan = _plan(aws, max_lookups=2)
    assert len(calls) == 2  # one call per instance, capped
    statuses = {r["resource"]: r["status"] for r in plan["rows"] if r["resource"].startswith("i-")}
    capped = [i for i, s in statuses.items() if s == "not-checked"]
    assert len(capped) == 1 and any("not looked up" in n for n in plan["notes"])
    assert plan["summary"]["not_checked"] == 1


def test_denied_instance_patches_is_not_checked_never_patched(session, aws) -> None:
    ids = _fleet(session)
    fail_operation(aws.events, "ssm", "DescribeInstancePatches")  # registered first: it answers first
    _simulate_ssm(aws.events, ids)
    denied = _plan(aws)
    for iid in (ids["missing"], ids["clean"], ids["pending"]):
        row = _row(denied, iid)
        assert row["status"] == "not-checked" and "AccessDenied" in row["evidence"], row
    assert any(e["operation"] == "DescribeInstancePatches" for e in denied["errors"])


def test_ssm_unreadable_means_no_patch_evidence_for_every_instance(session, aws) -> None:
    ids = _fleet(session)
    fail_operation(aws.events, "ssm", "DescribeInstanceInformation")
    plan = _plan(aws)
    rows = [r for r in plan["rows"] if r["resource"] in ids.values()]
    assert len(rows) == 4 and {r["status"] for r in rows} == {"no-patch-evidence"}
    assert plan["summary"]["managed"] == 0 and plan["summary"]["without_patch_evidence"] == 4


def _function(session: Any, name: str, **extra: Any) -> str:
    iam = session.client("iam", region_name=REGION)
    trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    try:
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    except Exception:
        role = iam.get_role(RoleName="fn")["Role"]["Arn"]
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("h.py", "def h(e, c):\n    return 1\n")
    lam = session.client("lambda", region_name=REGION)
    return str(
        lam.create_function(
            FunctionName=name,
            Runtime=extra.pop("Runtime", "python3.12"),
            Role=role,
            Handler="h.h",
            Code={"ZipFile": buf.getvalue()},
            **extra,
        )["FunctionArn"]
    )


def test_lambda_runtime_management_modes(session, aws) -> None:
    """GetRuntimeManagementConfig SIMULATED per function name; one function's call is denied."""
    auto = _function(session, "auto")
    manual = _function(session, "manual")
    on_update = _function(session, "on-update")
    denied = _function(session, "denied")
    modes = {"auto": "Auto", "manual": "Manual", "on-update": "FunctionUpdate"}

    def config(params: dict[str, Any], **_: Any) -> Any:
        name = str(params["url_path"]).split("/functions/")[1].split("/")[0]
        if name == "denied":
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetRuntimeManagementConfig"
            )
        return _respond({"UpdateRuntimeOn": modes[name]})

    aws.events.register("before-call.lambda.GetRuntimeManagementConfig", config)
    plan = _plan(aws)
    assert (_row(plan, auto)["owner"], _row(plan, auto)["status"]) == ("shared", "aws-patches")
    assert (_row(plan, manual)["owner"], _row(plan, manual)["status"]) == ("customer", "ours")
    assert _row(plan, on_update)["status"] == "ours-on-update"
    assert _row(plan, denied)["status"] == "unknown" and "AccessDenied" in _row(plan, denied)["evidence"]
    assert plan["summary"]["functions_ours"] == 2 and plan["summary"]["functions_aws_patched"] == 1


def test_json_and_csv_carry_the_same_rows(session, aws) -> None:
    ids = _fleet(session)
    _simulate_ssm(aws.events, ids)
    ec2 = session.client("ec2", region_name=REGION)
    ec2.create_tags(Resources=[ids["clean"]], Tags=[{"Key": "Name", "Value": '=HYPERLINK("x")'}])
    as_json = _plan(aws)["rows"]
    as_csv = list(csv.DictReader(io.StringIO(_plan(aws, fmt="csv"))))
    formula = next(r for r in as_csv if r["resource"] == ids["clean"])
    assert formula["name"] == '\'=HYPERLINK("x")'  # formula-safe
    formula["name"] = formula["name"][1:]
    assert as_csv == as_json and len(as_json) == 4


def test_request_validation_and_pure_helpers() -> None:
    req = _request(severity="high", sla="high=14")
    assert req.deadline == date(2026, 12, 5)
    assert _request(disclosed=None).disclosed == date(2026, 11, 24)
    assert pp.package_name("glibc-langpack-en.x86_64:0:2.34-117") == "glibc-langpack-en"
    assert pp.package_name("glibc-2.34-60.amzn2023.x86_64") == "glibc"
    assert pp.matches_package("glibc-common", "glibc") and not pp.matches_package("glibcx", "glibc")
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday
    assert pp.next_weekly_window("wed:22:00-wed:22:30", now) == datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    assert pp.next_weekly_window("tue:03:00-tue:03:30", now) == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert pp.next_weekly_window("garbage", now) is None


def test_cli_usage_errors_exit_2() -> None:
    for args in (
        ["--package", "glibc", "--disclosed", "2026-13-45"],
        ["--package", "glibc", "--severity", "urgent"],
        ["--package", "glibc", "--sla", "critical=soon"],
        ["--package", "glibc", "--cve", "not-a-cve"],
        ["--package", "glibc", "--format", "xml"],
    ):
        result = RUNNER.invoke(app, ["patch-plan", *args])
        assert result.exit_code == 2, (args, result.output)
    assert "YYYY-MM-DD" in RUNNER.invoke(app, ["patch-plan", "--package", "glibc", "--disclosed", "x"]).output


def test_demo_glibc_story_end_to_end(tmp_path) -> None:
    out = tmp_path / "plan.json"
    args = ["patch-plan", "--demo", "--package", "glibc", "--cve", "CVE-2023-4911", "--disclosed", "2026-11-21"]
    result = RUNNER.invoke(app, [*args, "--format", "json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text())
    rows = plan["rows"]
    by_name: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_name.setdefault(r["name"], []).append(r)
    assert [r["status"] for r in by_name["acme-batch-1"]] == ["no-patch-evidence"]
    assert by_name["acme-legacy-reporting"][0]["status"] == "missing"
    assert sorted(r["status"] for r in by_name["acme-web"]) == ["missing"] * 2 + ["not-reported-missing"] * 2
    checkout = by_name["checkout-web"][0]
    assert (checkout["owner"], checkout["status"]) == ("shared", "rebuild") and "CVE-2023-4911" in checkout["evidence"]
    assert by_name["payments-api"][0]["status"] == "not-in-scan"
    assert {r["status"] for n in ("acme-thumbnailer", "acme-partner-hook") for r in by_name[n]} == {"aws-patches"}
    db = by_name["acme-reporting-db"][0]
    assert (db["owner"], db["status"]) == ("aws", "scheduled")
    lines = plan["summary"]["lines"]
    assert lines[0].startswith("Customer: 7 instances (5 managed, 2 without patch evidence; 3 with")
    assert "1 image to rebuild" in lines[0] and "RDS patches scheduled " in lines[1]
    table = RUNNER.invoke(app, args)
    assert table.exit_code == 0 and "Customer: 7 instances" in table.output and "16 row(s)" in table.output


def test_extra_calls_are_read_only_declared_and_listed_by_permissions() -> None:
    from srmscan.cli.incidents import events_text
    from srmscan.demo.account import demo_session
    from tests.faultkit import record_calls

    with demo_session() as (aws, regions):
        calls = record_calls(aws.events)
        patch_plan_text(aws, regions, _request(), "json", 100)
        events_text(aws, regions, "json")
    wanted = {a.split(":")[1] for a in ACTIONS} | {"DescribeEvents", "DescribeAffectedEntities"}
    extra = {(s, op) for s, op, _ in calls if s in ("ssm", "lambda", "health") and op in wanted}
    assert {op for _, op in extra} >= {a.split(":")[1] for a in ACTIONS}
    declared = set(declared_actions())
    for service, op in extra:
        assert is_read_only(op) and iam_action(service, op) in declared
    printed = RUNNER.invoke(app, ["permissions"]).output
    assert "ssm:DescribeInstancePatches" in printed and "health:DescribeEvents" in printed


def test_overdue_late_windows_teams_and_deprecated_runtimes(session, aws) -> None:
    """Deadline in the past: open rows are flagged overdue; a window after the deadline is flagged;
    a function on a deprecated runtime is ours even in Auto mode; teams come from the owner tags."""
    ids = _fleet(session)
    _simulate_ssm(aws.events, ids)
    ec2 = session.client("ec2", region_name=REGION)
    ec2.create_tags(Resources=[ids["missing"]], Tags=[{"Key": "Team", "Value": "web"}])
    today = datetime.now(UTC).date()
    late = (today + timedelta(days=12)).isoformat() + "T03:00Z"
    _window(session, aws.events, ids["missing"], late)
    old = _function(session, "old-report", Runtime="python3.8", Tags={"Owner": "analytics"})
    fresh = _function(session, "fresh")
    aws.events.register(
        "before-call.lambda.GetRuntimeManagementConfig", lambda **_: _respond({"UpdateRuntimeOn": "Auto"})
    )
    # Disclosed today: the deadline (today + 7) is ahead, the window (today + 12) lands after it.
    ahead = json.loads(patch_plan_text(aws, [REGION], _request(disclosed=today.isoformat()), "json", 100))
    row = _row(ahead, ids["missing"])
    assert row["window_before_deadline"] == "no" and row["flags"] == "window-after-deadline"
    assert row["team"] == "web"
    assert any("lands after the deadline" in n for n in ahead["notes"])
    deprecated = _row(ahead, old)
    assert (deprecated["owner"], deprecated["status"], deprecated["team"]) == ("customer", "ours", "analytics")
    assert "no longer patches" in deprecated["who_patches"] and "supported runtime" in deprecated["lever"]
    assert (_row(ahead, fresh)["owner"], _row(ahead, fresh)["status"]) == ("shared", "aws-patches")
    assert not any("overdue" in r["flags"] for r in ahead["rows"])

    # Disclosed 30 days ago: the 7-day deadline has passed; every open row says so, settled ones do not.
    past = json.loads(
        patch_plan_text(aws, [REGION], _request(disclosed=(today - timedelta(days=30)).isoformat()), "json", 100)
    )
    assert "overdue" in _row(past, ids["missing"])["flags"].split(",")
    assert "overdue" in _row(past, ids["unmanaged"])["flags"]  # no patch evidence: not known to be done
    assert _row(past, ids["clean"])["flags"] == ""  # not reported missing: nothing to do
    assert _row(past, fresh)["flags"] == ""  # AWS patches it
    assert any("passed 23 days ago" in n for n in past["notes"])
    table = patch_plan_text(aws, [REGION], _request(disclosed=(today - timedelta(days=30)).isoformat()), "table", 100)
    assert "overdue" in table and "team" in table
