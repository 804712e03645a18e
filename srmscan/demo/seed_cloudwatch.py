"""Detection through CloudTrail: the account's multi-region trail delivers to a CloudWatch Logs
group (kept 400 days, encrypted with a KMS key) where metric filters and alarms cover root use,
IAM policy changes and CloudTrail changes, each alarm notifying the security topic. The filter
for unauthorized API calls exists but its alarm notifies nobody, and the other CIS monitors were
never set up. Next to it, the API access-log group keeps events for a week, without a KMS key.
moto serves every call the collector makes.
"""

from __future__ import annotations

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 66
HOME = "eu-west-1"
TRAIL_GROUP = "/acme/cloudtrail"
API_GROUP = "/acme/api-access"
NAMESPACE = "CISBenchmark"

MONITORS = {
    "RootUsage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
    '&& $.eventType != "AwsServiceEvent" }',
    "IamPolicyChanges": "{ ($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || "
    "($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || "
    "($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || "
    "($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || "
    "($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || "
    "($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy) }",
    "CloudTrailChanges": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
    "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "UnauthorizedApiCalls": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
}
SILENT = {"UnauthorizedApiCalls"}  # its alarm has no action


def seed(world: DemoWorld) -> None:
    logs = world.client("logs", HOME)
    kms = world.client("kms", HOME)
    key = kms.create_key(Description="acme log encryption")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key)
    logs.create_log_group(logGroupName=TRAIL_GROUP, kmsKeyId=key)
    logs.put_retention_policy(logGroupName=TRAIL_GROUP, retentionInDays=400)
    logs.create_log_group(logGroupName=API_GROUP)
    logs.put_retention_policy(logGroupName=API_GROUP, retentionInDays=7)

    role = world.client("iam").create_role(
        RoleName="acme-cloudtrail-to-logs",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )["Role"]["Arn"]
    world.client("cloudtrail", HOME).update_trail(
        Name="org-audit",
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{HOME}:{DEMO_ACCOUNT}:log-group:{TRAIL_GROUP}:*",
        CloudWatchLogsRoleArn=role,
    )
    topic = world.client("sns", HOME).create_topic(Name="acme-security-alerts")["TopicArn"]
    cloudwatch = world.client("cloudwatch", HOME)
    for name, pattern in MONITORS.items():
        logs.put_metric_filter(
            logGroupName=TRAIL_GROUP,
            filterName=name,
            filterPattern=pattern,
            metricTransformations=[{"metricName": name, "metricNamespace": NAMESPACE, "metricValue": "1"}],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=f"cis-{name}",
            MetricName=name,
            Namespace=NAMESPACE,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            ActionsEnabled=True,
            AlarmActions=[] if name in SILENT else [topic],
        )
