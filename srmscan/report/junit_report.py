"""report.junit.xml: one test case per rule × resource, for CI dashboards that render JUnit XML.
Pure: one ScanResult -> str.

A failing finding is a <failure>; an unknown or muted one is <skipped> with the reason (a check that
could not run is not a pass, and a muted failure is an accepted exception, not a green test); a
passing one is a plain test case. AWS-side `info` statements are not checks and are left out.
Suites are the owners (customer, shared, aws), so a dashboard shows who has the red tests.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from srmscan.evaluate.summary import OWNER_ORDER
from srmscan.model import Finding, Status
from srmscan.redact import scrub
from srmscan.scan import ScanResult

# Characters XML 1.0 cannot carry at all; account data may contain them.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    return _XML_BAD.sub("\ufffd", "" if value is None else str(value))


def _case(suite: ET.Element, f: Finding) -> None:
    name = f"{f.resource_arn or f.resource_id} ({f.region})"
    case = ET.SubElement(suite, "testcase", classname=_text(f.rule_id), name=_text(name))
    message = _text(scrub(f.message, "message"))
    if f.status is Status.FAIL:
        failure = ET.SubElement(case, "failure", message=message, type=_text(f.severity))
        failure.text = _text(f"{f.title}\n{message}\nRemediation: {f.remediation}")
    elif f.status is Status.UNKNOWN:
        ET.SubElement(case, "skipped", message=_text(f"not evaluated: {f.unknown_reason or f.message}"))
    elif f.status is Status.MUTED:
        mute = f.mute or {}
        reason = f"muted ({mute.get('status', '?')}): {mute.get('reason', '')} until {mute.get('expires', '?')}"
        ET.SubElement(case, "skipped", message=_text(reason))
    props = ET.SubElement(case, "properties")
    for key, value in (("owner", f.owner), ("layer", f.layer), ("severity", f.severity), ("finding_id", f.id)):
        ET.SubElement(props, "property", name=key, value=_text(value))


def render_junit(result: ScanResult) -> str:
    inv = result.inventory
    root = ET.Element("testsuites", name=_text(f"srmscan {inv.account_id}"), timestamp=_text(inv.started_at))
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for owner in OWNER_ORDER:
        checks = [f for f in result.findings if f.owner is owner and f.status is not Status.INFO]
        failures = sum(1 for f in checks if f.status is Status.FAIL)
        skipped = sum(1 for f in checks if f.status in (Status.UNKNOWN, Status.MUTED))
        suite = ET.SubElement(
            root,
            "testsuite",
            name=str(owner),
            tests=str(len(checks)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
            timestamp=_text(inv.started_at),
            time=f"{result.duration_s:.3f}",
        )
        for f in checks:
            _case(suite, f)
        totals["tests"] += len(checks)
        totals["failures"] += failures
        totals["skipped"] += skipped
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
