"""S3 buckets and the account's S3 Block Public Access: all configuration on our side of the line."""

from srmscan.evaluate.policy import granted_actions, resource_policy_exposure
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CRITICAL,
    CUSTOMER,
    DATA,
    HIGH,
    LOW,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    account_wide,
    fail,
    passed,
    rule,
)

BUCKET = "AWS::S3::Bucket"
ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
ALL_OFF = dict.fromkeys(ALL_ON, False)


def _off(settings):
    return sorted(k for k, v in settings.items() if not v)


@rule(
    id="s3.account_public_access_block",
    title="Account-level S3 Block Public Access is fully enabled",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="s3",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["S3.1"],
    cis=["2.1.4"],
    rationale="""Account-level Block Public Access is the guard rail that stops any single bucket from
    being made public by a policy or ACL change.""",
    remediation="""Console: S3 > Block Public Access settings for this account > Edit > turn on all four.
    CLI: aws s3control put-public-access-block --account-id ACCOUNT --public-access-block-configuration
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true""",
    failing={"s3_account_pab": ALL_OFF},
    passing={"s3_account_pab": ALL_ON},
)
def account_public_access_block(r, inv):
    off = _off(r["s3_account_pab"])
    if off:
        return fail("Account-level Block Public Access has settings off: " + ", ".join(off), settings_off=off)
    return passed("All four account-level Block Public Access settings are on")


@rule(
    id="s3.bucket_public_access_block",
    title="S3 bucket is protected by Block Public Access (account or bucket level)",
    resource_type=BUCKET,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["S3.8"],
    cis=["2.1.4"],
    rationale="""The effective Block Public Access of a bucket is the account setting OR the bucket
    setting. With either off, one policy or ACL change makes the bucket public.""",
    remediation="""Console: S3 > bucket > Permissions > Block public access > Edit > turn on all four.
    CLI: aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true""",
    failing={"effective_pab": ALL_OFF, "bucket_pab": ALL_OFF},
    passing={"effective_pab": ALL_ON, "bucket_pab": ALL_ON},
)
def bucket_public_access_block(r, inv):
    off = _off(r["effective_pab"])
    if off:
        return fail(
            "Block Public Access is off (neither account nor bucket level) for: " + ", ".join(off),
            settings_off=off,
            bucket_settings=r.get("bucket_pab"),
        )
    return passed("Block Public Access is effective for all four settings")


@rule(
    id="s3.bucket_policy_public",
    title="S3 bucket policy does not grant access to everyone",
    resource_type=BUCKET,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=CRITICAL,
    fsbp=["S3.2", "S3.3"],
    rationale="""A policy statement with Principal "*" and no condition that narrows who (source VPC,
    organization, account) lets anyone on the internet use the bucket. Block Public Access with
    RestrictPublicBuckets neutralises it; without it, the data is public.""",
    remediation="""Remove or narrow the statement with Principal "*" (add aws:PrincipalOrgID or
    aws:SourceVpce conditions) and turn on Block Public Access. CLI: aws s3api get-bucket-policy
    --bucket BUCKET, edit, then aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json""",
    failing={
        "policy": {
            "document": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::b/*",
                    }
                ]
            },
            "malformed": None,
        },
        "effective_pab": ALL_OFF,
    },
    passing={"policy": None, "effective_pab": ALL_OFF},
)
def bucket_policy_public(r, inv):
    state, public, sids = resource_policy_exposure(r["policy"])
    if state == "none":
        return passed("The bucket has no bucket policy")
    if state == "malformed":
        return fail(
            "The bucket policy could not be parsed, so it cannot be shown to be private",
            severity=MEDIUM,
            problem=r["policy"].get("malformed"),
        )
    if state == "private":
        return passed("No policy statement grants access to everyone")
    actions = granted_actions(public)
    neutralised = (
        bool(r.get("effective_pab", {}).get("RestrictPublicBuckets")) if r.readable("effective_pab") else False
    )
    if neutralised:
        return fail(
            "The policy grants access to everyone; Block Public Access (RestrictPublicBuckets) "
            "currently neutralises it",
            severity=LOW,
            statements=sids,
            actions=actions,
        )
    return fail(
        "The bucket policy grants " + ", ".join(actions) + ' to everyone (Principal "*")',
        statements=sids,
        actions=actions,
    )


@rule(
    id="s3.bucket_acl_public",
    title="S3 bucket ACL does not grant access to AllUsers or AuthenticatedUsers",
    resource_type=BUCKET,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["S3.2", "S3.3"],
    rationale="""ACL grants to the AllUsers or AuthenticatedUsers groups make a bucket readable or
    writable by anyone with (any) AWS credentials. Block Public Access with IgnorePublicAcls makes S3
    ignore them, so they are then reported at low severity: turning that setting off would expose
    the bucket again.""",
    remediation="""Set Object Ownership to "Bucket owner enforced" to disable ACLs, or remove the grants.
    CLI: aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls
    Rules=[{ObjectOwnership=BucketOwnerEnforced}]""",
    failing={"acl_public_grants": [{"grantee": "AllUsers", "permission": "READ"}]},
    passing={"acl_public_grants": []},
)
def bucket_acl_public(r, inv):
    grants = r["acl_public_grants"]
    if not grants:
        return passed("The ACL has no public grants")
    granted = ", ".join(f"{g['permission']} to {g['grantee']}" for g in grants)
    # Like the bucket-policy rule: a known-on IgnorePublicAcls makes S3 ignore these grants;
    # effective settings that could not be read are never taken to neutralise anything.
    neutralised = bool(r.get("effective_pab", {}).get("IgnorePublicAcls")) if r.readable("effective_pab") else False
    if neutralised:
        return fail(
            f"The ACL grants {granted}; Block Public Access (IgnorePublicAcls) currently neutralises it",
            severity=LOW,
            grants=grants,
            neutralised_by="IgnorePublicAcls",
        )
    return fail("The ACL grants " + granted, grants=grants)


@rule(
    id="s3.bucket_default_encryption",
    title="S3 bucket has default encryption configured",
    resource_type=BUCKET,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["S3.4"],
    # CIS 2.1.1 was "buckets employ encryption at rest" in v1.x; in v3.0.0 it is "deny plain HTTP".
    rationale="""Encryption at rest is a setting we choose (and with SSE-KMS, a key we control). AWS has
    applied SSE-S3 to new objects since January 2023, but an explicit configuration records the choice
    and lets us use our own KMS key.""",
    remediation="""CLI: aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}'""",
    failing={"encryption": None},
    passing={"encryption": {"enabled": True, "algorithms": ["aws:kms"], "kms_key": None}},
)
def bucket_default_encryption(r, inv):
    enc = r["encryption"]
    if not enc or not enc.get("enabled"):
        return fail("No default encryption configuration is set on the bucket")
    return passed("Default encryption: " + ", ".join(enc["algorithms"]), algorithms=enc["algorithms"])


@rule(
    id="s3.bucket_versioning",
    title="S3 bucket versioning is enabled",
    resource_type=BUCKET,
    owner=CUSTOMER,
    layer=DATA,
    severity=LOW,
    fsbp=["S3.14"],
    rationale="""Versioning keeps overwritten and deleted objects recoverable: our protection against
    our own mistakes and ransomware. AWS keeps objects durable; it does not undo our deletes.""",
    remediation="CLI: aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled",
    failing={"versioning": {"status": "Disabled", "mfa_delete": "Disabled"}},
    passing={"versioning": {"status": "Enabled", "mfa_delete": "Disabled"}},
)
def bucket_versioning(r, inv):
    status = r["versioning"]["status"]
    if status != "Enabled":
        return fail(f"Versioning is {status}", versioning=status)
    return passed("Versioning is enabled")


@rule(
    id="s3.bucket_access_logging",
    title="S3 bucket server access logging is enabled",
    resource_type=BUCKET,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["S3.9"],
    rationale="""Access logs answer "who read these objects while the bucket was public?";
    without them (or CloudTrail S3 data events) that question has no answer.""",
    remediation="""CLI: aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status
    '{"LoggingEnabled":{"TargetBucket":"LOG_BUCKET","TargetPrefix":"BUCKET/"}}'""",
    failing={"logging": {"enabled": False, "target": None}},
    passing=Example(attrs={"logging": {"enabled": True, "target": "logs"}}),
)
def bucket_access_logging(r, inv):
    logging = r["logging"]
    if not logging["enabled"]:
        return fail("Server access logging is off")
    return passed(f"Server access logs go to {logging['target']}", target=logging["target"])
