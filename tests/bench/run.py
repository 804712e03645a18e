"""`make bench`: scan synthetic accounts on moto_server and report time, calls, memory, findings.

For each size (small, large) the bench
1. starts a fresh counting moto_server (tests/bench/server.py) on a free 127.0.0.1 port,
2. seeds the account through boto3 (tests/bench/seed.py) and times it,
3. zeroes the server's request counter,
4. runs `srmscan scan --endpoint-url ... --region x4 --format json --format html -q` (the default reports) as its own process
   (tests/bench/scanproc.py: the real CLI plus a botocore call counter),
5. reads wall time, peak RSS of that process (os.wait4 rusage: that child only, not moto),
   the report's `api_calls` (srmscan's choke point), the botocore hook's per-operation counts
   and the server's request count, and compares the calls with the budget (tests/bench/budget.py).

The figures go to stdout and to BENCHMARKS.md. Not part of `make test`: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.budget import PARAMETER, Budget, budget_for
from tests.bench.relay import Relay
from tests.bench.seed import LARGE, REGIONS, SMALL, Seeder, Size

ROOT = Path(__file__).resolve().parents[2]
SIZES = {"small": SMALL, "large": LARGE}


@dataclass
class Result:
    size: Size
    seed_s: float
    seed_timings: dict[str, float]
    wall_s: float
    exit_code: int
    rss_mb: float
    wait4_rss_mb: float
    resources: int
    resource_counts: dict[str, int]
    api_calls_report: int
    calls_hook: dict[str, int]
    attempts_hook: dict[str, int]
    server_requests: dict[str, int]
    findings: dict[str, int]
    errors: int
    budget: Budget
    phases: list[dict[str, Any]] = field(default_factory=list)
    server_cpu_s: float = 0.0
    load_before: float = 0.0
    stderr_tail: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def api_calls_hook(self) -> int:
        return sum(self.calls_hook.values())

    def phase(self, name: str) -> float:
        return round(sum(p["seconds"] for p in self.phases if p["phase"] == name), 2)

    @property
    def calls_per_resource(self) -> float:
        return self.api_calls_report / self.resources if self.resources else math.nan


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, method: str = "GET") -> Any:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def start_server(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.server", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(f"http://127.0.0.1:{port}/__bench/counts")
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("moto_server did not start")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (0 where /proc is missing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scan_env(calls_file: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGIONS[0],
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        SRMSCAN_BENCH_CALLS=calls_file,
    )
    return env


def run_scan(endpoint: str, out_dir: Path, calls_file: str, extra: list[str]) -> tuple[float, int, float, str]:
    """Wall seconds, exit code, peak RSS (MB) of the scan process alone, stderr tail."""
    cmd = [sys.executable, "-m", "tests.bench.scanproc", "scan", "--endpoint-url", endpoint, *extra]
    for region in REGIONS:
        cmd += ["--region", region]
    cmd += ["--format", "json", "--format", "html", "--output-dir", str(out_dir), "-q"]
    err_path = out_dir / "stderr.txt"
    with open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=scan_env(calls_file), stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    tail = err_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    return wall, proc.returncode, usage.ru_maxrss / 1024, tail


def bench(size: Size, work: Path, save_inventory: bool = False) -> Result:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        print(f"[{size.name}] seeding {size.total()} resources on {endpoint} ...", flush=True)
        seeder = Seeder(endpoint)
        timings = seeder.seed(size)
        print(f"[{size.name}] seeded in {timings['total']}s {timings}", flush=True)
        _get(f"{endpoint}/__bench/reset", "POST")
        out_dir = work / size.name
        out_dir.mkdir(parents=True, exist_ok=True)
        calls_file = str(out_dir / "calls.json")
        print(f"[{size.name}] scanning ...", flush=True)
        extra = ["--save-inventory", str(out_dir / "inventory.json")] if save_inventory else []
        cpu_before = cpu_seconds(server.pid)
        load_before = os.getloadavg()[0]
        wall, code, rss, tail = run_scan(endpoint, out_dir, calls_file, extra)
        server_cpu = cpu_seconds(server.pid) - cpu_before
        server_counts = _get(f"{endpoint}/__bench/counts")
    finally:
        server.terminate()
        server.wait(timeout=30)
    report_path = out_dir / "report.json"
    if not report_path.exists():
        raise RuntimeError(f"scan wrote no report (exit {code}):\n{tail}")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    hook = json.loads(Path(calls_file).read_text(encoding="utf-8")) if Path(calls_file).exists() else {}
    counts = report.get("resource_counts", {})
    calls = hook.get("calls", {})
    return Result(
        size=size,
        seed_s=timings["total"],
        seed_timings=timings,
        wall_s=round(wall, 2),
        exit_code=code,
        # VmHWM read by the scan process itself at exit. os.wait4's ru_maxrss is kept as a
        # cross-check only: on Linux it can include the forked bench parent's pages before exec.
        rss_mb=float(hook.get("exit_memory", {}).get("VmHWM", round(rss, 1))),
        wait4_rss_mb=round(rss, 1),
        resources=sum(counts.values()),
        resource_counts=counts,
        api_calls_report=int(report.get("api_calls", 0)),
        calls_hook=calls,
        attempts_hook=hook.get("attempts", {}),
        server_requests=server_counts,
        findings=dict(report.get("summary", {}).get("by_status", {})),
        errors=len(report.get("errors", [])),
        budget=budget_for(calls, {**counts, PARAMETER: size.parameters}, len(REGIONS)),
        phases=hook.get("phases", []),
        server_cpu_s=round(server_cpu, 1),
        load_before=round(load_before, 1),
        stderr_tail=tail,
    )


@dataclass
class LatencyResult:
    size: Size
    delay_ms: int
    calls: int
    wall_default_s: float
    wall_unbounded_s: float
    exit_codes: tuple[int, int]

    @property
    def rounds(self) -> float:
        """Sequential round trips at unbounded concurrency: the scan's own dependency chain."""
        return self.wall_unbounded_s / (self.delay_ms / 1000)


UNBOUNDED = ["--max-workers", "128", "--per-service-concurrency", "128"]


def latency_run(size: Size, work: Path, delay_ms: int) -> LatencyResult:
    """Scan through a relay that delays every call: once with the default concurrency bounds, once
    unbounded. The unbounded wall time is the dependency-chain bound of the scan: what no amount of
    parallelism can remove, because each call in the chain needs the answer of the one before."""
    port = free_port()
    server = start_server(port)
    try:
        print(f"[latency {size.name}] seeding ...", flush=True)
        Seeder(f"http://127.0.0.1:{port}").seed(size)
        out_dir = work / f"latency-{size.name}"
        # moto builds each service's and region's backend on its first request (seconds for some):
        # a cost real AWS does not have. A direct scan first warms them all, so the first measured
        # run does not pay it and the second does not look faster for coming later.
        warm = out_dir / "warm-up"
        warm.mkdir(parents=True, exist_ok=True)
        print(f"[latency {size.name}] warming moto's backends with a direct scan ...", flush=True)
        run_scan(f"http://127.0.0.1:{port}", warm, str(warm / "calls.json"), [])
        walls, codes, calls = [], [], 0
        with Relay(port, delay_s=delay_ms / 1000) as relay:
            for label, extra in (("default", []), ("unbounded", UNBOUNDED)):
                run_dir = out_dir / label
                run_dir.mkdir(parents=True, exist_ok=True)
                calls_file = str(run_dir / "calls.json")
                print(f"[latency {size.name}] scanning through {relay.url} (+{delay_ms} ms), {label} ...", flush=True)
                wall, code, _, tail = run_scan(relay.url, run_dir, calls_file, extra)
                if code not in (0, 1):
                    raise RuntimeError(f"latency scan exit {code}:\n{tail}")
                walls.append(round(wall, 2))
                codes.append(code)
                hook = json.loads(Path(calls_file).read_text(encoding="utf-8"))
                calls = sum(hook.get("calls", {}).values())
    finally:
        server.terminate()
        server.wait(timeout=30)
    return LatencyResult(size, delay_ms, calls, walls[0], walls[1], (codes[0], codes[1]))


def latency_lines(results: list[LatencyResult]) -> list[str]:
    if not results:
        return []
    lines = [
        "## Latency run",
        "",
        "The same account behind a relay that adds a fixed delay to every call (tests/bench/relay.py),",
        "as real AWS does. `unbounded` runs with 128 workers and 128 calls in flight per service and",
        "region: its wall time is the scan's dependency-chain bound (the calls that must wait for one",
        "another), `rounds` that bound in round trips. The default run should stay within 2x of it.",
        "Both runs include the process start, model loading (CPU), evaluation and report writing.",
        "Before them a direct scan warms moto's per-region backends (built on first use, which real",
        "AWS does not do), and the bench server answers an operation moto lacks with AWS's",
        "non-retryable UnknownOperationException at once, where moto's HTML 500 would be retried",
        "with back-off (seconds of waiting that real AWS, which has the operation, never causes).",
        "",
        "| size | delay ms | calls | wall s (default bounds) | chain bound s (unbounded) | rounds | default / bound |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = r.wall_default_s / r.wall_unbounded_s if r.wall_unbounded_s else math.nan
        lines.append(
            f"| {r.size.name} | {r.delay_ms} | {r.calls} | {r.wall_default_s} | {r.wall_unbounded_s} "
            f"| {r.rounds:.0f} | {ratio:.2f}x |"
        )
    return [*lines, ""]


# --- output ---------------------------------------------------------------------------
def machine() -> dict[str, str]:
    import boto3
    import botocore
    import moto

    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus (nproc)": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "platform": platform.platform(),
        "python": platform.python_version(),
        "boto3 / botocore": f"{boto3.__version__} / {botocore.__version__}",
        "moto": moto.__version__,
    }


def summary_table(results: list[Result]) -> list[str]:
    rows = [
        "| size | seeded (requested) | resources in inventory | seeding s | scan wall s "
        "| collect / evaluate / write s | moto CPU s | load avg | API calls (report) "
        "| calls (botocore hook) | HTTP requests (server) | calls/resource | budget | calls over budget "
        "| peak RSS MB | findings fail/unknown/pass/info | failed calls | exit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        f = r.findings
        rows.append(
            f"| {r.size.name} | {r.size.total()} | {r.resources} | {r.seed_s} | {r.wall_s} "
            f"| {r.phase('collect')} / {r.phase('evaluate')} / {r.phase('write reports')} | {r.server_cpu_s} "
            f"| {r.load_before} | {r.api_calls_report} "
            f"| {r.api_calls_hook} | {sum(r.server_requests.values())} | {r.calls_per_resource:.3f} "
            f"| {r.budget.expected_total} | {r.budget.ratio_text()} | {r.rss_mb} "
            f"| {f.get('fail', 0)}/{f.get('unknown', 0)}/{f.get('pass', 0)}/{f.get('info', 0)} | {r.errors} "
            f"| {r.exit_code} |"
        )
    return rows


def detail(r: Result) -> list[str]:
    lines = [f"### {r.size.name}", "", f"Seeding (s, per step): `{json.dumps(r.seed_timings)}`", ""]
    lines.append("Resources by type: `" + json.dumps(r.resource_counts) + "`")
    lines += ["", f"Peak RSS: {r.rss_mb} MB (VmHWM at exit); os.wait4 ru_maxrss {r.wait4_rss_mb} MB."]
    lines += ["", "Phases of the scan process (memory read after each phase):", ""]
    lines += ["| phase | seconds | peak RSS so far MB | RSS after MB |", "|---|---|---|---|"]
    lines += [f"| {p['phase']} | {p['seconds']} | {p.get('VmHWM', '?')} | {p.get('VmRSS', '?')} |" for p in r.phases]
    lines += ["", "API calls by operation (botocore hook) against the budget:", ""]
    lines += [*r.budget.table(r.attempts_hook), ""]
    if r.budget.notes:
        lines += ["Budget notes:", *[f"- {n}" for n in r.budget.notes], ""]
    return lines


def render(results: list[Result], latency: list[LatencyResult] | None = None) -> str:
    info = machine()
    out = [
        "# srmscan benchmark",
        "",
        "Produced by `make bench` (tests/bench/run.py): a fresh moto_server per size on 127.0.0.1, a synthetic",
        f"account seeded through boto3 across {len(REGIONS)} regions ({', '.join(REGIONS)}), then",
        "`srmscan scan --endpoint-url ... --region x4 --format json --format html -q` (the default reports) as its own process.",
        "API calls are counted three ways: the report's `api_calls` (srmscan's choke point), a botocore",
        "`before-call` hook in the scan process, and a request counter in front of moto (HTTP requests,",
        "so retries count there; the report's count leaves out the one STS identity call made before",
        "collection). Peak RSS is the scan process's own VmHWM, read by it at exit (not moto's).",
        "moto and the scanner share the machine: the moto CPU column is the server's CPU time during the",
        "scan, and `load avg` is the 1-minute load when the scan started (other work on the host slows it).",
        "The budget is what the collectors must call for this inventory: fixed calls per region, pages of",
        "listings, and per-resource calls only where AWS has no batch API (tests/bench/budget.py).",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "## Results",
        "",
        *summary_table(results),
        "",
    ]
    out += observations(results)
    out += latency_lines(latency or [])
    for r in results:
        out += detail(r)
    return "\n".join(out) + "\n"


#: peak RSS targets of the lean process (small: at most, large: under); 300 MB was the first target
RSS_TARGETS_MB = {"small": 140.0, "large": 250.0}


def _rss_verdict(r: Result) -> str:
    target = RSS_TARGETS_MB.get(r.size.name, 300.0)
    met = r.rss_mb <= target if r.size.name == "small" else r.rss_mb < target
    return f"{'meets' if met else 'MISSES'} the {'<=' if r.size.name == 'small' else '<'} {target:.0f} MB target"


def observations(results: list[Result]) -> list[str]:
    """The targets (issue 5: calls and 300 MB; issue 15: the lean process), checked against the figures."""
    lines = ["## Targets", ""]
    for r in results:
        over = r.budget.excess / r.budget.expected_total if r.budget.expected_total else 0.0
        hwm = {p["phase"]: p.get("VmHWM", 0.0) for p in r.phases}
        lines.append(
            f"- {r.size.name}: peak RSS {r.rss_mb} MB ({_rss_verdict(r)}); "
            f"peak after collect {hwm.get('collect', '?')} MB, after evaluate {hwm.get('evaluate', '?')} MB, "
            f"after writing reports {hwm.get('write reports', '?')} MB. "
            f"Calls over budget: {r.budget.excess} ({over:.1%}; target <= 10%). "
            f"Time: collect {r.phase('collect')} s (moto used {r.server_cpu_s} CPU s), "
            f"evaluate {r.phase('evaluate')} s, write reports {r.phase('write reports')} s."
        )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large", help="comma-separated: small, large")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"), help="markdown file to write ('' = none)")
    parser.add_argument("--work-dir", default="", help="keep reports and call counts here (default: a temp dir)")
    parser.add_argument("--save-inventory", action="store_true", help="also save the inventory (for offline diagnosis)")
    parser.add_argument(
        "--latency-ms", type=int, default=80, help="delay of the latency run's relay (0 = no latency run)"
    )
    args = parser.parse_args(argv)
    results = []
    latency: list[LatencyResult] = []
    with tempfile.TemporaryDirectory(prefix="srmscan-bench-") as tmp_dir:
        tmp = args.work_dir or tmp_dir
        for name in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            result = bench(SIZES[name], Path(tmp), args.save_inventory)
            results.append(result)
            print("\n".join(summary_table([result])))
            print("\n".join(detail(result)), flush=True)
            if result.exit_code not in (0, 1):
                print(f"[{name}] scan exit {result.exit_code}; stderr tail:\n{result.stderr_tail}", file=sys.stderr)
        if args.latency_ms > 0:
            latency.append(latency_run(SMALL, Path(tmp), args.latency_ms))
            print("\n".join(latency_lines(latency)), flush=True)
    text = render(results, latency)
    print("\n".join(summary_table(results)))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
