"""The `srmscan` command line: a thin shell that parses options, calls the library, sets exit codes.

Layout: `app` (the typer object), `options` (what every command shares: options, checks, one-line
errors), then one module per command family: `scan` (scan, demo, evaluate), `drift` (diff,
explain), `incidents` (patch-plan, events), `accounts` (merge), `rules` (rules, permissions,
version), `compliance` (compliance). Importing this package registers every command; the library never imports it.

Exit codes: 0 done, 1 findings at or above --fail-on (or new ones, --fail-on-new), 2 usage /
input / credentials / config error, 130 interrupted (SIGINT), 143 terminated (SIGTERM); both
write partial reports. See `main`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

# typer >= 0.24 ships its own copy of Click; its exceptions are the ones a parse raises.
from typer._click import exceptions as click

# Importing a command module registers its commands; this order is the order `--help` lists them.
# isort: off
from srmscan.cli import scan  # noqa: F401
from srmscan.cli import rules  # noqa: F401
from srmscan.cli import accounts  # noqa: F401
from srmscan.cli import drift  # noqa: F401
from srmscan.cli import incidents  # noqa: F401
from srmscan.cli import compliance  # noqa: F401

# isort: on
import rich.console
import typer

from srmscan.cli.app import app
from srmscan.cli.memory import limit_malloc_arenas
from srmscan.cli.options import INTERRUPTS

__all__ = ["app", "main"]


def main() -> None:
    """The console script: every way a run can end maps to one documented exit code, in one line.

    0 done · 1 --fail-on / --fail-on-new · 2 usage, input, credential or configuration error ·
    130 interrupted (SIGINT) · 143 terminated (SIGTERM); both write partial reports marked partial.
    A closed pipe (`| head`) ends quietly with 0.
    """
    limit_malloc_arenas()  # before any thread exists: see srmscan/cli/memory.py
    _tolerant_streams()
    signal.signal(signal.SIGTERM, _terminate)
    # rich answers a closed pipe with SystemExit(1), which would read as "--fail-on tripped".
    rich.console.Console.on_broken_pipe = _raise_broken_pipe  # type: ignore[method-assign,assignment]
    try:
        code = app(standalone_mode=False, prog_name="srmscan")
    except click.NoArgsIsHelpError as exc:  # `srmscan` alone: the help, as a usage error
        sys.stderr.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
        code = 2
    except click.UsageError as exc:
        sys.stderr.write(f"srmscan: error: {_usage_line(exc)}\n")
        code = 2
    except click.ClickException as exc:
        sys.stderr.write(f"srmscan: error: {' '.join(exc.format_message().split())}\n")
        code = 2
    except (KeyboardInterrupt, typer.Abort):
        code = 143 if INTERRUPTS.get("signal") == signal.SIGTERM else 130
        sys.stderr.write("srmscan: terminated\n" if code == 143 else "srmscan: interrupted\n")
    except BrokenPipeError:
        code = _closed_pipe()
    sys.exit(code if isinstance(code, int) else 0)


def _usage_line(exc: click.UsageError) -> str:
    """One line, and for a misspelt option the command's own options rather than Click's guess."""
    message = " ".join(exc.format_message().split())
    if isinstance(exc, click.NoSuchOption) and exc.ctx is not None:
        known = sorted({o for p in exc.ctx.command.params for o in p.opts if o.startswith("--")})
        message = f"no such option: {exc.option_name} (options of '{exc.ctx.command_path}': {', '.join(known)})"
    elif exc.ctx is not None:
        message += f" (see '{exc.ctx.command_path} --help')"
    return message


def _terminate(signum: int, _frame: object) -> None:
    """SIGTERM (CI cancellation, Kubernetes, AWS Batch) ends a scan like Ctrl-C: partial reports, then 143."""
    INTERRUPTS["signal"] = signum
    raise KeyboardInterrupt


def _tolerant_streams() -> None:
    """On a terminal that cannot encode a character (PYTHONIOENCODING=ascii), print a stand-in."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def _raise_broken_pipe(_console: object) -> None:
    raise BrokenPipeError


def _closed_pipe() -> int:
    # The reader went away (`srmscan rules | head`): nothing more to say, and Python must not
    # complain while flushing stdout at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 0
