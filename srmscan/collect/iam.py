"""IAM identities: users, groups, roles and the managed policies attached to them.

Everything comes from `GetAccountAuthorizationDetails`, paginated, because it returns every
principal with its inline policy documents, attached policies, group memberships, tags, trust
policy and role last-used date in a handful of calls. Per-user or per-role calls (ListUserPolicies,
GetRolePolicy, GetAccessKeyLastUsed, ...) would make a large account cost thousands of calls.
Credential facts (password, MFA, access keys and their last use) are joined from the credential
report that the `account` collector reads; this collector runs after it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from srmscan.collect.context import Answer, Collection, tags_from
from srmscan.collect.registry import collector
from srmscan.evaluate.policy import MalformedPolicy, parse
from srmscan.model import GLOBAL_REGION, Resource

USER = "AWS::IAM::User"
GROUP = "AWS::IAM::Group"
ROLE = "AWS::IAM::Role"
POLICY = "AWS::IAM::Policy"
FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
PAGE_SIZE = 1000  # the API maximum; moto ignores it, AWS honours it
MAX_PAGES = 10_000  # a guard against a service that keeps answering with the same marker
LIST_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
TIER = "account"


@collector(
    "iam",
    scope="global",
    after=("account",),
    produces=(USER, GROUP, ROLE, POLICY),
    actions=["iam:GetAccountAuthorizationDetails"],
)
def collect_iam(c: Collection, region: str) -> None:
    details = authorization_details(c, region)
    if details.error is not None:
        for resource_type in (USER, GROUP, ROLE, POLICY):
            c.gap(resource_type, GLOBAL_REGION, details)
        return
    data: dict[str, list[dict[str, Any]]] = details.data
    report_rows, report_error = _credential_rows(c)
    members: dict[str, list[str]] = {}
    attachments: dict[str, list[dict[str, str]]] = {}
    for item in data["UserDetailList"]:
        user = c.add(_user(item, report_rows, report_error))
        for group in user.attrs["groups"]:
            members.setdefault(group, []).append(user.id)
        _note_attachments(attachments, "user", user)
    for item in data["GroupDetailList"]:
        group = c.add(_group(item))
        group.attrs["members"] = sorted(members.get(group.id, []))
        _note_attachments(attachments, "group", group)
    for item in data["RoleDetailList"]:
        _note_attachments(attachments, "role", c.add(_role(item)))
    for item in data["Policies"]:
        policy = _policy(item, attachments.get(str(item.get("Arn", "")), []))
        if policy is not None:
            c.add(policy)


def authorization_details(c: Collection, region: str) -> Answer:
    """All pages of GetAccountAuthorizationDetails for every entity type, merged per list.

    The choke point's paginator keeps one result key; this API returns four, so the marker is
    followed here (each page still goes through `c.call`)."""
    merged: dict[str, list[Any]] = {key: [] for key in LIST_KEYS}
    marker: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        params: dict[str, Any] = {"Filter": FILTERS, "MaxItems": PAGE_SIZE}
        if marker:
            params["Marker"] = marker
        page = c.call("iam", region, "GetAccountAuthorizationDetails", **params)
        if page.error is not None:
            return page
        for key in LIST_KEYS:
            merged[key].extend(x for x in (page.data.get(key) or []) if isinstance(x, dict))
        marker = page.data.get("Marker") if page.data.get("IsTruncated") else None
        if not marker or marker in seen:
            break
        seen.add(marker)
    return Answer(data=merged)


def _credential_rows(c: Collection) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Credential-report rows by user name, or the error id that made the report unreadable."""
    account = c.account()
    error_id = account.unreadable.get("credential_report")
    if error_id is not None:
        return {}, error_id
    rows = account.attrs.get("credential_report")
    if not isinstance(rows, list):
        return {}, None
    return {str(row.get("user")): row for row in rows if isinstance(row, dict) and row.get("user")}, None


def credentials_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The non-secret credential facts of one report row, in the shape the rules read."""
    keys = []
    for slot in (1, 2):
        keys.append(
            {
                "slot": slot,
                "active": row.get(f"access_key_{slot}_active") == "true",
                "last_rotated": row.get(f"access_key_{slot}_last_rotated"),
                "last_used": row.get(f"access_key_{slot}_last_used_date"),
                "last_used_service": row.get(f"access_key_{slot}_last_used_service"),
            }
        )
    return {
        "user_creation_time": row.get("user_creation_time"),
        "password_enabled": row.get("password_enabled") == "true",
        "password_last_used": row.get("password_last_used"),
        "password_last_changed": row.get("password_last_changed"),
        "mfa_active": row.get("mfa_active") == "true",
        "access_keys": keys,
    }


def _principal(kind: str, item: dict[str, Any], name_key: str, inline_key: str, **attrs: Any) -> Resource:
    """A user, group or role from GetAccountAuthorizationDetails: what all three carry, plus `attrs`."""
    name = str(item.get(name_key, ""))
    return Resource(
        type=kind,
        id=name,
        region=GLOBAL_REGION,
        arn=_str(item.get("Arn")),
        name=name,
        tags=tags_from(item.get("Tags")),
        tier=TIER,
        attrs={
            "path": item.get("Path"),
            "create_date": _iso(item.get("CreateDate")),
            "attached_policies": _attached(item),
            "inline_policies": _inline(item.get(inline_key)),
            **attrs,
        },
    )


def _user(item: dict[str, Any], rows: dict[str, dict[str, Any]], report_error: str | None) -> Resource:
    user = _principal(
        USER,
        item,
        "UserName",
        "UserPolicyList",
        groups=[str(g) for g in item.get("GroupList") or []],
        permissions_boundary=_boundary(item),
    )
    if report_error is not None:
        user.unreadable["credentials"] = report_error
    else:
        # None = the report has no row for this user (e.g. created after the report was generated).
        row = rows.get(user.id)
        user.attrs["credentials"] = credentials_from_row(row) if row is not None else None
    return user


def _group(item: dict[str, Any]) -> Resource:
    return _principal(GROUP, item, "GroupName", "GroupPolicyList")


def _role(item: dict[str, Any]) -> Resource:
    last = item.get("RoleLastUsed") or {}
    return _principal(
        ROLE,
        item,
        "RoleName",
        "RolePolicyList",
        service_linked=str(item.get("Path", "")).startswith("/aws-service-role/"),
        trust_policy=_document(item.get("AssumeRolePolicyDocument")),
        permissions_boundary=_boundary(item),
        instance_profiles=[
            str(p.get("InstanceProfileName")) for p in item.get("InstanceProfileList") or [] if isinstance(p, dict)
        ],
        last_used=(
            {"date": _iso(last.get("LastUsedDate")), "region": last.get("Region")}
            if isinstance(last, dict) and last.get("LastUsedDate")
            else None
        ),
    )


def _policy(item: dict[str, Any], attached_to: list[dict[str, str]]) -> Resource | None:
    """A managed policy; AWS-managed ones only when something in this account uses them."""
    arn = str(item.get("Arn", ""))
    aws_managed = ":aws:policy/" in arn
    count = _int(item.get("AttachmentCount"))
    if aws_managed and not count and not attached_to:
        return None
    default_id = item.get("DefaultVersionId")
    versions = [v for v in item.get("PolicyVersionList") or [] if isinstance(v, dict)]
    default = next((v for v in versions if v.get("IsDefaultVersion") or v.get("VersionId") == default_id), None)
    document = (
        _document(default.get("Document"))
        if default is not None
        else {"document": None, "malformed": "the default policy version was not in the answer"}
    )
    return Resource(
        type=POLICY,
        id=arn,
        region=GLOBAL_REGION,
        arn=arn,
        name=_str(item.get("PolicyName")) or arn.rsplit("/", 1)[-1],
        tier=TIER,
        attrs={
            "managed_by": "aws" if aws_managed else "customer",
            "path": item.get("Path"),
            "default_version": default_id,
            "document": document,
            "attachment_count": count,
            "attached_to": sorted(attached_to, key=lambda a: (a["type"], a["name"])),
            "is_attachable": item.get("IsAttachable"),
            "create_date": _iso(item.get("CreateDate")),
            "update_date": _iso(item.get("UpdateDate")),
        },
    )


def _note_attachments(index: dict[str, list[dict[str, str]]], kind: str, principal: Resource) -> None:
    for arn in principal.attrs["attached_policies"]:
        index.setdefault(arn, []).append({"type": kind, "name": principal.id})


def _attached(item: dict[str, Any]) -> list[str]:
    return [
        str(p.get("PolicyArn"))
        for p in item.get("AttachedManagedPolicies") or []
        if isinstance(p, dict) and p.get("PolicyArn")
    ]


def _inline(policies: Any) -> list[dict[str, Any]]:
    out = []
    for p in policies or []:
        if isinstance(p, dict):
            out.append({"name": str(p.get("PolicyName", "")), **_document(p.get("PolicyDocument"))})
    return out


def _document(raw: Any) -> dict[str, Any]:
    """A policy kept as `{"document", "malformed"}`: rules must never mistake garbage for a pass.

    botocore URL-decodes and JSON-parses policy documents; one that does not parse stays a
    string and is kept here as malformed, with the reason."""
    if raw is None:
        return {"document": None, "malformed": "no policy document in the answer"}
    try:
        document = parse(raw)
    except MalformedPolicy as exc:
        return {"document": None, "malformed": str(exc)[:300]}
    problem = _shape_problem(document)
    if problem:
        return {"document": None, "malformed": problem}
    return {"document": document, "malformed": None}


def _shape_problem(document: dict[str, Any]) -> str | None:
    """JSON that parses but whose statements cannot be read is as unreadable as bad JSON."""
    raw = document.get("Statement")
    if isinstance(raw, dict):
        return None
    if not isinstance(raw, list) or not raw:
        return "the policy has no Statement list"
    if not all(isinstance(s, dict) for s in raw):
        return "the policy has statements that are not JSON objects"
    return None


def _boundary(item: dict[str, Any]) -> str | None:
    boundary = item.get("PermissionsBoundary")
    return _str(boundary.get("PermissionsBoundaryArn")) if isinstance(boundary, dict) else None


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value) if value else None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
