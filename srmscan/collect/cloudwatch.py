"""CloudWatch Logs log groups, metric filters and alarms: what the CIS monitoring controls read.

Per region, three listings and no per-resource call: DescribeLogGroups and DescribeMetricFilters
(page 50, their maximum) and DescribeAlarms (page 100). Log groups become resources (retention
and KMS key are judged per group); metric filters and alarms are kept, compactly, on the region's
account resource (`log_metric_filters`, `metric_alarms`), because the CIS rules join them with
the CloudTrail trail that delivers to a log group (from the cloudtrail collector's inventory;
CloudTrail is not called again here).
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, fill, named_resource
from srmscan.collect.registry import collector
from srmscan.model import Resource

LOG_GROUP = "AWS::Logs::LogGroup"


@collector(
    "cloudwatch",
    scope="regional",
    produces=(LOG_GROUP,),
    actions=["logs:DescribeLogGroups", "logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms"],
)
def collect_cloudwatch(c: Collection, region: str) -> None:
    account = c.account(region)
    groups = c.listing(
        "logs", region, "DescribeLogGroups", "logGroups", gaps=(LOG_GROUP,), PaginationConfig={"PageSize": 50}
    )
    if groups.ok:
        for item in groups.data:
            if isinstance(item, dict) and item.get("logGroupName"):
                c.add(_log_group(c, region, item))
    filters = c.pages("logs", region, "DescribeMetricFilters", "metricFilters", PaginationConfig={"PageSize": 50})
    fill(account, "log_metric_filters", filters, _filters)
    alarms = c.pages("cloudwatch", region, "DescribeAlarms", "MetricAlarms", PaginationConfig={"PageSize": 100})
    fill(account, "metric_alarms", alarms, _alarms)


def _log_group(c: Collection, region: str, item: dict[str, Any]) -> Resource:
    name = str(item["logGroupName"])
    arn = item.get("logGroupArn") or str(item.get("arn") or "").removesuffix(":*") or None
    attrs = {
        # Absent retentionInDays means the group never expires its events.
        "retention_days": item.get("retentionInDays"),
        "kms_key": item.get("kmsKeyId") or None,
        "log_group_class": item.get("logGroupClass"),
        "stored_bytes": item.get("storedBytes"),
    }
    return named_resource(
        LOG_GROUP, name, region, arn or c.arn("logs", region, f"log-group:{name}"), "managed", attrs=attrs
    )


def _filters(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "name": str(f.get("filterName") or ""),
            "log_group": str(f.get("logGroupName") or ""),
            "pattern": str(f.get("filterPattern") or ""),
            "metrics": [
                {"name": str(m.get("metricName") or ""), "namespace": str(m.get("metricNamespace") or "")}
                for m in f.get("metricTransformations") or []
                if isinstance(m, dict)
            ],
        }
        for f in items
        if isinstance(f, dict)
    ]


def _alarms(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Metric alarms with the metrics they watch (a plain metric, or MetricStat members of a
    metric-math alarm) and whether they act."""
    out = []
    for a in items:
        if not isinstance(a, dict):
            continue
        metrics = []
        if a.get("MetricName"):
            metrics.append({"name": str(a["MetricName"]), "namespace": str(a.get("Namespace") or "")})
        for q in a.get("Metrics") or []:
            metric = ((q or {}).get("MetricStat") or {}).get("Metric") or {}
            if metric.get("MetricName"):
                metrics.append({"name": str(metric["MetricName"]), "namespace": str(metric.get("Namespace") or "")})
        out.append(
            {
                "name": str(a.get("AlarmName") or ""),
                "metrics": metrics,
                "actions_enabled": a.get("ActionsEnabled"),
                "alarm_actions": [str(x) for x in a.get("AlarmActions") or []],
            }
        )
    return out
