"""The typer application every command module registers on.

Kept apart from the commands so that a command module imports only this object, the shared
options and the library; `srmscan.cli` (the package) imports the command modules to register them.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="AWS posture scanner that reports every finding with who owns it under the Shared Responsibility Model.",
    pretty_exceptions_enable=False,
)
