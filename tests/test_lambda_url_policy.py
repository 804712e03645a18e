"""Function URLs with auth type NONE carry two public statements; only the URL finding reports them.

Shapes: the statements Lambda writes for a function URL with AuthType NONE are those of the AWS
Lambda developer guide, "Control access to Lambda function URLs" (urls-auth): since October 2025
`lambda:InvokeFunctionUrl` with `StringEquals lambda:FunctionUrlAuthType NONE` plus
`lambda:InvokeFunction` with `Bool lambda:InvokedViaFunctionUrl true` (the botocore lambda model's
AddPermission members `FunctionUrlAuthType` and `InvokedViaFunctionUrl` add those conditions).
Every canned response goes through botocore's Stubber, which validates it against the output shape.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.stub import Stubber

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.evaluate.policy import function_url_statements, public_statements, via_function_url_only
from srmscan.model import Severity, Status
from tests.helpers import one

REGION = "eu-west-1"
ARN = f"arn:aws:lambda:{REGION}:123456789012:function:web"


def _url_statement(auth: str = "NONE") -> dict[str, Any]:
    return {
        "Sid": "FunctionURLAllowPublicAccess",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunctionUrl",
        "Resource": ARN,
        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": auth}},
    }


def _invoke_via_url(operator: str = "Bool", value: str = "true") -> dict[str, Any]:
    return {
        "Sid": "FunctionURLInvokeAllowPublicAccess",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunction",
        "Resource": ARN,
        "Condition": {operator: {"lambda:InvokedViaFunctionUrl": value}},
    }


def _scan(aws, ruleset, statements: list[dict[str, Any]], auth_type: str | None):  # type: ignore[no-untyped-def]
    client = aws.client("lambda", REGION)
    stub = Stubber(client)
    stub.add_response(
        "list_functions",
        {"Functions": [{"FunctionName": "web", "FunctionArn": ARN, "Runtime": "python3.13", "PackageType": "Zip"}]},
    )
    policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
    stub.add_response("get_policy", {"Policy": json.dumps(policy), "RevisionId": "r1"})
    urls = []
    if auth_type:
        urls.append(
            {
                "FunctionUrl": "https://abc.lambda-url.eu-west-1.on.aws/",
                "FunctionArn": ARN,
                "AuthType": auth_type,
                "CreationTime": "2025-11-01T00:00:00Z",
                "LastModifiedTime": "2025-11-01T00:00:00Z",
            }
        )
    stub.add_response("list_function_url_configs", {"FunctionUrlConfigs": urls})
    with stub:
        inv = collect_inventory(aws, [REGION], only={"lambda"})
        stub.assert_no_pending_responses()
    return evaluate(inv, ruleset)


def test_public_url_is_reported_once_by_the_url_rule(aws, ruleset) -> None:
    findings = _scan(aws, ruleset, [_url_statement(), _invoke_via_url()], "NONE")
    assert one(findings, "lambda.function_url_auth", "web").status is Status.FAIL
    policy = one(findings, "lambda.policy_public", "web")
    assert policy.status is Status.PASS, policy.message
    assert "lambda.function_url_auth" in policy.message


def test_a_direct_public_invoke_statement_still_fails_critical(aws, ruleset) -> None:
    direct = {"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": ARN}
    findings = _scan(aws, ruleset, [_url_statement(), _invoke_via_url(), direct], "NONE")
    f = one(findings, "lambda.policy_public", "web")
    assert f.status is Status.FAIL and f.severity is Severity.CRITICAL
    assert f.evidence["statements"] == ["all"]


def test_bool_if_exists_also_matches_direct_invokes_so_it_is_public(aws, ruleset) -> None:
    findings = _scan(aws, ruleset, [_invoke_via_url("BoolIfExists")], "NONE")
    assert one(findings, "lambda.policy_public", "web").status is Status.FAIL


def test_principal_star_through_an_iam_authenticated_url_is_any_aws_account(aws, ruleset) -> None:
    findings = _scan(aws, ruleset, [_url_statement("AWS_IAM"), _invoke_via_url()], "AWS_IAM")
    assert one(findings, "lambda.function_url_auth", "web").status is Status.PASS
    f = one(findings, "lambda.policy_public", "web")
    assert f.status is Status.FAIL and f.severity is Severity.HIGH


def test_url_statements_without_a_url_are_inert(aws, ruleset) -> None:
    findings = _scan(aws, ruleset, [_url_statement(), _invoke_via_url()], None)
    f = one(findings, "lambda.policy_public", "web")
    assert f.status is Status.PASS and "does not have" in f.message


def test_url_statements_are_unknown_when_the_urls_cannot_be_read(session, aws, ruleset) -> None:
    """moto lacks ListFunctionUrlConfigs: the URL's auth type decides, so the verdict is unknown."""
    client = aws.client("lambda", REGION)
    stub = Stubber(client)
    stub.add_response(
        "list_functions",
        {"Functions": [{"FunctionName": "web", "FunctionArn": ARN, "Runtime": "python3.13"}]},
    )
    policy = {"Version": "2012-10-17", "Statement": [_url_statement(), _invoke_via_url()]}
    stub.add_response("get_policy", {"Policy": json.dumps(policy)})
    stub.add_client_error("list_function_url_configs", "AccessDeniedException", http_status_code=403)
    with stub:
        inv = collect_inventory(aws, [REGION], only={"lambda"})
    f = one(evaluate(inv, ruleset), "lambda.policy_public", "web")
    assert f.status is Status.UNKNOWN and "lambda:ListFunctionUrlConfigs" in (f.unknown_reason or "")


def test_policy_judgement_separates_url_only_statements() -> None:
    doc = {"Statement": [_url_statement(), _invoke_via_url(), _invoke_via_url(value="false")]}
    assert [s["Condition"] for s in public_statements(doc)] == [{"Bool": {"lambda:InvokedViaFunctionUrl": "false"}}]
    assert len(function_url_statements(doc)) == 2
    assert not via_function_url_only(
        _url_statement("*") | {"Condition": {"StringLike": {"lambda:FunctionUrlAuthType": "*"}}}
    )
