"""What every command shares: the consoles, common options, input checks and error handling.

Each command module imports this one (and the library); nothing here imports a command. A user's
mistake is raised as `UsageFailure` (or the library's `ScanSetupError`) and `_guarded` prints it
on one line and exits 2, so no command ever shows a traceback for bad input.

Exit codes: 0 scan done, 1 findings at or above --fail-on, 2 usage / credentials / config error,
130 interrupted (partial reports written).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from srmscan.errors import ScanSetupError
from srmscan.evaluate.engine import RuleLoadError, RuleSet, load_ruleset
from srmscan.model import Severity
from srmscan.report import FORMATS

err_console = Console(stderr=True)
out_console = Console()
# The signal that interrupted this run, if any (set by srmscan.cli's SIGTERM handler): a partial
# scan then exits 143 rather than 130.
INTERRUPTS: dict[str, int | None] = {"signal": None}


class UsageFailure(Exception):
    """Bad input detected by srmscan itself: printed on one line, exit 2."""


FormatOpt = Annotated[
    list[str] | None, typer.Option("--format", "-f", help="json, html, csv, ocsf or junit; repeatable.")
]
OutDirOpt = Annotated[
    Path,
    typer.Option(
        "--output-dir", "-o", help="Folder the reports are written to ('-': the JSON report on standard output)."
    ),
]
RulesDirOpt = Annotated[list[Path] | None, typer.Option("--rules-dir", help="Extra folder of rule files; repeatable.")]
OwnerTagOpt = Annotated[
    list[str] | None, typer.Option("--owner-tag", help="Tag naming the owning team (default: Owner, Team).")
]
FailOnOpt = Annotated[
    str | None,
    typer.Option("--fail-on", help="Exit 1 if an unmuted failing finding is at or above this severity."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display or summary.")]
MutesOpt = Annotated[
    Path | None,
    typer.Option("--mutes", help="Mutes file (default: srmscan.toml in the working directory, if present)."),
]
BaselineOpt = Annotated[
    Path | None, typer.Option("--baseline", help="Earlier report.json or inventory: show what changed since.")
]


def _fail(message: str) -> None:
    # Plain write: one line, never wrapped or styled, so scripts can grep it.
    sys.stderr.write(f"srmscan: error: {' '.join(message.split())}\n")
    raise typer.Exit(2)


def _formats(values: list[str] | None, default: tuple[str, ...] = ("json", "html")) -> list[str]:
    chosen = [v.strip().lower() for item in (values or default) for v in item.split(",") if v.strip()]
    for fmt in chosen:
        if fmt not in FORMATS:
            raise UsageFailure(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if "ocsf" in chosen:
        from srmscan.report.ocsf_report import OcsfUnavailable, require_models

        try:
            require_models()
        except OcsfUnavailable as exc:
            raise UsageFailure(str(exc)) from exc
    return chosen


def _severity(value: str | None) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity(value.lower())
    except ValueError as exc:
        raise UsageFailure(f"unknown severity {value!r} (critical, high, medium, low, info)") from exc


def _check_output_dir(path: Path) -> None:
    if is_stdout(path):
        return
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageFailure(f"cannot create output directory {path}: {exc.strerror}") from exc
    if not os.access(path, os.W_OK):
        raise UsageFailure(f"output directory {path} is not writable")


def _ruleset(rules_dirs: list[Path] | None) -> RuleSet:
    try:
        return load_ruleset(rules_dirs or [])
    except RuleLoadError as exc:
        raise UsageFailure(str(exc)) from exc


def _guarded(fn: Callable[[], int]) -> None:
    try:
        code = fn()
    except (UsageFailure, ScanSetupError) as exc:
        _fail(str(exc))
        return
    raise typer.Exit(code)


def split_regions(values: list[str] | None) -> list[str]:
    """`--region a,b --region c` -> [a, b, c]: repeatable and comma-separated, as Prowler users type it."""
    return [r.strip() for item in values or [] for r in item.split(",") if r.strip()]


def rule_dirs(values: list[Path] | None) -> list[Path]:
    return list(values or [])


FrameworkOpt = Annotated[
    list[str] | None,
    typer.Option("--framework", help="Compliance view to add (e.g. pci-dss-4.0.1, cis-aws-3.0.0, fsbp); repeatable."),
]


def _frameworks(values: list[str] | None) -> list[str]:
    """Check `--framework` values before a scan starts, so a typo does not cost a whole scan."""
    from srmscan.evaluate.frameworks import available

    ids = [v.strip().lower() for item in values or [] for v in item.split(",") if v.strip()]
    known = available()
    for fid in ids:
        if fid not in known:
            raise UsageFailure(f"unknown framework {fid!r} (choose from {', '.join(known)})")
    return list(dict.fromkeys(ids))


# --- output: standard output, colour, verbosity -------------------------------------------
STDOUT = Path("-")
StdoutOpt = Annotated[
    bool, typer.Option("--stdout", help="Write the JSON report to standard output (same as -o -); nothing else.")
]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colour in terminal output (also: NO_COLOR=1).")]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log every AWS call, retry and throttle to stderr (names only).")
]


def is_stdout(path: Path | None) -> bool:
    return path is not None and str(path) == "-"


def output_target(output_dir: Path, stdout: bool, formats: list[str] | None) -> tuple[Path, list[str] | None]:
    """`-o -` / `--stdout`: the JSON report goes to standard output, and only JSON can."""
    if not (stdout or is_stdout(output_dir)):
        return output_dir, formats
    other = [f for f in _formats(formats, default=("json",)) if f != "json"]
    if other:
        raise UsageFailure(f"only the json format can go to standard output, not {', '.join(other)}")
    return STDOUT, ["json"]


def terminal(no_color: bool, verbose: bool) -> None:
    """Apply `--no-color` or NO_COLOR (plain text) and `-v` (the srmscan.calls log on stderr)."""
    if no_color or os.environ.get("NO_COLOR"):
        for console in (out_console, err_console):
            # No escape codes at all, not just no colours: bold and italic go too.
            console.no_color = True
            console._color_system = None
    if verbose:
        log = logging.getLogger("srmscan.calls")
        if not any(isinstance(h, _StderrHandler) for h in log.handlers):
            handler = _StderrHandler()
            handler.setFormatter(logging.Formatter("srmscan: %(message)s"))
            log.addHandler(handler)
        log.setLevel(logging.INFO)


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is now (a test runner swaps it), one line per record."""

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(self.format(record) + "\n")
