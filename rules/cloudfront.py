"""CloudFront: AWS runs the edge network and its software; which protocols viewers may use, how
the edge talks to origins, who may read the origin bucket, logging and the web ACL are ours."""

from srmscan.evaluate.settings import web_acl
from srmscan.model import Resource
from srmscan.rules_api import (
    CUSTOMER,
    HIGH,
    IAM,
    LOW,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    fail,
    passed,
    rule,
    unknown,
)

DISTRIBUTION = "AWS::CloudFront::Distribution"
BUCKET = "AWS::S3::Bucket"

# Viewer security policies older than TLSv1.2_2018 accept TLS 1.0/1.1 (or SSLv3).
_WEAK_VIEWER_POLICIES = {"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"}


def _s3_origin(bucket="site-assets", oac="E2OAC", kind="s3"):
    return {
        "id": "s3",
        "domain": f"{bucket}.s3.eu-west-1.amazonaws.com",
        "kind": kind,
        "bucket": bucket,
        "origin_access_control_id": oac,
        "origin_access_identity": None,
        "protocol_policy": None,
        "ssl_protocols": [],
    }


def _custom_origin(policy="https-only", protocols=("TLSv1.2",)):
    return {
        "id": "app",
        "domain": "app.example.com",
        "kind": "custom",
        "bucket": None,
        "origin_access_control_id": None,
        "origin_access_identity": None,
        "protocol_policy": policy,
        "ssl_protocols": list(protocols),
    }


def _bucket(name):
    return Resource(type=BUCKET, id=name, region="eu-west-1")


def _behaviors(*policies):
    return [
        {"path": "Default (*)" if i == 0 else f"/p{i}/*", "policy": p, "origin": "app"} for i, p in enumerate(policies)
    ]


@rule(
    id="cloudfront.viewer_https",
    title="CloudFront distribution requires HTTPS between viewers and the edge",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["CloudFront.3"],
    rationale="""A cache behaviour whose viewer protocol policy is allow-all serves content over plain HTTP,
    where it can be read or altered in transit. Every behaviour, not only the default one, is checked.""",
    remediation="""Set ViewerProtocolPolicy to redirect-to-https or https-only on every cache behaviour
    (aws cloudfront get-distribution-config, edit, then aws cloudfront update-distribution --if-match ETAG).""",
    failing={"viewer_protocol_policies": _behaviors("redirect-to-https", "allow-all")},
    passing={"viewer_protocol_policies": _behaviors("redirect-to-https", "https-only")},
)
def viewer_https(r, inv):
    behaviors = r["viewer_protocol_policies"]
    plain = [b["path"] for b in behaviors if b.get("policy") == "allow-all"]
    if plain:
        return fail("Plain HTTP is allowed for: " + ", ".join(plain), behaviors=plain)
    if any(not b.get("policy") for b in behaviors):
        return unknown("A cache behaviour reports no viewer protocol policy")
    return passed("Every cache behaviour redirects to or requires HTTPS")


@rule(
    id="cloudfront.viewer_tls_policy",
    title="CloudFront distribution refuses TLS versions older than 1.2 from viewers",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["CloudFront.15"],
    rationale="""The viewer security policy sets the oldest TLS version the edge accepts. Policies before
    TLSv1.2_2018 accept TLS 1.0/1.1. A distribution on the default *.cloudfront.net certificate always
    accepts TLSv1 and cannot be changed; only a custom certificate (ACM) lets you choose the policy,
    so that case fails at low severity.""",
    remediation="""Attach an ACM certificate (us-east-1) and set ViewerCertificate.MinimumProtocolVersion to
    TLSv1.2_2021 or later, with SSLSupportMethod sni-only.""",
    failing={
        "viewer_certificate": {
            "cloudfront_default": False,
            "minimum_protocol_version": "TLSv1",
            "ssl_support_method": "sni-only",
        }
    },
    passing={
        "viewer_certificate": {
            "cloudfront_default": False,
            "minimum_protocol_version": "TLSv1.2_2021",
            "ssl_support_method": "sni-only",
        }
    },
)
def viewer_tls_policy(r, inv):
    cert = r["viewer_certificate"]
    version = cert.get("minimum_protocol_version")
    if cert.get("cloudfront_default"):
        return fail(
            "The default *.cloudfront.net certificate accepts TLSv1 from viewers; a custom certificate is "
            "needed to set a stricter policy",
            severity=LOW,
            minimum_protocol_version=version,
        )
    if not version:
        return unknown("The distribution reports no minimum viewer protocol version")
    if version in _WEAK_VIEWER_POLICIES:
        return fail(f"Viewer security policy {version} accepts TLS versions older than 1.2", policy=version)
    return passed(f"Viewer security policy {version}", policy=version)


@rule(
    id="cloudfront.origin_encryption",
    title="CloudFront encrypts traffic to custom origins",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["CloudFront.9"],
    rationale="""Between the edge and a custom origin the traffic crosses the internet. An origin protocol
    policy of http-only sends it in clear; match-viewer does too whenever a behaviour lets viewers use HTTP.""",
    remediation="Set OriginProtocolPolicy to https-only on each custom origin (CustomOriginConfig).",
    failing={"origins": [_custom_origin("http-only")], "viewer_protocol_policies": _behaviors("https-only")},
    passing={"origins": [_custom_origin("https-only")], "viewer_protocol_policies": _behaviors("https-only")},
)
def origin_encryption(r, inv):
    customs = [o for o in r["origins"] if o["kind"] in ("custom", "s3_website", "s3_as_custom")]
    if not customs:
        return None
    viewer_http = any(b.get("policy") == "allow-all" for b in r["viewer_protocol_policies"])
    clear = [
        o["id"]
        for o in customs
        if o.get("protocol_policy") == "http-only" or (o.get("protocol_policy") == "match-viewer" and viewer_http)
    ]
    if clear:
        return fail("Traffic to these origins can travel unencrypted: " + ", ".join(clear), origins=clear)
    if any(not o.get("protocol_policy") for o in customs):
        return unknown("A custom origin reports no origin protocol policy")
    return passed("Every custom origin is reached over HTTPS")


@rule(
    id="cloudfront.origin_ssl_protocols",
    title="CloudFront does not offer deprecated SSL/TLS protocols to custom origins",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["CloudFront.10"],
    rationale="""OriginSslProtocols lists what the edge may negotiate with the origin; SSLv3 in that list lets
    a downgraded connection use a protocol broken since POODLE.""",
    remediation="Remove SSLv3 (and TLSv1/TLSv1.1 where the origin supports TLS 1.2) from OriginSslProtocols.",
    failing={"origins": [_custom_origin("https-only", ("SSLv3", "TLSv1.2"))]},
    passing={"origins": [_custom_origin("https-only", ("TLSv1.2",))]},
)
def origin_ssl_protocols(r, inv):
    customs = [o for o in r["origins"] if o["kind"] in ("custom", "s3_as_custom")]
    if not customs:
        return None
    weak = [o["id"] for o in customs if "SSLv3" in o.get("ssl_protocols", [])]
    if weak:
        return fail("SSLv3 is allowed to origins: " + ", ".join(weak), origins=weak)
    return passed("No custom origin allows SSLv3")


@rule(
    id="cloudfront.s3_origin_access_control",
    title="CloudFront S3 origins use origin access control",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["CloudFront.13"],
    rationale="""With origin access control the bucket policy can admit only this distribution, so the
    bucket itself stays private. Without it (or with the legacy origin access identity) the bucket is
    read either anonymously or through an identity AWS no longer recommends.""",
    remediation="""Create an origin access control (aws cloudfront create-origin-access-control), set its id
    on the S3 origin, and allow cloudfront.amazonaws.com with AWS:SourceArn = the distribution in the bucket policy.""",
    failing={"origins": [_s3_origin(oac=None)]},
    passing={"origins": [_s3_origin()]},
)
def s3_origin_access_control(r, inv):
    s3 = [o for o in r["origins"] if o["kind"] == "s3"]
    if not s3:
        return None
    missing = [o["id"] for o in s3 if not o.get("origin_access_control_id")]
    if missing:
        legacy = [o["id"] for o in s3 if o.get("origin_access_identity") and not o.get("origin_access_control_id")]
        return fail(
            "S3 origins without origin access control: " + ", ".join(missing),
            origins=missing,
            legacy_oai=legacy,
        )
    return passed("Every S3 origin uses origin access control")


@rule(
    id="cloudfront.s3_origin_exists",
    title="CloudFront S3 origins point at buckets this account holds",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["CloudFront.12"],
    rationale="""An origin naming a bucket that was deleted can be claimed by anyone who creates a bucket of
    that name, and the distribution then serves their content under your domain. srmscan sees only this
    account's buckets: a bucket that is not here is either deleted or another account's, and the finding
    says which check to make.""",
    remediation="""Point the origin at a bucket you own, or delete the origin (or the distribution). If the
    bucket belongs to another account on purpose, mute this finding with that account named in the reason.""",
    failing=Example(attrs={"origins": [_s3_origin("old-site")]}, related=(_bucket("site-assets"),)),
    passing=Example(attrs={"origins": [_s3_origin("site-assets")]}, related=(_bucket("site-assets"),)),
)
def s3_origin_exists(r, inv):
    named = [o for o in r["origins"] if o.get("bucket")]
    if not named:
        return None
    held = {b.id for b in inv.resources(BUCKET)}
    missing = sorted({o["bucket"] for o in named if o["bucket"] not in held})
    if missing:
        return fail(
            "Origin buckets not in this account (deleted, or another account's): " + ", ".join(missing),
            buckets=missing,
        )
    return passed("Every S3 origin bucket is in this account", buckets=sorted({o["bucket"] for o in named}))


@rule(
    id="cloudfront.access_logging",
    title="CloudFront distribution has standard access logging enabled",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["CloudFront.5"],
    rationale="""Access logs record every viewer request: what was fetched, from where, with which status.
    This checks the distribution's standard (legacy, S3) logging; logs delivered through CloudWatch Logs
    delivery (standard logging v2) are configured elsewhere and not read here, so the message says so.""",
    remediation="""Enable Logging in the distribution configuration with a log bucket (ACLs enabled for log
    delivery), or configure standard logging v2 to CloudWatch Logs, S3 or Firehose.""",
    failing={"logging": {"enabled": False, "bucket": None}},
    passing={"logging": {"enabled": True, "bucket": "logs.s3.amazonaws.com"}},
)
def access_logging(r, inv):
    logging = r["logging"]
    if logging["enabled"]:
        return passed(f"Access logs go to {logging['bucket']}", bucket=logging["bucket"])
    return fail("Standard access logging is off (logging v2 delivery, if any, is not checked)")


@rule(
    id="cloudfront.waf",
    title="CloudFront distribution is associated with an AWS WAF web ACL",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["CloudFront.6"],
    rationale="""AWS absorbs network-layer DDoS at the edge (Shield Standard); filtering application-layer
    attacks (injection, bots, rate abuse) needs a web ACL that we attach and tune.""",
    remediation="""Create a WAFv2 web ACL with scope CLOUDFRONT (us-east-1) and associate it:
    set WebACLId in the distribution configuration.""",
    failing={"web_acl_id": "", "web_acl_seen": True},
    passing={
        "web_acl_id": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0a1b",
        "web_acl_seen": True,
    },
)
def waf(r, inv):
    if not r["web_acl_seen"]:
        return unknown("The distribution listing carried no WebACLId member")
    return web_acl(r["web_acl_id"], "distribution")


@rule(
    id="cloudfront.default_root_object",
    title="CloudFront distribution with S3 origins has a default root object",
    resource_type=DISTRIBUTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["CloudFront.1"],
    rationale="""A request for the root URL with no default root object is passed to the origin as is; for an
    S3 origin that can list the bucket's contents. The check applies to distributions with S3 origins.""",
    remediation="Set DefaultRootObject (for example index.html) in the distribution configuration.",
    failing={"default_root_object": "", "origins": [_s3_origin()]},
    passing={"default_root_object": "index.html", "origins": [_s3_origin()]},
)
def default_root_object(r, inv):
    if not any(o["kind"] == "s3" for o in r["origins"]):
        return None
    if r["default_root_object"]:
        return passed(f"Default root object: {r['default_root_object']}")
    return fail("No default root object is set")
