"""The demo is reproducible: two runs give the same resource ids, digests and finding ids, and
its simulated CloudTrail answers LookupEvents in the API's own shape, so attribution works."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.demo import seed_trail
from srmscan.drift.diff import diff_reports


def _demo(root: Path, name: str, *extra: str) -> dict[str, Any]:
    runner = CliRunner()
    out = root / name
    result = runner.invoke(app, ["demo", "-o", str(out), "-f", "json", "-q", *extra])
    assert result.exit_code == 0, result.output
    return dict(json.loads((out / "report.json").read_text()))


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    root = tmp_path_factory.mktemp("determinism")
    # Only the first run attributes: LookupEvents is paced at 2 calls/s, as on a real account.
    return _demo(root, "one", "--attribute"), _demo(root, "two")


def test_two_demo_runs_have_the_same_ids_and_an_empty_diff(two_runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    one, two = two_runs
    assert sorted(r["id"] for r in one["resources"]) == sorted(r["id"] for r in two["resources"])
    assert sorted(f["id"] for f in one["findings"]) == sorted(f["id"] for f in two["findings"])
    # Instance, volume and subnet ids come from moto's random generator: they must be there, and stable.
    assert any(r["id"].startswith("i-") for r in one["resources"] if r["type"] == "AWS::EC2::Instance")
    by_id = {f["id"]: f for f in two["findings"]}
    for f in one["findings"]:
        assert (f["message"], f["evidence"], f["status"]) == (
            by_id[f["id"]]["message"],
            by_id[f["id"]]["evidence"],
            by_id[f["id"]]["status"],
        ), f["rule_id"]
    summary = diff_reports(one, two)["summary"]
    assert all(v == 0 for v in summary.values()), summary


def test_demo_images_have_distinct_real_digests(two_runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # sha256 of b""
    images = [r["id"] for r in two_runs[0]["resources"] if r["type"] == "AWS::ECR::Image"]
    digests = {i.rsplit("@", 1)[1] for i in images}
    assert len(images) == 2 and len(digests) == 2
    assert empty not in digests and all(len(d) == len("sha256:") + 64 for d in digests)


def test_demo_attribution_names_who_changed_the_marketing_bucket(
    two_runs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    report = two_runs[0]
    assert not [e for e in report["errors"] if e["operation"] == "LookupEvents"]
    bpa = next(
        f
        for f in report["findings"]
        if f["rule_id"] == "s3.bucket_public_access_block" and f["resource_id"] == "acme-marketing-launch-assets"
    )
    a = bpa["attribution"]
    assert a["status"] == "found", a
    assert a["event_name"] == "PutBucketPublicAccessBlock"
    assert a["principal_arn"] == "arn:aws:iam::123456789012:user/dana.marketing"
    assert a["request_parameters"]["bucketName"] == "acme-marketing-launch-assets"
    found = [f for f in report["findings"] if (f.get("attribution") or {}).get("status") == "found"]
    assert len(found) >= 10
    # The lambda secret canary is hidden as CloudTrail hides sensitive request members.
    assert "demo-canary-lambda-5678" not in json.dumps(report)


def _trail() -> list[dict[str, Any]]:
    from srmscan.demo.account import demo_session

    captured: list[dict[str, Any]] = []
    original = seed_trail.install

    def spy(events: Any, world: Any) -> None:
        captured.extend(world.ids["trail"])
        original(events, world)

    seed_trail.install = spy  # type: ignore[assignment]
    try:
        with demo_session():
            pass
    finally:
        seed_trail.install = original  # type: ignore[assignment]
    return captured


def test_lookup_events_answers_validate_against_the_botocore_model() -> None:
    trail = _trail()
    assert trail
    model = botocore.session.get_session().get_service_model("cloudtrail").operation_model("LookupEvents")
    validator = ParamValidator()
    first = seed_trail.lookup_events(
        trail,
        "eu-west-1",
        {
            "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": "acme-marketing-launch-assets"}],
            "MaxResults": 2,
        },
    )
    assert len(first["Events"]) == 2 and first["NextToken"]
    report = validator.validate(first, model.output_shape)
    assert not report.has_errors(), report.generate_report()
    times = [e["EventTime"] for e in first["Events"]]
    assert times == sorted(times, reverse=True)  # newest first, as CloudTrail answers
    rest = seed_trail.lookup_events(
        trail,
        "eu-west-1",
        {
            "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": "acme-marketing-launch-assets"}],
            "MaxResults": 50,
            "NextToken": first["NextToken"],
        },
    )
    assert {e["EventId"] for e in rest["Events"]}.isdisjoint(e["EventId"] for e in first["Events"])
    # IAM is a global service: CloudTrail logs it in us-east-1, never in eu-west-1.
    iam = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateLoginProfile"}]}
    assert not seed_trail.lookup_events(trail, "eu-west-1", iam)["Events"]
    (login,) = seed_trail.lookup_events(trail, "us-east-1", iam)["Events"]
    detail = json.loads(login["CloudTrailEvent"])
    assert detail["requestParameters"]["password"] == seed_trail.HIDDEN
    assert "Demo-only-Passw0rd!" not in json.dumps([e["CloudTrailEvent"] for e in trail])
