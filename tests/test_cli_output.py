"""Output for pipes and terminals: `-o -` / `--stdout` (pure JSON on stdout), `--no-color` and
NO_COLOR, and `-v` logging of AWS calls, retries and throttles to stderr (names only)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from srmscan.collect import _calllog
from tests.test_cli_exits import _inventory_file

REPO = Path(__file__).resolve().parent.parent


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "srmscan", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        cwd=cwd,
    )


@pytest.mark.parametrize("target", [["-o", "-"], ["--stdout"]])
def test_the_json_report_alone_goes_to_stdout(tmp_path: Path, target: list[str]) -> None:
    inv = _inventory_file(tmp_path)
    done = _cli("evaluate", str(inv), *target, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # nothing but the report on stdout
    assert report["kind"] == "srmscan-report"
    assert any(f["rule_id"] == "s3.bucket_versioning" and f["status"] == "fail" for f in report["findings"])
    assert "Findings by owner" in done.stderr  # the summary moved to stderr
    assert not (tmp_path / "-").exists() and not (tmp_path / "srmscan-report").exists()


def test_stdout_with_a_file_format_is_a_usage_error(tmp_path: Path) -> None:
    done = _cli("evaluate", str(_inventory_file(tmp_path)), "--stdout", "-f", "html", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "only the json format can go to standard output, not html" in done.stderr


@pytest.mark.parametrize(("flag", "env"), [([], {}), (["--no-color"], {}), ([], {"NO_COLOR": "1"})])
def test_no_color_and_NO_COLOR(tmp_path: Path, flag: list[str], env: dict[str, str]) -> None:
    inv = _inventory_file(tmp_path)
    done = _cli("evaluate", str(inv), "-o", str(tmp_path / "out"), *flag, env={"FORCE_COLOR": "1", **env})
    assert done.returncode == 0, done.stderr
    coloured = "\x1b[" in done.stdout
    assert coloured is (not flag and not env), done.stdout[:200]


def test_verbose_logs_calls_to_stderr_and_never_parameters(tmp_path: Path) -> None:
    done = _cli("demo", "-q", "-v", "--services", "s3", "-o", str(tmp_path), "-f", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    calls = [line for line in done.stderr.splitlines() if line.startswith("srmscan: call ")]
    assert any(line.startswith("srmscan: call s3.ListBuckets ") and line.endswith("-> 200") for line in calls)
    assert any(" sts.GetCallerIdentity " in line for line in calls)
    assert not any("Bucket=" in line or "{" in line for line in calls)


def test_retries_and_throttles_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="srmscan.calls")
    op = SimpleNamespace(name="DescribeInstances", service_model=SimpleNamespace(service_name="ec2"))
    request = {"context": {"client_region": "eu-west-1"}}
    throttled = (None, {"Error": {"Code": "RequestLimitExceeded", "Message": "secret-ish text"}})
    _calllog._needs_retry(response=throttled, operation=op, attempts=1, request_dict=request)
    _calllog._needs_retry(
        response=(None, {"Error": {"Code": "InternalError"}}), operation=op, attempts=2, request_dict=request
    )
    _calllog._needs_retry(response=(None, {"Reservations": []}), operation=op, attempts=1, request_dict=request)
    _calllog._after_call(
        parsed={"ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 2}}, model=op, context=request["context"]
    )
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "throttled ec2.DescribeInstances eu-west-1 attempt 1: RequestLimitExceeded",
        "failed ec2.DescribeInstances eu-west-1 attempt 2: InternalError",
        "call ec2.DescribeInstances eu-west-1 -> 200 after 2 retries",
    ]
    assert "secret-ish" not in "\n".join(lines)
