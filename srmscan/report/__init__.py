"""Reporters: pure functions from one ScanResult to a file's text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from srmscan.report.csv_report import render_csv
from srmscan.report.html_report import render_html, write_html
from srmscan.report.json_report import render_json, write_json
from srmscan.report.junit_report import render_junit
from srmscan.report.ocsf_report import render_ocsf
from srmscan.scan import ScanResult

FORMATS: dict[str, tuple[str, Callable[[ScanResult], str]]] = {
    "json": ("report.json", render_json),
    "html": ("report.html", render_html),
    "csv": ("report.csv", render_csv),
    "ocsf": ("report.ocsf.json", render_ocsf),
    "junit": ("report.junit.xml", render_junit),
}


PARTIAL_STEM = "report.partial"  # an interrupted scan's reports: never in place of a complete one


def report_path(output_dir: Path, fmt: str, partial: bool = False) -> Path:
    """Where format `fmt` is written: `report.json`, or `report.partial.json` for a partial scan."""
    filename = FORMATS[fmt][0]
    return output_dir / (filename.replace("report.", PARTIAL_STEM + ".", 1) if partial else filename)


def write_reports(result: ScanResult, formats: Iterable[str], output_dir: Path) -> list[Path]:
    """Write the reports. A partial scan writes `report.partial.*` and leaves a complete report in
    place; a complete one removes the partial files and the formats this run did not write, so
    nothing stale sits beside fresh reports looking current."""
    output_dir.mkdir(parents=True, exist_ok=True)
    partial = bool(result.inventory.partial)
    chosen = list(dict.fromkeys(formats))
    if not partial:
        for fmt in FORMATS:
            for stale in (report_path(output_dir, fmt, partial=True), report_path(output_dir, fmt)):
                if (fmt not in chosen or stale.name.startswith(PARTIAL_STEM)) and stale.is_file():
                    stale.unlink()
    written = []
    for fmt in chosen:
        _filename, render = FORMATS[fmt]
        path = report_path(output_dir, fmt, partial)
        if fmt in ("json", "html"):
            # Streamed: large reports never exist in memory as one string.
            with path.open("w", encoding="utf-8") as out:
                (write_json if fmt == "json" else write_html)(result, out)
        else:
            # utf-8-sig for CSV so spreadsheet programs detect UTF-8.
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            path.write_text(render(result), encoding=encoding, newline="" if fmt == "csv" else None)
        written.append(path)
    return written
