"""Route 53: dangling records judged only from what the account holds, query logging, registered
domains; failures as unknown; every recorded real zone / record / logging / domain answer."""

from __future__ import annotations

from srmscan.collect import route53 as r53
from srmscan.evaluate.engine import evaluate
from srmscan.model import Resource, Status
from tests.helpers import by_rule, fail_operation, inventory, one
from tests.placebo_feed import mini_demo, recordings, shape_problems

MODULES = ["seed_s3", "seed_cloudfront", "seed_route53"]
COLLECTORS = {"route53", "elastic_ips", "cloudfront", "s3"}


def _run(ruleset, hook=None):  # type: ignore[no-untyped-def]
    inv = mini_demo(MODULES, COLLECTORS, hook)
    names = {r.id: r.name for r in inv.resources}
    return inv, evaluate(inv, ruleset), names


def _by_name(findings, names, rule_id):  # type: ignore[no-untyped-def]
    return {names[f.resource_id]: f for f in by_rule(findings, rule_id)}


def test_demo_launch_zone_and_domain_fail_docs_twin_passes(ruleset) -> None:
    inv, findings, names = _run(ruleset)
    assert inv.errors == []
    for rule_id in ("route53.dangling_records", "route53.query_logging"):
        got = _by_name(findings, names, rule_id)
        assert got["acme-launch.com"].status is Status.FAIL, rule_id
        assert got["acme-docs.com"].status is Status.PASS, rule_id
    dangling = _by_name(findings, names, "route53.dangling_records")["acme-launch.com"]
    assert dangling.severity == "high" and "promo.acme-launch.com" in dangling.message
    for rule_id in ("route53domains.transfer_lock", "route53domains.auto_renew"):
        got = {f.resource_id: f.status for f in by_rule(findings, rule_id)}
        assert got == {"acme-launch.com": Status.FAIL, "acme-docs.com": Status.PASS}, rule_id
    zone = next(r for r in inv.resources if r.type == r53.ZONE and r.name == "acme-launch.com")
    assert {rec["type"] for rec in zone.attrs["records"]} <= {"CNAME", "A", "AAAA"}  # TXT dropped


def test_bucket_listing_denied_makes_dangling_unknown(ruleset) -> None:
    _, findings, names = _run(ruleset, lambda aws: fail_operation(aws.events, "s3", "ListBuckets"))
    assert _by_name(findings, names, "route53.dangling_records")["acme-launch.com"].status is Status.UNKNOWN


def test_listings_denied_are_unknown(ruleset) -> None:
    _, findings, _ = _run(ruleset, lambda aws: fail_operation(aws.events, "route-53", "ListHostedZones"))
    assert {f.status for f in by_rule(findings, "route53.query_logging")} == {Status.UNKNOWN}
    _, findings, names = _run(ruleset, lambda aws: fail_operation(aws.events, "route-53", "ListResourceRecordSets"))
    assert {f.status for f in by_rule(findings, "route53.dangling_records")} == {Status.UNKNOWN}
    assert _by_name(findings, names, "route53.query_logging")["acme-docs.com"].status is Status.PASS
    _, findings, _ = _run(ruleset, lambda aws: fail_operation(aws.events, "route-53-domains", "ListDomains"))
    assert {f.status for f in by_rule(findings, "route53domains.auto_renew")} == {Status.UNKNOWN}


def _zone(*records: dict) -> Resource:
    return Resource(type=r53.ZONE, id="Z1", region="global", attrs={"private": False, "records": list(records)})


def _rec(name: str, rtype: str, values=(), alias=None) -> dict:  # type: ignore[no-untyped-def]
    return {"name": name, "type": rtype, "values": list(values), "alias": alias}


def _account(region: str, ips: list[str]) -> Resource:
    return Resource(type="AWS::::Account", id="123456789012", region=region, attrs={"elastic_ips": ips})


def _status(ruleset, *resources: Resource) -> Status:  # type: ignore[no-untyped-def]
    return one(evaluate(inventory(*resources), ruleset), "route53.dangling_records", "Z1").status


def test_a_records_and_elb_targets(ruleset) -> None:
    held = _account("us-east-1", ["54.1.2.3"])
    assert _status(ruleset, _zone(_rec("a.example.com", "A", ["54.1.2.3", "10.0.0.5"])), held) is Status.PASS
    assert _status(ruleset, _zone(_rec("a.example.com", "A", ["54.9.9.9"])), held) is Status.UNKNOWN
    nlb = "api-0a1b.elb.us-east-1.amazonaws.com"
    lb = Resource(
        type="AWS::ElasticLoadBalancingV2::LoadBalancer", id="lb", region="us-east-1", attrs={"dns_name": nlb}
    )
    assert _status(ruleset, _zone(_rec("api.example.com", "A", alias=f"dualstack.{nlb}")), held, lb) is Status.PASS
    gone = _zone(_rec("api.example.com", "CNAME", ["old-9z.elb.us-east-1.amazonaws.com"]))
    assert _status(ruleset, gone, held, lb) is Status.FAIL
    classic = _zone(_rec("web.example.com", "CNAME", ["web-123.us-east-1.elb.amazonaws.com"]))
    assert _status(ruleset, classic, held, lb) is Status.UNKNOWN  # may be a Classic Load Balancer
    unscanned = _zone(_rec("eu.example.com", "CNAME", ["x-1.elb.eu-central-1.amazonaws.com"]))
    assert _status(ruleset, unscanned, held, lb) is Status.UNKNOWN
    cdn = _zone(_rec("cdn.example.com", "CNAME", ["d111111abcdef8.cloudfront.net"]))
    assert _status(ruleset, cdn, held) is Status.FAIL


def test_recorded_answers_validate_and_parse(aws) -> None:
    client = aws.client("route53", "us-east-1")
    for op in ("ListHostedZones", "ListQueryLoggingConfigs", "ListResourceRecordSets"):
        for name, data in recordings("route53", op):
            assert shape_problems(client, op, data) == [], (op, name)
    kept = []
    for _, data in recordings("route53", "ListResourceRecordSets"):
        kept += r53.keep_records(data.get("ResourceRecordSets") or [])
    assert kept and {k["type"] for k in kept} <= {"CNAME", "A", "AAAA"}
    for _, data in recordings("route53", "ListHostedZones"):
        for z in data.get("HostedZones") or []:
            assert isinstance(r53._zone(_C(), z).attrs["private"], bool)  # type: ignore[arg-type]
    domains = aws.client("route53domains", "us-east-1")
    for name, data in recordings("route53domains", "ListDomains"):
        assert shape_problems(domains, "ListDomains", data) == [], name


class _C:
    partition = "aws"
