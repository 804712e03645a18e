"""S3: buckets, their access settings, and the account-level Block Public Access.

S3 has no batch API for bucket settings, so each bucket costs one call per setting; those
calls (every setting of every bucket) fan out concurrently, to the bucket's own region. The region comes with the listing:
ListBuckets is paginated with MaxBuckets (required above 10,000 buckets), and S3 then returns
each bucket's BucketRegion, so no GetBucketLocation per bucket is needed.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Answer, Collection, fill, named_resource, tags_from
from srmscan.collect.registry import collector
from srmscan.evaluate.policy import MalformedPolicy, parse
from srmscan.model import Resource

BUCKET = "AWS::S3::Bucket"
PAB_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
# GetBucketLocation's legacy names (S3 API reference, GetBucketLocation / LocationConstraint).
_LEGACY_LOCATIONS = {"EU": "eu-west-1"}
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}


@collector(
    "s3",
    scope="global",
    produces=(BUCKET,),
    actions=[
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetAccountPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketVersioning",
        "s3:GetBucketLogging",
        "s3:GetBucketTagging",
    ],
)
def collect_s3(c: Collection, region: str) -> None:
    account = c.account()
    account_pab = c.call(
        "s3control",
        region,
        "GetPublicAccessBlock",
        AccountId=c.account_id,
        absent={"NoSuchPublicAccessBlockConfiguration"},
    )
    _fill_pab(account, "s3_account_pab", account_pab)
    listing = c.listing("s3", region, "ListBuckets", "Buckets", gaps=(BUCKET,), gap_region="global")
    if listing.error is not None:
        return
    buckets = [b for b in listing.data if isinstance(b, dict) and b.get("Name")]
    # Every setting of every bucket is its own job: a bucket's seven reads do not wait on each
    # other, only on the per-service bound (under real latency: two round trips, not eight).
    # Buckets go in batches, so an account with 10,000 buckets never holds all 70,000 answers.
    for start in range(0, len(buckets), BUCKET_BATCH):
        batch = buckets[start : start + BUCKET_BATCH]
        homes = c.fanout(lambda b: _home(c, region, b), batch)
        jobs = [(str(b["Name"]), home, op) for b, home in zip(batch, homes, strict=True) for op in SETTINGS]
        answers = iter(c.fanout(lambda job: _setting(c, *job), jobs))  # in the order of `jobs`
        for bucket, home in zip(batch, homes, strict=True):
            c.add(_bucket(c, bucket, home, account_pab, {op: next(answers) for op in SETTINGS}))


#: buckets whose settings are read at once: enough jobs to keep every region's per-service bound
#: busy, few enough that the answers waiting to become resources stay small
BUCKET_BATCH = 100


#: the per-bucket settings read, each with the error codes that mean "not set" rather than a failure
SETTINGS: dict[str, frozenset[str]] = {
    "GetPublicAccessBlock": frozenset({"NoSuchPublicAccessBlockConfiguration"}),
    "GetBucketPolicy": frozenset({"NoSuchBucketPolicy"}),
    "GetBucketAcl": frozenset(),
    "GetBucketEncryption": frozenset({"ServerSideEncryptionConfigurationNotFoundError"}),
    "GetBucketVersioning": frozenset(),
    "GetBucketLogging": frozenset(),
    "GetBucketTagging": frozenset({"NoSuchTagSet", "NoSuchTagSetError"}),
}


def bucket_region(location_constraint: Any) -> str:
    """The region a GetBucketLocation answer names.

    S3 answers null (an empty `<LocationConstraint/>`) for us-east-1 and the legacy `EU` for
    buckets made in eu-west-1 through the old API; neither is a region an endpoint can be built for."""
    value = str(location_constraint or "").strip()
    if not value:
        return "us-east-1"
    return _LEGACY_LOCATIONS.get(value, value)


def _home(c: Collection, listing_region: str, bucket: dict[str, Any]) -> str:
    """The bucket's region: ListBuckets carries BucketRegion when the request has MaxBuckets (the
    choke point sends it); GetBucketLocation is only the fallback for an answer without it."""
    region = bucket.get("BucketRegion")
    if region:
        return str(region)
    location = c.call("s3", listing_region, "GetBucketLocation", Bucket=str(bucket["Name"]))
    return bucket_region((location.data or {}).get("LocationConstraint")) if location.ok else listing_region


def _setting(c: Collection, name: str, home: str, operation: str) -> Answer:
    return c.call("s3", home, operation, Bucket=name, absent=SETTINGS[operation])


def _bucket(
    c: Collection, bucket: dict[str, Any], region: str, account_pab: Answer, got: dict[str, Answer]
) -> Resource:
    name = str(bucket["Name"])
    attrs = {"created": _iso(bucket.get("CreationDate"))}
    res = named_resource(BUCKET, name, region, f"arn:{c.partition}:s3:::{name}", "serverless", attrs=attrs)
    bucket_pab = got["GetPublicAccessBlock"]
    _fill_pab(res, "bucket_pab", bucket_pab)
    _effective_pab(res, account_pab, bucket_pab)
    fill(res, "policy", got["GetBucketPolicy"], lambda d: _policy(d.get("Policy")))
    fill(res, "acl_public_grants", got["GetBucketAcl"], _public_grants)
    fill(res, "encryption", got["GetBucketEncryption"], _encryption)
    fill(
        res,
        "versioning",
        got["GetBucketVersioning"],
        lambda d: {"status": d.get("Status") or "Disabled", "mfa_delete": d.get("MFADelete") or "Disabled"},
    )
    fill(
        res,
        "logging",
        got["GetBucketLogging"],
        lambda d: {
            "enabled": "LoggingEnabled" in d,
            "target": (d.get("LoggingEnabled") or {}).get("TargetBucket"),
        },
    )
    tags = got["GetBucketTagging"]
    if tags.ok and not tags.absent:
        res.tags = tags_from(tags.data.get("TagSet"))
    elif tags.error is not None:
        res.unreadable["tags"] = tags.error.id
    return res


def _pab(config: dict[str, Any] | None) -> dict[str, bool]:
    config = config or {}
    return {k: bool(config.get(k, False)) for k in PAB_KEYS}


def _fill_pab(resource: Resource, key: str, answer: Answer) -> None:
    """A Block Public Access answer (account or bucket level, the same shape): no configuration
    at all means every setting is off."""
    fill(resource, key, answer, lambda d: _pab(d.get("PublicAccessBlockConfiguration")), default=_pab(None))


def _effective_pab(res: Resource, account: Answer, bucket: Answer) -> None:
    """Effective Block Public Access is the OR of account and bucket settings, key by key.

    A setting the bucket turns on itself is known to be on even when the account-level read
    failed; any other setting whose inputs could not be read makes the whole value unreadable."""
    if bucket.error is not None:
        res.unreadable["effective_pab"] = bucket.error.id
        return
    own = _pab(None if bucket.absent else bucket.data.get("PublicAccessBlockConfiguration"))
    if account.error is not None:
        if all(own.values()):
            res.attrs["effective_pab"] = own
        else:
            res.unreadable["effective_pab"] = account.error.id
        return
    acct = _pab(None if account.absent else account.data.get("PublicAccessBlockConfiguration"))
    res.attrs["effective_pab"] = {k: acct[k] or own[k] for k in PAB_KEYS}


def _policy(text: Any) -> dict[str, Any]:
    try:
        return {"document": parse(text), "malformed": None}
    except MalformedPolicy as exc:
        return {"document": None, "malformed": str(exc)}


def _public_grants(acl: dict[str, Any]) -> list[dict[str, str]]:
    grants = []
    for grant in acl.get("Grants", []) or []:
        uri = (grant.get("Grantee") or {}).get("URI")
        if uri in PUBLIC_GROUPS:
            grants.append({"grantee": PUBLIC_GROUPS[uri], "permission": str(grant.get("Permission"))})
    return grants


def _encryption(data: dict[str, Any]) -> dict[str, Any]:
    rules = (data.get("ServerSideEncryptionConfiguration") or {}).get("Rules", []) or []
    algos = [(r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules]
    algos = [a for a in algos if a]
    return {
        "enabled": bool(algos),
        "algorithms": algos,
        "kms_key": next(
            (
                (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
                for r in rules
                if (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
            ),
            None,
        ),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
