"""The command line as scripts see it: one documented exit code per outcome, one line per error,
no Typer box and no traceback; signals, closed pipes and ASCII terminals end cleanly.
Run as a subprocess where the process boundary is the behaviour (signals, pipes, encodings)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from srmscan.cli import app
from srmscan.drift.snapshot import inventory_json
from srmscan.model import Resource
from tests.helpers import inventory

REPO = Path(__file__).resolve().parent.parent


def _cli(*args: str, env: dict[str, str] | None = None, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "srmscan", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["scan", "--servics", "x"], "no such option: --servics (options of 'srmscan scan': --all-regions"),
        (["scna"], "No such command 'scna'"),
        (["diff"], "Missing argument 'old'"),
        (["scan", "--max-workers", "abc"], "Invalid value for '--max-workers'"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str], says: str) -> None:
    done = _cli(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("srmscan: error: ") and says in lines[0], done.stderr
    assert "╭" not in done.stderr and "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "srmscan", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` exiting before srmscan writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and err == ""


def test_an_ascii_terminal_gets_stand_ins_not_a_traceback() -> None:
    done = _cli("rules", env={"PYTHONIOENCODING": "ascii", "COLUMNS": "80"})
    assert done.returncode == 0 and "Traceback" not in done.stderr and "s3.bucket_versioning" in done.stdout


def _inventory_file(tmp_path: Path) -> Path:
    from srmscan.evaluate.engine import load_ruleset

    rule = next(r for r in load_ruleset().rules if r.id == "s3.bucket_versioning")  # its failing example
    bucket = Resource(type="AWS::S3::Bucket", id="open-bucket", region="us-east-1", attrs=dict(rule.failing.attrs))
    path = tmp_path / "inv.json"
    path.write_text(inventory_json(inventory(bucket)), encoding="utf-8")
    return path


def test_fail_on_says_why_on_stderr_even_when_quiet(tmp_path: Path) -> None:
    inv = _inventory_file(tmp_path)
    done = _cli("evaluate", str(inv), "-o", str(tmp_path / "out"), "-f", "json", "--fail-on", "low", "-q")
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("srmscan: --fail-on low: ") and "s3." in line


@pytest.mark.parametrize("content", ["[1, 2]", '"just a string"', "{not json"])
def test_evaluate_rejects_malformed_inventories_with_exit_2(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    "extra",
    [
        ["--format", "pdf"],
        ["--fail-on", "bogus"],
        ["--mutes", "/nonexistent/srmscan.toml"],
        ["--save-inventory", "/nonexistent/dir/inv.json"],
        ["--save-inventory", "."],
    ],
)
def test_demo_checks_its_inputs_before_seeding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]
) -> None:
    import srmscan.demo.account as account

    def no_seeding() -> None:
        raise AssertionError("the demo account was seeded before the inputs were checked")

    monkeypatch.setattr(account, "demo_session", no_seeding)
    result = CliRunner().invoke(app, ["demo", "-o", str(tmp_path / "d"), *extra])
    assert result.exit_code == 2, result.output


def test_scan_checks_baseline_and_inventory_path_before_any_call(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"kind": "something-else"}', encoding="utf-8")
    for extra in (["--baseline", str(garbage)], ["--save-inventory", str(tmp_path / "missing" / "inv.json")]):
        # An endpoint nothing listens on: reaching AWS would fail differently (and slowly).
        done = _cli("scan", "--endpoint-url", "http://127.0.0.1:9", "-o", str(tmp_path / "o"), "-q", *extra)
        assert done.returncode == 2 and "--" in done.stderr and "cannot reach" not in done.stderr, done.stderr


SLOW_SCAN = """
import sys, time
from pathlib import Path
import srmscan.collect.runner as runner

MARKER, OUT = sys.argv[1], sys.argv[2]

def slow(collection, specs, progress):
    Path(MARKER).write_text("collecting")
    time.sleep(60)  # SIGTERM arrives here, in the main thread, as in a real scan's wait loop

runner._run = slow
sys.argv = ["srmscan", "demo", "-o", OUT, "-f", "json", "-q"]
from srmscan.cli import main
main()
"""


def test_sigterm_writes_partial_reports_under_their_own_name_and_exits_143(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    complete = {"kind": "srmscan-report", "partial": False, "marker": "previous complete scan"}
    (out / "report.json").write_text(json.dumps(complete), encoding="utf-8")
    marker = tmp_path / "collecting"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_SCAN, str(marker), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the demo never started collecting"
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    partial = json.loads((out / "report.partial.json").read_text(encoding="utf-8"))
    assert partial["partial"] is True
    # The previous complete report is untouched: a partial run never silently replaces it.
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["marker"] == "previous complete scan"


def test_a_complete_run_removes_partial_and_stale_formats(tmp_path: Path) -> None:
    inv = _inventory_file(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("report.csv", "report.partial.json", "notes.txt"):
        (out / name).write_text("old", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(inv), "-o", str(out), "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "report.json"]  # not ours: kept


def test_rules_at_80_columns_keep_every_id_whole_and_filter_like_prowler() -> None:
    done = _cli("rules", env={"COLUMNS": "80"})
    assert done.returncode == 0
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
    from srmscan.evaluate.engine import load_ruleset

    ids = [r.id for r in load_ruleset().rules]
    shown = done.stdout
    assert all(rule_id in shown for rule_id in ids), [i for i in ids if i not in shown][:5]
    as_json = json.loads(_cli("rules", "--service", "s3", "--framework", "cis", "--json").stdout)
    assert as_json and all(r["service"] == "s3" and r["frameworks"].get("cis") for r in as_json)
    assert _cli("rules", "--framework", "nist").returncode == 2
    assert _cli("--version").stdout.strip() == _cli("version").stdout.strip() != ""


def test_events_at_80_columns_fit_and_keep_instance_ids_whole() -> None:
    done = _cli("events", "--demo", env={"COLUMNS": "80"}, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    ids = {word for line in lines for word in line.replace("│", " ").split() if word.startswith("i-")}
    assert ids and all(len(i) == len("i-0123456789abcdef0") for i in ids)  # 17 hex digits: not folded
    wide = _cli("events", "--demo", "--wide", env={"COLUMNS": "80"}, timeout=300)
    assert max(len(line) for line in wide.stdout.splitlines()) > 80 and "verdict" in wide.stdout
