"""The filter options of `scan`, `demo` and `evaluate` (`--services`, `--checks`, `--exclude-checks`,
`--severity`, `--status`) and how a run applies them; the logic itself is in `srmscan.filters`.

Every filter is checked when the rules are loaded, before any AWS call or demo seeding, so a typo
costs nothing. `--fail-on` is judged before the listing filters hide anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from srmscan.cli.options import UsageFailure, _severity
from srmscan.evaluate.engine import RuleSet
from srmscan.filters import FilterError, Scope, collectors_for, listed, parse_services, parse_statuses, select_rules
from srmscan.scan import ScanResult

ServicesOpt = Annotated[
    list[str] | None,
    typer.Option("--services", help="Collect and evaluate only these services (comma-separated; repeatable)."),
]
ChecksOpt = Annotated[
    list[str] | None, typer.Option("--checks", help="Run only these rule ids or globs (e.g. 's3.*'); repeatable.")
]
ExcludeChecksOpt = Annotated[
    list[str] | None, typer.Option("--exclude-checks", help="Skip these rule ids or globs; repeatable.")
]
SeverityOpt = Annotated[str | None, typer.Option("--severity", help="List only findings at or above this severity.")]
StatusOpt = Annotated[
    list[str] | None,
    typer.Option("--status", help="List only these statuses (fail, unknown, pass, muted, info; comma-separated)."),
]


@dataclass(frozen=True)
class Filters:
    """The raw filter options of one command, as typed."""

    services: list[str] | None = None
    checks: list[str] | None = None
    exclude_checks: list[str] | None = None
    severity: str | None = None
    status: list[str] | None = None

    def given(self) -> bool:
        return any((self.services, self.checks, self.exclude_checks, self.severity, self.status))


@dataclass(frozen=True)
class Plan:
    """Filters checked against the rules: the narrowed rule set and which collectors to run."""

    ruleset: RuleSet
    scope: Scope
    collectors: set[str] | None
    filters: Filters

    def narrow(self, result: ScanResult) -> None:
        """Keep only findings of the chosen services and rules (their statuses untouched)."""
        if self.scope.services is not None or self.scope.rule_ids is not None:
            result.findings = [f for f in result.findings if self.scope.keeps(f)]

    def list_only(self, result: ScanResult) -> None:
        """Apply `--severity` / `--status` to what the outputs list, saying how much was left out."""
        minimum = _severity(self.filters.severity)
        statuses = parse_statuses(self.filters.status)
        if minimum is None and statuses is None:
            return
        kept = listed(result.findings, minimum, statuses)
        hidden = len(result.findings) - len(kept)
        result.findings = kept
        shown = []
        if minimum is not None:
            shown.append(f"severity {minimum} and above")
        if statuses is not None:
            shown.append("status " + ", ".join(sorted(str(s) for s in statuses)))
        result.notes.append(f"Listing only {' and '.join(shown)}: {hidden} other finding(s) not listed.")


def plan(ruleset: RuleSet, filters: Filters) -> Plan:
    """Check every filter (exit 2 on a bad one) and narrow the rule set."""
    try:
        services = parse_services(filters.services, ruleset)
        narrowed, scope = select_rules(ruleset, services, filters.checks, filters.exclude_checks)
        _severity(filters.severity)
        parse_statuses(filters.status)
    except FilterError as exc:
        raise UsageFailure(str(exc)) from exc
    return Plan(narrowed, scope, collectors_for(narrowed, scope), filters)
