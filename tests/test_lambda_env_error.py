"""An environment Lambda could not decrypt for us is unknown for the secrets check, never a pass.

Shape: botocore's lambda model, `EnvironmentResponse` ("If it fails, the response contains details
about the error": `Error.ErrorCode`, `Error.Message` a SensitiveString, and no `Variables`); the
canned ListFunctions answer goes through Stubber, which validates it against that shape.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.stub import Stubber

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import one

REGION = "eu-west-1"
SENSITIVE = "sensitive-message-canary-4411"


def _scan(aws, ruleset, environment: dict[str, Any]):  # type: ignore[no-untyped-def]
    client = aws.client("lambda", REGION)
    stub = Stubber(client)
    arn = f"arn:aws:lambda:{REGION}:123456789012:function:sealed"
    stub.add_response(
        "list_functions",
        {
            "Functions": [
                {
                    "FunctionName": "sealed",
                    "FunctionArn": arn,
                    "Runtime": "python3.13",
                    "KMSKeyArn": f"arn:aws:kms:{REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                    "Environment": environment,
                }
            ]
        },
    )
    stub.add_client_error("get_policy", "ResourceNotFoundException", http_status_code=404)
    stub.add_response("list_function_url_configs", {"FunctionUrlConfigs": []})
    with stub:
        inv = collect_inventory(aws, [REGION], only={"lambda"})
    return inv, evaluate(inv, ruleset)


def test_environment_error_without_variables_is_unknown(aws, ruleset) -> None:
    error = {"ErrorCode": "KMSAccessDeniedException", "Message": SENSITIVE}
    inv, findings = _scan(aws, ruleset, {"Error": error})
    f = one(findings, "lambda.env_secrets", "sealed")
    assert f.status is Status.UNKNOWN
    assert "KMSAccessDeniedException" in f.message
    assert SENSITIVE not in json.dumps(inv.to_dict(), default=str)
    assert SENSITIVE not in json.dumps([x.to_dict() for x in findings], default=str)


def test_readable_environment_still_passes_and_fails(aws, ruleset) -> None:
    _, findings = _scan(aws, ruleset, {"Variables": {"LOG_LEVEL": "info"}})
    assert one(findings, "lambda.env_secrets", "sealed").status is Status.PASS
    _, findings = _scan(aws, ruleset, {"Variables": {"DB_PASSWORD": "x"}})
    assert one(findings, "lambda.env_secrets", "sealed").status is Status.FAIL
