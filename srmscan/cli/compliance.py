"""`srmscan compliance`: a regime's requirements split by owner, filled with one scan's evidence.

The evidence comes from a saved report.json or inventory (`--report`, offline), the built-in demo
account (`--demo`), or a live scan with the usual scan options. Output goes to stdout or `--output`.
`scan --framework` attaches the same views to its reports (srmscan.scan.attach_compliance).

Exit codes: 0 done, 2 usage error (unknown framework or format, unreadable report), 130 the scan
was interrupted (the view is printed, marked partial).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from srmscan import __version__
from srmscan.cli.app import app
from srmscan.cli.options import (
    FrameworkOpt,
    MutesOpt,
    OwnerTagOpt,
    QuietOpt,
    RulesDirOpt,
    UsageFailure,
    _frameworks,
    _guarded,
    _ruleset,
)
from srmscan.collect.session import AwsSession
from srmscan.evaluate.compliance import ComplianceResult, compliance_views, scope_of
from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS, RuleSet
from srmscan.evaluate.frameworks import FrameworkError, available
from srmscan.model import Finding, Inventory
from srmscan.scan import ScanResult, evaluate_inventory, resolve_regions, run_scan

OUTPUTS = ("table", "json", "csv", "html", "oscal")


def _from_report(path: Path, ruleset: RuleSet) -> tuple[list[Finding], dict[str, Any], list[str] | None]:
    """Findings, scope and the rules that ran, from a report.json (single or merged) or an inventory."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageFailure(f"cannot read report {path}: {exc}") from exc
    kind = data.get("kind") if isinstance(data, dict) else None
    try:
        if kind == "srmscan-inventory":
            result = evaluate_inventory(Inventory.from_dict(data), ruleset)
            return result.findings, scope_of(result.inventory), [r.id for r in ruleset.rules]
        if kind in ("srmscan-report", "srmscan-merged-report") and isinstance(data.get("findings"), list):
            findings = [Finding.from_dict(f) for f in data["findings"]]
            accounts = sorted({f.account_id for f in findings}) or [str(data.get("account_id", ""))]
            scope = {
                "account_id": data.get("account_id") or ", ".join(accounts),
                "regions": list(data.get("regions") or sorted({f.region for f in findings})),
                "started_at": data.get("started_at") or "",
                "finished_at": data.get("finished_at") or data.get("started_at") or "",
                "partial": bool(data.get("partial", False)),
            }
            rules = data.get("rules_evaluated")
            return findings, scope, [str(r) for r in rules] if isinstance(rules, list) else None
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageFailure(f"cannot read report {path}: {exc}") from exc
    raise UsageFailure(f"{path} is not an srmscan report.json or inventory")


def render(results: list[ComplianceResult], fmt: str) -> str:
    from srmscan.report.compliance_html import render_compliance_html
    from srmscan.report.compliance_report import (
        compliance_dict,
        render_compliance_csv,
        render_compliance_table,
    )
    from srmscan.report.oscal_report import oscal_dict

    if fmt == "table":
        return "\n".join(render_compliance_table(r) for r in results)
    if fmt == "html":
        return render_compliance_html(results, __version__)
    if fmt == "csv":
        return "".join(
            render_compliance_csv(r) if i == 0 else render_compliance_csv(r).split("\r\n", 1)[1]
            for i, r in enumerate(results)
        )
    docs = [compliance_dict(r, __version__) if fmt == "json" else oscal_dict(r, __version__) for r in results]
    return json.dumps(docs[0] if len(docs) == 1 else docs, indent=1, ensure_ascii=False) + "\n"


def _write(text: str, fmt: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="" if fmt == "csv" else None)
    except OSError as exc:
        raise UsageFailure(f"cannot write {output}: {exc.strerror or exc}") from exc


@app.command()
def compliance(
    framework: FrameworkOpt = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="A report.json (or inventory) to read instead of scanning.")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Scan the built-in demo account (needs srmscan[demo]).")] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, csv, html or oscal.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", help="Write here instead of stdout.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile (default: the boto3 credential chain).")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="Region to scan; repeatable.")] = None,
    all_regions: Annotated[bool, typer.Option("--all-regions", help="Scan every enabled region.")] = False,
    endpoint_url: Annotated[str | None, typer.Option(help="Send every call to this endpoint.")] = None,
    rules_dir: RulesDirOpt = None,
    owner_tag: OwnerTagOpt = None,
    mutes: MutesOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Every requirement of a framework, who owns it (customer / shared / AWS) and what the scan proves."""

    def run() -> int:
        ids = _frameworks(framework)
        if not ids:
            raise UsageFailure(f"--framework is required (choose from {', '.join(available())})")
        fmt = format.strip().lower()
        if fmt not in OUTPUTS:
            raise UsageFailure(f"unknown format {format!r} (choose from {', '.join(OUTPUTS)})")
        if report is not None and demo:
            raise UsageFailure("--report and --demo cannot be combined")
        ruleset = _ruleset(list(rules_dir or []))
        evaluated: list[str] | None
        if report is not None:
            findings, scope, evaluated = _from_report(report, ruleset)
        else:
            result = _scan(ruleset, demo, profile, region, all_regions, endpoint_url, owner_tag, mutes, quiet)
            findings, scope, evaluated = result.findings, scope_of(result.inventory), [r.id for r in ruleset.rules]
        try:
            views = compliance_views(ids, findings, ruleset.rules, scope, evaluated_rules=evaluated)
        except FrameworkError as exc:
            raise UsageFailure(str(exc)) from exc
        _write(render(views, fmt), fmt, output)
        if output is not None and not quiet:
            sys.stderr.write(f"wrote {output}\n")
        return 130 if scope.get("partial") else 0

    _guarded(run)


def _scan(
    ruleset: RuleSet,
    demo: bool,
    profile: str | None,
    region: list[str] | None,
    all_regions: bool,
    endpoint_url: str | None,
    owner_tag: list[str] | None,
    mutes: Path | None,
    quiet: bool,
) -> ScanResult:
    from srmscan.evaluate.mutes import resolve_mutes

    mute_list = resolve_mutes(mutes)
    tags = owner_tag or DEFAULT_OWNER_TAGS
    if not quiet:
        sys.stderr.write("srmscan: scanning (read-only)...\n")
    if demo:
        try:
            from srmscan.demo.account import demo_session
        except ImportError as exc:
            raise UsageFailure("the demo needs moto: pip install 'srmscan[demo]'") from exc
        with demo_session() as (aws, regions):
            return run_scan(aws, regions, ruleset, owner_tags=tags, mutes=mute_list)
    aws = AwsSession.create(profile=profile, region=region[0] if region else None, endpoint_url=endpoint_url)
    return run_scan(aws, resolve_regions(aws, region or [], all_regions), ruleset, owner_tags=tags, mutes=mute_list)
