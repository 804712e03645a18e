"""What every patch-plan module shares: the request, the row, statuses and small parsers.

The plan itself is split by service tier (plan_ec2, plan_ecs, plan_lambda, plan_rds) and put
together in `srmscan.incidents.patch_plan`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

EC2_INSTANCE = "AWS::EC2::Instance"
CONTAINER_INSTANCE = "AWS::ECS::ContainerInstance"
ECS_SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
ECR_IMAGE = "AWS::ECR::Image"
FUNCTION = "AWS::Lambda::Function"
DB_INSTANCE = "AWS::RDS::DBInstance"
# DocumentDB and Neptune instances are patched by AWS the same way (RDS pending maintenance).
DB_INSTANCE_TYPES = (DB_INSTANCE, "AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance")

DEFAULT_SLA = {"critical": 7, "high": 30, "medium": 90}
_ARCHES = {"x86_64", "aarch64", "noarch", "i686", "i386", "amd64", "arm64"}
LIVE_STATES = {"running", "pending", "stopping", "stopped"}
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

# Row statuses. The first group counts as "the fix is not in effect".
MISSING, PENDING_REBOOT = "missing", "pending-reboot"
NOT_REPORTED, NO_EVIDENCE, NOT_CHECKED = "not-reported-missing", "no-patch-evidence", "not-checked"
REBUILD, NOT_IN_SCAN, NO_SCAN = "rebuild", "not-in-scan", "no-scan-evidence"
AWS_PATCHES, OURS_ON_UPDATE, OURS, CHECK_LAYERS = "aws-patches", "ours-on-update", "ours", "check-layers"
SCHEDULED, PENDING_UNDATED, NONE_PENDING = "scheduled", "pending-undated", "none-pending"
UNKNOWN = "unknown"

COLUMNS = [
    "resource",
    "name",
    "resource_type",
    "region",
    "tier",
    "owner",
    "who_patches",
    "lever",
    "status",
    "evidence",
    "deadline",
    "next_window",
    "window_before_deadline",
    "team",
    "flags",
]
# Row statuses where nothing is left to do for this package: never flagged overdue.
SETTLED = {"not-reported-missing", "not-in-scan", "aws-patches", "none-pending"}
OVERDUE, AFTER_DEADLINE = "overdue", "window-after-deadline"


class PlanInputError(ValueError):
    """Bad --severity / --sla / --disclosed: the CLI exits 2."""


@dataclass(frozen=True)
class PlanRequest:
    package: str
    cve: str | None
    severity: str
    sla_days: int
    disclosed: date
    disclosed_given: bool

    @property
    def deadline(self) -> date:
        return self.disclosed + timedelta(days=self.sla_days)

    @property
    def subject(self) -> str:
        return f"{self.package} ({self.cve})" if self.cve else self.package


def parse_sla(text: str | None) -> dict[str, int]:
    """`critical=7,high=30` merged over the defaults; raises PlanInputError on anything else."""
    sla = dict(DEFAULT_SLA)
    for part in [p.strip() for p in (text or "").split(",") if p.strip()]:
        key, sep, value = part.partition("=")
        if not sep or not value.strip().isdigit() or not key.strip():
            raise PlanInputError(f"bad --sla entry {part!r} (expected severity=days, e.g. critical=7)")
        sla[key.strip().lower()] = int(value.strip())
    return sla


def make_request(
    package: str, cve: str | None, severity: str, disclosed: str | None, sla: str | None, today: date
) -> PlanRequest:
    """Validate the command's inputs into a request (raises PlanInputError for exit code 2)."""
    name = package.strip()
    if not name or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}", name):
        raise PlanInputError(f"bad --package {package!r}")
    if cve is not None and not re.fullmatch(r"CVE-\d{4}-\d{4,}", cve.strip().upper()):
        raise PlanInputError(f"bad --cve {cve!r} (expected CVE-YYYY-NNNN)")
    table = parse_sla(sla)
    level = severity.strip().lower()
    if level not in table:
        raise PlanInputError(f"unknown severity {severity!r} (choose from {', '.join(table)}, or add it with --sla)")
    when = today
    if disclosed is not None:
        try:
            when = date.fromisoformat(disclosed.strip())
        except ValueError as exc:
            raise PlanInputError(f"bad --disclosed date {disclosed!r} (expected YYYY-MM-DD)") from exc
    return PlanRequest(
        package=name.lower(),
        cve=cve.strip().upper() if cve else None,
        severity=level,
        sla_days=table[level],
        disclosed=when,
        disclosed_given=disclosed is not None,
    )


@dataclass
class PlanRow:
    resource: str
    name: str
    resource_type: str
    region: str
    tier: str
    owner: str
    who_patches: str
    lever: str
    status: str
    evidence: str
    deadline: str
    next_window: str = ""
    window_before_deadline: str = "n/a"
    team: str = ""  # from the owner tags (default Owner, then Team), as in scan findings
    flags: str = ""  # "overdue" and/or "window-after-deadline", comma-separated
    # Not a column: lets the summary count distinct images without re-deriving them.
    images_to_rebuild: list[str] = field(default_factory=list, repr=False)
    managed: bool = False

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        return {k: str(data[k]) for k in COLUMNS}


@dataclass
class Plan:
    request: PlanRequest
    rows: list[PlanRow]
    summary: dict[str, Any]
    notes: list[str]

    def summary_lines(self) -> list[str]:
        return list(self.summary["lines"])


# --- helpers ---------------------------------------------------------------------------------
def package_name(title: str) -> str:
    """`glibc-common.x86_64:0:2.34-60.amzn2023` or `glibc-2.34-60.amzn2023.x86_64` -> the package name."""
    head = str(title or "").split(":", 1)[0].strip()
    stem, dot, arch = head.rpartition(".")
    if dot and arch in _ARCHES:
        head = stem
    match = re.match(r"^(.+?)-\d", head)
    return (match.group(1) if match else head).lower()


def matches_package(name: str, package: str) -> bool:
    """The package or one of its subpackages (glibc-common, glibc-langpack-en ship with glibc)."""
    name = (name or "").lower()
    return name == package or name.startswith(package + "-")


def patch_hits(patches: list[dict[str, Any]], req: PlanRequest) -> list[dict[str, Any]]:
    hits = []
    for p in patches:
        by_name = matches_package(package_name(p.get("title") or p.get("kb_id") or ""), req.package)
        by_cve = bool(req.cve) and req.cve in [str(c).upper() for c in p.get("cves") or []]
        if by_name or by_cve:
            hits.append(p)
    return hits


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def before_deadline(when: datetime | None, deadline: date) -> str:
    if when is None:
        return "none"
    return "yes" if when.date() <= deadline else "no"


def next_weekly_window(spec: str | None, now: datetime) -> datetime | None:
    """Next start of an RDS-style window `wed:22:00-wed:22:30` (UTC) at or after `now`."""
    match = re.match(r"^([a-z]{3}):(\d{2}):(\d{2})-", str(spec or "").lower())
    if not match or match.group(1) not in _DAYS:
        return None
    day, hour, minute = _DAYS[match.group(1)], int(match.group(2)), int(match.group(3))
    start = now.replace(hour=hour, minute=minute, second=0, microsecond=0) + timedelta(days=(day - now.weekday()) % 7)
    return start if start >= now else start + timedelta(days=7)
