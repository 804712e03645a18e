"""Compliance views as HTML: a section of report.html (`scan --framework`) or a page of its own
(`srmscan compliance --format html`). Pure: data -> str; every grouping and count is made here.

Texts are autoescaped by the templates; the owner/status filters are CSS-only, so no script is
added and the report's Content-Security-Policy is unchanged.
"""

from __future__ import annotations

from srmscan.evaluate.compliance import ComplianceResult
from srmscan.report.compliance_report import compliance_view
from srmscan.report.html_report import _asset, _environment


def render_compliance_html(results: list[ComplianceResult], tool_version: str = "") -> str:
    """A page with one section per framework (all over the same scan)."""
    style, style_hash = _asset("report.css")
    scope = results[0].scope if results else {}
    return (
        _environment()
        .get_template("compliance.html.j2")
        .render(
            style=style,
            style_hash=style_hash,
            scope=scope,
            tool_version=tool_version,
            compliance=[compliance_view(r) for r in results],
        )
    )
