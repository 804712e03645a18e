"""The README's command reference lists exactly the options each command's `--help` has, so the
two cannot drift: a new option without a README row (or a row for a removed one) fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer import _click as click

from srmscan.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
GROUP = typer.main.get_command(app)
COMMANDS = GROUP.list_commands(click.Context(GROUP, info_name="srmscan"))  # type: ignore[attr-defined]


def _readme_options(heading: str) -> set[str]:
    """The option names in the first column of the table under `### heading`."""
    section = README.split(f"### {heading}\n", 1)
    assert len(section) == 2, f"README has no '### {heading}' section"
    body = section[1].split("\n#", 1)[0]
    names: set[str] = set()
    for line in body.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`(-{1,2}[A-Za-z][\w-]*)`", line.split(" | ", 1)[0]))
    return names


def _help_options(command: object) -> set[str]:
    params = getattr(command, "params", [])
    names = {o for p in params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    return names - {"--help"}


def _help_text(*args: str) -> str:
    from typer.testing import CliRunner

    return CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"}).output


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_table_matches_its_help(name: str) -> None:
    command = GROUP.get_command(click.Context(GROUP, info_name="srmscan"), name)  # type: ignore[attr-defined]
    documented, actual = _readme_options(f"`srmscan {name}`"), _help_options(command)
    assert documented == actual, f"README only: {documented - actual}; --help only: {actual - documented}"
    shown = _help_text(name)
    for option in actual:
        assert option in shown  # what --help prints really is these options


def test_the_root_options_table() -> None:
    assert _readme_options("`srmscan` (before any command)") == _help_options(GROUP)


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"^### `srmscan (\S+)`$", README, flags=re.M))
    assert documented == set(COMMANDS)
