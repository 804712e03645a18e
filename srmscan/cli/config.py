"""`srmscan.toml` as a defaults file: a `[scan]` table of option defaults beside the `[[mute]]` list.

    [scan]
    regions = ["eu-west-1", "us-east-1"]
    formats = ["json", "html", "csv"]
    owner_tags = ["Team"]
    fail_on = "high"
    services = ["s3", "iam"]

The file is the one the mutes come from (`--mutes FILE`, else `srmscan.toml` in the working
directory). An option given on the command line wins over the file. An unknown key (top level or in
`[scan]`), a value of the wrong type, or a mute naming a rule that does not exist is a usage error
that names it: a misspelt key must not silently do nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srmscan.cli.options import UsageFailure
from srmscan.evaluate.engine import RuleSet
from srmscan.evaluate.mutes import Mute, default_mutes_path

TOP_LEVEL = ("mute", "scan")
LISTS = ("regions", "formats", "owner_tags", "services", "checks", "exclude_checks", "status")
TEXTS = ("fail_on", "severity")


@dataclass(frozen=True)
class ScanDefaults:
    """The `[scan]` table; an empty one when there is no file or no table."""

    source: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    def pick(self, key: str, given: Any) -> Any:
        """The command line's value if given, else the file's, else None."""
        return given if given else self.values.get(key)


def config_path(mutes: Path | None) -> Path | None:
    return mutes if mutes is not None else default_mutes_path()


def load_defaults(mutes: Path | None) -> ScanDefaults:
    """Read and check the `[scan]` table (the mutes are read and checked by the mutes module)."""
    path = config_path(mutes)
    if path is None:
        return ScanDefaults()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ScanDefaults(str(path))  # the mutes loader reports an unreadable file with its reason
    unknown = sorted(set(data) - set(TOP_LEVEL))
    if unknown:
        raise UsageFailure(f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(TOP_LEVEL)})")
    table = data.get("scan", {})
    if not isinstance(table, dict):
        raise UsageFailure(f"{path}: 'scan' must be a table ([scan])")
    bad = sorted(set(table) - set(LISTS) - set(TEXTS))
    if bad:
        raise UsageFailure(f"{path}: unknown key(s) in [scan]: {', '.join(bad)} (known: {', '.join(LISTS + TEXTS)})")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in TEXTS:
            if not isinstance(value, str):
                raise UsageFailure(f"{path}: [scan] {key} must be a string")
            values[key] = value
        else:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise UsageFailure(f"{path}: [scan] {key} must be a string or a list of strings")
            values[key] = list(items)
    return ScanDefaults(str(path), values)


def check_mute_rules(mutes: list[Mute], ruleset: RuleSet, source: Path | None) -> None:
    """A mute for a rule id that does not exist would never match: refuse it by name."""
    where = config_path(source) or "mutes"
    for mute in mutes:
        if ruleset.by_id(mute.rule) is None:
            raise UsageFailure(f"{where}: mute #{mute.index + 1} names rule {mute.rule!r}, which does not exist")
