"""`srmscan diff` and `srmscan explain`: drift between two scans, and who changed a finding.

Registered on the typer app when the `srmscan.cli` package is imported.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from srmscan.cli.app import app
from srmscan.cli.options import (
    MutesOpt,
    OwnerTagOpt,
    RulesDirOpt,
    UsageFailure,
    _guarded,
    _ruleset,
    _severity,
    out_console,
    rule_dirs,
)
from srmscan.collect.session import AwsSession
from srmscan.drift.attribution import DEFAULT_MAX_LOOKUPS, attribute_with_session, is_candidate
from srmscan.drift.diff import diff_reports, load_report, new_failures_at_or_above, sections
from srmscan.errors import ScanSetupError
from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS
from srmscan.evaluate.mutes import resolve_mutes
from srmscan.model import Finding


# --- diff -------------------------------------------------------------------------------
@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="Earlier report.json (or saved inventory).")],
    new: Annotated[Path, typer.Argument(help="Later report.json (or saved inventory).")],
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    fail_on_new: Annotated[
        str | None,
        typer.Option("--fail-on-new", help="Exit 1 if a new unmuted failure at or above this severity appeared."),
    ] = None,
    rules_dir: RulesDirOpt = None,
    owner_tag: OwnerTagOpt = None,
    mutes: MutesOpt = None,
) -> None:
    """Compare two scans by stable finding id: new and resolved failures, status changes, resources."""

    def run() -> int:
        fmt = format.strip().lower()
        if fmt not in ("table", "json"):
            raise UsageFailure(f"unknown diff format {format!r} (choose table or json)")
        threshold = _severity(fail_on_new)
        mute_list = resolve_mutes(mutes)
        tags = owner_tag or DEFAULT_OWNER_TAGS
        cache: list[Any] = []

        def ruleset() -> Any:
            if not cache:
                cache.append(_ruleset(rule_dirs(rules_dir)))
            return cache[0]

        try:
            before = load_report(old, ruleset, mutes=mute_list, owner_tags=tags)
            after = load_report(new, ruleset, mutes=mute_list, owner_tags=tags)
            result = diff_reports(before, after)
        except ValueError as exc:
            raise UsageFailure(str(exc)) from exc
        text = json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n" if fmt == "json" else None
        if output is not None:
            try:
                if text is None:
                    with output.open("w", encoding="utf-8") as fh:
                        print_diff(result, Console(file=fh, width=160, no_color=True, highlight=False))
                else:
                    output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageFailure(f"cannot write {output}: {exc.strerror}") from exc
        elif text is not None:
            typer.echo(text, nl=False)
        else:
            print_diff(result, out_console)
        if threshold is not None and new_failures_at_or_above(result, threshold):
            return 1
        return 0

    _guarded(run)


def print_diff(diff: dict[str, Any], console: Console) -> None:
    s = diff["summary"]
    console.print(
        f"[bold]Account {escape(str(diff.get('account_id')))}[/]: {escape(str(diff['old']['started_at']))} -> "
        f"{escape(str(diff['new']['started_at']))} · {s['new_failures']} new failure(s) "
        f"({s['new_unmuted_failures']} unmuted) · {s['resolved_failures']} resolved · "
        f"{s['status_changes']} status change(s) ({s['lost_visibility']} lost visibility) · "
        f"{s['resources_appeared']} resource(s) appeared, {s['resources_disappeared']} disappeared",
        highlight=False,
    )
    for _key, heading, entries in sections(diff):
        if not entries:
            continue
        table = Table(title=f"{heading} ({len(entries)})", title_justify="left")
        # The rule id is what a user copies into a mute: one line, never cut; the rest folds.
        longest = max(len(str(e.get("rule_id") or "")) for e in entries)
        table.add_column("severity", overflow="fold")
        table.add_column("rule", no_wrap=True, min_width=longest)
        for col in ("resource", "region", "before", "after", "change"):
            table.add_column(col, overflow="fold")
        for e in entries:
            resource = str(e.get("resource_name") or e.get("resource_id"))
            change = str(e["change"]) + (" (muted)" if e.get("muted") else "")
            table.add_row(
                *(
                    escape(str(v if v is not None else "-"))
                    for v in (
                        e.get("severity"),
                        e.get("rule_id"),
                        resource,
                        e.get("region"),
                        e.get("old_status"),
                        e.get("new_status"),
                        change,
                    )
                )
            )
        console.print(table)
    for key, label in (("resources_appeared", "Resources appeared"), ("resources_disappeared", "Resources gone")):
        if diff[key]:
            table = Table(title=f"{label} ({len(diff[key])})", title_justify="left")
            for col in ("type", "region", "id"):
                table.add_column(col)
            for r in diff[key]:
                table.add_row(*(escape(str(r.get(c))) for c in ("type", "region", "id")))
            console.print(table)


# --- explain ----------------------------------------------------------------------------
# Where `explain` looks when --report is not given: a scan's, the demo's and merge's default outputs.
DEFAULT_REPORTS = (
    Path("srmscan-report/report.json"),
    Path("srmscan-demo/report.json"),
    Path("srmscan-merged/report.json"),
)


@app.command()
def explain(
    finding_id: Annotated[str, typer.Argument(help="A finding id (or a unique prefix of 6+ characters).")],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="The report.json (single or merged) the finding is in (default: srmscan-report/, srmscan-demo/, "
            "srmscan-merged/).",
        ),
    ] = None,
    lookup: Annotated[
        bool, typer.Option("--lookup/--no-lookup", help="Ask CloudTrail who changed it, if the report does not say.")
    ] = True,
    profile: Annotated[str | None, typer.Option(help="AWS profile for the CloudTrail lookup.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(help="Send calls to this endpoint.")] = None,
    max_lookups: Annotated[int, typer.Option(help="Most LookupEvents calls to make.")] = DEFAULT_MAX_LOOKUPS,
    json_output: Annotated[bool, typer.Option("--json", help="Print the finding as JSON.")] = False,
) -> None:
    """Explain one finding: what failed, why it matters, its team, and who last made a change that could cause it."""

    def run() -> int:
        data, raw = _locate(finding_id, report)
        finding = Finding.from_dict(raw)
        if (finding.attribution or {}).get("status") != "found" and lookup and is_candidate(finding):
            finding = _look_up(finding, data, profile, endpoint_url, max_lookups)
        if json_output:
            typer.echo(json.dumps(finding.to_dict(), indent=1, ensure_ascii=False, default=str))
        else:
            print_explanation(finding, out_console)
        return 0

    _guarded(run)


def _locate(finding_id: str, report: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report and the finding: from --report, or the first default report that holds the id."""
    if report is not None:
        data = _read_report(report)
        return data, _find(data, finding_id, str(report))
    present = [p for p in DEFAULT_REPORTS if p.is_file()]
    if not present:
        looked = ", ".join(str(p) for p in DEFAULT_REPORTS)
        raise UsageFailure(f"no report found (looked for {looked}); give --report PATH")
    misses = []
    for path in present:
        data = _read_report(path)
        try:
            return data, _find(data, finding_id, str(path))
        except UsageFailure as exc:
            misses.append(str(exc))
    raise UsageFailure("; ".join(misses))


def _look_up(
    finding: Finding, data: dict[str, Any], profile: str | None, endpoint_url: str | None, max_lookups: int
) -> Finding:
    """CloudTrail attribution with the caller's credentials; when it cannot run, the finding says why."""
    regions = [str(r) for r in data.get("regions") or []]
    for entry in data.get("accounts") or []:  # a merged report: that account's regions
        if isinstance(entry, dict) and str(entry.get("account_id")) == finding.account_id:
            regions = [str(r) for r in entry.get("regions") or []]
    try:
        aws = AwsSession.create(profile=profile, region=regions[0] if regions else None, endpoint_url=endpoint_url)
        account, partition = aws.identity()
    except ScanSetupError as exc:
        return replace(finding, attribution={"status": "unavailable", "reason": f"CloudTrail lookup not run: {exc}"})
    if account != finding.account_id:
        reason = f"CloudTrail lookup not run: the credentials are for account {account}, the finding is in {finding.account_id}"
        return replace(finding, attribution={"status": "unavailable", "reason": reason})
    outcome = attribute_with_session(
        aws,
        [finding],
        _ruleset(None).tables,
        account_id=finding.account_id,
        partition=str(data.get("partition") or partition or "aws"),
        regions=regions,
        now=datetime.now(UTC),
        max_lookups=max_lookups,
    )
    return outcome.findings[0]


def _read_report(path: Path) -> dict[str, Any]:
    from srmscan.drift.snapshot import read_json

    try:
        data = read_json(path)
    except ValueError as exc:
        raise UsageFailure(str(exc)) from exc
    kinds = ("srmscan-report", "srmscan-merged-report")
    if not isinstance(data, dict) or data.get("kind") not in kinds or not isinstance(data.get("findings"), list):
        raise UsageFailure(f"{path} is not an srmscan report.json")
    return data


def _find(data: dict[str, Any], wanted: str, where: str = "the report") -> dict[str, Any]:
    wanted = wanted.strip().lower()
    findings = [f for f in data["findings"] if isinstance(f, dict)]
    exact = [f for f in findings if str(f.get("id", "")).lower() == wanted]
    if exact:
        return exact[0]
    if len(wanted) < 6:
        raise UsageFailure(f"no finding with id {wanted!r} in {where} (give at least 6 characters of an id)")
    hits = [f for f in findings if str(f.get("id", "")).lower().startswith(wanted)]
    if len(hits) != 1:
        raise UsageFailure(f"{'no' if not hits else 'more than one'} finding with id starting {wanted!r} in {where}")
    return hits[0]


def print_explanation(f: Finding, console: Console) -> None:
    """Untrusted text throughout (names, messages, event fields): printed without markup."""

    def line(label: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            console.print(f"{label}: {value}", markup=False, highlight=False)

    console.print(f"{f.title} [{f.status}]", markup=False, highlight=False, style="bold")
    line("Finding", f"{f.id} ({f.rule_id}, {f.severity}, owner {f.owner}, layer {f.layer})")
    line("Resource", f"{f.resource_type} {f.resource_name or f.resource_id} in {f.region} (account {f.account_id})")
    line("Team", f.team or "none (no owner tag on the resource)")
    line("ARN", f.resource_arn)
    line("Message", f.message)
    if f.mute:
        line("Muted", f"{f.mute.get('reason')} (by {f.mute.get('author')}, until {f.mute.get('expires')})")
    line("Why unknown", f.unknown_reason)
    line("Why it matters", f.rationale)
    line("Remediation", f.remediation)
    if f.evidence:
        line("Evidence", json.dumps(f.evidence, default=str))
    a = f.attribution or {}
    status = a.get("status")
    if status == "found":
        console.print("Last change that could have caused it:", style="bold")
        line("  event", f"{a.get('event_name')} at {a.get('event_time')} ({a.get('event_id')})")
        line("  who", a.get("principal_arn"))
        line("  session", a.get("session_name"))
        line("  role", a.get("role_arn"))
        line("  from", f"{a.get('source_ip')} · {a.get('user_agent')}")
        if a.get("request_parameters") is not None:
            line("  request", json.dumps(a.get("request_parameters"), default=str))
    elif status:
        line("Attribution", f"{status}: {a.get('reason')}")
    elif is_candidate(f):
        line("Attribution", "not looked up (run without --no-lookup, or scan with --attribute)")
    else:
        line("Attribution", "only failing configuration findings are attributed")
