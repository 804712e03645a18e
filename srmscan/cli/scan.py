"""`srmscan scan`, `srmscan demo` and `srmscan evaluate`: collect (or load), evaluate, write reports.

The three share one body (`collect_and_report` / `evaluate`): the demo differs from a scan only in
where its session points, and `evaluate` starts from a saved inventory instead of collecting one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from srmscan.cli.app import app
from srmscan.cli.config import check_mute_rules, load_defaults
from srmscan.cli.filtering import ChecksOpt, ExcludeChecksOpt, Filters, Plan, ServicesOpt, SeverityOpt, StatusOpt, plan
from srmscan.cli.options import (
    BaselineOpt,
    FailOnOpt,
    FormatOpt,
    FrameworkOpt,
    MutesOpt,
    NoColorOpt,
    OutDirOpt,
    OwnerTagOpt,
    QuietOpt,
    RulesDirOpt,
    StdoutOpt,
    UsageFailure,
    VerboseOpt,
    _check_output_dir,
    _formats,
    _frameworks,
    _guarded,
    _ruleset,
    _severity,
    err_console,
    is_stdout,
    out_console,
    output_target,
    rule_dirs,
    split_regions,
    terminal,
)
from srmscan.cli.outcome import (
    _exit_code,
    attach_baseline,
    attribute_result,
    cfg_filters,
    preflight,
    print_summary,
)
from srmscan.collect.session import AwsSession, Tuning
from srmscan.evaluate.engine import DEFAULT_OWNER_TAGS
from srmscan.model import Inventory, Severity
from srmscan.report import write_reports
from srmscan.scan import (
    ScanResult,
    attach_compliance,
    evaluate_inventory,
    resolve_regions,
    run_scan,
    write_inventory,
)


def _progress_display(quiet: bool) -> Progress | None:
    if quiet:
        return None
    return Progress(
        TextColumn("[bold]collecting[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def collect_and_report(
    aws: AwsSession,
    *,
    regions: list[str],
    all_regions: bool,
    formats: list[str],
    output_dir: Path,
    rules_dirs: list[Path] | None,
    owner_tags: list[str] | None,
    fail_on: str | None,
    save_inventory: Path | None,
    quiet: bool,
    mutes: Path | None = None,
    attribute: bool = False,
    max_lookups: int = 40,
    baseline: Path | None = None,
    frameworks: list[str] | None = None,
    filters: Filters | None = None,
    verbose: bool = False,
) -> int:
    """The body of `scan` and `demo`: the demo differs only in where its session points."""
    from srmscan.evaluate.mutes import resolve_mutes

    mute_list = resolve_mutes(mutes)
    threshold = _severity(fail_on)
    fmts = _formats(formats)
    preflight(output_dir=output_dir, save_inventory=save_inventory, baseline=baseline)
    full = _ruleset(rules_dirs)
    check_mute_rules(mute_list, full, mutes)
    chosen = plan(full, filters or Filters())
    ruleset = chosen.ruleset
    # Mutes of rules this run does not evaluate would only be reported as stale.
    mute_list = [m for m in mute_list if ruleset.by_id(m.rule)]
    if verbose:
        from srmscan.collect._calllog import log_calls

        log_calls(aws.events)
    scan_regions = resolve_regions(aws, regions, all_regions)
    display = _progress_display(quiet)
    if display is None:
        result = run_scan(
            aws,
            scan_regions,
            ruleset,
            owner_tags=owner_tags or DEFAULT_OWNER_TAGS,
            mutes=mute_list,
            only=chosen.collectors,
        )
    else:
        with display:
            task = display.add_task("starting", total=None)

            def tick(done: int, total: int, label: str) -> None:
                display.update(task, completed=done, total=total, description=label)

            result = run_scan(
                aws,
                scan_regions,
                ruleset,
                owner_tags=owner_tags or DEFAULT_OWNER_TAGS,
                progress=tick,
                mutes=mute_list,
                only=chosen.collectors,
            )
    if save_inventory:
        write_inventory(result.inventory, save_inventory)
    chosen.narrow(result)
    if attribute:
        attribute_result(aws, result, max_lookups)
    if baseline:
        attach_baseline(result, baseline)
    return finish(result, chosen, fmts, output_dir, threshold, quiet, frameworks or [])


def finish(
    result: ScanResult,
    chosen: Plan,
    fmts: list[str],
    output_dir: Path,
    threshold: Severity | None,
    quiet: bool,
    frameworks: list[str],
) -> int:
    """Compliance, exit code (judged on every evaluated finding), then the listing filters and reports."""
    attach_compliance(result, frameworks)
    code = _exit_code(result, threshold)
    chosen.list_only(result)
    if is_stdout(output_dir):
        from srmscan.report.json_report import write_json

        write_json(result, sys.stdout)
        sys.stdout.write("\n")
        sys.stdout.flush()
        written: list[Path] = []
    else:
        written = write_reports(result, fmts, output_dir)
    if not quiet:
        # With the report on standard output, the summary goes to stderr: stdout stays pure JSON.
        print_summary(result, written, console=err_console if is_stdout(output_dir) else out_console)
    return code


@app.command()
def scan(
    profile: Annotated[str | None, typer.Option(help="AWS profile (default: the boto3 credential chain).")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="Region to scan; repeatable.")] = None,
    all_regions: Annotated[
        bool, typer.Option("--all-regions", help="Scan every region the account has enabled.")
    ] = False,
    endpoint_url: Annotated[
        str | None, typer.Option(help="Send every call to this endpoint (e.g. a moto server).")
    ] = None,
    format: FormatOpt = None,
    output_dir: OutDirOpt = Path("srmscan-report"),
    rules_dir: RulesDirOpt = None,
    owner_tag: OwnerTagOpt = None,
    fail_on: FailOnOpt = None,
    save_inventory: Annotated[Path | None, typer.Option(help="Also write the collected inventory here.")] = None,
    mutes: MutesOpt = None,
    attribute: Annotated[
        bool, typer.Option("--attribute", help="Name who last changed each failing setting (CloudTrail, 90 days).")
    ] = False,
    max_lookups: Annotated[
        int, typer.Option("--max-lookups", help="Most CloudTrail LookupEvents calls --attribute may make.")
    ] = 40,
    baseline: BaselineOpt = None,
    max_workers: Annotated[int, typer.Option(help="Concurrent collector threads.")] = Tuning.max_workers,
    per_service_concurrency: Annotated[
        int, typer.Option(help="Concurrent calls per service and region.")
    ] = Tuning.per_service_concurrency,
    quiet: QuietOpt = False,
    role_arn: Annotated[str | None, typer.Option(help="Scan through this IAM role (sts:AssumeRole).")] = None,
    external_id: Annotated[str | None, typer.Option(help="External id for --role-arn / --org-role.")] = None,
    org_role: Annotated[
        str | None, typer.Option(help="Scan every ACTIVE organization account through this role name.")
    ] = None,
    shard: Annotated[
        str | None, typer.Option(help="With --org-role: scan slice I/N of the accounts (0-based).")
    ] = None,
    max_accounts: Annotated[int, typer.Option(help="With --org-role: accounts scanned at once.")] = 4,
    framework: FrameworkOpt = None,
    services: ServicesOpt = None,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeChecksOpt = None,
    severity: SeverityOpt = None,
    status: StatusOpt = None,
    stdout: StdoutOpt = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Scan a live account and write reports."""

    def run() -> int:
        terminal(no_color, verbose)
        cfg = load_defaults(mutes)
        filters = cfg_filters(cfg, services, checks, exclude_checks, severity, status)
        regions = split_regions(cfg.pick("regions", region))
        owner_tags, fail = cfg.pick("owner_tags", owner_tag), cfg.pick("fail_on", fail_on)
        out_dir, formats = output_target(output_dir, stdout, cfg.pick("formats", format))
        frameworks = _frameworks(framework)
        tuning = Tuning(max_workers=max(1, max_workers), per_service_concurrency=max(1, per_service_concurrency))
        aws = AwsSession.create(
            profile=profile, region=next(iter(regions), None), endpoint_url=endpoint_url, tuning=tuning
        )
        if role_arn or org_role or shard:
            from srmscan.accounts import organization as accounts

            if role_arn:
                aws = accounts.assume_role(aws, role_arn, external_id=None if org_role else external_id)
            if shard and not org_role:
                raise UsageFailure("--shard needs --org-role")
            if org_role:
                if filters.given() or is_stdout(out_dir):
                    raise UsageFailure(
                        "--services, --checks, --severity, --status and --stdout are not supported with --org-role yet"
                    )
                if frameworks:
                    raise UsageFailure(
                        "--framework is not supported with --org-role yet: run "
                        "'srmscan compliance --report' on each account's report.json"
                    )
                _check_output_dir(out_dir)
                return accounts.org_scan(
                    aws,
                    role_name=org_role,
                    ruleset=_ruleset(rule_dirs(rules_dir)),
                    regions=regions,
                    all_regions=all_regions,
                    output_dir=out_dir,
                    formats=_formats(formats),
                    external_id=external_id,
                    shard_spec=shard,
                    owner_tags=owner_tags or DEFAULT_OWNER_TAGS,
                    threshold=_severity(fail),
                    concurrency=max_accounts,
                    say=lambda line: err_console.print(line, highlight=False, markup=False),
                )
        return collect_and_report(
            aws,
            regions=regions,
            all_regions=all_regions,
            formats=formats or ["json", "html"],
            output_dir=out_dir,
            rules_dirs=rule_dirs(rules_dir),
            owner_tags=owner_tags,
            fail_on=fail,
            save_inventory=save_inventory,
            quiet=quiet,
            mutes=mutes,
            attribute=attribute,
            max_lookups=max_lookups,
            baseline=baseline,
            frameworks=frameworks,
            filters=filters,
            verbose=verbose,
        )

    _guarded(run)


@app.command()
def demo(
    output_dir: OutDirOpt = Path("srmscan-demo"),
    format: FormatOpt = None,
    fail_on: FailOnOpt = None,
    save_inventory: Annotated[Path | None, typer.Option(help="Also write the collected inventory here.")] = None,
    mutes: MutesOpt = None,
    attribute: Annotated[bool, typer.Option("--attribute", help="Name who last changed each failing setting.")] = False,
    quiet: QuietOpt = False,
    framework: FrameworkOpt = None,
    services: ServicesOpt = None,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeChecksOpt = None,
    severity: SeverityOpt = None,
    status: StatusOpt = None,
    stdout: StdoutOpt = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Scan the built-in demo account (in-process moto): a glibc CVE, a public bucket, scheduled maintenance."""

    def run() -> int:
        terminal(no_color, verbose)
        cfg = load_defaults(mutes)
        fail = cfg.pick("fail_on", fail_on)
        out_dir, formats = output_target(output_dir, stdout, cfg.pick("formats", format))
        frameworks = _frameworks(framework)
        try:
            from srmscan.demo.account import demo_session
        except ImportError as exc:
            raise UsageFailure("the demo needs moto: pip install 'srmscan[demo]'") from exc
        from srmscan.evaluate.mutes import resolve_mutes

        # Every input checked before seeding the account (which takes seconds).
        check_mute_rules(resolve_mutes(mutes), _ruleset(None), mutes)
        _severity(fail)
        _formats(formats or ["json", "html"])
        preflight(output_dir=out_dir, save_inventory=save_inventory)
        filters = cfg_filters(cfg, services, checks, exclude_checks, severity, status)
        plan(_ruleset(None), filters)
        with demo_session() as (aws, regions):
            return collect_and_report(
                aws,
                regions=regions,
                all_regions=False,
                formats=formats or ["json", "html"],
                output_dir=out_dir,
                rules_dirs=None,
                owner_tags=None,
                fail_on=fail,
                save_inventory=save_inventory,
                quiet=quiet,
                mutes=mutes,
                attribute=attribute,
                frameworks=frameworks,
                filters=filters,
                verbose=verbose,
            )

    _guarded(run)


@app.command()
def evaluate(
    inventory: Annotated[Path, typer.Argument(help="An inventory written by --save-inventory.")],
    format: FormatOpt = None,
    output_dir: OutDirOpt = Path("srmscan-report"),
    rules_dir: RulesDirOpt = None,
    owner_tag: OwnerTagOpt = None,
    fail_on: FailOnOpt = None,
    mutes: MutesOpt = None,
    baseline: BaselineOpt = None,
    quiet: QuietOpt = False,
    framework: FrameworkOpt = None,
    services: ServicesOpt = None,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeChecksOpt = None,
    severity: SeverityOpt = None,
    status: StatusOpt = None,
    stdout: StdoutOpt = False,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Re-evaluate a saved inventory offline, with no AWS credentials."""

    def run() -> int:
        terminal(no_color, verbose)
        cfg = load_defaults(mutes)
        out_dir, formats = output_target(output_dir, stdout, cfg.pick("formats", format))
        frameworks = _frameworks(framework)
        threshold = _severity(cfg.pick("fail_on", fail_on))
        fmts = _formats(formats)
        try:
            inv = Inventory.from_dict(json.loads(inventory.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UsageFailure(f"cannot read inventory {inventory}: {exc}") from exc
        from srmscan.evaluate.mutes import resolve_mutes

        full = _ruleset(rule_dirs(rules_dir))
        mute_list = resolve_mutes(mutes)
        check_mute_rules(mute_list, full, mutes)
        chosen = plan(full, cfg_filters(cfg, services, checks, exclude_checks, severity, status))
        _check_output_dir(out_dir)
        result = evaluate_inventory(
            inv,
            chosen.ruleset,
            owner_tags=cfg.pick("owner_tags", owner_tag) or DEFAULT_OWNER_TAGS,
            mutes=[m for m in mute_list if chosen.ruleset.by_id(m.rule)],
        )
        chosen.narrow(result)
        if baseline:
            attach_baseline(result, baseline)
        return finish(result, chosen, fmts, out_dir, threshold, quiet, frameworks)

    _guarded(run)
