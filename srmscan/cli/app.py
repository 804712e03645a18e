"""The typer application every command module registers on.

Kept apart from the commands so that a command module imports only this object, the shared
options and the library; `srmscan.cli` (the package) imports the command modules to register them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from srmscan import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="AWS posture scanner that reports every finding with who owns it under the Shared Responsibility Model.",
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the srmscan version and exit."),
    ] = False,
) -> None:
    # Options that apply before any command (Prowler users reach for `--version`).
    pass
