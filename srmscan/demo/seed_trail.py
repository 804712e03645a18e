"""The demo's simulated CloudTrail: every write call the seed modules make, recorded as the
management event AWS would log, and `cloudtrail:LookupEvents` (which moto lacks) answered from it.

So `srmscan demo --attribute` and `srmscan explain` show who changed what, as they would on a real
account. The events follow CloudTrail's shape (event names as CloudTrail logs them, resources,
`userIdentity`, request parameters with the model's sensitive members hidden as CloudTrail hides
them); who made each change is the demo's story (`STORY`), everything else was applied by the
platform team's Terraform role. Times are measured from the demo's clock, ids are derived from
the event's content, so two demo runs on the same day see the same trail.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, Shape

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 99  # `record` runs before every seed module; `install` after the others
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"  # what CloudTrail writes for sensitive request values
GLOBAL_SERVICES = {"iam", "s3control", "sts", "organizations"}  # logged in us-east-1
_READ_PREFIXES = ("Describe", "List", "Get", "Head", "Lookup")
# CloudTrail's name for an API call, where it differs from the operation name.
_EVENT_NAMES = {
    ("s3", "PutPublicAccessBlock"): "PutBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "DeleteBucketPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "PutAccountPublicAccessBlock",
    ("lambda", "CreateFunction"): "CreateFunction20150331",
    ("lambda", "AddPermission"): "AddPermission20150331v2",
    ("lambda", "UpdateFunctionConfiguration"): "UpdateFunctionConfiguration20150331v2",
}
# Request parameter -> CloudFormation-style type, for the event's `Resources` list.
_RESOURCE_PARAMS = {
    "Bucket": "AWS::S3::Bucket",
    "GroupId": "AWS::EC2::SecurityGroup",
    "InstanceId": "AWS::EC2::Instance",
    "InstanceIds": "AWS::EC2::Instance",
    "VpcId": "AWS::EC2::VPC",
    "SubnetId": "AWS::EC2::Subnet",
    "FunctionName": "AWS::Lambda::Function",
    "DBInstanceIdentifier": "AWS::RDS::DBInstance",
    "DBSnapshotIdentifier": "AWS::RDS::DBSnapshot",
    "UserName": "AWS::IAM::User",
    "RoleName": "AWS::IAM::Role",
    "repositoryName": "AWS::ECR::Repository",
    "AutoScalingGroupName": "AWS::AutoScaling::AutoScalingGroup",
}
_RESOURCE_RESULTS = {  # ids AWS generates, named in the event's resources as CloudTrail does
    "RunInstances": ("Instances", "InstanceId", "AWS::EC2::Instance"),
    "CreateSecurityGroup": (None, "GroupId", "AWS::EC2::SecurityGroup"),
    "CreateVpc": ("Vpc", "VpcId", "AWS::EC2::VPC"),
    "CreateSubnet": ("Subnet", "SubnetId", "AWS::EC2::Subnet"),
}


@dataclass(frozen=True)
class Actor:
    """Who made a change: the identity CloudTrail records, and from where."""

    identity: dict[str, Any]
    source_ip: str
    user_agent: str

    @property
    def username(self) -> str:
        arn = str(self.identity.get("arn", ""))
        return arn.rsplit("/", 1)[-1]


def _user(name: str, ip: str, agent: str) -> Actor:
    return Actor(
        {
            "type": "IAMUser",
            "principalId": f"AIDA{uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:17].upper()}",
            "arn": f"arn:aws:iam::{DEMO_ACCOUNT}:user/{name}",
            "accountId": DEMO_ACCOUNT,
            "userName": name,
        },
        ip,
        agent,
    )


def _role_session(role: str, session: str, ip: str, agent: str) -> Actor:
    role_arn = f"arn:aws:iam::{DEMO_ACCOUNT}:role/{role}"
    return Actor(
        {
            "type": "AssumedRole",
            "principalId": f"AROA{uuid.uuid5(uuid.NAMESPACE_URL, role).hex[:17].upper()}:{session}",
            "arn": f"arn:aws:sts::{DEMO_ACCOUNT}:assumed-role/{role}/{session}",
            "accountId": DEMO_ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": role_arn, "accountId": DEMO_ACCOUNT, "userName": role},
                "attributes": {"mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
    )


CONSOLE = "AWS Internal"  # what CloudTrail records as the user agent of console actions
TERRAFORM = _role_session(
    "acme-terraform", "ci-deploy", "198.51.100.17", "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 aws-sdk-go-v2/1.30.3"
)
BASE_DAYS_AGO = 75  # the platform team's initial Terraform apply
# The demo's story of hand-made changes: (event name, resource name) -> who and how many days ago.
STORY: dict[tuple[str, str], tuple[Actor, int]] = {
    ("PutBucketPublicAccessBlock", "acme-marketing-launch-assets"): (
        _user("dana.marketing", "203.0.113.24", CONSOLE),
        12,
    ),
    ("PutBucketPolicy", "acme-marketing-launch-assets"): (_user("dana.marketing", "203.0.113.24", CONSOLE), 12),
    ("AuthorizeSecurityGroupIngress", "acme-legacy-ssh"): (
        _user("ops-admin", "192.0.2.80", "aws-cli/2.17.20 Python/3.11.9 Linux/6.1 exe/x86_64.amzn.2023"),
        47,
    ),
    ("CreateDBInstance", "acme-reporting-db"): (
        _role_session("acme-analytics", "priya.rao", "203.0.113.61", CONSOLE),
        31,
    ),
    ("ModifyDBSnapshotAttribute", "acme-reporting-db-for-vendor"): (
        _role_session("acme-analytics", "priya.rao", "203.0.113.61", CONSOLE),
        30,
    ),
    ("AddPermission20150331v2", "acme-partner-hook"): (
        _role_session("acme-partners-dev", "li.wei", "203.0.113.90", "aws-cli/2.17.20 Python/3.11.9 Darwin/23.5.0"),
        9,
    ),
    ("CreateLoginProfile", "dana.marketing"): (_user("ops-admin", "192.0.2.80", CONSOLE), 60),
}


def record(world: DemoWorld) -> None:
    """Record every successful write call made through the seeding session as a trail event."""
    trail: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # generated id -> the name the demo gave it
    world.ids["trail"] = trail

    def params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["demo_trail_params"] = dict(params)

    def after(
        http_response: Any, parsed: dict[str, Any], model: OperationModel, context: dict[str, Any], **_: Any
    ) -> None:
        if model.name.startswith(_READ_PREFIXES) or getattr(http_response, "status_code", 500) >= 300:
            return
        region = str(context.get("client_region") or world.regions[0])
        params = context.get("demo_trail_params") or {}
        if model.name == "CreateSecurityGroup" and parsed.get("GroupId"):
            names[str(parsed["GroupId"])] = str(params.get("GroupName"))  # the story names groups
        trail.append(_event(world, model, params, parsed, region, len(trail), names))

    world.session.events.register("provide-client-params", params)
    world.session.events.register("after-call", after)


def seed(world: DemoWorld) -> None:
    """Nothing to create: the trail is what `record` saw the other modules do."""


def _event(
    world: DemoWorld,
    model: OperationModel,
    params: dict[str, Any],
    parsed: dict[str, Any],
    region: str,
    seq: int,
    names: dict[str, str],
) -> dict[str, Any]:
    service = model.service_model.service_name
    name = _EVENT_NAMES.get((service, model.name), model.name)
    resources = _resources(service, model.name, params, parsed)
    actor, days = TERRAFORM, BASE_DAYS_AGO
    for resource in resources:
        key = (name, names.get(resource["ResourceName"], resource["ResourceName"]))
        if key in STORY:
            actor, days = STORY[key]
            break
    when = world.now - timedelta(days=days) + timedelta(seconds=seq)
    if service in GLOBAL_SERVICES:
        region = "us-east-1"
    # S3 events keep the XML element names and call the bucket `bucketName`; other services
    # spell request parameters in lower camel case (`groupId`).
    request = _hide(model.input_shape, params)
    request = {"bucketName": request.pop("Bucket", None), **request} if service == "s3" else _camel(request)
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps([seq, name, request], sort_keys=True, default=str)))
    source = f"{model.service_model.signing_name}.amazonaws.com"
    detail = {
        "eventVersion": "1.09",
        "userIdentity": actor.identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": actor.source_ip,
        "userAgent": actor.user_agent,
        "requestParameters": request,
        "responseElements": None,
        "requestID": event_id.upper(),
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": DEMO_ACCOUNT,
        "eventCategory": "Management",
    }
    return {
        "EventId": event_id,
        "EventName": name,
        "ReadOnly": "false",
        "EventTime": when,
        "EventSource": source,
        "Username": actor.username,
        "Resources": resources,
        "CloudTrailEvent": json.dumps(detail),
        "_region": region,
    }


def _resources(service: str, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(kind: str, value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item and {"ResourceType": kind, "ResourceName": item} not in out:
                out.append({"ResourceType": kind, "ResourceName": item})

    for key, kind in _RESOURCE_PARAMS.items():
        if key in params:
            add(kind, params[key])
    if service == "iam" and "GroupName" in params:
        add("AWS::IAM::Group", params["GroupName"])
    if service == "ec2" and "GroupName" in params:
        add("AWS::EC2::SecurityGroup", params["GroupName"])
    if service == "cloudtrail" and "Name" in params:
        add("AWS::CloudTrail::Trail", params["Name"])
    where = _RESOURCE_RESULTS.get(operation)
    if where is not None:
        container, key, kind = where
        found = parsed.get(container) if container else parsed
        for item in found if isinstance(found, list) else [found]:
            if isinstance(item, dict):
                add(kind, item.get(key))
    return out


def _hide(shape: Shape | None, value: Any) -> Any:
    """The request as CloudTrail logs it: members the model marks sensitive are hidden, blobs left out."""
    if shape is None:
        return value
    if shape.metadata.get("sensitive"):
        return HIDDEN
    if shape.type_name == "blob":
        return None
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _hide(members.get(k), v) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_hide(shape.member, v) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _hide(shape.value, v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _camel(value: Any) -> Any:
    """CloudTrail spells request parameters in lower camel case (`bucketName`, `groupId`)."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def lookup_events(trail: list[dict[str, Any]], region: str, body: dict[str, Any]) -> dict[str, Any]:
    """Answer one LookupEvents request from the trail: newest first, filtered, paged by NextToken."""
    attributes = body.get("LookupAttributes") or []
    start, end = _time(body.get("StartTime")), _time(body.get("EndTime"))
    hits = []
    for event in trail:
        if event["_region"] != region:
            continue
        if start is not None and event["EventTime"] < start:
            continue
        if end is not None and event["EventTime"] > end:
            continue
        if all(_matches(event, a) for a in attributes if isinstance(a, dict)):
            hits.append(event)
    hits.sort(key=lambda e: e["EventTime"], reverse=True)  # CloudTrail answers newest first
    size = max(1, min(int(body.get("MaxResults") or 50), 50))
    offset = int(body.get("NextToken") or 0)
    page = [{k: v for k, v in e.items() if not k.startswith("_")} for e in hits[offset : offset + size]]
    answer: dict[str, Any] = {"Events": page}
    if offset + size < len(hits):
        answer["NextToken"] = str(offset + size)
    return answer


def _matches(event: dict[str, Any], attribute: dict[str, Any]) -> bool:
    key, value = attribute.get("AttributeKey"), attribute.get("AttributeValue")
    if key == "ResourceName":
        return any(r["ResourceName"] == value for r in event["Resources"])
    if key == "ResourceType":
        return any(r["ResourceType"] == value for r in event["Resources"])
    field = {"EventName": "EventName", "EventId": "EventId", "Username": "Username", "EventSource": "EventSource"}
    if key in field:
        return bool(event.get(field[key]) == value)
    return key == "ReadOnly" and value == "false"


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def install(events: Any, world: DemoWorld) -> None:
    """Answer cloudtrail:LookupEvents on the scanner's session from the recorded trail."""
    trail = world.ids.get("trail")
    if trail is None:
        return

    def answer(params: dict[str, Any], context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        raw = params.get("body") or b"{}"
        body = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        region = str(context.get("client_region") or world.regions[0])
        return AWSResponse("", 200, {}, None), lookup_events(trail, region, body)

    events.register("before-call.cloudtrail.LookupEvents", answer)
