"""Who patches what, by when, for one OS-package CVE: a pure function of the inventory and the extra evidence.

One row per compute resource in scope. The responsibility split follows the service tier:
EC2 and ECS container instances are ours end to end; on Fargate AWS patches the host and we
rebuild the image; Lambda managed runtimes are AWS's unless pinned (or shipped as a container
image); RDS is AWS's, applied in the maintenance window we chose. What could not be seen is
said as such: an instance SSM cannot see is "no patch evidence", never patched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from srmscan.incidents.evidence import PatchEvidence, managed_instances, patch_states
from srmscan.model import Inventory, Resource

EC2_INSTANCE = "AWS::EC2::Instance"
CONTAINER_INSTANCE = "AWS::ECS::ContainerInstance"
ECS_SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
ECR_IMAGE = "AWS::ECR::Image"
FUNCTION = "AWS::Lambda::Function"
DB_INSTANCE = "AWS::RDS::DBInstance"

DEFAULT_SLA = {"critical": 7, "high": 30, "medium": 90}
_ARCHES = {"x86_64", "aarch64", "noarch", "i686", "i386", "amd64", "arm64"}
_LIVE_STATES = {"running", "pending", "stopping", "stopped"}
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
]


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


def _patch_hits(patches: list[dict[str, Any]], req: PlanRequest) -> list[dict[str, Any]]:
    hits = []
    for p in patches:
        by_name = matches_package(package_name(p.get("title") or p.get("kb_id") or ""), req.package)
        by_cve = bool(req.cve) and req.cve in [str(c).upper() for c in p.get("cves") or []]
        if by_name or by_cve:
            hits.append(p)
    return hits


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _before(when: datetime | None, deadline: date) -> str:
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


# --- EC2 and ECS container instances ---------------------------------------------------------
def _window_for(instance: Resource, windows: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The earliest enabled patching window that targets the instance, or why that is unknown."""
    if windows is None or (isinstance(windows, dict) and "error" in windows):
        return None, (windows or {}).get("error", "maintenance windows not read")
    found: list[dict[str, Any]] = []
    unresolved: list[str] = []
    for w in windows:
        if w.get("targets") is None:
            unresolved.append(f"targets of {w['id']} unreadable ({w.get('targets_error')})")
            continue
        if w.get("runs_patch_baseline") is False:
            continue
        hit = False
        for t in w["targets"]:
            key, values = t["key"], t["values"]
            if (
                (key == "InstanceIds" and instance.id in values)
                or (key.startswith("tag:") and instance.tags.get(key[4:]) in values)
                or (key == "tag-key" and any(v in instance.tags for v in values))
            ):
                hit = True
            elif key.startswith("resource-groups:"):
                unresolved.append(f"{w['id']} targets a resource group (not resolved)")
        if hit:
            found.append(w)
    found.sort(key=lambda w: str(w.get("next_execution") or "9999"))
    if found:
        return found[0], None
    return None, "; ".join(unresolved) or None


def _baseline_note(state: dict[str, Any] | None, evidence: PatchEvidence, req: PlanRequest) -> str:
    bid = (state or {}).get("baseline_id")
    if not bid:
        return ""
    base = evidence.baselines.get(str(bid))
    if base is None or "error" in base:
        return f"baseline {bid}: approval rules unreadable" + (f" ({base['error']})" if base else "")
    delays = sorted({int(r["approve_after_days"]) for r in base["rules"] if r.get("approve_after_days") is not None})
    if not delays:
        return f"baseline {base['name'] or bid}: no auto-approval delay (explicit approvals only)"
    delay = delays[0] if len(delays) == 1 else f"{delays[0]}-{delays[-1]}"
    approved = req.disclosed + timedelta(days=delays[-1])
    text = f"baseline {base['name'] or bid} auto-approves after {delay} days (a fix released {req.disclosed} is "
    text += f"approved by {approved})"
    if approved > req.deadline:
        text += ": after the deadline, approve the fix explicitly"
    return text


def _os_and_ami(instance: Resource, ssm_entry: dict[str, Any] | None, now: datetime) -> str:
    parts = []
    if ssm_entry and ssm_entry.get("platform_name"):
        parts.append(f"{ssm_entry['platform_name']} {ssm_entry.get('platform_version') or ''}".strip())
    elif instance.attrs.get("platform_details"):
        parts.append(str(instance.attrs["platform_details"]))
    image = instance.attrs.get("image") if "image" not in instance.unreadable else None
    created = _parse_time((image or {}).get("creation_date"))
    if created:
        parts.append(f"AMI built {created.date()} ({(now - created).days} days old)")
    elif "image" in instance.unreadable or image is None:
        parts.append("AMI age unknown")
    return ", ".join(parts)


def _instance_row(
    instance: Resource,
    req: PlanRequest,
    inv: Inventory,
    evidence: PatchEvidence,
    now: datetime,
    ecs: Resource | None,
) -> PlanRow:
    managed = managed_instances(inv, instance.region)
    states = patch_states(inv, instance.region)
    ssm_entry = (managed or {}).get(instance.id)
    state = (states or {}).get(instance.id)
    facts = [_os_and_ami(instance, ssm_entry, now)]
    asg = instance.attrs.get("asg_name")
    if ecs is not None:
        lever = (
            "replace with a patched ECS-optimized AMI: drain the container instance, then an instance refresh of its "
            "Auto Scaling group (or AWS-RunPatchBaseline and a reboot)"
        )
        facts.insert(0, f"ECS container instance of cluster {ecs.attrs.get('cluster_name')}")
    elif asg:
        lever = (
            f"Auto Scaling instance refresh of {asg} with a patched AMI, or SSM Patch Manager (AWS-RunPatchBaseline)"
        )
    else:
        lever = "SSM Patch Manager: AWS-RunPatchBaseline (Operation=Install) in a maintenance window, then reboot"
    status, managed_flag = NO_EVIDENCE, False
    if managed is None:
        facts.append("no patch evidence: SSM managed-instance list could not be read")
    elif ssm_entry is None:
        hint = "" if instance.attrs.get("iam_instance_profile") else " (no instance profile)"
        facts.append(f"no patch evidence: SSM does not manage this instance{hint}")
        if ecs is None and not asg:
            lever = (
                "make it SSM-managed (instance profile with AmazonSSMManagedInstanceCore), then AWS-RunPatchBaseline"
            )
    elif states is None:
        facts.append("no patch evidence: SSM patch states could not be read")
    elif state is None:
        facts.append(
            f"no patch evidence: SSM manages it (agent {ssm_entry.get('ping_status')}) but no patch scan reported"
        )
    else:
        managed_flag = True
        status, detail = _patch_status(instance.id, state, req, evidence)
        facts.append(detail)
        facts.append(
            f"compliance at last {state.get('operation') or 'scan'} {state.get('operation_end_time')}: "
            f"{state.get('missing', 0)} missing, {state.get('installed_pending_reboot', 0)} installed pending reboot, "
            f"{state.get('failed', 0)} failed"
        )
        note = _baseline_note(state, evidence, req)
        if note:
            facts.append(note)
    window, why = _window_for(instance, evidence.windows.get(instance.region))
    when = _parse_time((window or {}).get("next_execution"))
    before = _before(when, req.deadline)
    if window is not None:
        facts.append(f"next patch window {window['name'] or window['id']}")
        if when is None:
            before = "unknown"
    elif why:
        before = "unknown"
        facts.append(f"maintenance windows: {why}")
    return PlanRow(
        resource=instance.id,
        name=instance.name or "",
        resource_type=CONTAINER_INSTANCE if ecs is not None else EC2_INSTANCE,
        region=instance.region,
        tier="iaas",
        owner="customer",
        who_patches="customer: the guest OS and every package on it (AWS publishes the fixed packages and AMIs)",
        lever=lever,
        status=status,
        evidence="; ".join(f for f in facts if f),
        deadline=req.deadline.isoformat(),
        next_window=when.isoformat() if when else "",
        window_before_deadline=before,
        managed=managed_flag,
    )


def _patch_status(iid: str, state: dict[str, Any], req: PlanRequest, evidence: PatchEvidence) -> tuple[str, str]:
    if iid in evidence.capped:
        return NOT_CHECKED, f"{req.subject} not looked up: over the per-run instance lookup cap"
    found = evidence.instance_patches.get(iid)
    if found is None or "error" in found:
        reason = (found or {}).get("error", "not looked up")
        return NOT_CHECKED, f"{req.subject} state unknown: DescribeInstancePatches failed ({reason})"
    hits = _patch_hits(found["open_patches"], req)
    if not hits:
        return NOT_REPORTED, (
            f"last SSM scan ({state.get('operation_end_time')}) does not report {req.subject} missing "
            "(only fixes the patch baseline knows of are reported)"
        )
    states = sorted({str(h["state"]) for h in hits})
    titles = ", ".join(sorted({h["title"] or h["kb_id"] for h in hits})[:5])
    cves = sorted({c for h in hits for c in h.get("cves") or []})
    text = f"SSM reports {titles} {'/'.join(states)}"
    if req.cve:
        text += f"; {req.cve} {'listed' if req.cve in cves else 'not listed'} in the patch CVE ids"
    open_states = {"Missing", "Failed", "AvailableSecurityUpdate"}
    return (MISSING if open_states & set(states) else PENDING_REBOOT), text


# --- ECS services (Fargate: shared; EC2 launch type: customer) ---------------------------------
def _service_images(service: Resource, inv: Inventory) -> tuple[list[Resource], list[str]]:
    images = [r for r in inv.resources if r.type == ECR_IMAGE and service.id in (r.attrs.get("used_by") or [])]
    external = []
    known = {str(i.attrs.get("repository_name")) for i in images}
    for td_arn in service.attrs.get("task_definitions_in_use") or []:
        td = next((r for r in inv.resources if r.type == TASK_DEFINITION and r.id == td_arn), None)
        for container in (td.attrs.get("containers") if td else None) or []:
            ref = container.get("image_ref") or {}
            if str(ref.get("repository")) not in known:
                external.append(str(container.get("image") or "")[:200])
    return images, sorted(set(external))


def _image_verdict(image: Resource, req: PlanRequest) -> tuple[str, str]:
    label = image.name or image.id
    pushed = image.attrs.get("pushed_at")
    head = f"image {label} ({image.attrs.get('repository_name')} in ECR, pushed {pushed or 'unknown'})"
    if "scan" in image.unreadable:
        return NO_SCAN, f"{head}: scan findings unreadable"
    scan = image.attrs.get("scan")
    if not scan:
        return NO_SCAN, f"{head}: no scan findings (scanning off or image gone)"
    hits = [
        f
        for f in scan.get("findings") or []
        if matches_package(str(f.get("package") or ""), req.package)
        or (req.cve and str(f.get("id")).upper() == req.cve)
    ]
    if hits:
        listed = ", ".join(
            f"{f.get('id')} {f.get('severity')} {f.get('package')} {f.get('version') or ''}".strip() for f in hits[:5]
        )
        return REBUILD, f"{head}: scan {scan.get('completed_at') or ''} lists {listed}"
    if scan.get("truncated"):
        return NO_SCAN, f"{head}: {req.subject} not among the {len(scan.get('findings') or [])} findings kept"
    return NOT_IN_SCAN, f"{head}: scan {scan.get('completed_at') or ''} does not list {req.subject}"


def _service_row(service: Resource, req: PlanRequest, inv: Inventory) -> PlanRow:
    fargate = service.attrs.get("compute") == "FARGATE"
    images, external = _service_images(service, inv)
    verdicts = [(_image_verdict(i, req), i) for i in images]
    facts = []
    if fargate:
        platform = str(service.attrs.get("platform_version") or "LATEST")
        if platform == "LATEST":
            facts.append(
                "host: Fargate platform LATEST (AWS patches it; tasks move to patched revisions when replaced)"
            )
        else:
            facts.append(
                f"host: Fargate platform pinned to {platform} (AWS patches it through new revisions of {platform}, "
                "picked up when tasks are replaced; newer platform versions are not)"
            )
    facts.extend(text for (_, text), _ in verdicts)
    facts.extend(f"image {ref}: outside this account's ECR, no scan evidence" for ref in external)
    statuses = {s for (s, _), _ in verdicts} | ({NO_SCAN} if external else set())
    status = REBUILD if REBUILD in statuses else NO_SCAN if (NO_SCAN in statuses or not statuses) else NOT_IN_SCAN
    if not statuses:
        facts.append("no container image found for the service's task definitions")
    return PlanRow(
        resource=service.id,
        name=service.name or "",
        resource_type=ECS_SERVICE,
        region=service.region,
        tier="container" if fargate else "iaas",
        owner="shared" if fargate else "customer",
        who_patches=(
            "AWS: the Fargate host OS and container runtime; customer: every package inside our images"
            if fargate
            else "customer: the images (the EC2 hosts are their own rows)"
        ),
        lever="rebuild the image from a patched base image, push, and force a new deployment"
        + (" (also moves tasks onto the latest platform revision)" if fargate else ""),
        status=status,
        evidence="; ".join(facts),
        deadline=req.deadline.isoformat(),
        images_to_rebuild=sorted({i.id for (s, _), i in verdicts if s == REBUILD}),
    )


# --- Lambda ---------------------------------------------------------------------------------------
def _function_row(fn: Resource, req: PlanRequest, evidence: PatchEvidence) -> PlanRow:
    runtime = fn.attrs.get("runtime") or "none"
    layers = list(fn.attrs.get("layers") or [])
    base: dict[str, Any] = dict(
        resource=fn.arn or fn.id,
        name=fn.name or fn.id,
        resource_type=FUNCTION,
        region=fn.region,
        tier="serverless",
        deadline=req.deadline.isoformat(),
    )
    if str(fn.attrs.get("package_type") or "Zip") == "Image":
        return PlanRow(
            **base,
            owner="customer",
            who_patches="customer: a container-image function's OS and libraries are in our image; AWS patches nothing in it",
            lever="rebuild the image from a patched base image, push, and update-function-code",
            status=OURS,
            evidence="package type Image",
        )
    config = evidence.runtime_management.get(str(fn.arn or fn.id))
    facts = [f"runtime {runtime}, package type Zip, {len(layers)} layer(s)"]
    if config is None or "error" in config:
        reason = (config or {}).get("error", "not read")
        return PlanRow(
            **base,
            owner="shared",
            who_patches="AWS patches the managed runtime unless it is pinned; customer: code, dependencies, layers",
            lever="check the runtime update mode (aws lambda get-runtime-management-config)",
            status=UNKNOWN,
            evidence="; ".join([*facts, f"runtime update mode unknown: {reason}"]),
        )
    mode = str(config.get("update_runtime_on") or "Auto")
    facts.append(f"runtime update mode {mode}")
    if config.get("runtime_version_arn"):
        facts.append(f"runtime version {config['runtime_version_arn']}")
    if mode == "Manual":
        return PlanRow(
            **base,
            owner="customer",
            who_patches="customer: the runtime is pinned (Manual), so AWS's runtime patches do not reach it",
            lever="aws lambda put-runtime-management-config --update-runtime-on Auto (or a patched version ARN)",
            status=OURS,
            evidence="; ".join(facts),
        )
    if mode == "FunctionUpdate":
        return PlanRow(
            **base,
            owner="shared",
            who_patches="AWS: publishes the patched runtime; customer: it reaches this function only when we update it",
            lever="deploy the function (any code or configuration update) to pick up the patched runtime",
            status=OURS_ON_UPDATE,
            evidence="; ".join(facts),
        )
    if layers:
        facts.append("layers may vendor native libraries built against the package: ours to check and rebuild")
        return PlanRow(
            **base,
            owner="shared",
            who_patches="AWS: the managed runtime (Auto); customer: the layers and any native libraries they vendor",
            lever="rebuild the layers against the patched library and publish new layer versions",
            status=CHECK_LAYERS,
            evidence="; ".join(facts),
        )
    return PlanRow(
        **base,
        owner="shared",
        who_patches="AWS: the managed runtime and its OS, patched automatically (Auto); customer: code and dependencies",
        lever="none for the runtime; rebuild only if the deployment package vendors the library",
        status=AWS_PATCHES,
        evidence="; ".join(facts),
    )


# --- RDS --------------------------------------------------------------------------------------------
def _db_row(db: Resource, req: PlanRequest, now: datetime) -> PlanRow:
    window = db.attrs.get("maintenance_window")
    next_window = next_weekly_window(window, now)
    facts = [f"{db.attrs.get('engine')} {db.attrs.get('engine_version')}", f"maintenance window {window or 'unknown'}"]
    facts.append(f"auto minor version upgrade {'on' if db.attrs.get('auto_minor_version_upgrade') else 'off'}")
    when: datetime | None = next_window
    if "pending_maintenance" in db.unreadable:
        status = UNKNOWN
        facts.append("pending maintenance actions could not be read")
        before = "unknown"
    else:
        actions = list(db.attrs.get("pending_maintenance") or [])
        dated = []
        for a in actions:
            applies = _parse_time(a.get("current_apply") or a.get("auto_applied_after") or a.get("forced_apply"))
            text = f"pending {a.get('action')} ({a.get('description')})"
            text += f" applies {applies.date()}" if applies else " not scheduled (waits for opt-in)"
            facts.append(text)
            if applies:
                dated.append(applies)
        if dated:
            status, when = SCHEDULED, min(dated)
        elif actions:
            status = PENDING_UNDATED
        else:
            status = NONE_PENDING
            facts.append("no pending maintenance action (AWS has not queued a patch for it)")
        before = _before(when, req.deadline) if status != NONE_PENDING else "n/a"
    return PlanRow(
        resource=db.id,
        name=db.name or db.id,
        resource_type=DB_INSTANCE,
        region=db.region,
        tier="managed",
        owner="aws",
        who_patches="AWS: host OS and engine patches, applied in our maintenance window; customer: the window and opt-ins",
        lever="aws rds apply-pending-maintenance-action --opt-in-type immediate (or next-maintenance) to apply earlier",
        status=status,
        evidence="; ".join(facts),
        deadline=req.deadline.isoformat(),
        next_window=when.isoformat() if when else "",
        window_before_deadline=before,
    )


# --- the plan ---------------------------------------------------------------------------------------
def build_plan(inv: Inventory, evidence: PatchEvidence, req: PlanRequest, now: datetime | None = None) -> Plan:
    """Every compute resource in the inventory as a row, plus the per-owner summary. Pure."""
    now = now or _parse_time(inv.started_at) or datetime.now(UTC)
    by_type: dict[str, list[Resource]] = {}
    for res in inv.resources:
        by_type.setdefault(res.type, []).append(res)
    instances = {r.id: r for r in by_type.get(EC2_INSTANCE, []) if r.attrs.get("state") in _LIVE_STATES}
    hosts = {str(ci.attrs.get("ec2_instance_id")): ci for ci in by_type.get(CONTAINER_INSTANCE, [])}
    rows = [_instance_row(i, req, inv, evidence, now, hosts.get(iid)) for iid, i in sorted(instances.items())]
    for iid, ci in sorted(hosts.items()):
        if iid not in instances:
            rows.append(_orphan_host(ci, req))
    rows += [_service_row(s, req, inv) for s in sorted(by_type.get(ECS_SERVICE, []), key=lambda r: r.id)]
    rows += [_function_row(f, req, evidence) for f in sorted(by_type.get(FUNCTION, []), key=lambda r: r.id)]
    rows += [_db_row(d, req, now) for d in sorted(by_type.get(DB_INSTANCE, []), key=lambda r: r.id)]
    notes = _notes(inv, evidence, req)
    return Plan(request=req, rows=rows, summary=summarise(rows, req), notes=notes)


def _orphan_host(ci: Resource, req: PlanRequest) -> PlanRow:
    return PlanRow(
        resource=ci.id,
        name=ci.name or "",
        resource_type=CONTAINER_INSTANCE,
        region=ci.region,
        tier="iaas",
        owner="customer",
        who_patches="customer: the container instance's OS and every package on it",
        lever="replace with a patched ECS-optimized AMI",
        status=NO_EVIDENCE,
        evidence=f"no patch evidence: its EC2 instance {ci.attrs.get('ec2_instance_id')} is not in the inventory",
        deadline=req.deadline.isoformat(),
    )


def _notes(inv: Inventory, evidence: PatchEvidence, req: PlanRequest) -> list[str]:
    notes = [
        f"Deadline {req.deadline}: disclosed {req.disclosed}"
        + ("" if req.disclosed_given else " (not given: counted from the scan date)")
        + f" + {req.sla_days} days ({req.severity} SLA)."
    ]
    if evidence.capped:
        notes.append(
            f"{len(evidence.capped)} managed instance(s) were not looked up (over the per-run cap): "
            + ", ".join(evidence.capped[:10])
            + ("…" if len(evidence.capped) > 10 else "")
        )
    gaps = sorted({f"{g.resource_type} in {g.region}" for g in inv.gaps})
    if gaps:
        notes.append("Could not list (rows may be missing): " + ", ".join(gaps))
    return notes


def _count(rows: list[PlanRow], pred: Callable[[PlanRow], bool]) -> int:
    return sum(1 for r in rows if pred(r))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summarise(rows: list[PlanRow], req: PlanRequest) -> dict[str, Any]:
    """Counts per owner and the one-line summaries, from the rows alone (so they always agree)."""
    hosts = [r for r in rows if r.resource_type in (EC2_INSTANCE, CONTAINER_INSTANCE)]
    managed = _count(hosts, lambda r: r.managed)
    without = _count(hosts, lambda r: r.status == NO_EVIDENCE)
    missing = _count(hosts, lambda r: r.status in (MISSING, PENDING_REBOOT))
    unchecked = _count(hosts, lambda r: r.status == NOT_CHECKED)
    services = [r for r in rows if r.resource_type == ECS_SERVICE]
    images = sorted({i for r in services for i in r.images_to_rebuild})
    no_scan = _count(services, lambda r: r.status == NO_SCAN)
    fns = [r for r in rows if r.resource_type == FUNCTION]
    fn_ours = _count(fns, lambda r: r.status in (OURS, OURS_ON_UPDATE))
    fn_layers = _count(fns, lambda r: r.status == CHECK_LAYERS)
    fn_auto = _count(fns, lambda r: r.status in (AWS_PATCHES, CHECK_LAYERS))
    fn_unknown = _count(fns, lambda r: r.status == UNKNOWN)
    fargate = [r for r in services if r.tier == "container"]
    pinned = _count(fargate, lambda r: "pinned to" in r.evidence)
    dbs = [r for r in rows if r.resource_type == DB_INSTANCE]
    scheduled = sorted(r.next_window[:10] for r in dbs if r.status == SCHEDULED)

    customer = [f"{_plural(len(hosts), 'instance')} ({managed} managed, {without} without patch evidence"]
    customer[0] += f"; {missing} with {req.subject} not in effect" if missing else ""
    customer[0] += f"; {unchecked} not checked" if unchecked else ""
    customer[0] += ")"
    customer.append(f"{_plural(len(images), 'image')} to rebuild")
    if no_scan:
        customer.append(f"{_plural(no_scan, 'service')} without image scan evidence")
    if fn_ours:
        customer.append(f"{_plural(fn_ours, 'function')} with a pinned or image runtime")
    if fn_layers:
        customer.append(f"{_plural(fn_layers, 'function')} with layers to check")
    aws = []
    if fargate:
        aws.append(
            "Fargate hosts on LATEST"
            if not pinned
            else f"Fargate hosts: {len(fargate) - pinned} service(s) on LATEST, {pinned} pinned (patched revisions on task replacement)"
        )
    if fn_auto:
        aws.append(f"Lambda runtimes patched automatically for {_plural(fn_auto, 'function')}")
    if dbs:
        undated = _count(dbs, lambda r: r.status == PENDING_UNDATED)
        db_text = (
            f"RDS patches scheduled {', '.join(sorted(set(scheduled)))}" if scheduled else "no RDS patch scheduled"
        )
        if undated:
            db_text += f" ({undated} instance(s) with undated pending actions)"
        aws.append(db_text)
    lines = ["Customer: " + ", ".join(customer) + "."]
    lines.append("AWS: " + (", ".join(aws) if aws else "nothing in scope") + ".")
    unknown = _count(rows, lambda r: r.status == UNKNOWN)
    if unknown or fn_unknown:
        lines.append(f"Unknown: {_plural(unknown, 'resource')} whose patch owner or state could not be read.")
    return {
        "instances": len(hosts),
        "managed": managed,
        "without_patch_evidence": without,
        "not_in_effect": missing,
        "not_checked": unchecked,
        "images_to_rebuild": len(images),
        "services_without_scan_evidence": no_scan,
        "functions_ours": fn_ours,
        "functions_with_layers": fn_layers,
        "functions_aws_patched": fn_auto,
        "fargate_services": len(fargate),
        "fargate_pinned": pinned,
        "rds_scheduled": sorted(set(scheduled)),
        "unknown": unknown,
        "lines": lines,
    }
