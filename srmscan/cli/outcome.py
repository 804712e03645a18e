"""What `scan`, `demo` and `evaluate` do around a scan: checks before it, the exit code and the
summary after it, `--attribute` and `--baseline`. Apart from the commands so scan.py stays small.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from rich.table import Table

from srmscan.cli.filtering import Filters
from srmscan.cli.options import INTERRUPTS, UsageFailure, _check_output_dir, out_console
from srmscan.collect.session import AwsSession
from srmscan.drift.attribution import attribute_with_session
from srmscan.drift.diff import diff_reports, load_report
from srmscan.evaluate.summary import counts
from srmscan.model import Severity
from srmscan.scan import ScanResult


def preflight(*, output_dir: Path, save_inventory: Path | None = None, baseline: Path | None = None) -> None:
    """Checks that would otherwise fail after the whole scan: run before any AWS call or seeding."""
    _check_output_dir(output_dir)
    if save_inventory is not None:
        if save_inventory.is_dir():
            raise UsageFailure(f"--save-inventory {save_inventory} is a directory: give a file name")
        parent = save_inventory.parent if str(save_inventory.parent) else Path(".")
        if not parent.is_dir():
            raise UsageFailure(f"--save-inventory: directory {parent} does not exist")
        if not os.access(parent, os.W_OK):
            raise UsageFailure(f"--save-inventory: directory {parent} is not writable")
    if baseline is not None:
        from srmscan.drift.snapshot import read_json

        try:
            data = read_json(baseline)
        except ValueError as exc:
            raise UsageFailure(f"--baseline: {exc}") from exc
        if not isinstance(data, dict) or data.get("kind") not in ("srmscan-report", "srmscan-inventory"):
            raise UsageFailure(f"--baseline {baseline} is neither an srmscan report.json nor a saved inventory")


def cfg_filters(cfg: Any, *given: Any) -> Filters:
    """The filter options, each falling back to srmscan.toml's [scan] table when not given."""
    keys = ("services", "checks", "exclude_checks", "severity", "status")
    return Filters(*(cfg.pick(k, v) for k, v in zip(keys, given, strict=True)))


def _exit_code(result: ScanResult, threshold: Severity | None) -> int:
    if result.inventory.partial:
        # Reports were written, but a script must not mistake a partial scan for a whole one.
        return 143 if INTERRUPTS.get("signal") == signal.SIGTERM else 130
    failing = result.failing_at_or_above(threshold) if threshold is not None else []
    if failing:
        rules = sorted({f.rule_id for f in failing})
        shown = ", ".join(rules[:5]) + (f" and {len(rules) - 5} more" if len(rules) > 5 else "")
        # Also under -q: a CI log must say why the job failed.
        sys.stderr.write(
            f"srmscan: --fail-on {threshold}: {len(failing)} unmuted failing finding(s) at or above it ({shown})\n"
        )
        return 1
    return 0


def print_summary(result: ScanResult, written: list[Path], console: Any = None) -> None:
    con = console or out_console
    summary = counts(result.findings)
    inv = result.inventory
    con.print(
        f"[bold]Account {inv.account_id}[/] · regions {', '.join(inv.regions)} · "
        f"{len(inv.resources)} resources · {inv.api_calls} API calls ({len(inv.errors)} failed)",
        highlight=False,
    )
    table = Table(title="Findings by owner", show_lines=False)
    table.add_column("Owner")
    for col in ("fail", "unknown", "pass", "muted", "info"):
        table.add_column(col, justify="right")
    # Two columns: "11/14" read as "11 of 14".
    table.add_column("critical fail", justify="right")
    table.add_column("high fail", justify="right")
    labels = {"customer": "Customer", "shared": "Shared", "aws": "AWS"}
    for owner, row in summary["by_owner"].items():
        sev = summary["failing_by_owner_severity"][owner]
        table.add_row(
            labels[owner],
            *(str(row[s]) for s in ("fail", "unknown", "pass", "muted", "info")),
            str(sev["critical"]),
            str(sev["high"]),
        )
    con.print(table)
    for note in result.notes:
        con.print(f"[yellow]{note}[/]")
    if summary["by_status"]["unknown"]:
        con.print(
            f"[yellow]{summary['by_status']['unknown']} check(s) could not be evaluated: see "
            "'What we could not see' in the report.[/]"
        )
    for path in written:
        con.print(f"wrote {path}", highlight=False)


# --- helpers for --attribute and --baseline ---------------------------------------------
def attribute_result(aws: AwsSession, result: Any, max_lookups: int) -> None:
    """`--attribute`: add CloudTrail attribution to the result's failing configuration findings."""
    inv = result.inventory
    outcome = attribute_with_session(
        aws,
        result.findings,
        result.ruleset.tables,
        account_id=inv.account_id,
        partition=inv.partition,
        regions=list(inv.regions),
        max_lookups=max_lookups,
    )
    result.findings = outcome.findings
    result.notes.extend(outcome.notes())


def attach_baseline(result: Any, baseline: Path) -> None:
    """`--baseline`: compare this scan with an earlier report (or inventory) for the HTML report."""
    from srmscan.report.json_report import report_dict

    try:
        old = load_report(baseline, lambda: result.ruleset, mutes=None)
        result.diff = diff_reports(old, report_dict(result))
    except ValueError as exc:
        raise UsageFailure(f"cannot compare with baseline: {exc}") from exc
