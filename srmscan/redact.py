"""Last line of defence against writing a secret: collectors drop secret values at the source,
and every writer passes its data through `scrub` as well."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "***redacted***"
_SECRET_KEY = re.compile(r"(passw|secret|token|private.?key|credential|api.?key|auth)", re.IGNORECASE)
# Key names that match the pattern above but hold no secret value.
_SAFE_KEYS = {
    "name",
    "names",
    "secret_names",
    "token_names",
    "auth_type",
    "authtype",
    "credential_report",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "password_policy",
    "passwordpolicy",
    "mfa_active",
    "secret_like_env",
    "authorization",
    # A mute's author is a name or an email address: accountability, not a secret.
    "author",
}
_SECRET_VALUE = re.compile(
    r"(AKIA|ASIA)[A-Z0-9]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bxox[baprs]-[A-Za-z0-9-]{10,}"
)


def looks_secret_name(name: str) -> bool:
    return bool(_SECRET_KEY.search(name))


def looks_secret_value(value: str) -> bool:
    return bool(_SECRET_VALUE.search(value))


def scrub(value: Any, key: str = "") -> Any:
    """Copy of `value` with secret-looking values replaced; structure and names are kept."""
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, key) for v in value]
    if isinstance(value, str):
        lowered = key.lower()
        if key and lowered not in _SAFE_KEYS and _SECRET_KEY.search(key) and value and not _boolish(value):
            return REDACTED
        if looks_secret_value(value):
            return _SECRET_VALUE.sub(REDACTED, value)
    return value


def _boolish(value: str) -> bool:
    return value.lower() in {"true", "false", "n/a", "none", "enabled", "disabled"}
