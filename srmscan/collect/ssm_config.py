"""Systems Manager beyond patching: documents we share, association compliance, plaintext
parameters that look like secrets, and the Default Host Management Configuration (DHMC).

Per region:
- ListDocuments (Owner=Self, page 50), then DescribeDocumentPermission per document (page 200;
  AWS has no batch form): documents shared with "all" are public.
- ListResourceComplianceSummaries filtered to ComplianceType=Association (page 50): each managed
  node's association compliance, kept on the region's account resource.
- DescribeParameters (page 50) names every parameter; the String and StringList ones are read
  with GetParameters in batches of 10 (its maximum) so their value's SHAPE can be judged. The
  values are dropped in this module: only the names of parameters that look secret (by name
  or value shape) and why are kept. SecureString values are never requested.
- GetServiceSetting for /ssm/managed-instance/default-ec2-instance-management-role (DHMC).
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, fill, named_resource
from srmscan.collect.registry import collector
from srmscan.redact import looks_secret_name, looks_secret_value

DOCUMENT = "AWS::SSM::Document"
PARAMETER_BATCH = 10  # GetParameters accepts at most 10 names
DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role"


@collector(
    "ssm_config",
    scope="regional",
    produces=(DOCUMENT,),
    actions=[
        "ssm:ListDocuments",
        "ssm:DescribeDocumentPermission",
        "ssm:ListResourceComplianceSummaries",
        "ssm:DescribeParameters",
        "ssm:GetParameters",
        "ssm:GetServiceSetting",
    ],
)
def collect_ssm_config(c: Collection, region: str) -> None:
    account = c.account(region)
    _documents(c, region)
    compliance = c.pages(
        "ssm",
        region,
        "ListResourceComplianceSummaries",
        "ResourceComplianceSummaryItems",
        Filters=[{"Key": "ComplianceType", "Values": ["Association"], "Type": "EQUAL"}],
        PaginationConfig={"PageSize": 50},
    )
    fill(account, "ssm_association_compliance", compliance, _compliance)
    fill(account, "ssm_plaintext_secret_parameters", _parameters(c, region))
    dhmc = c.call("ssm", region, "GetServiceSetting", SettingId=DHMC_SETTING)
    fill(account, "ssm_dhmc_role", dhmc, _dhmc)


def _documents(c: Collection, region: str) -> None:
    listing = c.listing(
        "ssm",
        region,
        "ListDocuments",
        "DocumentIdentifiers",
        gaps=(DOCUMENT,),
        Filters=[{"Key": "Owner", "Values": ["Self"]}],
        PaginationConfig={"PageSize": 50},
    )
    if listing.error is not None:
        return
    c.fanout(lambda d: _document(c, region, d), listing.entries("Name"))


def _document(c: Collection, region: str, d: dict[str, Any]) -> None:
    name = str(d["Name"])
    tags = {str(t.get("Key")): str(t.get("Value")) for t in d.get("Tags") or [] if isinstance(t, dict)}
    attrs = {"document_type": d.get("DocumentType"), "owner": d.get("Owner")}
    res = named_resource(
        DOCUMENT, name, region, c.arn("ssm", region, f"document/{name}"), "managed", tags=tags, attrs=attrs
    )
    permission = c.call("ssm", region, "DescribeDocumentPermission", Name=name, PermissionType="Share", MaxResults=200)
    fill(res, "shared_with", permission, lambda p: sorted(str(a) for a in p.get("AccountIds") or []))
    c.add(res)


def _compliance(items: list[dict[str, Any]]) -> dict[str, str]:
    return {
        str(i.get("ResourceId")): str(i.get("Status") or "")
        for i in items
        if isinstance(i, dict) and i.get("ResourceId") and i.get("ComplianceType") in (None, "Association")
    }


def _parameters(c: Collection, region: str) -> Answer:
    listing = c.pages("ssm", region, "DescribeParameters", "Parameters", PaginationConfig={"PageSize": 50})
    if listing.error is not None:
        return listing
    flagged: dict[str, str] = {}
    plain = []
    for p in listing.data:
        if not isinstance(p, dict) or not p.get("Name") or p.get("Type") not in ("String", "StringList"):
            continue
        name = str(p["Name"])
        if looks_secret_name(name.rsplit("/", 1)[-1]):
            flagged[name] = "name"
        else:
            plain.append(name)
    for start in range(0, len(plain), PARAMETER_BATCH):
        batch = plain[start : start + PARAMETER_BATCH]
        values = c.call("ssm", region, "GetParameters", Names=batch, WithDecryption=False)
        if values.error is not None:
            return values
        # Judge each value's shape and keep only the verdict; the value goes out of scope here.
        for item in (values.data or {}).get("Parameters") or []:
            if looks_secret_value(str(item.get("Value") or "")):
                flagged[str(item.get("Name"))] = "value"
        values.data = None
    return Answer(data=[{"name": n, "why": why} for n, why in sorted(flagged.items())])


def _dhmc(data: dict[str, Any]) -> dict[str, Any]:
    setting = data.get("ServiceSetting") or {}
    value = setting.get("SettingValue")
    return {"role": None if value in (None, "", "$None") else str(value), "status": setting.get("Status")}
