"""Locate the rules/ and templates/ folders, installed in the wheel or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the srmscan package folder


def bundled(name: str) -> Path:
    """The wheel maps top-level folders into `srmscan/_bundled/`; an editable install does
    not see that copy, so fall back to the repository folder next to the package."""
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"srmscan is missing its {name}/ folder")


def rules_dir() -> Path:
    return bundled("rules")


def templates_dir() -> Path:
    return bundled("templates")
