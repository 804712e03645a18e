"""Render the incident commands' rows as a terminal table, JSON or CSV: the same rows in each.

JSON and CSV are built from the same `to_dict()` rows, so a test can check they agree; CSV cells
go through the report's formula-safe `safe_cell` because resource names and tags are untrusted.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from srmscan.report.csv_report import safe_cell

FORMATS = ("table", "json", "csv")
JSON_SCHEMA_VERSION = 1


def render_json(kind: str, columns: list[str], rows: list[dict[str, str]], extra: dict[str, Any]) -> str:
    payload = {"schema_version": JSON_SCHEMA_VERSION, "kind": kind, "columns": columns, **extra, "rows": rows}
    return json.dumps(payload, indent=1, default=str) + "\n"


def render_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c, "")) for c in columns])
    return buffer.getvalue()


def render_table(
    title: str,
    columns: list[str],
    rows: list[dict[str, str]],
    totals: list[str],
    notes: list[str],
    width: int = 200,
    keep: tuple[str, ...] = ("resource",),
) -> str:
    """A rich table (every cell escaped: names are untrusted) followed by the totals lines.

    Columns in `keep` (identifiers a user copies) stay on one line; the others fold to fit `width`.
    """
    console = Console(file=io.StringIO(), width=width, record=True, force_terminal=False, color_system=None)
    table = Table(title=escape(title), show_lines=True, caption=escape(f"{len(rows)} row(s)"))
    for col in columns:
        if col in keep:
            longest = max((len(str(r.get(col, ""))) for r in rows), default=0)
            table.add_column(col.replace("_", " "), no_wrap=True, min_width=min(longest, width // 2))
        else:
            table.add_column(col.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(row.get(c, ""))) for c in columns))
    console.print(table)
    for line in totals:
        console.print(escape(line), highlight=False)
    for note in notes:
        console.print(escape(note), highlight=False)
    return console.export_text()
