"""`srmscan rules`, `srmscan permissions` and `srmscan version`: what srmscan itself checks and needs."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from srmscan import __version__
from srmscan.cli.app import app
from srmscan.cli.options import RulesDirOpt, _guarded, _ruleset, out_console, rule_dirs


@app.command("rules")
def list_rules(
    rules_dir: RulesDirOpt = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
) -> None:
    """List the rules with their owner, layer, severity and framework ids."""

    def run() -> int:
        ruleset = _ruleset(rule_dirs(rules_dir))
        if json_output:
            print(json.dumps([r.metadata() for r in ruleset.rules], indent=1))
            return 0
        table = Table(title=f"{len(ruleset.rules)} rules")
        for col in ("id", "owner", "layer", "severity", "service", "frameworks", "title"):
            table.add_column(col)
        for r in ruleset.rules:
            fw = " ".join(f"{k.upper()} {','.join(v)}" for k, v in r.frameworks.items())
            table.add_row(r.id, str(r.owner), str(r.layer), str(r.severity), r.service, fw, r.title)
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
