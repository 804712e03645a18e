"""Issue 10 defect 3: the two public statements of a function URL with auth type NONE are reported
once, by the function-URL rule, not again as a critical public resource policy.

Shapes: the statements are those the AWS Lambda developer guide ("Control access to Lambda function
URLs", urls-auth) shows for AuthType NONE since October 2025: `lambda:InvokeFunctionUrl` with
`StringEquals lambda:FunctionUrlAuthType NONE`, and `lambda:InvokeFunction` with
`Bool lambda:InvokedViaFunctionUrl true` (the botocore lambda model's AddPermission members
FunctionUrlAuthType and InvokedViaFunctionUrl write those conditions). ListFunctions,
ListFunctionUrlConfigs and the GetPolicy envelope follow the botocore lambda model.
"""

from __future__ import annotations

import json
from typing import Any

from srmscan.model import Severity, Status
from tests.realworld.harness import Scenario

REGION = "eu-west-1"
ARN = f"arn:aws:lambda:{REGION}:123456789012:function:web"
URL_NONE = {
    "Sid": "FunctionURLAllowPublicAccess",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "lambda:InvokeFunctionUrl",
    "Resource": ARN,
    "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
}
INVOKE_VIA_URL = {
    "Sid": "FunctionURLInvokeAllowPublicAccess",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "lambda:InvokeFunction",
    "Resource": ARN,
    "Condition": {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
}


def _run(ruleset, statements: list[dict[str, Any]], auth_type: str = "NONE"):  # type: ignore[no-untyped-def]
    sc = Scenario("function URL with auth type NONE", source="AWS Lambda developer guide urls-auth; botocore model")
    sc.answer("lambda", "ListFunctions",
              {"Functions": [{"FunctionName": "web", "FunctionArn": ARN, "Runtime": "python3.13", "PackageType": "Zip"}]},
              source="botocore model FunctionConfiguration")  # fmt: skip
    sc.answer("lambda", "GetPolicy", {"Policy": json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements})},
              source="AWS Lambda developer guide urls-auth (NONE auth type policy)")  # fmt: skip
    url = {
        "FunctionUrl": "https://abcdefghij.lambda-url.eu-west-1.on.aws/",
        "FunctionArn": ARN,
        "AuthType": auth_type,
        "CreationTime": "2025-11-02T09:00:00.000+0000",
        "LastModifiedTime": "2025-11-02T09:00:00.000+0000",
    }
    sc.answer("lambda", "ListFunctionUrlConfigs", {"FunctionUrlConfigs": [url]}, source="botocore model")
    run = sc.scan(ruleset, regions=[REGION])
    return run.finding("lambda.function_url_auth", "web"), run.finding("lambda.policy_public", "web")


def test_the_public_url_is_one_finding_not_two(ruleset) -> None:  # type: ignore[no-untyped-def]
    url, policy = _run(ruleset, [URL_NONE, INVOKE_VIA_URL])
    assert url.status is Status.FAIL
    assert policy.status is Status.PASS and "lambda.function_url_auth" in policy.message


def test_a_direct_public_invoke_next_to_the_url_statements_is_still_critical(ruleset) -> None:  # type: ignore[no-untyped-def]
    direct = {"Sid": "anyone", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": ARN}
    _, policy = _run(ruleset, [URL_NONE, INVOKE_VIA_URL, direct])
    assert policy.status is Status.FAIL and policy.severity is Severity.CRITICAL
    assert policy.evidence["statements"] == ["anyone"]
