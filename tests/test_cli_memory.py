"""`srmscan` caps glibc's malloc arenas for its own process, and only there."""

from __future__ import annotations

import ctypes.util
import sys
from pathlib import Path

import pytest

from srmscan.cli import memory

GLIBC = sys.platform.startswith("linux") and "libc.so" in (ctypes.util.find_library("c") or "libc.so.6")


def test_a_users_own_malloc_arena_max_is_left_to_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert memory.limit_malloc_arenas() is False


@pytest.mark.skipif(not GLIBC, reason="mallopt(M_ARENA_MAX) is glibc's")
def test_the_cap_is_set_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert memory.limit_malloc_arenas() is True


def test_main_sets_the_cap_before_the_command_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import srmscan.cli as cli

    order: list[str] = []
    monkeypatch.setattr(cli, "limit_malloc_arenas", lambda: order.append("arenas") or True)
    monkeypatch.setattr(cli, "app", lambda **_: order.append("app") or 0)
    with pytest.raises(SystemExit):
        cli.main()
    assert order == ["arenas", "app"]


def test_only_the_command_tunes_the_process() -> None:
    """The library never changes the allocator of a program that imports it: only `main` does."""
    package = Path(memory.__file__).parents[1]
    callers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "limit_malloc_arenas" in path.read_text(encoding="utf-8")
    }
    assert callers == {"cli/__init__.py", "cli/memory.py"}
