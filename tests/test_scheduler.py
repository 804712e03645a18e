"""The collector scheduler starts work by dependency, not by level.

Not timing tests: each asserts an order of events that a level-by-level scheduler (or one that
ignored `after`) could not produce.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest

from srmscan.collect.registry import CollectorSpec
from srmscan.collect.runner import _run

REGIONS = ["us-east-1", "eu-west-1"]


def _collection(workers: int = 8) -> Any:
    recorded: list[tuple[str, str]] = []

    def record(name: str, op: str, region: str, code: str, message: str, kind: Any) -> Any:
        recorded.append((op, code))
        return SimpleNamespace(id=f"{op}:{code}")

    return SimpleNamespace(
        aws=SimpleNamespace(tuning=SimpleNamespace(max_workers=workers)),
        home_region=REGIONS[0],
        regions=REGIONS,
        gaps=[],
        _record=record,
        recorded=recorded,
    )


def _spec(name: str, func: Any, *, after: tuple[str, ...] = (), scope: str = "regional") -> CollectorSpec:
    return CollectorSpec(name, scope, (), func, after, ("AWS::Test::Thing",))  # type: ignore[arg-type]


def test_a_dependent_collector_starts_while_an_unrelated_one_is_still_running() -> None:
    # "slow" can only finish once "dependent" has run: a scheduler that waits for the whole first
    # level before starting "dependent" would never get there.
    dependent_ran = threading.Event()
    waited: list[bool] = []

    def slow(c: Any, region: str) -> None:
        waited.append(dependent_ran.wait(timeout=5))

    _run(
        _collection(),
        [
            _spec("base", lambda c, r: None, scope="global"),
            _spec("slow", slow),
            _spec("dependent", lambda c, r: dependent_ran.set(), after=("base",), scope="global"),
        ],
        None,
    )
    assert waited == [True, True], "the dependent collector waited for an unrelated one"


def test_a_collector_runs_only_after_its_dependency_finished_in_every_region() -> None:
    log: list[str] = []
    lock = threading.Lock()
    gate = threading.Event()

    def ecs(c: Any, region: str) -> None:
        if region == "eu-west-1":
            gate.wait(timeout=0.5)  # the last region finishes last
        with lock:
            log.append(f"ecs {region}")

    def ecr(c: Any, region: str) -> None:
        with lock:
            log.append(f"ecr {region}")

    _run(_collection(), [_spec("ecr", ecr, after=("ecs",)), _spec("ecs", ecs)], None)
    first_ecr = min(i for i, e in enumerate(log) if e.startswith("ecr"))
    last_ecs = max(i for i, e in enumerate(log) if e.startswith("ecs"))
    assert last_ecs < first_ecr, log
    assert sorted(log) == ["ecr eu-west-1", "ecr us-east-1", "ecs eu-west-1", "ecs us-east-1"]


def test_a_crashing_dependency_still_lets_its_dependents_run_and_is_recorded() -> None:
    ran: list[str] = []

    def broken(c: Any, region: str) -> None:
        raise ValueError("odd data")

    c = _collection()
    _run(c, [_spec("broken", broken), _spec("after", lambda c, r: ran.append(r), after=("broken",))], None)
    assert sorted(ran) == sorted(REGIONS)
    assert ("collector:broken", "ValueError") in c.recorded
    assert len(c.gaps) == len(REGIONS)  # its resource type is unknown in each region, not absent


def test_progress_counts_every_task_once() -> None:
    seen: list[tuple[int, int]] = []
    specs = [_spec("a", lambda c, r: None), _spec("b", lambda c, r: None, after=("a",), scope="global")]
    _run(_collection(), specs, lambda done, total, label: seen.append((done, total)))
    assert [d for d, _ in seen] == [1, 2, 3] and {t for _, t in seen} == {3}


def test_a_dependency_cycle_is_refused_before_anything_runs() -> None:
    ran: list[str] = []
    specs = [
        _spec("x", lambda c, r: ran.append("x"), after=("y",)),
        _spec("y", lambda c, r: ran.append("y"), after=("x",)),
    ]
    with pytest.raises(RuntimeError, match="cycle"):
        _run(_collection(), specs, None)
    assert ran == []
