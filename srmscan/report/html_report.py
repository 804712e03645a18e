"""report.html: one self-contained page, rendered with autoescaping from templates/.

The Python side (here and in `sections`) does all grouping and counting; the template lays it
out, and a small inline script filters, sorts and draws the findings from a JSON payload.
Untrusted strings reach the page only through Jinja's autoescaping or, inside the payload,
through `tojson_safe`, and the script writes them with textContent, never as markup.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, TextIO

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from srmscan.evaluate.resources import templates_dir
from srmscan.evaluate.summary import counts
from srmscan.report.compliance_report import compliance_view
from srmscan.report.sections import (
    NO_TEAM_VALUE,
    OWNER_LABELS,
    aws_panel,
    could_not_see,
    customer_panel,
    filter_options,
    findings_payload,
    header_facts,
    muted_rows,
    shared_panel,
)
from srmscan.scan import ScanResult

OWNER_BLURB = {
    "customer": "Security in the cloud: only we can see or change these.",
    "shared": "AWS does the work; we hold the lever that decides whether it happens or whether we survive it.",
    "aws": "Security of the cloud: what this account inherits, attested by independent auditors.",
}
# The page's sections, in order. A new section (e.g. a framework view) is one template and one entry.
SECTIONS = [
    "_panels.html.j2",
    "_map.html.j2",
    "_findings.html.j2",
    "_could_not_see.html.j2",
    "_changes.html.j2",
    "_muted.html.j2",
    "_compliance.html.j2",
]
# Rows drawn at a time in each owner's section; the reader asks for more. Small enough that the
# Customer list never pushes Shared and AWS far down, and a 10,000-finding page stays responsive.
SECTION_PAGE = 25


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "html.j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_safe"] = _json_for_script
    return env


def _script_safe(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _json_for_script(value: Any) -> Markup:
    """JSON safe inside a <script type=application/json>: no `</` sequence can close the tag.

    Also escapes U+2028/U+2029 so the text stays valid if ever read as a JS literal.
    """
    return Markup(_script_safe(json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))))


def _json_chunks_for_script(value: Any) -> Iterator[Markup]:
    """The same text as `_json_for_script`, produced piece by piece so a large payload is never
    one string: every escaped character is a single character, so escaping per chunk is exact."""
    encoder = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":"))
    for chunk in encoder.iterencode(value):
        yield Markup(_script_safe(chunk))


@lru_cache(maxsize=4)
def _asset(name: str) -> tuple[Markup, str]:
    """A CSS/JS file from templates/ (our own code, trusted) and its CSP hash.

    The page's Content-Security-Policy allows only these exact inline blocks, so even a
    string that slipped past escaping could not run as script.
    """
    text = (templates_dir() / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"sha256-{digest}"


def page_assets() -> dict[str, Any]:
    """The stylesheet and script every report page inlines, each with its CSP hash."""
    style, style_hash = _asset("report.css")
    script, script_hash = _asset("report.js")
    return {"style": style, "style_hash": style_hash, "script": script, "script_hash": script_hash}


def view_model(result: ScanResult) -> dict[str, Any]:
    inv = result.inventory
    findings = result.findings
    matrix = result.ruleset.matrix
    return {
        **page_assets(),
        "result": result,
        "inv": inv,
        "summary": counts(findings),
        "header": header_facts(inv, matrix),
        "duration_s": result.duration_s,
        "owner_labels": OWNER_LABELS,
        "owner_blurb": OWNER_BLURB,
        "customer": customer_panel(findings),
        "shared": shared_panel(matrix, inv, findings),
        "aws": aws_panel(matrix, findings),
        "layer_labels": matrix.layer_labels,
        "maps": [
            {
                "id": "map-h",
                "title": "The responsibility map of this account",
                "rows": matrix.account_map(inv, findings),
            }
        ],
        "sections": SECTIONS,
        "causes": could_not_see(inv, findings),
        "muted": muted_rows(findings),
        "compliance": [compliance_view(c) for c in result.compliance],
        "options": filter_options(findings),
        "payload_chunks": _json_chunks_for_script(findings_payload(findings)),
        "config": {"section_page": SECTION_PAGE, "no_team": NO_TEAM_VALUE, "layer_labels": matrix.layer_labels},
    }


def write_html(result: ScanResult, out: TextIO) -> None:
    """Stream the page to a file: neither the page nor its findings payload is ever held as one
    string (on a 35,000-finding account that cost ~90 MB of peak memory)."""
    for piece in _environment().get_template("report.html.j2").generate(**view_model(result)):
        out.write(piece)


def render_html(result: ScanResult) -> str:
    return _environment().get_template("report.html.j2").render(**view_model(result))
