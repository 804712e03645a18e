"""Which other AWS accounts an S3 bucket policy lets in, against the trusted-account allow-list.

The same allow-list as the role-trust rules (data/trusted_accounts.toml, replaceable in your own
--rules-dir) and the same judgement of who a statement names (srmscan.evaluate.policy): an account
you did not list is reported with its id and the principals that name it.
"""

from srmscan.evaluate.policy import (
    TRUSTED_ACCOUNTS_TABLE,
    external_accounts,
    has_restricting_condition,
    trusted_accounts,
)
from srmscan.rules_api import CUSTOMER, IAM, LOW, MEDIUM, fail, passed, rule, unknown

BUCKET = "AWS::S3::Bucket"


def _policy(*statements):
    return {"document": {"Version": "2012-10-17", "Statement": list(statements)}, "malformed": None}


_PARTNER_READ = {
    "Sid": "PartnerRead",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::exchange/*",
}
_CLOUDFRONT_READ = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudfront.amazonaws.com"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::site/*",
    "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}},
}


@rule(
    id="s3.bucket_policy_external_account",
    title="S3 bucket policy grants only this account or listed trusted accounts",
    resource_type=BUCKET,
    service="s3",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    rationale="""A bucket policy that names another AWS account (as a principal, or through an
    aws:PrincipalAccount / aws:PrincipalArn condition on Principal "*") lets that account's
    administrators reach the data. Often intended (a partner, a log-archive account): list the
    accounts you expect in data/trusted_accounts.toml of your own --rules-dir folder, the same list
    the role-trust rules use, and the rest are reported with their ids. Grants narrowed by a condition
    (source VPC endpoint, organization, source ARN) are low severity.""",
    remediation="""Remove statements for accounts you do not recognise: aws s3api get-bucket-policy --bucket
    BUCKET, edit, aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json; or add the
    account to data/trusted_accounts.toml in your rules folder if the grant is intended.""",
    failing={"policy": _policy(_PARTNER_READ)},
    passing={"policy": _policy(_CLOUDFRONT_READ)},
)
def bucket_policy_external_account(r, inv):
    policy = r["policy"]
    if policy is None:
        return passed("The bucket has no bucket policy")
    if policy.get("malformed") or not isinstance(policy.get("document"), dict):
        return unknown(
            f"The bucket policy could not be parsed ({policy.get('malformed')}), so the accounts it grants are unknown"
        )
    try:
        trusted, names = trusted_accounts(inv.table(TRUSTED_ACCOUNTS_TABLE))
    except KeyError:
        trusted, names = set(), {}
    external, allowed = external_accounts(policy["document"], inv.account_id, trusted, has_restricting_condition)
    if external:
        accounts = sorted(external)
        return fail(
            "The bucket policy grants account(s) outside the trusted list: " + ", ".join(accounts),
            severity=LOW if all(e["guarded"] for e in external.values()) else None,
            accounts=accounts,
            grants=[external[a] for a in accounts],
        )
    if allowed:
        listed = [f"{a} ({names[a]})" if a in names else a for a in sorted(allowed)]
        return passed(
            "The bucket policy grants only listed accounts: " + ", ".join(listed), trusted_accounts=sorted(allowed)
        )
    return passed("The bucket policy grants no other AWS account")
