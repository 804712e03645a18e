"""DNS for the launch: the launch domain's zone still has `promo` pointing at the S3 website
endpoint of last year's campaign bucket, promo.acme-launch.com, which was deleted (anyone may now
create a bucket of that name and serve content as promo.acme-launch.com), no query logging, and the domain itself neither auto-renews nor has a
transfer lock. The docs domain is the twin: query logs, records that point at the docs
distribution and at an Elastic IP the account holds, auto-renew and transfer lock on.

moto 5.2.5 reports TransferLock true for every registered domain; `install` sets it false for
the launch domain in ListDomains answers, the demo's SIMULATED account data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from srmscan.demo.account import DemoWorld

ORDER = 68
LAUNCH_DOMAIN = "acme-launch.com"
DOCS_DOMAIN = "acme-docs.com"
_CONTACT = {
    "FirstName": "Dana",
    "LastName": "Ops",
    "ContactType": "COMPANY",
    "OrganizationName": "Acme",
    "AddressLine1": "1 Example Street",
    "City": "London",
    "CountryCode": "GB",
    "ZipCode": "N1 1AA",
    "PhoneNumber": "+44.2071234567",
    "Email": "dns@acme.example",
}


def seed(world: DemoWorld) -> None:
    domains = world.client("route53domains", "us-east-1")
    for name, renew in ((LAUNCH_DOMAIN, False), (DOCS_DOMAIN, True)):
        # moto rejects exactly one year ("between 1 and 10 years from now"); AWS accepts 1-10.
        domains.register_domain(
            DomainName=name,
            DurationInYears=2,
            AutoRenew=renew,
            AdminContact=_CONTACT,
            RegistrantContact=_CONTACT,
            TechContact=_CONTACT,
        )
    route53 = world.client("route53", "us-east-1")
    # Registering a domain creates its public hosted zone (in AWS and in moto).
    zones = {z["Name"].rstrip("."): z["Id"] for z in route53.list_hosted_zones()["HostedZones"]}
    cloudfront = world.client("cloudfront", "us-east-1")
    ids = world.ids["cloudfront"]
    launch_cdn = cloudfront.get_distribution(Id=ids["launch"])["Distribution"]["DomainName"]
    docs_cdn = cloudfront.get_distribution(Id=ids["docs"])["Distribution"]["DomainName"]
    eip = world.client("ec2", "eu-west-1").allocate_address(Domain="vpc")["PublicIp"]

    _records(
        route53,
        zones[LAUNCH_DOMAIN],
        [
            (f"promo.{LAUNCH_DOMAIN}", "CNAME", f"promo.{LAUNCH_DOMAIN}.s3-website-eu-west-1.amazonaws.com"),
            (f"cdn.{LAUNCH_DOMAIN}", "CNAME", launch_cdn),
            (f"_verify.{LAUNCH_DOMAIN}", "TXT", '"site-verification=4f2a"'),
        ],
    )
    _records(
        route53,
        zones[DOCS_DOMAIN],
        [(f"docs.{DOCS_DOMAIN}", "CNAME", docs_cdn), (f"status.{DOCS_DOMAIN}", "A", eip)],
    )
    logs = world.client("logs", "us-east-1")
    logs.create_log_group(logGroupName=f"/aws/route53/{DOCS_DOMAIN}")
    group = logs.describe_log_groups(logGroupNamePrefix=f"/aws/route53/{DOCS_DOMAIN}")["logGroups"][0]["arn"]
    route53.create_query_logging_config(HostedZoneId=zones[DOCS_DOMAIN], CloudWatchLogsLogGroupArn=group)
    logs.put_retention_policy(logGroupName=f"/aws/route53/{DOCS_DOMAIN}", retentionInDays=400)


def _records(route53: Any, zone: str, records: list[tuple[str, str, str]]) -> None:
    route53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": rtype,
                        "TTL": 300,
                        "ResourceRecords": [{"Value": value}],
                    },
                }
                for name, rtype, value in records
            ]
        },
    )


def install(events: Any, world: DemoWorld) -> None:
    def unlock(parsed: dict[str, Any], **_: Any) -> None:
        for domain in parsed.get("Domains") or []:
            if domain.get("DomainName") == LAUNCH_DOMAIN:
                domain["TransferLock"] = False  # SIMULATED: the lock was switched off for a transfer
            if domain.get("Expiry"):
                # SIMULATED: moto dates expiry from the wall clock; the demo's clock keeps runs identical.
                domain["Expiry"] = world.now + timedelta(days=730)

    events.register("after-call.route53domains.ListDomains", unlock)
