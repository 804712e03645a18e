"""The front door of the marketing launch: a CloudFront distribution over the launch bucket that
serves plain HTTP (to viewers and to its sign-up API origin, which still offers SSLv3), has no web ACL, no logs and no default root object, and still lists an origin
for last year's campaign bucket, which was deleted (anyone could now create a bucket of that name
and serve content through it). Its well-configured twin fronts the docs site: HTTPS only, TLS 1.2
policy on a custom certificate, origin access control, logs, a web ACL and index.html.

moto 5.2.5 stores distributions but drops each origin's OriginAccessControlId; `install` puts the
twin's OAC id back into ListDistributions answers. That member is the demo's SIMULATED account
data, the scanner computes nothing from it.
"""

from __future__ import annotations

from typing import Any

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld
from srmscan.demo.seed_s3 import LOGS, MARKETING

ORDER = 60
DOCS_BUCKET = "acme-docs-site"
DELETED_BUCKET = "acme-spring-campaign-2025"  # never created: the origin dangles
DOCS_OAC = "E3DEMOOACDOCS1"
LAUNCH_COMMENT = "acme launch cdn"
DOCS_COMMENT = "acme docs cdn"


def _s3_origin(origin_id: str, bucket: str) -> dict[str, Any]:
    return {
        "Id": origin_id,
        "DomainName": f"{bucket}.s3.eu-west-1.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }


def _behavior(origin_id: str, policy: str) -> dict[str, Any]:
    return {
        "TargetOriginId": origin_id,
        "ViewerProtocolPolicy": policy,
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",  # AWS managed CachingOptimized
    }


def seed(world: DemoWorld) -> None:
    world.client("s3", "eu-west-1").create_bucket(
        Bucket=DOCS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    cloudfront = world.client("cloudfront", "us-east-1")
    launch = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "acme-launch",
            "Comment": LAUNCH_COMMENT,
            "Enabled": True,
            "Origins": {
                "Quantity": 3,
                "Items": [
                    _s3_origin("launch-assets", MARKETING),
                    _s3_origin("spring-campaign", DELETED_BUCKET),
                    {
                        "Id": "signup-api",
                        "DomainName": "signup.acme-launch.example",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "http-only",
                            "OriginSslProtocols": {"Quantity": 2, "Items": ["SSLv3", "TLSv1.2"]},
                        },
                    },
                ],
            },
            "DefaultCacheBehavior": _behavior("launch-assets", "allow-all"),
            "CacheBehaviors": {
                "Quantity": 1,
                "Items": [{**_behavior("spring-campaign", "allow-all"), "PathPattern": "/spring/*"}],
            },
        }
    )["Distribution"]
    docs = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "acme-docs",
            "Comment": DOCS_COMMENT,
            "Enabled": True,
            "DefaultRootObject": "index.html",
            "Origins": {"Quantity": 1, "Items": [_s3_origin("docs", DOCS_BUCKET)]},
            "DefaultCacheBehavior": _behavior("docs", "redirect-to-https"),
            "Logging": {
                "Enabled": True,
                "IncludeCookies": False,
                "Bucket": f"{LOGS}.s3.amazonaws.com",
                "Prefix": "cdn/docs/",
            },
            "WebACLId": f"arn:aws:wafv2:us-east-1:{DEMO_ACCOUNT}:global/webacl/acme-edge/5f0c1d2e",
            "ViewerCertificate": {
                "CloudFrontDefaultCertificate": False,
                "ACMCertificateArn": f"arn:aws:acm:us-east-1:{DEMO_ACCOUNT}:certificate/0d3f1c9a-docs",
                "SSLSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021",
            },
        }
    )["Distribution"]
    world.ids["cloudfront"] = {"launch": launch["Id"], "docs": docs["Id"]}


def install(events: Any, world: DemoWorld) -> None:
    docs_id = world.ids["cloudfront"]["docs"]

    def add_oac(parsed: dict[str, Any], **_: Any) -> None:
        for item in (parsed.get("DistributionList") or {}).get("Items") or []:
            if item.get("Id") == docs_id:
                for origin in (item.get("Origins") or {}).get("Items") or []:
                    origin["OriginAccessControlId"] = DOCS_OAC

    events.register("after-call.cloudfront.ListDistributions", add_oac)
