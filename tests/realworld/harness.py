"""Real-shaped replay: a whole `srmscan scan` answered from canned responses, no moto, no network.

A `Scenario` states only the answers that matter to it; every other call gets a default (an empty,
shape-valid answer, or what an untouched account answers, see `DEFAULTS`). Every canned answer is
checked against the botocore output shape of its operation with botocore's own validator (the one
`Stubber` uses), so a scenario cannot invent a member or a type AWS does not return. Each scenario
and each answer names where its shape comes from (`source=`): the botocore model's documentation,
an AWS documentation page, or a recorded response under /work/shared/realworld/.

Mechanism: a `before-parameter-build` hook records the request parameters (so a scenario can assert
page sizes), and a `before-call` hook answers the call; botocore's `after-call` handlers (IAM policy
decoding, ...) still run on the answer, exactly as on a real response. A `before-send` hook fails the
test should a request ever reach the network.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession, Tuning
from srmscan.evaluate.engine import RuleSet
from srmscan.model import Finding, Inventory, Resource
from srmscan.scan import ScanResult, run_scan

REALWORLD = Path("/work/shared/realworld")
ACCOUNT = "123456789012"
Responder = Callable[[dict[str, Any]], dict[str, Any]]

_BOTOCORE = botocore.session.get_session()
_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()


def service_model(service: str) -> Any:
    with _MODELS_LOCK:
        if service not in _MODELS:
            _MODELS[service] = _BOTOCORE.get_service_model(service)
        return _MODELS[service]


def paginator_config(service: str, operation: str) -> dict[str, Any] | None:
    """botocore's paginator definition for an operation (paginators-1.json), or None."""
    try:
        return dict(_BOTOCORE.get_paginator_model(service).get_paginator(operation))
    except (ValueError, KeyError, Exception):  # no paginators file or no paginator for this operation
        return None


# None is never a parsed member value except where a botocore handler sets it: GetBucketLocation's
# handler parses `<LocationConstraint/>` (us-east-1) into None (botocore/handlers.py).
_NONE_ALLOWED = {("s3", "GetBucketLocation", "LocationConstraint")}


class ShapeError(AssertionError):
    """A canned answer that real AWS could not have sent (botocore's validator rejected it)."""


# Output constraints real AWS does not keep: it leaves out members the model calls required (the
# root user's MFA device has no UserName) and answers strings shorter than the model's minimum (an
# Auto Scaling group outside a VPC has VPCZoneIdentifier ""). Recordings are checked without them.
_LENIENT = ("Missing required parameter", "Invalid length for parameter")


def validate(service: str, operation: str, response: dict[str, Any], *, recorded: bool = False) -> None:
    """Raise ShapeError unless `response` fits the output shape of `service.operation`.

    `recorded=True` (a response AWS really sent) accepts what AWS is known to send outside the
    model's output constraints; unknown members and wrong types are rejected either way."""
    model = service_model(service)
    if operation not in model.operation_names:
        raise ShapeError(f"{service} has no operation {operation}")
    shape = model.operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    for key in [k for k, v in body.items() if v is None]:
        if (service, operation, key) not in _NONE_ALLOWED and not recorded:
            raise ShapeError(f"{service}.{operation}: member {key} is None, which botocore never parses")
        del body[key]
    if shape is None:
        if body:
            raise ShapeError(f"{service}.{operation} returns no members, got {sorted(body)}")
        return
    try:
        validate_parameters(body, shape)
    except ParamValidationError as exc:
        problems = [line for line in str(exc).splitlines()[1:] if line.strip()]
        if recorded:
            problems = [p for p in problems if not p.strip().startswith(_LENIENT)]
        if problems or not recorded:
            raise ShapeError(
                f"{service}.{operation}: " + "; ".join(p.strip() for p in problems or [str(exc)])
            ) from None


def minimal(shape: Any) -> Any:
    """The smallest value of a shape that passes validation: required members only, emptied."""
    kind = shape.type_name
    if kind == "structure":
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return []
    if kind == "map":
        return {}
    if kind in ("integer", "long"):
        return 0
    if kind in ("float", "double"):
        return 0.0
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime(2026, 1, 1, tzinfo=UTC)
    if kind == "blob":
        return b""
    enum = shape.metadata.get("enum")
    return enum[0] if enum else ""


def _revive(value: Any) -> Any:
    """Recorded JSON back into botocore's parsed types (datetimes are stored as tagged dicts)."""
    if isinstance(value, dict):
        if value.get("__class__") == "datetime":
            return datetime(
                value["year"],
                value["month"],
                value["day"],
                value.get("hour", 0),
                value.get("minute", 0),
                value.get("second", 0),
                value.get("microsecond", 0),
                tzinfo=UTC,
            )
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def recording(path: str) -> tuple[int, dict[str, Any]]:
    """(status code, parsed data) of one recorded response, path relative to the realworld folder."""
    raw = json.loads((REALWORLD / path).read_text(encoding="utf-8"))
    return int(raw.get("status_code", 200)), _revive(raw.get("data") or {})


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


class Scenario:
    """Canned answers for one scan. Later rules for the same call take precedence over earlier ones."""

    def __init__(
        self,
        name: str,
        *,
        source: str,
        account_id: str = ACCOUNT,
        partition: str = "aws",
        deny_unanswered: bool = False,
    ) -> None:
        """`deny_unanswered`: calls no rule answers get AccessDenied instead of a default, so that
        every conclusion the scan draws must come from an answer the scenario states."""
        self.deny_unanswered = deny_unanswered
        if not source:
            raise ValueError("a scenario names where its shapes come from")
        self.name = name
        self.source = source
        self.account_id = account_id
        self.partition = partition
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self.calls: list[Call] = []
        if account_id != ACCOUNT or partition != "aws":
            self.answer(
                "sts",
                "GetCallerIdentity",
                {
                    "UserId": "AIDAEXAMPLEUSERID",
                    "Account": account_id,
                    "Arn": f"arn:{partition}:iam::{account_id}:user/scanner",
                },
                source="botocore model GetCallerIdentityResponse",
            )

    # --- stating answers ----------------------------------------------------------------
    def answer(
        self,
        service: str,
        operation: str,
        response: dict[str, Any] | Responder,
        *,
        source: str,
        when: dict[str, Any] | None = None,
        region: str | None = None,
        times: int | None = None,
        recorded: bool = False,
    ) -> Scenario:
        """Answer matching calls with `response` (or `response(params)`), validated against the model
        (`recorded=True`: a response AWS really sent, held to what AWS is known to send)."""
        if not callable(response):
            validate(service, operation, response, recorded=recorded)
        rule = Rule(service, operation, source, response, None, dict(when or {}), region, times, recorded=recorded)
        self._rules.append(rule)
        return self

    def error(
        self,
        service: str,
        operation: str,
        code: str,
        message: str = "",
        *,
        status: int = 400,
        source: str,
        when: dict[str, Any] | None = None,
        region: str | None = None,
        times: int | None = None,
    ) -> Scenario:
        """Answer matching calls with an AWS error (code, message, HTTP status)."""
        service_model(service).operation_model(operation)  # the operation must exist
        self._rules.append(
            Rule(service, operation, source, None, (code, message, status), dict(when or {}), region, times)
        )
        return self

    def pages(
        self,
        service: str,
        operation: str,
        pages: list[dict[str, Any]],
        *,
        source: str,
        when: dict[str, Any] | None = None,
        region: str | None = None,
    ) -> Scenario:
        """A listing in several pages; the tokens are added from botocore's paginator definition."""
        config = paginator_config(service, operation)
        if not config or not isinstance(config.get("input_token"), str):
            raise ValueError(f"{service}.{operation} has no single-token paginator")
        in_token, out_token, more = config["input_token"], config["output_token"], config.get("more_results")
        for index, page in enumerate(pages):
            body = dict(page)
            if index + 1 < len(pages):
                body[out_token] = f"replay-page-{index + 1}"
                if more:
                    body[more] = True
            cond = dict(when or {})
            if index:
                cond[in_token] = f"replay-page-{index}"
            self.answer(service, operation, body, source=source, when=cond, region=region)
            if not index:
                self._rules[-1].when[in_token] = None  # the first page: no token sent
        return self

    def recorded(
        self,
        service: str,
        operation: str,
        path: str,
        *,
        when: dict[str, Any] | None = None,
        region: str | None = None,
        edit: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> Scenario:
        """Answer with a recorded real response (path under /work/shared/realworld/)."""
        status, data = recording(path)
        source = f"recorded: {path}" + (" (edited)" if edit else "")
        if status >= 300:
            err = data.get("Error") or {}
            return self.error(
                service, operation, str(err.get("Code")), str(err.get("Message") or ""), status=status,
                source=source, when=when, region=region,
            )  # fmt: skip
        data.pop("ResponseMetadata", None)
        return self.answer(
            service, operation, edit(data) if edit else data, source=source, when=when, region=region, recorded=True
        )

    # --- running ------------------------------------------------------------------------
    def session(self, home_region: str | None = "eu-west-1") -> AwsSession:
        """A scanner session whose every call this scenario answers."""
        aws = AwsSession(boto3.Session(region_name=home_region), tuning=Tuning(max_attempts=1, max_workers=4))
        self.install(aws.events)
        return aws

    def install(self, events: Any) -> None:
        events.register("before-parameter-build", self._remember)
        events.register("before-call", self._respond)
        events.register("before-send", self._no_network)

    def scan(self, ruleset: RuleSet, regions: Iterable[str] = ("eu-west-1",), **kw: Any) -> ScanRun:
        regions = list(regions)
        result = run_scan(self.session(kw.pop("home_region", regions[0])), regions, ruleset, **kw)
        return ScanRun(self, result.inventory, result)

    def collect(
        self, regions: Iterable[str] = ("eu-west-1",), only: set[str] | None = None, via: Replayer | None = None
    ) -> ScanRun:
        """Collect only (no evaluation); `via` reuses a Replayer's session when many scenarios run."""
        regions = list(regions)
        if via is not None:
            return via.collect(self, regions, only)
        inventory = collect_inventory(self.session(regions[0]), regions, only=only)
        return ScanRun(self, inventory, None)

    # --- hooks --------------------------------------------------------------------------
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


def minimal_answer(service: str, operation: str) -> dict[str, Any]:
    shape = service_model(service).operation_model(operation).output_shape
    return minimal(shape) if shape is not None else {}


@dataclass
class ScanRun:
    """What one replayed scan produced, and every call it made."""

    scenario: Scenario
    inventory: Inventory
    result: ScanResult | None

    def requests(self, service: str, operation: str) -> list[dict[str, Any]]:
        return [c.params for c in self.scenario.calls if c.service == service and c.operation == operation]

    def resource(self, rtype: str, rid: str) -> Resource:
        found = [r for r in self.inventory.resources if r.type == rtype and r.id == rid]
        assert len(found) == 1, f"expected one {rtype} {rid}, found {len(found)}"
        return found[0]

    def findings(self, rule_id: str, resource_id: str | None = None) -> list[Finding]:
        assert self.result is not None, "collect() does not evaluate: use scan()"
        return [
            f
            for f in self.result.findings
            if f.rule_id == rule_id and (resource_id is None or f.resource_id == resource_id)
        ]

    def finding(self, rule_id: str, resource_id: str | None = None) -> Finding:
        found = self.findings(rule_id, resource_id)
        assert len(found) == 1, (
            f"expected one {rule_id} finding for {resource_id}, got {[f.resource_id for f in found]}"
        )
        return found[0]

    def collector_crashes(self) -> list[str]:
        """Collector bugs the runner caught (recorded as `collector:<name>` errors)."""
        return [
            f"{e.operation}: {e.code}: {e.message}"
            for e in self.inventory.errors
            if e.operation.startswith("collector:")
        ]


class Replayer:
    """One scanner session reused by many scenarios in turn: botocore clients are slow to create,
    and a test that replays hundreds of recordings would spend most of its time creating them."""

    def __init__(self, home_region: str = "us-east-1") -> None:
        self.current: Scenario | None = None
        self.aws = AwsSession(boto3.Session(region_name=home_region), tuning=Tuning(max_attempts=1, max_workers=4))
        self.aws.events.register("before-parameter-build", Scenario._remember)
        self.aws.events.register("before-call", self._respond)
        self.aws.events.register("before-send", self._no_network)

    def _scenario(self) -> Scenario:
        assert self.current is not None, "a call outside Replayer.collect"
        return self.current

    def _respond(self, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return self._scenario()._respond(**kwargs)

    def _no_network(self, **kwargs: Any) -> None:
        self._scenario()._no_network(**kwargs)

    def collect(self, scenario: Scenario, regions: list[str], only: set[str] | None) -> ScanRun:
        self.current = scenario
        try:
            return ScanRun(scenario, collect_inventory(self.aws, regions, only=only), None)
        finally:
            self.current = None
