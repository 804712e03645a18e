"""`srmscan` CLI with a botocore call counter: `python -m tests.bench.scanproc scan ...`.

The bench runs the scan as its own process through this wrapper, which is the real CLI
(`srmscan.cli.main`) plus two event hooks registered on every scanner session:
`before-call` counts logical API calls per (service, operation), `request-created` counts HTTP
attempts (so retries show). It also times the phases (collect, evaluate, write reports) and
reads the process's memory after each (`/proc/self/status`: VmHWM = peak so far, VmRSS = now),
so a memory or time problem can be pinned to a phase. The counts, phases and peak RSS are
written as JSON to the file named by `SRMSCAN_BENCH_CALLS` when the process exits.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from srmscan.collect import session as session_mod

calls: Counter[str] = Counter()
phases: list[dict[str, Any]] = []
attempts: Counter[str] = Counter()
_lock = threading.Lock()


_names: dict[str, str] = {}  # event-name service id (e.g. "config-service") -> boto3 name ("config")


def _key(event_name: str) -> str:
    # before-call.<service-id>.<Operation> / request-created.<service-id>.<Operation>
    parts = event_name.split(".")
    if len(parts) < 3:
        return event_name
    return f"{_names.get(parts[1], parts[1])} {parts[2]}"


def _on_call(event_name: str = "", model: Any = None, **_: Any) -> None:
    with _lock:
        if model is not None:
            _names[event_name.split(".")[1]] = model.service_model.service_name
        calls[_key(event_name)] += 1


def _on_attempt(event_name: str = "", **_: Any) -> None:
    with _lock:
        attempts[_key(event_name)] += 1


def _memory() -> dict[str, float]:
    out = {}
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    name, value = line.split(":", 1)
                    out[name] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return out


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            phases.append({"phase": name, "seconds": round(time.perf_counter() - started, 2), **_memory()})

    return wrapper


def _install() -> None:
    import srmscan.cli.scan
    import srmscan.scan

    srmscan.scan.collect_inventory = _timed("collect", srmscan.scan.collect_inventory)  # type: ignore[assignment]
    srmscan.scan.evaluate = _timed("evaluate", srmscan.scan.evaluate)  # type: ignore[assignment]
    srmscan.cli.scan.write_reports = _timed("write reports", srmscan.cli.scan.write_reports)  # type: ignore[assignment]

    original = session_mod.AwsSession.__init__

    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.session.events.register("before-call", _on_call)
        self.session.events.register("request-created", _on_attempt)

    session_mod.AwsSession.__init__ = patched  # type: ignore[method-assign]


def _dump() -> None:
    target = os.environ.get("SRMSCAN_BENCH_CALLS")
    if not target:
        return
    payload = {
        "calls": dict(calls),
        "attempts": dict(attempts),
        "phases": phases,
        "self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "exit_memory": _memory(),
    }
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)


if __name__ == "__main__":
    _install()
    atexit.register(_dump)
    from srmscan.cli import main

    main()
