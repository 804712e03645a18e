"""Pure helpers over IAM-style policy documents, tolerant of whatever an account contains.

Policies come from the account and are untrusted: they may be malformed JSON, use a single
statement instead of a list, or carry values of unexpected types. Every helper here returns
an answer rather than raising on odd shapes; `parse` is the only place that may say "malformed".
"""

from __future__ import annotations

import json
from collections.abc import Callable
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


def _true(value: Any) -> bool:
    return all(str(v).lower() == "true" for v in as_list(value)) and bool(as_list(value))


def via_function_url_only(statement: dict[str, Any]) -> bool:
    """True when the statement can only be used through a Lambda function URL.

    Lambda writes these for function URLs: `lambda:InvokeFunctionUrl` with a
    `lambda:FunctionUrlAuthType` condition, and (for URLs made since October 2025)
    `lambda:InvokeFunction` with `Bool lambda:InvokedViaFunctionUrl = true`. Such a statement does
    not narrow *who*: it narrows the door to the URL, whose auth type decides whether anyone at all
    may walk through. So it is judged with the URL, not as a policy open to every caller. Only the
    exact `Bool` operator counts: `BoolIfExists` also matches a direct Invoke that lacks the key."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if not isinstance(block, dict):
            continue
        op = str(operator).lower()
        for key, value in block.items():
            name = str(key).lower()
            if name == "lambda:invokedviafunctionurl" and op == "bool" and _true(value):
                return True
            if (
                name == "lambda:functionurlauthtype"
                and op in ("stringequals", "stringequalsignorecase")
                and "*" not in [str(v) for v in as_list(value)]
                and bool(as_list(value))
            ):
                return True
    return False


def _open_to_anyone(statement: dict[str, Any]) -> bool:
    return (
        statement.get("Effect") == "Allow"
        and (principal_is_public(statement.get("Principal")) or statement.get("NotPrincipal") is not None)
        and not has_restricting_condition(statement)
    )


def public_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """Allow statements open to any principal with no condition that narrows who.

    Statements usable only through a Lambda function URL are left out (see
    `function_url_statements`): the URL's auth type, not the policy, decides who reaches them."""
    return [s for s in statements(policy) if _open_to_anyone(s) and not via_function_url_only(s)]


def function_url_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """Allow statements open to any principal that apply only through a Lambda function URL."""
    return [s for s in statements(policy) if _open_to_anyone(s) and via_function_url_only(s)]


def statement_ids(found: list[dict[str, Any]]) -> list[str]:
    return [str(s.get("Sid") or f"#{i}") for i, s in enumerate(found)]


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
    return "public", public, statement_ids(public)


def granted_actions(found: list[dict[str, Any]]) -> list[str]:
    """The actions the given statements allow, deduplicated and sorted: what every "policy is
    public" finding names, so that they all word it alike. A statement that lists no Action (one
    with NotAction) shows as "None"."""
    actions: set[str] = set()
    for statement in found:
        action = statement.get("Action")
        actions.update(str(a) for a in (action if isinstance(action, list) else [action]))
    return sorted(actions)


# --- other AWS accounts a policy grants, against the trusted-account allow-list -------------
TRUSTED_ACCOUNTS_TABLE = "trusted_accounts"
# With Principal "*", these condition keys name the accounts (or principals, or the owners of the
# access points through which) actually let in.
_ACCOUNT_NAMING_KEYS = {"aws:principalaccount", "aws:principalarn", "s3:dataaccesspointaccount"}
_NAMING_OPERATORS = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}


def trusted_accounts(table: Any) -> tuple[set[str], dict[str, str]]:
    """Account ids (and optional names) of the `trusted_accounts` table, shared by every rule that
    reports grants to other accounts (role trust, bucket policies). Users replace the table with
    data/trusted_accounts.toml in their own --rules-dir; a missing or odd table trusts nobody."""
    if not isinstance(table, dict):
        return set(), {}
    accounts = {str(a).strip() for a in as_list(table.get("accounts")) if str(a).strip()}
    names = table.get("names")
    return accounts, ({str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {})


def _condition_accounts(statement: dict[str, Any]) -> list[tuple[str, str, bool]]:
    condition = statement.get("Condition")
    found: list[tuple[str, str, bool]] = []
    if not isinstance(condition, dict):
        return found
    for operator, block in condition.items():
        op = str(operator).lower().removeprefix("forallvalues:").removeprefix("foranyvalue:").removesuffix("ifexists")
        if not isinstance(block, dict) or op not in _NAMING_OPERATORS:
            continue
        for key, value in block.items():
            if str(key).lower() in _ACCOUNT_NAMING_KEYS:
                for item in as_list(value):
                    account = account_of(str(item))
                    if account:
                        found.append((account, f"* with {key} {item}", True))
    return found


def granted_accounts(statement: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(account id, principal as written, named by a condition) for each AWS account an Allow
    statement lets in: named principals, and for Principal "*" the accounts its
    aws:PrincipalAccount / aws:PrincipalArn condition names (that condition is the grant, not a
    guard on it). Service, federated and canonical-user principals name no account."""
    if statement.get("Effect") != "Allow":
        return []
    principal = statement.get("Principal")
    if principal_is_public(principal):
        return _condition_accounts(statement)
    found = []
    for text in aws_principals(principal):
        account = account_of(text)
        if account:
            found.append((account, text, False))
    return found


def external_accounts(
    document: dict[str, Any],
    own_account: str,
    trusted: set[str],
    guarded: Callable[[dict[str, Any]], bool],
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Accounts other than ours that a policy grants: ({account: principals, guarded}, listed ones).

    `guarded(statement)` says whether a condition narrows the grant (the caller knows which keys
    count for its kind of policy); an account is guarded only if every statement naming it is."""
    external: dict[str, dict[str, Any]] = {}
    allowed: set[str] = set()
    for s in statements(document):
        for account, principal, by_condition in granted_accounts(s):
            if account == own_account:
                continue
            if account in trusted:
                allowed.add(account)
                continue
            entry = external.setdefault(account, {"account": account, "principals": [], "guarded": True})
            entry["principals"].append(principal)
            narrowed = not by_condition and bool(s.get("Condition")) and guarded(s)
            entry["guarded"] = entry["guarded"] and narrowed
    return external, allowed
