"""Pure helpers over IAM-style policy documents, tolerant of whatever an account contains.

Policies come from the account and are untrusted: they may be malformed JSON, use a single
statement instead of a list, or carry values of unexpected types. Every helper here returns
an answer rather than raising on odd shapes; `parse` is the only place that may say "malformed".
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

# Condition keys that tie a wildcard principal to something the owner controls.
RESTRICTING_CONDITION_KEYS = {
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "aws:sourceowner",
    "s3:dataaccesspointaccount",
    "lambda:functionurlauthtype",
    "sts:externalid",
    "aws:principalservicename",
}


class MalformedPolicy(ValueError):
    """The policy text is not a JSON object we can read."""


def parse(document: Any) -> dict[str, Any]:
    """Accept a dict, a JSON string, or a URL-encoded JSON string (as IAM returns them)."""
    if isinstance(document, dict):
        return _checked(document)
    if not isinstance(document, str):
        raise MalformedPolicy(f"policy is a {type(document).__name__}, not a JSON object")
    text = document.strip()
    if text.startswith("%7B") or text.startswith("%7b"):
        text = unquote(text)
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MalformedPolicy(f"policy is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise MalformedPolicy("policy JSON is not an object")
    return _checked(value)


def _checked(policy: dict[str, Any]) -> dict[str, Any]:
    """A Statement that is not an object or a list of objects cannot be read, so the policy is
    malformed: skipping the odd parts would let a rule pass a document it never understood."""
    raw = policy.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    bad = [type(s).__name__ for s in items if not isinstance(s, dict)]
    if bad:
        raise MalformedPolicy(f"policy Statement holds a {bad[0]}, not an object")
    return policy


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    raw = policy.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    return [s for s in raw if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def principal_is_public(principal: Any) -> bool:
    """True for `"*"`, `{"AWS": "*"}` or any principal list containing `*`."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in [str(v) for v in as_list(values)] for values in principal.values())
    return False


def aws_principals(principal: Any) -> list[str]:
    if isinstance(principal, dict):
        return [str(v) for v in as_list(principal.get("AWS"))]
    if isinstance(principal, str):
        return [principal]
    return []


def has_restricting_condition(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if not isinstance(block, dict):
            continue
        if str(operator).lower().startswith("null"):
            continue
        for key, value in block.items():
            if str(key).lower() in RESTRICTING_CONDITION_KEYS and "*" not in [str(v) for v in as_list(value)]:
                return True
    return False


def public_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """Allow statements open to any principal with no condition that narrows who."""
    return [
        s
        for s in statements(policy)
        if s.get("Effect") == "Allow"
        and (principal_is_public(s.get("Principal")) or s.get("NotPrincipal") is not None)
        and not has_restricting_condition(s)
    ]


def is_full_admin(statement: dict[str, Any]) -> bool:
    """`Action: "*"` on `Resource: "*"` in an Allow statement (FSBP IAM.1)."""
    if statement.get("Effect") != "Allow":
        return False
    actions = [str(a) for a in as_list(statement.get("Action"))]
    resources = [str(r) for r in as_list(statement.get("Resource"))]
    return "*" in actions and "*" in resources


def account_of(principal: str) -> str | None:
    """The 12-digit account of an ARN or bare account id principal."""
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":")
    if len(parts) >= 5 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return None


def resource_policy_exposure(policy: dict[str, Any] | None) -> tuple[str, list[dict[str, Any]], list[str]]:
    """How a collected resource policy (`{"document", "malformed"}` or None) exposes its resource.

    Returns (state, public statements, their Sids) with state one of "none", "malformed",
    "private", "public". Shared by every "resource policy is public" rule so that they judge
    alike; a policy that cannot be parsed is never "private".
    """
    if policy is None:
        return "none", [], []
    if policy.get("malformed") or not isinstance(policy.get("document"), dict):
        return "malformed", [], []
    public = public_statements(policy["document"])
    if not public:
        return "private", [], []
    return "public", public, [str(s.get("Sid") or f"#{i}") for i, s in enumerate(public)]
