"""Issue 10 defect 11: Lambda returns Environment.Error instead of the variables (a KMS key the
scanner may not use): the env-secrets check is unknown with the reason, never a pass.

Shape: the botocore lambda model's EnvironmentResponse ("If it fails, the response contains
details about the error": Error.ErrorCode, Error.Message, a SensitiveString, and no Variables);
the rest of the function is the model's FunctionConfiguration with a customer managed KMSKeyArn.
"""

from __future__ import annotations

import json

from srmscan.model import Status
from tests.realworld.harness import Scenario

REGION = "eu-west-1"
SENSITIVE = "kms-message-canary-5521"


def test_environment_error_is_unknown_and_its_message_stays_out(ruleset) -> None:  # type: ignore[no-untyped-def]
    sc = Scenario("undecryptable environment", source="botocore lambda model EnvironmentResponse")
    fn = {
        "FunctionName": "sealed",
        "FunctionArn": f"arn:aws:lambda:{REGION}:123456789012:function:sealed",
        "Runtime": "python3.13",
        "PackageType": "Zip",
        "KMSKeyArn": f"arn:aws:kms:{REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "Environment": {"Error": {"ErrorCode": "KMSAccessDeniedException", "Message": SENSITIVE}},
    }
    sc.answer("lambda", "ListFunctions", {"Functions": [fn]}, source="botocore model EnvironmentResponse")
    run = sc.scan(ruleset, regions=[REGION])
    f = run.finding("lambda.env_secrets", "sealed")
    assert f.status is Status.UNKNOWN and "KMSAccessDeniedException" in f.message
    assert SENSITIVE not in json.dumps(run.inventory.to_dict(), default=str)
    assert run.result is not None
    assert SENSITIVE not in json.dumps([x.to_dict() for x in run.result.findings], default=str)
