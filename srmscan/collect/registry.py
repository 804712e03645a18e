"""Collectors declare themselves here: a name, a scope and the IAM actions they use.

The declared actions are the single source of the least-privilege policy (`srmscan
permissions`), and a test checks that what collectors call matches what they declare.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from srmscan.collect.context import Collection

Scope = Literal["global", "regional"]
CollectFn = Callable[[Collection, str], None]


@dataclass(frozen=True)
class CollectorSpec:
    name: str
    scope: Scope
    actions: tuple[str, ...]
    func: CollectFn
    after: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()


_REGISTRY: dict[str, CollectorSpec] = {}

# Every other module in srmscan/collect is a collector module: adding a service is adding a file.
_FRAMEWORK = {"context", "errors", "iam_actions", "registry", "runner", "session"}


def collector(
    name: str,
    *,
    scope: Scope,
    actions: list[str] | tuple[str, ...],
    produces: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
) -> Callable[[CollectFn], CollectFn]:
    """Declare a collector. `produces` lists the resource types it lists: if it crashes,
    those become unknown in that region instead of silently absent."""

    def register(func: CollectFn) -> CollectFn:
        _REGISTRY[name] = CollectorSpec(name, scope, tuple(actions), func, after, tuple(produces))
        return func

    return register


def all_collectors() -> list[CollectorSpec]:
    import srmscan.collect as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _FRAMEWORK and not info.name.startswith("_"):
            importlib.import_module(f"srmscan.collect.{info.name}")
    return sorted(_REGISTRY.values(), key=lambda c: c.name)


# Read-only actions used outside collection (e.g. CloudTrail attribution after evaluation),
# declared by their module at import so `srmscan permissions` still lists everything srmscan calls.
_EXTRA_ACTIONS: dict[str, tuple[str, ...]] = {}


def declare_actions(user: str, actions: list[str] | tuple[str, ...]) -> None:
    """Declare IAM actions used by a non-collector module of this package (`user` names it)."""
    _EXTRA_ACTIONS[user] = tuple(actions)


def extra_actions() -> dict[str, tuple[str, ...]]:
    all_collectors()  # imports every module of the package, so their declarations are in
    return dict(_EXTRA_ACTIONS)


def declared_actions() -> list[str]:
    collected = {a for spec in all_collectors() for a in spec.actions}
    return sorted(collected | {a for actions in _EXTRA_ACTIONS.values() for a in actions})
