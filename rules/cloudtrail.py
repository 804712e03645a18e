"""CloudTrail: the record of who changed what. Turning it on and keeping it on is ours."""

from srmscan.model import Resource
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CUSTOMER,
    HIGH,
    INFO,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    account_wide,
    fail,
    passed,
    rule,
)

TRAIL = "AWS::CloudTrail::Trail"


def _trail(multi_region=True, logging=True, **attrs):
    return Resource(
        type=TRAIL,
        id="arn:aws:cloudtrail:us-east-1:123456789012:trail/t",
        region="us-east-1",
        attrs={"multi_region": multi_region, "is_logging": logging, **attrs},
    )


@rule(
    id="cloudtrail.multi_region_trail",
    title="At least one multi-region CloudTrail trail is logging",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="cloudtrail",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["CloudTrail.1"],
    cis=["3.1"],
    rationale="""Without a multi-region trail, API activity in regions nobody watches goes unrecorded,
    and a change like disabling Block Public Access cannot be attributed to anyone.""",
    remediation="""CLI: aws cloudtrail create-trail --name org-trail --s3-bucket-name LOG_BUCKET
    --is-multi-region-trail --enable-log-file-validation && aws cloudtrail start-logging --name org-trail""",
    failing=Example(attrs={}, related=(_trail(multi_region=False),)),
    passing=Example(attrs={}, related=(_trail(),)),
)
def multi_region_trail(r, inv):
    trails = inv.resources(TRAIL)
    good = [t for t in trails if t["multi_region"] and t.readable("is_logging") and t["is_logging"]]
    if good:
        return passed(
            "Multi-region trail logging: " + ", ".join(t.name or t.id for t in good),
            trails=[t.id for t in good],
        )
    multi = [t for t in trails if t["multi_region"]]
    if multi and not all(t.readable("is_logging") for t in multi):
        [t["is_logging"] for t in multi]  # raises Unreadable: the status could not be read
    return fail("No multi-region trail is logging", trails_found=[t.id for t in trails])


@rule(
    id="cloudtrail.trail_logging",
    title="CloudTrail trail is logging",
    resource_type=TRAIL,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["CloudTrail.1"],
    rationale="A trail that exists but was stopped (StopLogging) records nothing; it looks like coverage but is not.",
    remediation="CLI: aws cloudtrail start-logging --name TRAIL",
    failing={"is_logging": False},
    passing={"is_logging": True},
)
def trail_logging(r, inv):
    if not r["is_logging"]:
        return fail("The trail exists but is not logging")
    return passed("The trail is logging")


@rule(
    id="cloudtrail.log_file_validation",
    title="CloudTrail log file validation is enabled",
    resource_type=TRAIL,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["CloudTrail.4"],
    cis=["3.2"],
    rationale="Digest files prove the logs were not altered after delivery: evidence that holds up in an incident review.",
    remediation="CLI: aws cloudtrail update-trail --name TRAIL --enable-log-file-validation",
    failing={"log_file_validation": False},
    passing={"log_file_validation": True},
)
def log_file_validation(r, inv):
    if not r["log_file_validation"]:
        return fail("Log file validation is off")
    return passed("Log file validation is on")


@rule(
    id="cloudtrail.s3_data_events",
    title="CloudTrail records S3 object-level (data) events",
    resource_type=TRAIL,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=INFO,
    cis=["3.8", "3.9"],
    rationale="""Management events show PutPublicAccessBlock; only data events show which objects were
    read while a bucket was public. They cost extra, so srmscan reports them rather than requiring them.""",
    remediation="""CLI: aws cloudtrail put-event-selectors --trail-name TRAIL --advanced-event-selectors
    '[{"Name":"S3 data","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},
    {"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]'""",
    failing={"data_events": {"s3": False}},
    passing={"data_events": {"s3": True}},
)
def s3_data_events(r, inv):
    if not r["data_events"]["s3"]:
        return fail("The trail does not record S3 data events")
    return passed("The trail records S3 data events")
