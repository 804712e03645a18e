"""Route 53: AWS answers DNS queries from its anycast network; the records we publish, whether
they still point at something we own, query logging and keeping our domains registered are ours."""

import ipaddress
import re

from srmscan.evaluate.settings import switch
from srmscan.model import Resource
from srmscan.rules_api import (
    CUSTOMER,
    HIGH,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    fail,
    passed,
    rule,
    unknown,
)

ZONE = "AWS::Route53::HostedZone"
DOMAIN = "AWS::Route53Domains::Domain"
BUCKET = "AWS::S3::Bucket"
DISTRIBUTION = "AWS::CloudFront::Distribution"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
INSTANCE = "AWS::EC2::Instance"

_S3_WEBSITE_CNAME = re.compile(r"^(?P<bucket>.+)\.s3-website[.-](?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
_S3_WEBSITE_ALIAS = re.compile(r"^s3-website[.-](?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
# bucket.s3.amazonaws.com, bucket.s3.REGION.amazonaws.com, bucket.s3-REGION.amazonaws.com
_S3_REST_CNAME = re.compile(r"^.+\.s3([.-](dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$")
# Other AWS-operated names srmscan does not match to a resource (VPC endpoints, Beanstalk, ...).
_OTHER_AWS = (".amazonaws.com", ".amazonaws.com.cn", ".on.aws", ".elasticbeanstalk.com", ".awsglobalaccelerator.com")
# ALB and Classic: name-id.REGION.elb.amazonaws.com; NLB: name-id.elb.REGION.amazonaws.com
_ALB_OR_CLASSIC = re.compile(r"^(dualstack\.)?[a-z0-9-]+\.(?P<region>[a-z0-9-]+)\.elb\.amazonaws\.com$")
_NLB = re.compile(r"^(dualstack\.)?[a-z0-9-]+\.elb\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")


def _zone_example(records):
    return {"private": False, "records": records, "query_logging": []}


def _rec(name, rtype, values=(), alias=None):
    return {"name": name, "type": rtype, "values": list(values), "alias": alias}


class _Targets:
    """What the account holds, looked up lazily so that a rule only needs the listings it uses."""

    def __init__(self, inv):
        self.inv = inv
        self._cache = {}

    def _get(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def buckets(self):
        return self._get("b", lambda: {b.id for b in self.inv.resources(BUCKET)})

    def distributions(self):
        return self._get("d", lambda: {str(d["domain_name"]).lower() for d in self.inv.resources(DISTRIBUTION)})

    def load_balancers(self):
        return self._get("l", lambda: {str(lb.get("dns_name") or "") for lb in self.inv.resources(LOAD_BALANCER)})

    def addresses(self):
        def build():
            held = set()
            for region in self.inv.regions:
                acct = self.inv.account(region)
                if acct is not None and "elastic_ips" in acct:
                    held.update(acct["elastic_ips"])
            held.update(str(i.get("public_ip")) for i in self.inv.resources(INSTANCE) if i.get("public_ip"))
            return held

        return self._get("a", build)


def _public_ip(value):
    try:
        return ipaddress.ip_address(value).is_global
    except ValueError:
        return False


@rule(
    id="route53.dangling_records",
    title="Route 53 records do not point at AWS resources that no longer exist",
    resource_type=ZONE,
    service="route53",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    rationale="""A record left pointing at a deleted resource lets someone else serve content under your name
    (subdomain takeover): an S3 website bucket of the same name can be created by anyone (high); a CloudFront
    distribution or load balancer that is gone leaves a record that now fails or can be re-pointed (medium).
    srmscan judges only what this account can see: a target in another account, an unscanned region, a
    Classic Load Balancer, or an A-record address the account does not hold is reported as unknown.""",
    remediation="""Delete or update the record (aws route53 change-resource-record-sets), or recreate the
    resource it names in this account. For S3 website records, keep the bucket until the record is gone.""",
    failing=Example(
        attrs=_zone_example(
            [_rec("promo.example.com", "CNAME", ["promo.example.com.s3-website-eu-west-1.amazonaws.com"])]
        ),
        related=(Resource(type=BUCKET, id="www.example.com", region="eu-west-1"),),
    ),
    passing=Example(
        attrs=_zone_example([_rec("www.example.com", "A", alias="s3-website-eu-west-1.amazonaws.com")]),
        related=(Resource(type=BUCKET, id="www.example.com", region="eu-west-1"),),
    ),
)
def dangling_records(r, inv):
    records = r["records"]
    if records is None:
        return None  # a private zone: its records are not read
    held = _Targets(inv)
    s3_missing, gone, unseen, unheld = [], [], [], []
    for rec in records:
        targets = ([rec["alias"]] if rec.get("alias") else []) + (rec["values"] if rec["type"] == "CNAME" else [])
        for target in targets:
            website = _S3_WEBSITE_CNAME.match(target)
            if website or (rec.get("alias") == target and _S3_WEBSITE_ALIAS.match(target)):
                # S3 picks the website bucket by the Host header, so the bucket that answers (or that
                # anyone may create) is the one named like the record, whatever the CNAME's label.
                bucket = rec["name"]
                if bucket not in held.buckets():
                    s3_missing.append(f"{rec['name']} -> S3 website bucket {bucket}")
            elif rec["type"] == "CNAME" and _S3_REST_CNAME.match(target):
                # S3 virtual hosting also picks the bucket by the Host header.
                if rec["name"] not in held.buckets():
                    s3_missing.append(f"{rec['name']} -> S3 bucket {rec['name']}")
            elif target.endswith(".cloudfront.net"):
                if target not in held.distributions():
                    gone.append(f"{rec['name']} -> {target}")
            elif _NLB.match(target) or _ALB_OR_CLASSIC.match(target):
                region = (_NLB.match(target) or _ALB_OR_CLASSIC.match(target)).group("region")
                if target.removeprefix("dualstack.") in held.load_balancers():
                    continue
                if region not in inv.regions:
                    unseen.append(f"{rec['name']} -> {target} (region {region} not scanned)")
                elif _NLB.match(target):
                    gone.append(f"{rec['name']} -> {target}")
                else:
                    unseen.append(f"{rec['name']} -> {target} (not a load balancer here; may be a Classic one)")
            elif target.endswith(_OTHER_AWS):
                unseen.append(f"{rec['name']} -> {target} (an AWS endpoint srmscan does not match to a resource)")
        if rec["type"] in ("A", "AAAA") and not rec.get("alias"):
            for ip in rec["values"]:
                if _public_ip(ip) and ip not in held.addresses():
                    unheld.append(f"{rec['name']} -> {ip}")
    if s3_missing:
        return fail(
            "Records point at S3 website buckets this account does not hold: " + "; ".join(s3_missing),
            records=s3_missing + gone,
        )
    if gone:
        return fail(
            "Records point at CloudFront distributions or load balancers that are not in this account: "
            + "; ".join(gone),
            severity=MEDIUM,
            records=gone,
        )
    if unseen or unheld:
        return unknown(
            "Cannot tell whether these targets still exist: "
            + "; ".join(unseen + [f"{x} (not an Elastic IP or instance address of this account)" for x in unheld]),
            records=unseen + unheld,
        )
    return passed(f"{len(records)} CNAME/A/AAAA records checked; every AWS target is held by this account")


@rule(
    id="route53.query_logging",
    title="Route 53 public hosted zone logs DNS queries",
    resource_type=ZONE,
    service="route53",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["Route53.2"],
    rationale="""Query logs show which names are being resolved, from where: evidence of reconnaissance,
    of a takeover being tested, or of data exfiltrated over DNS. They are off unless configured.""",
    remediation="""Create a log group in us-east-1 with a resource policy for route53.amazonaws.com, then:
    aws route53 create-query-logging-config --hosted-zone-id ZONE --cloud-watch-logs-log-group-arn ARN""",
    failing={"private": False, "query_logging": [], "records": []},
    passing={
        "private": False,
        "query_logging": ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/example.com"],
        "records": [],
    },
)
def query_logging(r, inv):
    if r["private"]:
        return None
    configs = r["query_logging"]
    if configs:
        return passed("Query logs go to " + ", ".join(configs))
    return fail("DNS query logging is not configured")


@rule(
    id="route53domains.transfer_lock",
    title="Registered domain has transfer lock enabled",
    resource_type=DOMAIN,
    service="route53domains",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    rationale="""Transfer lock stops the domain being moved to another registrar without first unlocking it
    here; without it, whoever obtains the authorisation code can take the domain. Some top-level domains do
    not support the lock, in which case the finding stands as a fact about the domain.""",
    remediation="CLI (us-east-1): aws route53domains enable-domain-transfer-lock --domain-name DOMAIN",
    failing={"transfer_lock": False, "auto_renew": True},
    passing={"transfer_lock": True, "auto_renew": True},
)
def transfer_lock(r, inv):
    return switch(
        r["transfer_lock"],
        unreported="ListDomains did not report the transfer lock",
        on="Transfer lock is on",
        off="Transfer lock is off",
    )


@rule(
    id="route53domains.auto_renew",
    title="Registered domain renews automatically",
    resource_type=DOMAIN,
    service="route53domains",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    rationale="""A domain that lapses can be registered by anyone once the grace period ends, with every
    record, certificate and email address under it.""",
    remediation="CLI (us-east-1): aws route53domains enable-domain-auto-renew --domain-name DOMAIN",
    failing={"auto_renew": False, "expiry": "2027-01-10T00:00:00+00:00"},
    passing={"auto_renew": True, "expiry": "2027-01-10T00:00:00+00:00"},
)
def auto_renew(r, inv):
    renew = r["auto_renew"]
    if renew is None:
        return unknown("ListDomains did not report auto-renew")
    if renew:
        return passed("Auto-renew is on", expiry=r.get("expiry"))
    return fail(
        f"Auto-renew is off; the registration expires {r.get('expiry') or 'on an unreported date'}",
        expiry=r.get("expiry"),
    )
