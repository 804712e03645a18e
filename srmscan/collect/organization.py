"""The account's place in AWS Organizations, for rules whose coverage may live in another account.

An ORGANIZATION-type IAM Access Analyzer lives in the management account or a delegated
administrator and cannot be listed from a member account. What a member account can see is that it
belongs to an organization and which account manages it; the management account can also see who
the delegated administrator for Access Analyzer is. Facts only: the rules say what that means.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, fill
from srmscan.collect.registry import collector

ACCESS_ANALYZER_PRINCIPAL = "access-analyzer.amazonaws.com"


@collector(
    "organization",
    scope="global",
    actions=["organizations:DescribeOrganization", "organizations:ListDelegatedAdministrators"],
)
def collect_organization(c: Collection, region: str) -> None:
    account = c.account()
    org = c.call("organizations", region, "DescribeOrganization", absent={"AWSOrganizationsNotInUseException"})
    fill(account, "organization", org, _organization, default=None)
    facts = account.attrs.get("organization")
    if not facts or facts.get("management_account_id") != c.account_id:
        return
    # Only the management account (or an Organizations delegated admin) may ask this.
    admins = c.pages(
        "organizations",
        region,
        "ListDelegatedAdministrators",
        "DelegatedAdministrators",
        ServicePrincipal=ACCESS_ANALYZER_PRINCIPAL,
    )
    fill(
        account,
        "access_analyzer_delegated_admins",
        admins,
        lambda items: sorted(str(a.get("Id")) for a in items if isinstance(a, dict) and a.get("Id")),
    )


def _organization(data: dict[str, Any]) -> dict[str, Any] | None:
    org = data.get("Organization")
    if not isinstance(org, dict):
        return None
    return {
        "id": org.get("Id"),
        "management_account_id": org.get("MasterAccountId"),
        "feature_set": org.get("FeatureSet"),
    }
