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


ALL_MANAGEMENT = {"read": True, "write": True, "excluded_sources": [], "limited_selectors": [], "selectors": "basic"}


def _trail(multi_region=True, logging=True, **attrs):
    return Resource(
        type=TRAIL,
        id="arn:aws:cloudtrail:us-east-1:123456789012:trail/t",
        region="us-east-1",
        attrs={"multi_region": multi_region, "is_logging": logging, "management_events": ALL_MANAGEMENT, **attrs},
    )


def _records_all_management(trail):
    events = trail["management_events"]
    return bool(events.get("read")) and bool(events.get("write"))


def _missing(events):
    missing = [kind for kind in ("read", "write") if not events.get(kind)]
    return " and ".join(missing) + " management events" if missing else ""


@rule(
    id="cloudtrail.multi_region_trail",
    title="At least one multi-region CloudTrail trail logs read and write management events",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="cloudtrail",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["CloudTrail.1"],
    cis=["3.1"],
    rationale="""Without a multi-region trail, API activity in regions nobody watches goes unrecorded,
    and a change like disabling Block Public Access cannot be attributed to anyone. The trail must
    be logging and record both read and write management events (basic selectors with management
    events and ReadWriteType All, or advanced selectors for the Management category with no readOnly
    restriction): a write-only trail misses the reconnaissance, a read-only one the change itself.""",
    remediation="""CLI: aws cloudtrail create-trail --name org-trail --s3-bucket-name LOG_BUCKET
    --is-multi-region-trail --enable-log-file-validation && aws cloudtrail start-logging --name org-trail;
    for an existing trail: aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors
    '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'""",
    failing=Example(attrs={}, related=(_trail(management_events={**ALL_MANAGEMENT, "read": False}),)),
    passing=Example(attrs={}, related=(_trail(),)),
)
def multi_region_trail(r, inv):
    trails = inv.resources(TRAIL)
    multi = [t for t in trails if t["multi_region"]]
    good, undecided, short = [], [], []
    for t in multi:
        if t.readable("is_logging") and not t["is_logging"]:
            continue
        if not t.readable("is_logging") or not t.readable("management_events"):
            undecided.append(t)
        elif _records_all_management(t):
            good.append(t)
        else:
            short.append(t)
    if good:
        excluded = sorted({x for t in good for x in t["management_events"].get("excluded_sources") or []})
        message = "Multi-region trail logging read and write management events: " + ", ".join(
            t.name or t.id for t in good
        )
        if excluded:
            message += " (excluding events from " + ", ".join(excluded) + ")"
        return passed(message, trails=[t.id for t in good], excluded_sources=excluded)
    for t in undecided:  # raises Unreadable: whether this trail qualifies could not be read
        t["is_logging"], t["management_events"]
    if short:
        detail = "; ".join(f"{t.name or t.id} does not record {_missing(t['management_events'])}" for t in short)
        return fail("No multi-region trail records both read and write management events: " + detail)
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
