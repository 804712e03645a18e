"""AWS Config recorders and whether they are recording, per region."""

from __future__ import annotations

from srmscan.collect.context import Collection, named_resource
from srmscan.collect.registry import collector

RECORDER = "AWS::Config::ConfigurationRecorder"


@collector(
    "config",
    scope="regional",
    produces=(RECORDER,),
    actions=["config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"],
)
def collect_config(c: Collection, region: str) -> None:
    recorders = c.call("config", region, "DescribeConfigurationRecorders")
    if recorders.error is not None:
        c.gap(RECORDER, region, recorders)
        return
    statuses = c.call("config", region, "DescribeConfigurationRecorderStatus")
    by_name = {}
    if statuses.ok:
        by_name = {s.get("name"): s for s in statuses.data.get("ConfigurationRecordersStatus", []) or []}
    for rec in recorders.data.get("ConfigurationRecorders", []) or []:
        name = str(rec.get("name"))
        group = rec.get("recordingGroup") or {}
        attrs = {
            "all_supported": bool(group.get("allSupported")),
            "include_global_resources": bool(group.get("includeGlobalResourceTypes")),
            "role_arn": rec.get("roleARN"),
        }
        arn = rec.get("arn") or c.arn("config", region, f"configuration-recorder/{name}")
        res = named_resource(RECORDER, name, region, arn, "managed", attrs=attrs)
        if statuses.error is not None:
            res.unreadable["recording"] = statuses.error.id
        else:
            status = by_name.get(name, {})
            res.attrs["recording"] = bool(status.get("recording"))
            res.attrs["last_status"] = status.get("lastStatus")
        c.add(res)
