"""The botocore hooks that answer a replayed scan's calls from a scenario's rules, offline.

A `before-parameter-build` hook records the request parameters (so a scenario can assert page
sizes), and a `before-call` hook answers the call; botocore's `after-call` handlers (IAM policy
decoding, ...) still run on the answer, exactly as on a real response. A `before-send` hook fails the
test should a request ever reach the network. Calls no rule answers get `DEFAULTS` (what an untouched
account answers) or the smallest shape-valid answer. How answers are stated is `harness.Scenario`'s
business; this module only decides, per call, which answer is sent.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse

from tests.realworld.shapes import minimal_answer, validate

ACCOUNT = "123456789012"
Responder = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Rule:
    """One canned answer: for calls whose params contain `when` (and, if set, in `region`)."""

    service: str
    operation: str
    source: str
    response: dict[str, Any] | Responder | None = None
    error: tuple[str, str, int] | None = None
    when: dict[str, Any] = field(default_factory=dict)
    region: str | None = None
    times: int | None = None
    used: int = 0
    recorded: bool = False  # a real recorded answer: validated with `validate(recorded=True)`

    def matches(self, params: dict[str, Any], region: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.region is not None and self.region != region:
            return False
        return all(params.get(k) == v for k, v in self.when.items())


@dataclass(frozen=True)
class Call:
    service: str  # boto3 client name: "s3", "elbv2", "resourcegroupstaggingapi"
    operation: str
    region: str
    params: dict[str, Any]
    answered_by: str  # the rule's source, or "default" and the default's source


def _error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}


# What an account nobody configured answers, where an empty answer would mislead or loop.
DEFAULTS: dict[tuple[str, str], tuple[str, dict[str, Any] | tuple[str, str, int]]] = {
    ("sts", "GetCallerIdentity"): (
        "botocore model GetCallerIdentityResponse",
        {"UserId": "AIDAEXAMPLEUSERID", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/scanner"},
    ),
    ("iam", "GenerateCredentialReport"): ("AWS IAM docs: credential report", {"State": "COMPLETE"}),
    ("iam", "GetCredentialReport"): (
        "AWS IAM docs: credential report columns (header row only: no users)",
        {
            "Content": b"user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
            b"password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
            b"access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
            b"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
            b"access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
            b"cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
            "ReportFormat": "text/csv",
        },
    ),
    ("iam", "GetAccountPasswordPolicy"): ("AWS IAM API: NoSuchEntity when no policy is set", ("NoSuchEntity", "", 404)),
    ("s3control", "GetPublicAccessBlock"): (
        "AWS S3 Control API: no account-level configuration",
        ("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404),
    ),
    ("s3", "GetPublicAccessBlock"): (
        "AWS S3 API: no bucket-level configuration",
        ("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404),
    ),
    ("s3", "GetBucketPolicy"): (
        "AWS S3 API: no bucket policy",
        ("NoSuchBucketPolicy", "The bucket policy does not exist", 404),
    ),
    ("s3", "GetBucketTagging"): ("AWS S3 API: no tags", ("NoSuchTagSet", "The TagSet does not exist", 404)),
    ("s3", "GetBucketEncryption"): (
        "AWS S3 docs: every bucket has SSE-S3 default encryption since January 2023",
        {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
            }
        },
    ),
    ("s3", "GetBucketAcl"): (
        "AWS S3 API: the owner-only ACL of a new bucket",
        {
            "Owner": {"ID": "c0ffee" * 10 + "abcd"},
            "Grants": [
                {"Grantee": {"ID": "c0ffee" * 10 + "abcd", "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}
            ],
        },
    ),
    ("ec2", "GetEbsEncryptionByDefault"): ("botocore model", {"EbsEncryptionByDefault": False}),
}


class ReplayHooks:
    """The rules one scan is answered from, the calls it made, and the hooks that answer them.
    Later rules for the same call take precedence over earlier ones."""

    def __init__(self, name: str, *, deny_unanswered: bool = False) -> None:
        self.name = name
        self.deny_unanswered = deny_unanswered
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self.calls: list[Call] = []

    def install(self, events: Any) -> None:
        events.register("before-parameter-build", self._remember)
        events.register("before-call", self._respond)
        events.register("before-send", self._no_network)

    @staticmethod
    def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["replay_params"] = copy.deepcopy(params)

    def _respond(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        service = model.service_model.service_name
        operation = model.name
        params = context.get("replay_params") or {}
        region = str(context.get("client_region") or "")
        with self._lock:
            rule = next(
                (
                    r
                    for r in reversed(self._rules)
                    if r.service == service and r.operation == operation and r.matches(params, region)
                ),
                None,
            )
            if rule is not None:
                rule.used += 1
            source, default = DEFAULTS.get((service, operation), ("", None))
            answered_by = rule.source if rule else f"default {source}".strip()
            self.calls.append(Call(service, operation, region, params, answered_by))
        if rule is None and self.deny_unanswered and (service, operation) != ("sts", "GetCallerIdentity"):
            return AWSResponse(None, 403, {}, None), _error("AccessDenied", "not answered by the scenario", 403)
        if rule is None:
            if isinstance(default, tuple):
                return AWSResponse(None, default[2], {}, None), _error(*default)
            parsed = copy.deepcopy(default) if default is not None else minimal_answer(service, operation)
        elif rule.error is not None:
            return AWSResponse(None, rule.error[2], {}, None), _error(*rule.error)
        elif callable(rule.response):
            parsed = rule.response(params)
            validate(service, operation, parsed, recorded=rule.recorded)
        else:
            parsed = copy.deepcopy(rule.response)
        return AWSResponse(None, 200, {}, None), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}

    def _no_network(self, request: Any, **_: Any) -> None:
        raise AssertionError(f"scenario {self.name}: a request reached the network: {request.url}")
