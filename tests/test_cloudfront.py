"""CloudFront collector and rules: the demo's two distributions on moto, failures as unknown, and
every recorded real ListDistributions / GetDistributionConfig answer through the parser.

moto 5.2.5 serves ListDistributions and GetDistributionConfig but drops S3OriginConfig and
OriginAccessControlId from listings; the demo puts the twin's OAC id back (seed_cloudfront), and
the recorded real responses show the members moto leaves out.
"""

from __future__ import annotations

from typing import Any

import pytest

from srmscan.collect import cloudfront as cf
from srmscan.evaluate.engine import evaluate
from srmscan.model import Resource, Status
from tests.helpers import by_rule, fail_operation, inventory
from tests.placebo_feed import mini_demo, recordings, shape_problems

RULES = [
    "cloudfront.viewer_https",
    "cloudfront.viewer_tls_policy",
    "cloudfront.origin_encryption",
    "cloudfront.origin_ssl_protocols",
    "cloudfront.s3_origin_access_control",
    "cloudfront.s3_origin_exists",
    "cloudfront.access_logging",
    "cloudfront.waf",
    "cloudfront.default_root_object",
]


def _demo(ruleset, hook=None):  # type: ignore[no-untyped-def]
    """The demo's S3 and CloudFront parts only (the whole demo takes far longer to seed)."""
    inv = mini_demo(["seed_s3", "seed_cloudfront"], {"cloudfront", "s3"}, hook)
    return inv, evaluate(inv, ruleset)


def _by_comment(inv, findings, rule_id):  # type: ignore[no-untyped-def]
    """Statuses of one rule for the launch (misconfigured) and docs (twin) distributions."""
    names = {}
    for res in inv.resources:
        if res.type == cf.DISTRIBUTION:
            names[res.id] = "launch" if any(o["id"] == "launch-assets" for o in res.attrs["origins"]) else "docs"
    return {names[f.resource_id]: f for f in by_rule(findings, rule_id)}


def test_demo_launch_distribution_fails_and_its_twin_passes(ruleset) -> None:
    inv, findings = _demo(ruleset)
    assert inv.errors == []
    for rule_id in RULES:
        got = _by_comment(inv, findings, rule_id)
        assert got["launch"].status is Status.FAIL, (rule_id, got["launch"].message)
        if rule_id in ("cloudfront.origin_encryption", "cloudfront.origin_ssl_protocols"):
            assert "docs" not in got  # the twin has no custom origin: the rules do not apply
        else:
            assert got["docs"].status is Status.PASS, (rule_id, got["docs"].message)
    launch = _by_comment(inv, findings, "cloudfront.s3_origin_exists")["launch"]
    assert launch.evidence["buckets"] == ["acme-spring-campaign-2025"]
    assert launch.owner == "customer"
    assert "signup-api" in _by_comment(inv, findings, "cloudfront.origin_ssl_protocols")["launch"].message


def test_listing_denied_is_unknown_not_absent(ruleset) -> None:
    inv, findings = _demo(ruleset, lambda aws: fail_operation(aws.events, "cloudfront", "ListDistributions"))
    assert not [r for r in inv.resources if r.type == cf.DISTRIBUTION]
    for rule_id in RULES:
        [f] = by_rule(findings, rule_id)
        assert f.status is Status.UNKNOWN and "ListDistributions" in (f.unknown_reason or "")


def test_config_denied_leaves_listing_rules_judged(ruleset) -> None:
    inv, findings = _demo(ruleset, lambda aws: fail_operation(aws.events, "cloudfront", "GetDistributionConfig"))
    for rule_id in ("cloudfront.access_logging", "cloudfront.default_root_object"):
        assert {f.status for f in by_rule(findings, rule_id)} == {Status.UNKNOWN}
    assert _by_comment(inv, findings, "cloudfront.viewer_https")["docs"].status is Status.PASS


def test_bucket_listing_denied_makes_origin_existence_unknown(ruleset) -> None:
    _, findings = _demo(ruleset, lambda aws: fail_operation(aws.events, "s3", "ListBuckets"))
    assert {f.status for f in by_rule(findings, "cloudfront.s3_origin_exists")} == {Status.UNKNOWN}


@pytest.mark.parametrize(
    ("domain", "custom", "kind", "bucket"),
    [
        ("assets.s3.amazonaws.com", None, "s3", "assets"),
        ("my.dotted.bucket.s3.eu-west-1.amazonaws.com", None, "s3", "my.dotted.bucket"),
        ("legacy.s3-eu-west-1.amazonaws.com", None, "s3", "legacy"),
        ("site.s3-website-us-east-1.amazonaws.com", {"OriginProtocolPolicy": "http-only"}, "s3_website", "site"),
        ("site.s3-website.eu-central-1.amazonaws.com", {"OriginProtocolPolicy": "http-only"}, "s3_website", "site"),
        ("cn.s3.cn-north-1.amazonaws.com.cn", None, "s3", "cn"),
        ("b.s3.amazonaws.com", {"OriginProtocolPolicy": "https-only"}, "s3_as_custom", "b"),
        ("app.example.com", {"OriginProtocolPolicy": "https-only"}, "custom", None),
        ("s3.amazonaws.com.evil.example", {"OriginProtocolPolicy": "https-only"}, "custom", None),
    ],
)
def test_origin_kinds(domain: str, custom: dict[str, Any] | None, kind: str, bucket: str | None) -> None:
    origin: dict[str, Any] = {"Id": "o", "DomainName": domain}
    if custom is not None:
        origin["CustomOriginConfig"] = custom
    parsed = cf._origin(origin)
    assert (parsed["kind"], parsed["bucket"]) == (kind, bucket)


class _FakeCollection:
    account_id = "123456789012"
    partition = "aws"


def _parse_all() -> list[tuple[str, dict[str, Any], Resource]]:
    out = []
    for name, data in recordings("cloudfront", "ListDistributions"):
        for item in (data.get("DistributionList") or {}).get("Items") or []:
            out.append((name, item, cf._distribution(_FakeCollection(), item)))  # type: ignore[arg-type]
    return out


def test_every_recorded_listing_parses_and_validates(aws) -> None:
    """All recorded ListDistributions answers are valid botocore output shapes and parse."""
    client = aws.client("cloudfront", "us-east-1")
    parsed = _parse_all()
    assert len(parsed) >= 10
    for name, data in recordings("cloudfront", "ListDistributions"):
        assert shape_problems(client, "ListDistributions", data) == [], name
    for name, data in recordings("cloudfront", "GetDistributionConfig"):
        assert shape_problems(client, "GetDistributionConfig", data) == [], name
    for _, data in recordings("cloudfront", "GetDistributionConfig"):
        config = (data.get("DistributionConfig") or {}).get("Logging")
        assert isinstance(cf._logging(config)["enabled"], bool)
    kinds = {o["kind"] for _, _, res in parsed for o in res.attrs["origins"]}
    assert "s3" in kinds and "custom" in kinds


def test_recorded_distributions_claim_no_pass_their_answer_does_not_carry(ruleset) -> None:
    """Strip the members each rule rests on from the real answers: no rule may then pass."""
    for name, item, _ in _parse_all():
        stripped = {k: v for k, v in item.items() if k not in ("WebACLId", "ViewerCertificate")}
        stripped["DefaultCacheBehavior"] = {
            k: v for k, v in (item.get("DefaultCacheBehavior") or {}).items() if k != "ViewerProtocolPolicy"
        }
        stripped.pop("CacheBehaviors", None)
        res = cf._distribution(_FakeCollection(), stripped)  # type: ignore[arg-type]
        res.unreadable.update({"logging": "E1", "default_root_object": "E1"})
        res.id = "d"
        findings = evaluate(inventory(res), ruleset)
        for rule_id in ("cloudfront.viewer_https", "cloudfront.viewer_tls_policy", "cloudfront.waf"):
            statuses = {f.status for f in by_rule(findings, rule_id)}
            assert Status.PASS not in statuses, (name, rule_id)
        for rule_id in ("cloudfront.access_logging", "cloudfront.default_root_object"):
            assert {f.status for f in by_rule(findings, rule_id)} <= {Status.UNKNOWN}, (name, rule_id)
