"""CloudWatch: AWS stores and serves the logs and evaluates the alarms; how long logs are kept,
with which key, and whether anyone is alerted when CloudTrail records a dangerous change is ours.

The CIS monitoring controls (CloudWatch.1-14) are judged through the log group that a logging,
multi-region CloudTrail trail delivers to: a metric filter on that group whose pattern covers
the control's events, and an alarm on the filter's metric with actions enabled and at least one
alarm action. srmscan does not check that the alarm's SNS topic has subscribers.
"""

from srmscan.model import Resource
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CUSTOMER,
    LOW,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    account_wide,
    fail,
    passed,
    rule,
    unknown,
)

LOG_GROUP = "AWS::Logs::LogGroup"
TRAIL = "AWS::CloudTrail::Trail"
MIN_RETENTION_DAYS = 365


@rule(
    id="cloudwatch.log_group_retention",
    title="CloudWatch log group keeps events for at least a year",
    resource_type=LOG_GROUP,
    service="cloudwatch",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["CloudWatch.16"],
    rationale="""Retention is ours to set: a group that expires events after days or weeks leaves an
    investigation with nothing to read once an intrusion is noticed, typically months later. Groups that
    never expire pass.""",
    remediation="CLI: aws logs put-retention-policy --log-group-name GROUP --retention-in-days 365",
    failing={"retention_days": 14},
    passing={"retention_days": 400},
)
def log_group_retention(r, inv):
    days = r["retention_days"]
    if days is None:
        return passed("Events never expire")
    if int(days) < MIN_RETENTION_DAYS:
        return fail(f"Events are kept for {days} days (less than {MIN_RETENTION_DAYS})", retention_days=days)
    return passed(f"Events are kept for {days} days", retention_days=days)


@rule(
    id="cloudwatch.log_group_kms",
    title="CloudWatch log group is encrypted with a customer managed KMS key",
    resource_type=LOG_GROUP,
    service="cloudwatch",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    rationale="""CloudWatch Logs always encrypts log data at rest; with a KMS key of our own, reading the
    logs also needs kms:Decrypt on that key, and revoking the key cuts access. The key is our choice, so a
    group without one fails at low severity.""",
    remediation="""Allow the logs service principal in the key policy, then:
    aws logs associate-kms-key --log-group-name GROUP --kms-key-id KEY_ARN""",
    failing={"kms_key": None},
    passing={"kms_key": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
)
def log_group_kms(r, inv):
    if r["kms_key"]:
        return passed("Encrypted with a customer managed key", kms_key=r["kms_key"])
    return fail("Encrypted only with CloudWatch Logs' own keys, not a KMS key you control")


def _normal(pattern):
    return "".join(str(pattern).split()).replace('"', "").replace("'", "")


def _events(source, *names):
    return tuple([f"eventSource={source}"] if source else []) + tuple(f"eventName={n}" for n in names)


# (n, CIS 1.4+ id, title, fragments every matching filter pattern contains, whitespace/quotes removed)
CIS_MONITORS = [
    (1, "4.3", "usage of the root user", ("userIdentity.type=Root", "userIdentity.invokedByNOTEXISTS")),
    (2, "4.1", "unauthorized API calls", ("errorCode=*UnauthorizedOperation", "errorCode=AccessDenied*")),
    (3, "4.2", "console sign-in without MFA", ("eventName=ConsoleLogin", "additionalEventData.MFAUsed!=Yes")),
    (
        4,
        "4.4",
        "IAM policy changes",
        _events(
            None,
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
    ),
    (
        5,
        "4.5",
        "CloudTrail configuration changes",
        _events(None, "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    ),
    (6, "4.6", "console authentication failures", ("eventName=ConsoleLogin", "errorMessage=Failedauthentication")),
    (
        7,
        "4.7",
        "disabling or scheduled deletion of customer managed keys",
        _events("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
    ),
    (
        8,
        "4.8",
        "S3 bucket policy changes",
        _events(
            "s3.amazonaws.com",
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        ),
    ),
    (
        9,
        "4.9",
        "AWS Config configuration changes",
        _events(
            "config.amazonaws.com",
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ),
    ),
    (
        10,
        "4.10",
        "security group changes",
        _events(
            None,
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ),
    ),
    (
        11,
        "4.11",
        "network ACL changes",
        _events(
            None,
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ),
    ),
    (
        12,
        "4.12",
        "network gateway changes",
        _events(
            None,
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ),
    ),
    (
        13,
        "4.13",
        "route table changes",
        _events(
            None,
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        ),
    ),
    (
        14,
        "4.14",
        "VPC changes",
        _events(
            None,
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        ),
    ),
]

_GROUP = "CloudTrail/logs"
_GROUP_ARN = f"arn:aws:logs:us-east-1:123456789012:log-group:{_GROUP}:*"


def _trail_to_logs():
    return Resource(
        type=TRAIL,
        id="arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
        region="us-east-1",
        attrs={"multi_region": True, "is_logging": True, "cloudwatch_logs": _GROUP_ARN},
    )


def _region_account(fragments, alarm_actions):
    pattern = "{ " + " || ".join(f"($.{f.replace('=', ' = ', 1)})" for f in fragments) + " }"
    filters = [
        {"name": "cis", "log_group": _GROUP, "pattern": pattern, "metrics": [{"name": "Cis", "namespace": "CIS"}]}
    ]
    alarms = [
        {
            "name": "cis-alarm",
            "metrics": [{"name": "Cis", "namespace": "CIS"}],
            "actions_enabled": True,
            "alarm_actions": list(alarm_actions),
        }
    ]
    return Resource(
        type=ACCOUNT_TYPE,
        id="example-resource",
        region="us-east-1",
        attrs={"log_metric_filters": filters, "metric_alarms": alarms},
    )


def _trail_log_groups(inv):
    """(region, group name) of each logging multi-region trail's CloudWatch Logs group, or a verdict."""
    trails = inv.resources(TRAIL)
    multi = [t for t in trails if t["multi_region"]]
    if not multi:
        return fail("No multi-region CloudTrail trail exists, so no log group receives all API activity")
    delivering = [t for t in multi if t["cloudwatch_logs"]]
    if not delivering:
        return fail("No multi-region trail delivers to CloudWatch Logs")
    logging = [t for t in delivering if t.readable("is_logging") and t["is_logging"]]
    if not logging:
        if not all(t.readable("is_logging") for t in delivering):
            [t["is_logging"] for t in delivering]  # raises Unreadable: the status could not be read
        return fail("The multi-region trails that deliver to CloudWatch Logs are not logging")
    groups = []
    for t in logging:
        parts = str(t["cloudwatch_logs"]).split(":")
        # arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]
        if len(parts) >= 7 and parts[5] == "log-group":
            groups.append((parts[3], parts[4], parts[6], t.id))
    if not groups:
        return unknown("The trail's CloudWatch Logs destination is not a log group ARN")
    return groups


def _monitor(n, cis, what, fragments):
    def check(r, inv):
        groups = _trail_log_groups(inv)
        if not isinstance(groups, list):
            return groups
        unseen = []
        for region, account_id, group, trail in groups:
            if account_id != inv.account_id or region not in inv.regions:
                unseen.append(f"{group} ({account_id}, {region})")
                continue
            acct = inv.account(region)
            filters = [
                f
                for f in acct["log_metric_filters"]
                if f["log_group"] == group and all(x in _normal(f["pattern"]) for x in fragments)
            ]
            metrics = {(m["name"], m["namespace"]) for f in filters for m in f["metrics"]}
            alarms = [
                a
                for a in acct["metric_alarms"]
                if a["actions_enabled"]
                and a["alarm_actions"]
                and any((m["name"], m["namespace"]) in metrics for m in a["metrics"])
            ]
            if alarms:
                return passed(
                    f"Metric filter {filters[0]['name']} on {group} has alarm {alarms[0]['name']} with an action",
                    trail=trail,
                    log_group=group,
                    alarms=[a["name"] for a in alarms],
                )
            if filters:
                return fail(
                    f"Metric filter {filters[0]['name']} on {group} exists, but no alarm with an action watches it",
                    trail=trail,
                    log_group=group,
                    filters=[f["name"] for f in filters],
                )
        if unseen:
            return unknown(
                "The trail delivers to a log group this scan cannot read (another account or an unscanned region): "
                + ", ".join(unseen)
            )
        return fail(
            f"No metric filter for {what} on the trail's log group " + ", ".join(g[2] for g in groups),
            log_groups=[g[2] for g in groups],
        )

    check.__name__ = f"cis_monitor_{n}"
    return rule(
        id=f"cloudwatch.cis_monitor_{n:02d}",
        title=f"A log metric filter and alarm exist for {what}",
        resource_type=ACCOUNT_TYPE,
        where=account_wide,
        service="cloudwatch",
        owner=CUSTOMER,
        layer=SERVICE_CONFIG,
        severity=LOW,
        fsbp=[f"CloudWatch.{n}"],
        cis=[cis],
        rationale=f"""CloudTrail records {what}, but nobody hears about it unless a metric filter on the
        trail's CloudWatch Logs group counts those events and an alarm notifies someone. Judged through the
        log group of a logging multi-region trail; the alarm must have actions enabled and an alarm action.""",
        remediation="""aws logs put-metric-filter --log-group-name TRAIL_LOG_GROUP --filter-name NAME
        --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1
        --filter-pattern 'PATTERN (see the CIS AWS Foundations Benchmark)'; then aws cloudwatch put-metric-alarm
        --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1
        --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions SNS_TOPIC_ARN""",
        failing=Example(attrs={}, related=(_trail_to_logs(), _region_account(fragments, []))),
        passing=Example(
            attrs={},
            related=(_trail_to_logs(), _region_account(fragments, ["arn:aws:sns:us-east-1:123456789012:security"])),
        ),
    )(check)


for _n, _cis, _what, _fragments in CIS_MONITORS:
    globals()[f"cis_monitor_{_n}"] = _monitor(_n, _cis, _what, _fragments)
