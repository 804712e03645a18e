"""Compliance frameworks as data: rules/frameworks/*.toml, loaded into plain, frozen objects.

A framework file lists every requirement of one regime with its official id, a title in our own
words, who owns it under the Shared Responsibility Model and why, and either the srmscan rules
that evidence it or the manual evidence an auditor will ask for. AWS-owned rows name the AWS
attestation (via AWS Artifact) that covers them instead. Nothing here reads an account.

The FSBP framework is different: its rows come from the `fsbp` ids on the rules themselves,
set against the full list of FSBP control ids in fsbp_controls.toml, so a control of a scanned
service that no rule covers shows up as a gap instead of silently disappearing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srmscan.evaluate.resources import rules_dir
from srmscan.model import Owner

FSBP_ID = "fsbp"
FSBP_FILE = "fsbp_controls.toml"
# How srmscan evidences a row: every check from API data, some of it, or none (documents, people).
CHECKS = ("automated", "partial", "manual")


class FrameworkError(Exception):
    """A framework file that does not parse or breaks the file format; or an unknown id."""


@dataclass(frozen=True)
class Attestation:
    """An independent report that covers AWS's side of a row (downloaded from AWS Artifact)."""

    key: str
    name: str
    covers: str
    url: str
    via: str = "AWS Artifact"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    section: str
    owner: Owner
    why: str
    check: str
    rules: tuple[str, ...] = ()
    manual: str = ""
    attestation: str = ""
    # Framework-specific facts kept for the reader (e.g. CIS "assessment" and "profile").
    extra: dict[str, str] = field(default_factory=dict)
    # FSBP only: a control of a scanned service that no srmscan rule evaluates yet.
    gap: bool = False


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    publisher: str
    source: str
    description: str
    id_pattern: str
    requirements: tuple[Requirement, ...]
    attestations: dict[str, Attestation]
    notes: tuple[str, ...] = ()
    # FSBP only: controls of services srmscan does not scan (no row; counted in the summary).
    out_of_scope: tuple[str, ...] = ()

    def requirement(self, req_id: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == req_id), None)

    @property
    def rule_ids(self) -> set[str]:
        return {rid for req in self.requirements for rid in req.rules}


def frameworks_dir() -> Path:
    return rules_dir() / "frameworks"


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FrameworkError(f"{path.name}: {exc}") from exc


def available(folder: Path | None = None) -> list[str]:
    """Framework ids that `--framework` accepts, FSBP included."""
    folder = folder or frameworks_dir()
    ids = [str(_read(p).get("id", p.stem)) for p in sorted(folder.glob("*.toml")) if p.name != FSBP_FILE]
    return sorted([*ids, FSBP_ID])


def _attestations(data: dict[str, Any]) -> dict[str, Attestation]:
    out = {}
    for key, entry in (data.get("attestation") or {}).items():
        out[key] = Attestation(
            key=key,
            name=str(entry["name"]),
            covers=str(entry.get("covers", "")),
            url=str(entry.get("url", "")),
            via=str(entry.get("via", "AWS Artifact")),
        )
    return out


def _requirement(entry: dict[str, Any], sections: dict[str, dict[str, Any]], where: str) -> Requirement:
    """One row; `owner`, `why`, `check` and `attestation` fall back to its section's defaults."""
    section_id = str(entry.get("section", ""))
    defaults = sections.get(section_id, {})
    try:
        owner = Owner(str(entry.get("owner", defaults.get("owner", ""))))
    except ValueError as exc:
        raise FrameworkError(f"{where}: requirement {entry.get('id')!r} has no valid owner") from exc
    rules = tuple(str(r) for r in entry.get("rules", ()))
    check = str(entry.get("check", defaults.get("check", "automated" if rules else "manual")))
    if owner is not Owner.AWS and check not in CHECKS:
        raise FrameworkError(f"{where}: requirement {entry.get('id')!r} has check {check!r}")
    extra = {str(k): str(v) for k, v in (entry.get("extra") or {}).items()}
    return Requirement(
        id=str(entry["id"]),
        title=" ".join(str(entry.get("title", "")).split()),
        section=str(defaults.get("title", section_id)),
        owner=owner,
        why=" ".join(str(entry.get("why", defaults.get("why", ""))).split()),
        check="inherited" if owner is Owner.AWS else check,
        rules=rules,
        manual=" ".join(str(entry.get("manual", defaults.get("manual", ""))).split()),
        attestation=str(entry.get("attestation", defaults.get("attestation", ""))),
        extra=extra,
    )


def load_file(path: Path) -> Framework:
    data = _read(path)
    sections = {str(s["id"]): dict(s) for s in data.get("section", [])}
    try:
        reqs = tuple(_requirement(dict(e), sections, path.name) for e in data.get("requirement", []))
        return Framework(
            id=str(data["id"]),
            name=str(data["name"]),
            version=str(data.get("version", "")),
            publisher=str(data.get("publisher", "")),
            source=str(data.get("source", "")),
            description=" ".join(str(data.get("description", "")).split()),
            id_pattern=str(data.get("id_pattern", r"^\S+$")),
            requirements=reqs,
            attestations=_attestations(data),
            notes=tuple(" ".join(str(n).split()) for n in data.get("notes", [])),
        )
    except KeyError as exc:
        raise FrameworkError(f"{path.name}: missing field {exc}") from exc


@dataclass(frozen=True)
class RuleRef:
    """What the FSBP derivation needs from a rule: no dependency on the engine."""

    id: str
    owner: Owner
    fsbp: tuple[str, ...]


def fsbp_catalogue(folder: Path | None = None) -> dict[str, Any]:
    """The FSBP control list as data (ids, our short titles, its source)."""
    return _read((folder or frameworks_dir()) / FSBP_FILE)


def fsbp_control_ids(catalogue: dict[str, Any]) -> dict[str, str]:
    """FSBP control id -> our short title ("" where we keep none)."""
    return {str(c["id"]): str(c.get("title", "")) for c in catalogue.get("control", [])}


def _service(control_id: str) -> str:
    return control_id.split(".", 1)[0].lower()


def _control_order(control_id: str) -> tuple[str, int]:
    service, _, num = control_id.partition(".")
    return (service.lower(), int(num) if num.isdigit() else 0)


def fsbp_framework(rules: Iterable[RuleRef], folder: Path | None = None) -> Framework:
    """FSBP rows derived from the rules' fsbp ids; uncovered controls of scanned services are gaps."""
    catalogue = fsbp_catalogue(folder)
    controls = fsbp_control_ids(catalogue)
    by_control: dict[str, list[RuleRef]] = {}
    for ref in rules:
        for cid in ref.fsbp:
            if cid in controls:
                by_control.setdefault(cid, []).append(ref)
    scanned = {_service(cid) for cid in by_control}
    reqs: list[Requirement] = []
    out_of_scope: list[str] = []
    for cid in sorted(controls, key=_control_order):
        refs = by_control.get(cid, [])
        if not refs and _service(cid) not in scanned:
            out_of_scope.append(cid)
            continue
        owners = {r.owner for r in refs}
        owner = Owner.SHARED if owners == {Owner.SHARED} else Owner.CUSTOMER
        title = controls[cid] or "(title not kept: see the Security Hub controls reference)"
        if refs:
            why = "A configuration of our own resources: Security Hub evaluates it on the customer side."
            if owner is Owner.SHARED:
                why = "AWS does the work; the setting that decides whether it happens is ours."
            reqs.append(
                Requirement(
                    id=cid,
                    title=title,
                    section=cid.split(".", 1)[0],
                    owner=owner,
                    why=why,
                    check="automated",
                    rules=tuple(sorted(r.id for r in refs)),
                )
            )
        else:
            reqs.append(
                Requirement(
                    id=cid,
                    title=title,
                    section=cid.split(".", 1)[0],
                    owner=Owner.CUSTOMER,
                    why="A configuration of our own resources, on a service srmscan scans.",
                    check="manual",
                    manual="No srmscan rule evaluates this control yet: read its result in AWS Security Hub, "
                    "or check it by hand.",
                    gap=True,
                )
            )
    meta = catalogue.get("standard", {})
    return Framework(
        id=FSBP_ID,
        name=str(meta.get("name", "AWS Foundational Security Best Practices")),
        version=str(meta.get("version", "1.0.0")),
        publisher=str(meta.get("publisher", "Amazon Web Services")),
        source=str(meta.get("source", "")),
        description=" ".join(str(meta.get("description", "")).split()),
        id_pattern=str(meta.get("id_pattern", r"^[A-Za-z0-9]+\.\d+$")),
        requirements=tuple(reqs),
        attestations={},
        notes=tuple(" ".join(str(n).split()) for n in meta.get("notes", [])),
        out_of_scope=tuple(out_of_scope),
    )


def load_framework(framework_id: str, rules: Iterable[RuleRef] = (), folder: Path | None = None) -> Framework:
    """A framework by id (as `--framework` takes it); FSBP is derived from `rules`."""
    wanted = framework_id.strip().lower()
    if wanted == FSBP_ID:
        return fsbp_framework(rules, folder)
    folder = folder or frameworks_dir()
    for path in sorted(folder.glob("*.toml")):
        if path.name == FSBP_FILE:
            continue
        framework = load_file(path)
        if framework.id.lower() == wanted:
            return framework
    raise FrameworkError(f"unknown framework {framework_id!r} (choose from {', '.join(available(folder))})")


def id_is_well_formed(framework: Framework, req_id: str) -> bool:
    return re.fullmatch(framework.id_pattern, req_id) is not None
