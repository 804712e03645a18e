"""`srmscan rules`, `srmscan permissions` and `srmscan version`: what srmscan itself checks and needs."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from srmscan import __version__
from srmscan.cli.app import app
from srmscan.cli.options import RulesDirOpt, UsageFailure, _guarded, _ruleset, out_console, rule_dirs


@app.command("rules")
def list_rules(
    rules_dir: RulesDirOpt = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
    service: Annotated[
        list[str] | None, typer.Option("--service", help="Only rules of this service (e.g. s3); repeatable.")
    ] = None,
    framework: Annotated[
        str | None, typer.Option("--framework", help="Only rules mapped to this framework (fsbp or cis).")
    ] = None,
    wide: Annotated[bool, typer.Option("--wide", help="Every column (layer, service, framework ids).")] = False,
) -> None:
    """List the rules with their owner, severity and title (--wide: layer, service, framework ids)."""

    def run() -> int:
        ruleset = _ruleset(rule_dirs(rules_dir))
        wanted = {s.strip().lower() for item in service or [] for s in item.split(",") if s.strip()}
        rules = [r for r in ruleset.rules if not wanted or r.service.lower() in wanted]
        if framework is not None:
            fw = framework.strip().lower()
            known = sorted({k for r in ruleset.rules for k in r.frameworks})
            if fw not in known:
                raise UsageFailure(f"unknown framework {framework!r} (choose from {', '.join(known)})")
            rules = [r for r in rules if r.frameworks.get(fw)]
        if json_output:
            print(json.dumps([r.metadata() for r in rules], indent=1))
            return 0
        # The id is what a user copies into a mute: never truncated; the title folds instead.
        table = Table(title=f"{len(rules)} rules")
        table.add_column("id", no_wrap=True, min_width=max((len(r.id) for r in rules), default=2))
        columns = ("severity", "owner", "layer", "service", "frameworks", "title") if wide else ("severity", "title")
        for col in columns:
            table.add_column(col, overflow="fold", ratio=3 if col == "title" else None)
        for r in rules:
            cells = {
                "severity": str(r.severity),
                "owner": str(r.owner),
                "layer": str(r.layer),
                "service": r.service,
                "frameworks": " ".join(f"{k.upper()} {','.join(v)}" for k, v in r.frameworks.items()),
                "title": r.title,
            }
            table.add_row(r.id, *(cells[c] for c in columns))
        out_console.print(table)
        return 0

    _guarded(run)


@app.command()
def permissions() -> None:
    """Print the least-privilege IAM policy srmscan needs (built from what collectors declare)."""
    from srmscan.collect.registry import declared_actions

    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "SrmscanReadOnly", "Effect": "Allow", "Action": declared_actions(), "Resource": "*"}],
    }
    print(json.dumps(policy, indent=2))


@app.command()
def version() -> None:
    """Print the srmscan version."""
    print(__version__)
