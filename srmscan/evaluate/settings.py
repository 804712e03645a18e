"""Verdicts on one setting of a resource that several rules (and services) judge alike.

Collectors store a yes/no setting the AWS answer left out as None (an older API version, a
field only some engines report). Such a rule must say "unknown" then, never pass or fail on a
guess; `switch` is that one decision, so every rule of the kind treats a missing answer alike.
`web_acl` is the AWS WAF association every front door (API Gateway stage, CloudFront
distribution) is judged on, in the same words.
"""

from __future__ import annotations

from typing import Any

from srmscan.evaluate.rules_api import Verdict, fail, passed, unknown


def switch(value: bool | None, *, unreported: str, on: str, off: str, **evidence: Any) -> Verdict:
    """`unknown(unreported)` when the answer did not report the setting, else `passed(on)` when it
    is on and `fail(off)` when it is off (with the same evidence either way)."""
    if value is None:
        return unknown(unreported)
    return passed(on, **evidence) if value else fail(off, **evidence)


def web_acl(acl: str | None, holder: str) -> Verdict:
    """Passed naming the web ACL when one is associated, else fail naming what lacks one."""
    if acl:
        return passed("Web ACL attached", web_acl=acl)
    return fail(f"No AWS WAF web ACL is associated with the {holder}")
