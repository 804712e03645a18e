"""`srmscan merge`: one report from the reports of several accounts or shards.

Scanning many accounts is `scan --role-arn / --org-role / --shard` (srmscan.cli.scan), which
hands over to srmscan.accounts; this module holds the commands that work on their results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from srmscan.cli.app import app
from srmscan.cli.options import FormatOpt, OutDirOpt, UsageFailure, _check_output_dir, _formats, _guarded, err_console


@app.command()
def merge(
    reports: Annotated[list[Path], typer.Argument(help="report.json files (per account, or merged per shard).")],
    output_dir: OutDirOpt = Path("srmscan-merged"),
    format: FormatOpt = None,
) -> None:
    """Merge report.json files from several accounts or shards into one report with an account column."""

    def run() -> int:
        from srmscan.accounts.merge import MergeError, load_report, merge_reports, write_merged

        try:
            merged = merge_reports(load_report(p) for p in reports)
        except MergeError as exc:
            raise UsageFailure(str(exc)) from exc
        _check_output_dir(output_dir)
        for note in merged.get("notes") or []:
            err_console.print(f"note: {note}", highlight=False, markup=False)
        for path in write_merged(merged, output_dir, _formats(format)):
            err_console.print(f"wrote {path}", highlight=False, markup=False)
        return 0

    _guarded(run)
