"""Lambda collector and rules against moto in-process.

moto 5.2.5 does not implement lambda:ListFunctionUrlConfigs (it answers 404 "Not yet
implemented"), so the function-URL rule is unknown on plain moto; the URL tests use botocore's
Stubber on the scanner's own lambda client to supply realistic answers, and say so.
Runtime-table edge cases (soon-deprecated, not announced) run on hand-built inventories with a
fixed scan time, so they do not drift with the calendar.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from typing import Any

import boto3
from botocore.stub import Stubber

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Resource, Severity, Status
from srmscan.report.csv_report import render_csv
from srmscan.report.html_report import render_html
from srmscan.report.json_report import render_json
from srmscan.scan import ScanResult
from tests.helpers import fail_operation, inventory, one

REGION = "eu-west-1"
CANARY = "demo-canary-lambda-5678"
KEY_SHAPED = "AKIAABCDEFGHIJKLMNOP"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("h.py", "def h(e, c):\n    return 1\n")
    return buffer.getvalue()


def _role(session: boto3.Session) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam = session.client("iam", region_name=REGION)
    return str(iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def _function(session: boto3.Session, name: str, runtime: str, env: dict[str, str] | None = None) -> None:
    session.client("lambda", region_name=REGION).create_function(
        FunctionName=name,
        Runtime=runtime,
        Role="arn:aws:iam::123456789012:role/fn",
        Handler="h.h",
        Code={"ZipFile": _zip()},
        Environment={"Variables": env or {}},
        Tags={"Team": "web"},
    )


def _world(session: boto3.Session) -> None:
    _role(session)
    _function(session, "current", "python3.12", {"LOG_LEVEL": "info"})
    _function(session, "old", "python3.8")
    _function(session, "leaky", "python3.12", {"API_TOKEN": CANARY, "CONFIG_BLOB": KEY_SHAPED, "REGION_NAME": "x"})
    _function(session, "public", "python3.12")
    _function(session, "scoped", "python3.12")
    lam = session.client("lambda", region_name=REGION)
    lam.add_permission(FunctionName="public", StatementId="all", Action="lambda:InvokeFunction", Principal="*")
    lam.add_permission(
        FunctionName="scoped",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        SourceAccount="123456789012",
    )


def _scan(aws, ruleset):  # type: ignore[no-untyped-def]
    inv = collect_inventory(aws, [REGION], only={"lambda"})
    return inv, evaluate(inv, ruleset)


def test_runtime_deprecated_fails_current_passes(session, aws, ruleset) -> None:
    _world(session)
    _, findings = _scan(aws, ruleset)
    old = one(findings, "lambda.runtime_supported", "old")
    assert (old.status, old.severity, old.owner, old.layer) == (Status.FAIL, Severity.HIGH, "shared", "runtime")
    assert "2024-10-14" in old.message
    assert one(findings, "lambda.runtime_supported", "current").status is Status.PASS


def test_unknown_runtime_id_is_not_a_pass(session, aws, ruleset) -> None:
    """A runtime the table does not know (rewritten into the ListFunctions answer) is unknown."""
    _world(session)

    def rename(parsed: dict[str, Any], **_: Any) -> None:
        for fn in parsed.get("Functions", []):
            if fn["FunctionName"] == "current":
                fn["Runtime"] = "cobol99.x"

    aws.events.register("after-call.lambda.ListFunctions", rename)
    _, findings = _scan(aws, ruleset)
    f = one(findings, "lambda.runtime_supported", "current")
    assert f.status is Status.UNKNOWN and "cobol99.x" in (f.unknown_reason or "")


def _fn(runtime: str | None, package_type: str = "Zip") -> Resource:
    return Resource(
        type="AWS::Lambda::Function",
        id="fn",
        region="us-east-1",
        attrs={"runtime": runtime, "package_type": package_type},
    )


def test_runtime_soon_deprecated_and_unannounced(ruleset) -> None:
    """Scan time is fixed at 2026-11-24 (tests.helpers.inventory)."""
    cases = {
        "nodejs22.x": (Status.FAIL, Severity.MEDIUM),  # deprecated 2027-04-30: 157 days out
        "python3.10": (Status.FAIL, Severity.HIGH),  # deprecated 2026-10-31
        "python3.13": (Status.PASS, Severity.HIGH),  # 2029
        "nodejs26.x": (Status.PASS, Severity.HIGH),  # no deprecation announced
    }
    for runtime, (status, severity) in cases.items():
        f = one(evaluate(inventory(_fn(runtime)), ruleset), "lambda.runtime_supported", "fn")
        assert (f.status, f.severity) == (status, severity), runtime
    image = evaluate(inventory(_fn(None, "Image")), ruleset)
    assert not [f for f in image if f.rule_id == "lambda.runtime_supported"]  # no managed runtime
    missing = one(evaluate(inventory(_fn(None)), ruleset), "lambda.runtime_supported", "fn")
    assert missing.status is Status.UNKNOWN


def test_secret_env_names_reported_values_never_stored(session, aws, ruleset) -> None:
    _world(session)
    inv, findings = _scan(aws, ruleset)
    leaky = next(r for r in inv.resources if r.id == "leaky")
    assert leaky.attrs["env_var_names"] == ["API_TOKEN", "CONFIG_BLOB", "REGION_NAME"]
    # API_TOKEN by its name, CONFIG_BLOB by the shape of its value (an access key id).
    assert leaky.attrs["secret_like_env"] == ["API_TOKEN", "CONFIG_BLOB"]
    f = one(findings, "lambda.env_secrets", "leaky")
    assert f.status is Status.FAIL and f.evidence["names"] == ["API_TOKEN", "CONFIG_BLOB"]
    assert one(findings, "lambda.env_secrets", "current").status is Status.PASS
    result = ScanResult(inventory=inv, findings=findings, ruleset=ruleset)
    outputs = [
        json.dumps(inv.to_dict(), default=str),
        json.dumps([x.to_dict() for x in findings], default=str),
        render_json(result),
        render_html(result),
        render_csv(result),
    ]
    for text in outputs:
        assert CANARY not in text
        assert KEY_SHAPED not in text


def test_public_policy_fails_scoped_and_absent_pass(session, aws, ruleset) -> None:
    _world(session)
    _, findings = _scan(aws, ruleset)
    public = one(findings, "lambda.policy_public", "public")
    assert public.status is Status.FAIL and public.evidence["statements"] == ["all"]
    assert one(findings, "lambda.policy_public", "scoped").status is Status.PASS
    absent = one(findings, "lambda.policy_public", "current")
    assert absent.status is Status.PASS and "no resource policy" in absent.message


def test_denied_get_policy_is_unknown(session, aws, ruleset) -> None:
    _world(session)
    fail_operation(aws.events, "lambda", "GetPolicy", code="AccessDeniedException")
    _, findings = _scan(aws, ruleset)
    f = one(findings, "lambda.policy_public", "public")
    assert f.status is Status.UNKNOWN and "lambda:GetPolicy" in (f.unknown_reason or "")


def test_function_url_unsupported_by_moto_is_unknown(session, aws, ruleset) -> None:
    _world(session)
    _, findings = _scan(aws, ruleset)
    f = one(findings, "lambda.function_url_auth", "public")
    assert f.status is Status.UNKNOWN and "lambda:ListFunctionUrlConfigs" in (f.unknown_reason or "")


def _stubbed_scan(aws, ruleset, auth_type: str | None):  # type: ignore[no-untyped-def]
    """Stubber answers every lambda call of a one-function region, in the collector's order."""
    client = aws.client("lambda", REGION)
    stub = Stubber(client)
    stub.add_response(
        "list_functions",
        {
            "Functions": [
                {
                    "FunctionName": "web",
                    "FunctionArn": f"arn:aws:lambda:{REGION}:123456789012:function:web",
                    "Runtime": "python3.12",
                    "PackageType": "Zip",
                    "Environment": {"Variables": {"DB_PASSWORD": CANARY}},
                }
            ]
        },
    )
    stub.add_client_error("get_policy", service_error_code="ResourceNotFoundException", http_status_code=404)
    urls = []
    if auth_type:
        urls.append(
            {
                "FunctionUrl": "https://abc.lambda-url.eu-west-1.on.aws/",
                "FunctionArn": f"arn:aws:lambda:{REGION}:123456789012:function:web",
                "AuthType": auth_type,
                "CreationTime": "2026-01-01T00:00:00Z",
                "LastModifiedTime": "2026-01-01T00:00:00Z",
            }
        )
    stub.add_response("list_function_url_configs", {"FunctionUrlConfigs": urls})
    with stub:
        inv, findings = _scan(aws, ruleset)
        stub.assert_no_pending_responses()
    return inv, findings


def test_function_url_auth_none_fails_via_stubber(aws, ruleset) -> None:
    inv, findings = _stubbed_scan(aws, ruleset, "NONE")
    f = one(findings, "lambda.function_url_auth", "web")
    assert f.status is Status.FAIL and "abc.lambda-url" in f.message
    assert one(findings, "lambda.policy_public", "web").status is Status.PASS  # ResourceNotFound = no policy
    assert CANARY not in json.dumps(inv.to_dict(), default=str)


def test_function_url_iam_and_no_url_pass_via_stubber(aws, ruleset) -> None:
    _, findings = _stubbed_scan(aws, ruleset, "AWS_IAM")
    assert one(findings, "lambda.function_url_auth", "web").status is Status.PASS


def test_no_function_url_passes_via_stubber(aws, ruleset) -> None:
    _, findings = _stubbed_scan(aws, ruleset, None)
    f = one(findings, "lambda.function_url_auth", "web")
    assert f.status is Status.PASS and "no function URL" in f.message


def test_at_most_two_extra_calls_per_function(session, aws, ruleset) -> None:
    _world(session)
    calls: Counter[str] = Counter()
    aws.events.register("before-call.lambda", lambda model, **_: calls.update([model.name]))
    inv, _ = _scan(aws, ruleset)
    functions = [r for r in inv.resources if r.type == "AWS::Lambda::Function"]
    assert len(functions) == 5
    assert calls["ListFunctions"] == 1
    per_function = sum(n for op, n in calls.items() if op != "ListFunctions")
    assert per_function <= 2 * len(functions)
    assert calls["GetPolicy"] == 5 and calls["ListFunctionUrlConfigs"] == 5
    # Tags come from one tagging-API listing, not a call per function.
    team = {r.id: r.tags.get("Team") for r in functions}
    assert team == dict.fromkeys(["current", "old", "leaky", "public", "scoped"], "web")


def test_denied_function_listing_is_unknown(session, aws, ruleset) -> None:
    _world(session)
    fail_operation(aws.events, "lambda", "ListFunctions", code="AccessDeniedException")
    inv, findings = _scan(aws, ruleset)
    f = one(findings, "lambda.runtime_supported")
    assert f.status is Status.UNKNOWN and f.resource_id == "*"
    assert not [r for r in inv.resources if r.type == "AWS::Lambda::Function"]
