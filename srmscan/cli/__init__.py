"""The `srmscan` command line: a thin shell that parses options, calls the library, sets exit codes.

Layout: `app` (the typer object), `options` (what every command shares: options, checks, one-line
errors), then one module per command family: `scan` (scan, demo, evaluate), `drift` (diff,
explain), `incidents` (patch-plan, events), `accounts` (merge), `rules` (rules, permissions,
version), `compliance` (compliance). Importing this package registers every command; the library never imports it.

Exit codes: 0 scan done, 1 findings at or above --fail-on, 2 usage / credentials / config error,
130 interrupted (partial reports written).
"""

from __future__ import annotations

import sys

# Importing a command module registers its commands; this order is the order `--help` lists them.
# isort: off
from srmscan.cli import scan  # noqa: F401
from srmscan.cli import rules  # noqa: F401
from srmscan.cli import accounts  # noqa: F401
from srmscan.cli import drift  # noqa: F401
from srmscan.cli import incidents  # noqa: F401
from srmscan.cli import compliance  # noqa: F401

# isort: on
from srmscan.cli.app import app
from srmscan.cli.options import err_console

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
