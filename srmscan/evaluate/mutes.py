"""Mutes: an accepted risk, written down with a reason, an author and an expiry date.

A mute never changes what was observed. A muted finding gets status `muted` and keeps its real
status in `finding.mute["status"]`, so reports can show it in its own section, diffs can still
see a failure underneath, and `--fail-on` ignores it. Muting is a pure function of the findings,
the mute list and the scan date taken from the inventory (never the clock), so re-evaluating a
saved inventory later gives the same result as the scan did.

File format (`srmscan.toml` in the working directory, or `--mutes FILE`)::

    [[mute]]
    rule = "s3.bucket_versioning"            # exact rule id
    resource = "arn:aws:s3:::acme-logs"      # exact resource id or ARN ...
    # resource_glob = "acme-tmp-*"           # ... or an explicit glob (fnmatch, case-sensitive)
    reason = "log bucket, objects are immutable by lifecycle"
    expires = 2026-12-31                     # last day the mute applies (UTC)
    author = "alice@example.com"
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from srmscan.errors import ScanSetupError
from srmscan.model import Finding, Status

DEFAULT_MUTES_FILE = "srmscan.toml"
# Statuses that ask for attention and so can be muted; a pass or info needs no mute.
MUTABLE = (Status.FAIL, Status.UNKNOWN)
_MAX_TEXT = 500


class MuteFileError(ScanSetupError):
    """A mutes file that cannot be read or has an invalid entry: a usage error (exit 2)."""


@dataclass(frozen=True)
class Mute:
    rule: str
    resource: str
    glob: bool
    reason: str
    expires: date
    author: str
    index: int = 0

    def matches(self, finding: Finding) -> bool:
        if finding.rule_id != self.rule:
            return False
        candidates = [c for c in (finding.resource_id, finding.resource_arn) if c]
        if self.glob:
            return any(fnmatch.fnmatchcase(c, self.resource) for c in candidates)
        return self.resource in candidates

    def active_on(self, day: date) -> bool:
        """The expiry date is the last day the mute still applies."""
        return day <= self.expires

    def label(self) -> str:
        kind = "resource_glob" if self.glob else "resource"
        return f"mute #{self.index + 1} (rule {self.rule}, {kind} {self.resource!r}, author {self.author})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "resource": self.resource,
            "glob": self.glob,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "author": self.author,
        }


@dataclass
class MuteOutcome:
    """Findings after muting, and what the mute list itself needs the reader to know."""

    findings: list[Finding]
    stale: list[Mute] = field(default_factory=list)
    only_passing: list[Mute] = field(default_factory=list)
    expired: list[Mute] = field(default_factory=list)

    def notes(self) -> list[str]:
        out = []
        for m in self.stale:
            out.append(f"Stale {m.label()}: it matches no finding in this scan; remove it.")
        for m in self.only_passing:
            out.append(f"Unneeded {m.label()}: every finding it matches passes now; remove it.")
        for m in self.expired:
            out.append(f"Expired {m.label()} ended {m.expires.isoformat()}: its findings are reported again.")
        return out


def default_mutes_path(cwd: Path | None = None) -> Path | None:
    path = (cwd or Path.cwd()) / DEFAULT_MUTES_FILE
    return path if path.is_file() else None


def resolve_mutes(path: Path | None, cwd: Path | None = None) -> list[Mute]:
    """`--mutes FILE` if given (must exist), else `srmscan.toml` in the working directory if present."""
    if path is not None:
        return load_mutes(path)
    default = default_mutes_path(cwd)
    return load_mutes(default) if default else []


def load_mutes(path: Path) -> list[Mute]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MuteFileError(f"cannot read mutes file {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MuteFileError(f"mutes file {path} is not valid TOML: {exc}") from exc
    return parse_mutes(data, str(path))


def parse_mutes(data: dict[str, Any], source: str = "mutes") -> list[Mute]:
    """Validate every entry; a mute missing its reason, author or expiry is refused, not guessed."""
    entries = data.get("mute", [])
    if not isinstance(entries, list):
        raise MuteFileError(f"{source}: 'mute' must be an array of tables ([[mute]])")
    return [_parse_one(entry, i, source) for i, entry in enumerate(entries)]


def _parse_one(entry: Any, index: int, source: str) -> Mute:
    where = f"{source}: mute #{index + 1}"
    if not isinstance(entry, dict):
        raise MuteFileError(f"{where} is not a table")
    unknown = set(entry) - {"rule", "resource", "resource_glob", "reason", "expires", "author"}
    if unknown:
        raise MuteFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")

    def text(key: str) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise MuteFileError(f"{where}: '{key}' is required and must be a non-empty string")
        return value.strip()[:_MAX_TEXT]

    if ("resource" in entry) == ("resource_glob" in entry):
        raise MuteFileError(f"{where}: give exactly one of 'resource' (exact id or ARN) or 'resource_glob'")
    glob = "resource_glob" in entry
    expires = entry.get("expires")
    if isinstance(expires, datetime):
        expires = expires.date()
    elif isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError as exc:
            raise MuteFileError(f"{where}: 'expires' must be a date (YYYY-MM-DD)") from exc
    if not isinstance(expires, date):
        raise MuteFileError(f"{where}: 'expires' is required and must be a date (YYYY-MM-DD)")
    return Mute(
        rule=text("rule"),
        resource=text("resource_glob" if glob else "resource"),
        glob=glob,
        reason=text("reason"),
        expires=expires,
        author=text("author"),
        index=index,
    )


def scan_date(started_at: str) -> date:
    """The day (UTC) the inventory was collected: mutes expire against this, not the clock."""
    moment = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def apply_mutes(findings: list[Finding], mutes: list[Mute], day: date) -> MuteOutcome:
    """Mute matching fail/unknown findings whose mute is active on `day`; the first matching mute wins."""
    matched: set[int] = set()
    muted_any: set[int] = set()
    expired_used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        hits = [m for m in mutes if m.matches(finding)]
        matched.update(m.index for m in hits)
        if not hits or finding.status not in MUTABLE:
            out.append(finding)
            continue
        muted_any.update(m.index for m in hits)
        active = next((m for m in hits if m.active_on(day)), None)
        if active is not None:
            out.append(replace(finding, status=Status.MUTED, mute={**active.to_dict(), "status": str(finding.status)}))
            continue
        lapsed = hits[0]
        expired_used.add(lapsed.index)
        evidence = {**finding.evidence, "expired_mute": lapsed.to_dict()}
        message = f"{finding.message} (mute expired {lapsed.expires.isoformat()}: {lapsed.reason})"
        out.append(replace(finding, message=message, evidence=evidence))
    return MuteOutcome(
        findings=out,
        stale=[m for m in mutes if m.index not in matched],
        only_passing=[m for m in mutes if m.index in matched and m.index not in muted_any],
        expired=[m for m in mutes if m.index in expired_used],
    )
