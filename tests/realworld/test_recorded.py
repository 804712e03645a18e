"""Every recorded real response of every operation the collectors call, fed to the code that parses it.

/work/shared/realworld/placebo holds responses recorded from real AWS accounts (one folder per
recorded session, `_1`, `_2`, ... = successive calls of an operation). For each folder, the
operations the collectors call are answered from its files in order (the last one repeats), on top
of `one_of_each` so that the listings leading to them happen, and only the collectors that make
those calls run. Asserted: no collector crashes on a real shape, no call fails except the ones
recorded as errors, and no rule passes from a recorded answer stripped of what it carries (see
`test_no_pass_from_data_the_response_does_not_carry`).

A recording is left out only when it cannot be a real response of the operation; each is listed in
`NOT_REAL` with the reason, and the test fails if that list and the recordings drift apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from typing import Any

import pytest

from srmscan.collect.registry import all_collectors
from srmscan.evaluate.engine import RuleSet
from srmscan.model import Status
from tests.realworld.accounts import one_of_each
from tests.realworld.harness import REALWORLD, Replayer, Scenario, ShapeError, recording, service_model, validate

PLACEBO = REALWORLD / "placebo"
_FILE = re.compile(r"^(?P<prefix>[\w.-]+)\.(?P<op>[A-Za-z0-9]+)_(?P<n>\d+)\.json$")

_CLASSIC_ELB = "a Classic Load Balancer answer (LoadBalancerDescriptions): same endpoint prefix, not ELBv2"
# Recordings that real AWS cannot have sent for the operation they are filed under.
NOT_REAL: dict[str, str] = {
    **{
        f"placebo/{folder}/elasticloadbalancing.DescribeLoadBalancers_{n}.json": _CLASSIC_ELB
        for folder, n in [
            ("test_asg_invalid_az", 1),
            ("test_asg_invalid_filter_bad", 1),
            ("test_asg_invalid_filter_good", 1),
            ("test_asg_invalid_third_ami", 1),
            ("test_elb_add_security_group", 1),
            ("test_elb_add_security_group", 2),
            ("test_elb_add_security_groups", 1),
            ("test_elb_add_security_groups", 2),
            ("test_elb_attribute_filter", 1),
            ("test_elb_default_vpc", 1),
            ("test_elb_disable_s3_logging", 1),
            ("test_elb_enable_s3_logging", 1),
            ("test_elb_instance_filter", 1),
            ("test_elb_is_logging_filter", 1),
            ("test_elb_mark_and_match", 1),
            ("test_elb_mark_and_match", 2),
            ("test_elb_remove_all_security_groups", 1),
            ("test_elb_remove_all_security_groups", 2),
            ("test_elb_remove_security_groups", 1),
            ("test_elb_remove_security_groups", 2),
            ("test_elb_tag_and_remove", 1),
            ("test_elb_tag_and_remove", 2),
            ("test_elb_tags", 1),
            ("test_healthcheck_protocol_mismatch", 1),
            ("test_missing_metrics", 1),
            ("test_s3_log_target", 1),
            ("test_set_ssl_listener", 1),
            ("test_set_ssl_listener", 2),
            ("test_set_ssl_listener_predefined", 1),
            ("test_set_ssl_listener_predefined", 2),
            ("test_ssl_ciphers", 1),
            ("test_valid_asg_with_launch_templates", 1),
        ]
    },
    "placebo/test_rdscluster_snapshot_count_filter/rds.DescribeDBClusters_1.json": (
        "hand-edited: DBInstanceClass is an instance member, never in a DescribeDBClusters answer"
    ),
    "placebo/test_rdssubnetgroup_unused/rds.DescribeDBClusters_1.json": (
        "timestamps stored as empty objects ({}), which no botocore parse produces"
    ),
    "placebo/test_rdssubnetgroup_unused/rds.DescribeDBInstances_1.json": (
        "timestamps stored as empty objects ({}), which no botocore parse produces"
    ),
}


# The collectors this test has triaged (every recording of their operations is in, or in NOT_REAL).
# Collectors added later (apigateway, backup, cloudfront, cloudwatch, dynamodb, eks, elasticache,
# kms, route53, secretsmanager, ...) join by adding their name here and triaging what then fails.
COVERED = {
    "accessanalyzer",
    "account",
    "autoscaling",
    "cloudtrail",
    "config",
    "ec2",
    "ecr",
    "ecs",
    "iam",
    "lambda",
    "rds",
    "s3",
    "ssm",
}


@cache
def collectors_by_operation() -> dict[tuple[str, str], frozenset[str]]:
    """(service, operation) -> the covered collectors that call it, learnt by running each on one_of_each."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for spec in [s for s in all_collectors() if s.name in COVERED]:
        sc = one_of_each(Scenario(f"calls of {spec.name}", source="tests/realworld/accounts.py"))
        sc.collect(regions=["us-east-1"], only={spec.name}, via=_replayer())
        for call in sc.calls:
            if call.service != "sts":
                out[(call.service, call.operation)].add(spec.name)
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _prefixes() -> dict[tuple[str, str], tuple[str, str]]:
    """(endpoint prefix as placebo names files, operation) -> (boto3 service name, operation)."""
    return {(service_model(s).endpoint_prefix, op): (s, op) for s, op in collectors_by_operation()}


@cache
def recordings_by_folder() -> dict[str, dict[tuple[str, str], list[str]]]:
    """folder -> (service, operation) -> its recorded files in call order."""
    found: dict[str, dict[tuple[str, str], list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(PLACEBO.glob("*/*.json")):
        match = _FILE.match(path.name)
        if not match:
            continue
        key = _prefixes().get((match["prefix"], match["op"]))
        if key is not None:
            found[path.parent.name][key].append((int(match["n"]), str(path.relative_to(REALWORLD))))
    return {folder: {op: [p for _, p in sorted(files)] for op, files in ops.items()} for folder, ops in found.items()}


def _scenario(folder: str, ops: dict[tuple[str, str], list[str]], strip: bool = False) -> tuple[Scenario, set[str]]:
    sc = one_of_each(
        Scenario(f"recorded {folder}", source=f"recorded: placebo/{folder}", deny_unanswered=strip), region="us-east-1"
    )
    recorded_errors: set[str] = set()
    for (service, operation), files in ops.items():
        usable = [f for f in files if f not in NOT_REAL]
        for index, path in enumerate(reversed(usable)):  # later rules win: add the last first, unlimited
            status, data = recording(path)
            if status >= 300:
                recorded_errors.add(operation)
                err = data.get("Error") or {}
                sc.error(service, operation, str(err.get("Code")), str(err.get("Message") or ""), status=status,
                         source=f"recorded: {path}", times=None if index == 0 else 1)  # fmt: skip
                continue
            data.pop("ResponseMetadata", None)
            data = {k: v for k, v in data.items() if v is not None}
            if strip:
                data = stripped(service, operation, data)
            sc.answer(
                service, operation, data, source=f"recorded: {path}", times=None if index == 0 else 1, recorded=True
            )
    return sc, recorded_errors


_IDENTITY = re.compile(r"(Id|Ids|Arn|ARN|Arns|Name|Names|Identifier|arn|name|Key|Value|Code|Marker|Token)$")


def stripped(service: str, operation: str, data: dict[str, Any]) -> dict[str, Any]:
    """The answer with every member gone except identifiers and the lists that hold the items:
    what a response that carries no evidence at all looks like."""

    def keep(value: Any, top: bool) -> Any:
        if isinstance(value, dict):
            return {
                k: keep(v, False)
                for k, v in value.items()
                if _IDENTITY.search(k) or (top and isinstance(v, list)) or (isinstance(v, list) and _is_items(v))
            }
        if isinstance(value, list):
            return [keep(v, False) for v in value]
        return value

    return keep(data, True)  # type: ignore[no-any-return]


def _is_items(value: list[Any]) -> bool:
    return bool(value) and all(isinstance(v, dict) for v in value)


def _run(folder: str, strip: bool = False) -> Any:
    ops = recordings_by_folder()[folder]
    sc, recorded_errors = _scenario(folder, ops, strip)
    only = set().union(*(collectors_by_operation()[op] for op in ops))
    if "iam" in only:
        only.add("account")
    return sc, sc.collect(regions=["us-east-1"], only=only, via=_replayer()), recorded_errors


@cache
def _replayer() -> Replayer:
    return Replayer("us-east-1")


FOLDERS = sorted(recordings_by_folder())


def test_recordings_cover_the_collectors() -> None:
    files = sum(len(f) for ops in recordings_by_folder().values() for f in ops.values())
    assert len(FOLDERS) > 300 and files > 1400, (len(FOLDERS), files)


def test_recordings_are_real_shapes() -> None:
    """Every recording validates against its operation's shape, except those listed in NOT_REAL."""
    invalid: dict[str, str] = {}
    for ops in recordings_by_folder().values():
        for (service, operation), files in ops.items():
            for path in files:
                status, data = recording(path)
                if status >= 300:
                    continue
                try:
                    validate(service, operation, data, recorded=True)
                except ShapeError as exc:
                    invalid[path] = str(exc)[:200]
    assert sorted(invalid) == sorted(NOT_REAL), {p: invalid.get(p, "valid now") for p in set(invalid) ^ set(NOT_REAL)}


@pytest.mark.parametrize("folder", FOLDERS)
def test_recorded_responses_parse(folder: str) -> None:
    _, run, recorded_errors = _run(folder)
    assert run.collector_crashes() == []
    errors = [
        f"{e.operation}: {e.code}: {e.message[:120]}"
        for e in run.inventory.errors
        if e.operation not in recorded_errors
    ]
    assert errors == WITHOUT_MEMBERS.get(folder, [])


# Real answers that leave out a member the collector needs: it says so (MemberMissing), and the
# rules that need the member report unknown instead of passing.
WITHOUT_MEMBERS = {
    folder: ["DescribeDBInstances: MemberMissing: the answer did not carry PubliclyAccessible"]
    for folder in (
        "test_rds_modify_db_enable_cloudwatch",
        "test_rds_modify_db_enable_perfinsights",
        "test_rdsparamgroup_unused",
    )
}


def test_a_db_instance_answer_without_publicly_accessible_is_unknown(ruleset: RuleSet) -> None:
    from srmscan.scan import evaluate_inventory

    _, run, _ = _run("test_rds_modify_db_enable_cloudwatch")
    findings = [
        f for f in evaluate_inventory(run.inventory, ruleset).findings if f.rule_id == "rds.instance_public_access"
    ]
    recorded = [f for f in findings if f.resource_id not in _baseline_ids()]
    assert recorded and {f.status for f in recorded} == {Status.UNKNOWN}
    assert all(
        "PubliclyAccessible" in str(f.unknown_reason) or "MemberMissing" in str(f.unknown_reason) for f in recorded
    )


def test_no_pass_from_data_the_response_does_not_carry(ruleset: RuleSet) -> None:
    """Replayed with every recorded answer stripped to its identifiers, and every call the recording
    does not answer denied, a rule that still passes on a recorded resource passed from absence.

    Absence is the real answer for some members (AWS leaves `Environment` out when a function has
    no variables); those rules are in PASS_ON_ABSENCE with the AWS behaviour that makes it so. Where
    the reason is "AWS always sends it", the member path is checked below in every recording."""
    from srmscan.scan import evaluate_inventory

    passed: dict[str, str] = {}
    for folder in FOLDERS:
        _, run, _ = _run(folder, strip=True)
        for f in evaluate_inventory(run.inventory, ruleset).findings:
            if f.status is Status.PASS and f.resource_id not in _baseline_ids():
                passed.setdefault(f.rule_id, f"{folder}: {f.resource_id}: {f.message[:100]}")
    unexplained = {rule: where for rule, where in passed.items() if rule not in PASS_ON_ABSENCE}
    assert unexplained == {}
    assert sorted(set(PASS_ON_ABSENCE) - set(passed)) == [], "entries no longer needed: remove them"


def _missing(data: Any, path: str) -> bool:
    """True when some item along `path` (`List[].Member.Sub`) lacks the member."""
    current = [data]
    for segment in path.split("."):
        many = segment.endswith("[]")
        key = segment[:-2] if many else segment
        following: list[Any] = []
        for item in current:
            if not isinstance(item, dict):
                continue
            if key not in item:
                return True
            following.extend(item[key] if many else [item[key]])
        current = following
    return False


_BACKED_BY_IDS = "backed by identifier members the stripped answer keeps"
# rule id -> (why passing without the stripped members is right, member path AWS always sends or "")
PASS_ON_ABSENCE: dict[str, tuple[str, str]] = {
    "autoscaling.load_balancer": (_BACKED_BY_IDS + " (LoadBalancerNames, TargetGroupARNs)", ""),
    "vpc.flow_logs": (
        _BACKED_BY_IDS + " (FlowLogId, ResourceId); FlowLogStatus is always sent",
        "FlowLogs[].FlowLogStatus",
    ),
    "ec2.launch_template_public_ip": (
        "AWS omits NetworkInterfaces when a template sets none: the template assigns no public IP itself "
        "(the subnet's own setting is judged by vpc.subnet_auto_public_ip)",
        "",
    ),
    "ecs.service_public_ip": ("AWS omits networkConfiguration for bridge and host network modes (no awsvpc IP)", ""),
    "lambda.env_secrets": ("AWS omits Environment when a function has no variables", ""),
    "lambda.policy_public": ("backed by the recorded ResourceNotFoundException: no resource policy", ""),
    "s3.bucket_policy_public": ("backed by the recorded NoSuchBucketPolicy: no bucket policy", ""),
    "s3.bucket_policy_external_account": ("backed by the recorded NoSuchBucketPolicy: no bucket policy", ""),
    "rds.cluster_pending_maintenance": (
        "DescribePendingMaintenanceActions lists only resources with pending actions: absent means none",
        "",
    ),
    "rds.snapshot_public": (
        "AWS always sends AttributeValues (empty when not shared)",
        "DBSnapshotAttributesResult.DBSnapshotAttributes[].AttributeValues",
    ),
    "s3.bucket_acl_public": (
        "AWS always sends each grantee's Type (Group grants carry their URI)",
        "Grants[].Grantee.Type",
    ),
    "vpc.sg_admin_ports_open": (
        "AWS always sends each range's CidrIp",
        "SecurityGroups[].IpPermissions[].IpRanges[].CidrIp",
    ),
    "vpc.sg_high_risk_ports_open": (
        "AWS always sends each range's CidrIp",
        "SecurityGroups[].IpPermissions[].IpRanges[].CidrIp",
    ),
    "vpc.subnet_auto_public_ip": ("AWS always sends MapPublicIpOnLaunch", "Subnets[].MapPublicIpOnLaunch"),
}
_ALWAYS_OPERATION = {
    "vpc.flow_logs": ("ec2", "DescribeFlowLogs"),
    "rds.snapshot_public": ("rds", "DescribeDBSnapshotAttributes"),
    "s3.bucket_acl_public": ("s3", "GetBucketAcl"),
    "vpc.sg_admin_ports_open": ("ec2", "DescribeSecurityGroups"),
    "vpc.sg_high_risk_ports_open": ("ec2", "DescribeSecurityGroups"),
    "vpc.subnet_auto_public_ip": ("ec2", "DescribeSubnets"),
}


@pytest.mark.parametrize("rule", sorted(_ALWAYS_OPERATION))
def test_members_aws_always_sends_are_in_every_recording(rule: str) -> None:
    service, operation = _ALWAYS_OPERATION[rule]
    path = PASS_ON_ABSENCE[rule][1]
    checked, lacking = 0, []
    for ops in recordings_by_folder().values():
        for file in ops.get((service, operation), []):
            status, data = recording(file)
            if file in NOT_REAL or status >= 300:
                continue
            checked += 1
            if _missing(data, path):
                lacking.append(file)
    assert checked and lacking == []


@cache
def _baseline_ids() -> frozenset[str]:
    """Resources one_of_each makes itself: their findings are not about a recording."""
    sc = one_of_each(Scenario("baseline", source="tests/realworld/accounts.py"), region="us-east-1")
    return frozenset(r.id for r in sc.collect(regions=["us-east-1"], via=_replayer()).inventory.resources)
