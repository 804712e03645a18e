"""Run every collector over every region concurrently and assemble the inventory."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime

from srmscan.collect.context import Cancelled, Collection
from srmscan.collect.registry import CollectorSpec, all_collectors
from srmscan.collect.session import AwsSession
from srmscan.model import ErrorKind, Inventory, ListingGap

Progress = Callable[[int, int, str], None]


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def collect_inventory(
    aws: AwsSession,
    regions: list[str],
    *,
    progress: Progress | None = None,
    only: set[str] | None = None,
) -> Inventory:
    """Collect one account. Interrupting (Ctrl-C) returns what was gathered, marked partial."""
    account_id, partition = aws.identity()
    started = now_iso()
    collection = Collection(aws, account_id, partition, regions)
    specs = [s for s in all_collectors() if only is None or s.name in only]
    partial = False
    try:
        _run(collection, specs, progress)
    except KeyboardInterrupt:
        collection.cancelled.set()
        partial = True
    finally:
        collection.close()
    inventory = Inventory(
        account_id=account_id,
        partition=partition,
        regions=list(regions),
        started_at=started,
        finished_at=now_iso(),
        resources=sorted(collection.resources, key=lambda r: (r.type, r.region, r.id)),
        errors=list(collection.errors),
        gaps=list(collection.gaps),
        partial=partial,
        api_calls=collection.api_calls,
    )
    inventory.account_alias = _alias(inventory)
    return inventory


def _alias(inventory: Inventory) -> str | None:
    for res in inventory.resources:
        if res.type == "AWS::::Account" and res.region == "global":
            aliases = res.attrs.get("aliases") or []
            return str(aliases[0]) if aliases else None
    return None


def _check_acyclic(specs: list[CollectorSpec]) -> None:
    """Refuse a dependency cycle up front: a scheduler would otherwise wait forever."""
    names = {s.name for s in specs}
    done: set[str] = set()
    remaining = list(specs)
    while remaining:
        ready = [s for s in remaining if all(a in done or a not in names for a in s.after)]
        if not ready:
            raise RuntimeError("collector dependency cycle: " + ", ".join(s.name for s in remaining))
        done.update(s.name for s in ready)
        remaining = [s for s in remaining if s not in ready]


def _run(collection: Collection, specs: list[CollectorSpec], progress: Progress | None) -> None:
    """Start each collector as soon as the collectors it enriches have finished in every region.

    Scheduling by dependency, not by level, keeps the critical path short under real latency: a
    collector that waits for ECS does not also wait for the slowest S3 or EC2 region.
    """
    _check_acyclic(specs)
    names = {s.name for s in specs}
    regions_of = {s.name: [collection.home_region] if s.scope == "global" else collection.regions for s in specs}
    left = {s.name: len(regions_of[s.name]) for s in specs}  # tasks not yet finished, per collector
    waiting = list(specs)
    tasks_total = sum(left.values())
    finished = 0
    futures: dict[Future[None], tuple[str, str]] = {}
    with ThreadPoolExecutor(
        max_workers=collection.aws.tuning.max_workers, thread_name_prefix="srmscan-collect"
    ) as pool:

        def submit_ready() -> None:
            for spec in [s for s in waiting if all(left.get(a, 0) == 0 for a in s.after if a in names)]:
                waiting.remove(spec)
                for region in regions_of[spec.name]:
                    label = spec.name if spec.scope == "global" else f"{spec.name} {region}"
                    futures[pool.submit(_guard, spec, collection, region)] = (spec.name, label)

        submit_ready()
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in done:
                    name, label = futures[fut]
                    finished += 1
                    left[name] -= 1
                    fut.result()
                    if progress:
                        progress(finished, tasks_total, label)
                if done:
                    before = set(futures)
                    submit_ready()
                    pending |= set(futures) - before
        except KeyboardInterrupt:
            collection.cancelled.set()
            for fut in pending:
                fut.cancel()
            raise


def _guard(spec: CollectorSpec, collection: Collection, region: str) -> None:
    """A collector bug must not lose the rest of the scan; it is recorded like a failed call."""
    try:
        spec.func(collection, region)
    except Cancelled:
        return
    except Exception as exc:
        error = collection._record(
            spec.name, f"collector:{spec.name}", region, type(exc).__name__, str(exc), ErrorKind.OTHER
        )
        for resource_type in spec.produces:
            collection.gaps.append(ListingGap(resource_type, region, error.id))
