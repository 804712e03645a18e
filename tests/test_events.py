"""`srmscan events`: AWS scheduled maintenance with our side's verdict (incident 3).

moto has no AWS Health API and never schedules EC2 events: Health answers come from botocore's
Stubber on the scanner's health client (a realistic scheduledChange event) or from an injected
SubscriptionRequiredException (`fail_operation` hook); EC2 events are added to moto's
DescribeInstanceStatus answer by an after-call hook. All of these are SIMULATED answers.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.stub import Stubber
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.cli.incidents import events_text
from srmscan.evaluate.engine import evaluate
from srmscan.evaluate.resilience import NO_ACTION
from srmscan.incidents import events as ev
from srmscan.model import Resource
from tests.helpers import fail_operation, inventory, one

REGION = "eu-west-1"


def _instance(session: Any) -> str:
    ec2 = session.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return str(ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"])


def _schedule(events: Any, instance: str, code: str = "instance-stop") -> None:
    def add(parsed: dict[str, Any], **_: Any) -> None:
        for status in parsed.get("InstanceStatuses", []):
            if status["InstanceId"] == instance:
                status["Events"] = [
                    {
                        "InstanceEventId": "instance-event-1",
                        "Code": code,
                        "Description": "The instance is running on degraded hardware",
                        "NotBefore": datetime(2026, 12, 1, 2, tzinfo=UTC),
                    }
                ]

    events.register("after-call.ec2.DescribeInstanceStatus", add)


def _rows(aws: Any) -> dict[str, Any]:
    return dict(json.loads(events_text(aws, [REGION], "json")))


def test_health_without_support_plan_is_unknown_not_no_events(session, aws) -> None:
    fail_operation(aws.events, "health", "DescribeEvents", code="SubscriptionRequiredException", status=400)
    out = _rows(aws)
    health = [r for r in out["rows"] if r["source"] == "health"]
    assert len(health) == 1 and health[0]["state"] == "unknown" and health[0]["action_required"] == "unknown"
    assert "SubscriptionRequiredException" in health[0]["verdict"] and "Business" in health[0]["verdict"]
    assert out["health"]["state"] == "unknown" and out["summary"]["sources_unknown"] == ["health"]
    # moto itself has no Health API: that is unknown too, never an empty listing.
    assert out["summary"]["events"] == 0


def test_realistic_health_scheduled_change_is_listed_with_verdict(session, aws) -> None:
    instance = _instance(session)
    arn = f"arn:aws:health:{REGION}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/abc"
    client = aws.client("health", "us-east-1")
    stub = Stubber(client)
    start = datetime(2026, 12, 3, 9, tzinfo=UTC)
    stub.add_response(
        "describe_events",
        {
            "events": [
                {
                    "arn": arn,
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": REGION,
                    "startTime": start,
                    "endTime": start + timedelta(hours=2),
                    "statusCode": "upcoming",
                },
                {  # another region than the one scanned: left out
                    "arn": arn.replace(REGION, "ap-south-1"),
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": "ap-south-1",
                    "startTime": start,
                    "statusCode": "upcoming",
                },
            ]
        },
        {"filter": {"eventTypeCategories": ["scheduledChange"], "eventStatusCodes": ["upcoming", "open"]}},
    )
    stub.add_response(
        "describe_affected_entities",
        {"entities": [{"eventArn": arn, "entityValue": instance, "statusCode": "IMPAIRED"}]},
        {"filter": {"eventArns": [arn]}},
    )
    with stub:
        out = _rows(aws)
    stub.assert_no_pending_responses()
    (row,) = [r for r in out["rows"] if r["source"] == "health"]
    assert (row["resource"], row["owner"], row["layer"], row["state"]) == (instance, "aws", "physical", "scheduled")
    assert row["action_required"] == "yes" and row["starts"] == start.isoformat()
    assert "not in an Auto Scaling group" in row["verdict"]
    assert "stop and start it yourself" in row["verdict"]  # the retirement's own move, from srmscan.evaluate.resilience
    assert out["health"] == {"state": "read"}


def test_ec2_event_verdict_is_the_scan_findings_verdict(session, aws, ruleset) -> None:
    instance = _instance(session)
    _schedule(aws.events, instance)
    out = _rows(aws)
    (row,) = [r for r in out["rows"] if r["source"] == "ec2"]
    assert (row["event"], row["owner"], row["layer"], row["action_required"]) == (
        "instance-stop",
        "aws",
        "physical",
        "yes",
    )
    from srmscan.collect.runner import collect_inventory

    findings = evaluate(collect_inventory(aws, [REGION], only={"ec2", "autoscaling"}), ruleset)
    assert one(findings, "ec2.scheduled_event", instance).evidence["verdict"] == row["verdict"]
    assert row["verdict"].startswith("Action required before 2026-12-01T02:00:00+00:00: single instance")


def test_unreadable_ec2_events_are_unknown(session, aws) -> None:
    _instance(session)
    fail_operation(aws.events, "ec2", "DescribeInstanceStatus")
    out = _rows(aws)
    (row,) = [r for r in out["rows"] if r["source"] == "ec2"]
    assert row["state"] == "unknown" and "ec2:DescribeInstanceStatus" in row["verdict"]


def test_rds_pending_actions_are_listed_with_multi_az_verdicts() -> None:
    def db(ident: str, multi_az: bool, actions: list[dict[str, Any]]) -> Resource:
        attrs = {"multi_az": multi_az, "maintenance_window": "wed:22:00-wed:22:30", "pending_maintenance": actions}
        return Resource(type="AWS::RDS::DBInstance", id=ident, region="us-east-1", attrs=attrs)

    update = {"action": "system-update", "description": "OS update", "current_apply": "2026-12-02T22:00:00+00:00"}
    unread = Resource(type="AWS::RDS::DBInstance", id="c", region="us-east-1", unreadable={"pending_maintenance": "E1"})
    rows = ev.list_events(inventory(db("a", True, [update]), db("b", False, [update]), unread), None)
    by_db = {r.resource or "unknown": r for r in rows}
    assert by_db["a"].action_required == "no" and "Multi-AZ" in by_db["a"].verdict
    assert by_db["b"].action_required == "yes" and by_db["b"].layer == "os_patching" and by_db["b"].owner == "aws"
    assert "Action required before 2026-12-02T22:00:00+00:00" in by_db["b"].verdict
    assert by_db["unknown"].state == "unknown" and "c: pending maintenance unreadable" in by_db["unknown"].verdict


def test_demo_events_csv_equals_json_and_html_report_shows_verdicts(tmp_path, ruleset) -> None:
    from srmscan.demo.account import demo_session

    with demo_session() as (aws, regions):  # one demo account: both formats see the same ids and dates
        as_json = json.loads(events_text(aws, regions, "json"))
        as_csv = list(csv.DictReader(io.StringIO(events_text(aws, regions, "csv"))))
    assert as_csv == as_json["rows"] and len(as_csv) == 5
    runner = CliRunner()
    result = runner.invoke(app, ["events", "--demo", "--output", str(tmp_path / "e.txt")])
    assert result.exit_code == 0 and "5 event(s): 4 need action, 1 need none" in (tmp_path / "e.txt").read_text()
    verdicts = {(r["source"], r["event"]): r["action_required"] for r in as_json["rows"]}
    assert verdicts[("ec2", "system-reboot")] == "no" and verdicts[("ec2", "instance-stop")] == "yes"
    assert verdicts[("health", "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED")] == "yes"
    assert verdicts[("rds", "system-update")] == "yes"
    assert runner.invoke(app, ["events", "--region", "mars-1", "--demo"]).exit_code == 2

    # The same verdicts reach the HTML report of a scan (rules/resilience.py findings).
    from srmscan.report import write_reports
    from srmscan.scan import run_scan

    with demo_session() as (aws, regions):
        scan = run_scan(aws, regions, ruleset)
    (html,) = write_reports(scan, ["html"], tmp_path)
    text = html.read_text(encoding="utf-8")
    assert NO_ACTION in text
    stop = next(r for r in as_json["rows"] if r["event"] == "instance-stop")
    assert stop["verdict"].split(". Options")[0].split(": ", 1)[1] in text


def test_rows_name_the_resource_and_its_team() -> None:
    action = {"action": "system-update", "description": "OS update", "current_apply": "2026-12-02T22:00:00+00:00"}
    tagged = Resource(
        type="AWS::RDS::DBInstance",
        id="db-1",
        name="orders",
        region="us-east-1",
        attrs={"multi_az": False, "maintenance_window": "wed:22:00-wed:22:30", "pending_maintenance": [action]},
        tags={"Team": "payments"},
    )
    (row,) = ev.list_events(inventory(tagged), None)
    assert (row.resource, row.name, row.team) == ("db-1", "orders", "payments")
    (custom,) = ev.list_events(inventory(tagged), None, owner_tags=("CostCenter",))
    assert custom.team == ""
    assert ev.COLUMNS[-2:] == ["name", "team"] and row.to_dict()["team"] == "payments"
