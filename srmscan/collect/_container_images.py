"""Facts about container images and environment variables, shared by the ECS and ECR collectors.

Kept apart from the collectors (the leading underscore keeps it out of collector discovery)
because both sides must agree on how an image reference names an ECR repository: the ECS
collector records which images task definitions use, the ECR collector looks those up.
Everything here treats its input as untrusted text from the account.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from srmscan.redact import looks_secret_name, looks_secret_value

MAX_IMAGE_REF = 512
_ECR_HOST = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
# Names AWS's own ECS.8 control looks for, which the generic secret-name pattern would miss.
_FSBP_SECRET_NAMES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA"}
_BOOLISH = {"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null"}


def parse_image(image: Any) -> dict[str, str | None]:
    """Split an image reference into registry, repository, tag and digest.

    For images in ECR, also the registry's account and region, so the ECR collector can find
    the repository. A reference without tag or digest means `latest`, as Docker reads it."""
    text = str(image or "")[:MAX_IMAGE_REF]
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
    registry = "docker.io"
    path = text
    first, sep, rest = text.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    tag = None
    name, colon, maybe_tag = path.rpartition(":")
    if colon and "/" not in maybe_tag:
        path, tag = name, maybe_tag
    if tag is None and digest is None:
        tag = "latest"
    match = _ECR_HOST.match(registry)
    return {
        "registry": registry,
        "repository": path,
        "tag": tag,
        "digest": digest,
        "ecr_account": match.group(1) if match else None,
        "ecr_region": match.group(2) if match else None,
    }


def value_kind(value: str) -> str:
    """The shape of an environment value (never the value): lets rules tell PASSWORD_MIN_LENGTH=12
    or DB_PASSWORD_ARN=arn:... (not secrets) from DB_PASSWORD=hunter2."""
    stripped = value.strip()
    if not stripped:
        return "empty"
    if stripped.lower() in _BOOLISH:
        return "boolean"
    if re.fullmatch(r"-?\d+(\.\d+)?", stripped):
        return "number"
    if stripped.startswith("arn:"):
        return "arn"
    if re.match(r"^[a-z][a-z0-9+.-]*://", stripped, re.IGNORECASE):
        return "url"
    return "text"


def _url_has_password(value: str) -> bool:
    try:
        return bool(urlsplit(value.strip()).password)
    except ValueError:
        return False


def classify_environment(environment: Any) -> tuple[list[str], list[dict[str, str]]]:
    """Names of plain environment variables, and the ones that look like secrets.

    This is the only place that sees the values; they are judged by shape and dropped here,
    so no value ever reaches the inventory, a finding or a report."""
    names: list[str] = []
    flagged: list[dict[str, str]] = []
    for item in environment or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "")[:256]
        value = str(item.get("value") or "")
        names.append(name)
        kind = value_kind(value)
        if looks_secret_value(value) or (kind == "url" and _url_has_password(value)):
            flagged.append({"name": name, "by": "value shape"})
        elif name.upper() in _FSBP_SECRET_NAMES or (looks_secret_name(name) and kind in ("text", "url")):
            flagged.append({"name": name, "by": "name"})
    return names, flagged
