"""`srmscan patch-plan` and `srmscan events`: a CVE patch plan and AWS scheduled maintenance, one command each.

Registered on the typer app when the `srmscan.cli` package is imported. Each command runs the
normal collectors it needs (collect_inventory, concurrently across regions), makes its few
extra calls through the same choke point, then hands everything to pure planning code.
`--demo` points the same code at the built-in demo account; the commands cannot tell.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from srmscan.cli.app import app
from srmscan.cli.options import OwnerTagOpt, UsageFailure, _guarded, split_regions
from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession, Tuning
from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS, load_ruleset
from srmscan.incidents import events as ev
from srmscan.incidents import evidence as pe
from srmscan.incidents import patch_plan as pp
from srmscan.incidents.output import FORMATS, render_csv, render_json, render_table
from srmscan.model import Inventory
from srmscan.scan import resolve_regions

PATCH_COLLECTORS = {"ec2", "ssm", "autoscaling", "ecs", "ecr", "lambda", "rds"}
EVENT_COLLECTORS = {"ec2", "autoscaling", "rds"}
PLAN_TABLE = ["resource", "resource_type", "owner", "team", "who_patches", "lever", "status", "evidence", "deadline",
              "window_before_deadline", "flags"]  # fmt: skip
# The default terminal view: identifiers, who, what state, by when (the rest folds badly at 80 columns).
PLAN_COMPACT = ["resource", "owner", "team", "status", "deadline", "flags"]
EVENT_COMPACT = ["event", "resource", "name", "team", "starts", "action_required"]
WIDE_WIDTH = 200
WideOpt = Annotated[bool, typer.Option("--wide", help="Every column, 200 characters wide (default: fit the terminal).")]
EVENT_TABLE = ["source", "state", "event", "resource", "name", "team", "region", "starts", "action_required", "verdict"]

RegionOpt = Annotated[list[str] | None, typer.Option("--region", "-r", help="Region to scan; repeatable.")]
AllRegionsOpt = Annotated[bool, typer.Option("--all-regions", help="Every region the account has enabled.")]
ProfileOpt = Annotated[str | None, typer.Option(help="AWS profile (default: the boto3 credential chain).")]
EndpointOpt = Annotated[str | None, typer.Option(help="Send every call to this endpoint (e.g. a moto server).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")]
DemoOpt = Annotated[bool, typer.Option("--demo", help="Run against the built-in demo account (in-process moto).")]


def _format(value: str) -> str:
    fmt = value.strip().lower()
    if fmt not in FORMATS:
        raise UsageFailure(f"unknown format {value!r} (choose from {', '.join(FORMATS)})")
    return fmt


@contextmanager
def _account(
    demo: bool, profile: str | None, regions: list[str], all_regions: bool, endpoint_url: str | None
) -> Iterator[tuple[AwsSession, list[str]]]:
    """A session and the regions to cover: the live account, or the demo account."""
    regions = split_regions(regions)
    if demo:
        try:
            from srmscan.demo.account import demo_session
        except ImportError as exc:
            raise UsageFailure("the demo needs moto: pip install 'srmscan[demo]'") from exc
        with demo_session() as (aws, demo_regions):
            chosen = [r for r in regions if r in demo_regions] if regions else demo_regions
            if regions and not chosen:
                raise UsageFailure(f"the demo account has only {', '.join(demo_regions)}")
            yield aws, chosen
        return
    aws = AwsSession.create(
        profile=profile, region=regions[0] if regions else None, endpoint_url=endpoint_url, tuning=Tuning()
    )
    yield aws, resolve_regions(aws, regions, all_regions)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageFailure(f"cannot write {output}: {exc.strerror}") from exc
    sys.stderr.write(f"wrote {output}\n")


def _inventory(aws: AwsSession, regions: list[str], only: set[str]) -> Inventory:
    return collect_inventory(aws, regions, only=only)


def _errors(inv: Inventory, extra: list[Any]) -> list[dict[str, Any]]:
    return [e.to_dict() for e in [*inv.errors, *extra]]


def patch_plan_text(
    aws: AwsSession,
    regions: list[str],
    request: pp.PlanRequest,
    fmt: str,
    max_lookups: int,
    collect: Callable[[AwsSession, list[str], set[str]], Inventory] = _inventory,
    owner_tags: tuple[str, ...] = DEFAULT_OWNER_TAGS,
    wide: bool = True,
) -> str:
    """Collect, plan and render; separated from the typer wrapper so tests can call it directly."""
    inv = collect(aws, regions, PATCH_COLLECTORS)
    evidence = pe.gather(aws, inv, package=request.package, max_instance_lookups=max_lookups)
    plan = pp.build_plan(
        inv, evidence, request, owner_tags=owner_tags, runtimes=pp.runtime_deprecations(load_ruleset().tables)
    )
    rows = [r.to_dict() for r in plan.rows]
    if fmt == "csv":
        return render_csv(pp.COLUMNS, rows)
    if fmt == "json":
        return render_json(
            "srmscan-patch-plan",
            pp.COLUMNS,
            rows,
            {
                "account_id": inv.account_id,
                "regions": inv.regions,
                "generated_at": inv.started_at,
                "request": {
                    "package": request.package,
                    "cve": request.cve,
                    "severity": request.severity,
                    "sla_days": request.sla_days,
                    "disclosed": request.disclosed.isoformat(),
                    "disclosed_given": request.disclosed_given,
                    "deadline": request.deadline.isoformat(),
                },
                "summary": plan.summary,
                "notes": plan.notes,
                "errors": _errors(inv, evidence.errors),
                "api_calls": inv.api_calls + evidence.api_calls,
            },
        )
    totals = [*plan.summary_lines(), _by_owner(rows)]
    failed = len(inv.errors) + len(evidence.errors)
    notes = [*plan.notes, *([f"{failed} API call(s) failed: see --format json for each reason."] if failed else [])]
    title = f"Patch plan for {request.subject}, account {inv.account_id} ({', '.join(inv.regions)})"
    # The terminal shows the short name where there is one (ARNs fill a column); JSON/CSV keep both.
    shown = [{**r, "resource": r["name"] or r["resource"]} for r in rows]
    return render_table(title, PLAN_TABLE if wide else PLAN_COMPACT, shown, totals, notes, width=_width(wide))


def _by_owner(rows: list[dict[str, str]]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["owner"]] = counts.get(row["owner"], 0) + 1
    return "Rows by owner: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f" (total {len(rows)})."


def events_text(
    aws: AwsSession,
    regions: list[str],
    fmt: str,
    collect: Callable[[AwsSession, list[str], set[str]], Inventory] = _inventory,
    owner_tags: tuple[str, ...] = DEFAULT_OWNER_TAGS,
    wide: bool = True,
) -> str:
    inv = collect(aws, regions, EVENT_COLLECTORS)
    health = ev.collect_health(aws, inv)
    rows_obj = ev.list_events(inv, health, owner_tags)
    rows = [r.to_dict() for r in rows_obj]
    summary = ev.summarise(rows_obj)
    if fmt == "csv":
        return render_csv(ev.COLUMNS, rows)
    if fmt == "json":
        health_state = {"state": "unknown", "reason": health.error} if health.events is None else {"state": "read"}
        return render_json(
            "srmscan-events",
            ev.COLUMNS,
            rows,
            {
                "account_id": inv.account_id,
                "regions": inv.regions,
                "generated_at": inv.started_at,
                "summary": summary,
                "health": health_state,
                "errors": _errors(inv, []),
            },
        )
    totals = [
        f"{summary['events']} event(s): {summary['action_required']} need action, {summary['no_action']} need none, "
        f"{summary['verdict_unknown']} with the customer side unknown."
    ]
    if summary["sources_unknown"]:
        totals.append("Unknown (not 'no events'): " + ", ".join(summary["sources_unknown"]) + " — see the rows.")
    title = f"Scheduled maintenance, account {inv.account_id} ({', '.join(inv.regions)})"
    return render_table(title, EVENT_TABLE if wide else EVENT_COMPACT, rows, totals, [], width=_width(wide))


def _width(wide: bool) -> int:
    """The terminal's width (COLUMNS when set), or 200 with --wide and when writing a file."""
    return WIDE_WIDTH if wide else max(40, shutil.get_terminal_size((100, 24)).columns)


@app.command("patch-plan")
def patch_plan(
    package: Annotated[str, typer.Option("--package", help="OS package, e.g. glibc.")],
    cve: Annotated[str | None, typer.Option("--cve", help="CVE id, e.g. CVE-2023-4911.")] = None,
    severity: Annotated[str, typer.Option("--severity", help="Severity whose SLA sets the deadline.")] = "critical",
    disclosed: Annotated[
        str | None, typer.Option("--disclosed", help="Disclosure date YYYY-MM-DD (default: today).")
    ] = None,
    sla: Annotated[
        str | None, typer.Option("--sla", help="Days per severity, e.g. critical=7,high=30,medium=90.")
    ] = None,
    region: RegionOpt = None,
    all_regions: AllRegionsOpt = False,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    format: FormatOpt = "table",
    output: OutputOpt = None,
    max_instance_lookups: Annotated[
        int, typer.Option(help="Most per-instance DescribeInstancePatches lookups (the rest are reported).")
    ] = pe.DEFAULT_MAX_INSTANCE_LOOKUPS,
    owner_tag: OwnerTagOpt = None,
    wide: WideOpt = False,
    demo: DemoOpt = False,
) -> None:
    """Who patches what, by when: one row per compute resource for a package (and CVE)."""

    def run() -> int:
        fmt = _format(format)
        try:
            request = pp.make_request(package, cve, severity, disclosed, sla, datetime.now(UTC).date())
        except pp.PlanInputError as exc:
            raise UsageFailure(str(exc)) from exc
        with _account(demo, profile, region or [], all_regions, endpoint_url) as (aws, regions):
            text = patch_plan_text(
                aws,
                regions,
                request,
                fmt,
                max(0, max_instance_lookups),
                owner_tags=tuple(owner_tag or DEFAULT_OWNER_TAGS),
            )
        _emit(text, output)
        return 0

    _guarded(run)


@app.command("events")
def events(
    region: RegionOpt = None,
    all_regions: AllRegionsOpt = False,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    format: FormatOpt = "table",
    output: OutputOpt = None,
    owner_tag: OwnerTagOpt = None,
    wide: WideOpt = False,
    demo: DemoOpt = False,
) -> None:
    """AWS scheduled maintenance (EC2 events, RDS pending actions, Health) with our side's verdict."""

    def run() -> int:
        fmt = _format(format)
        with _account(demo, profile, region or [], all_regions, endpoint_url) as (aws, regions):
            text = events_text(
                aws, regions, fmt, owner_tags=tuple(owner_tag or DEFAULT_OWNER_TAGS), wide=wide or output is not None
            )
        _emit(text, output)
        return 0

    _guarded(run)
