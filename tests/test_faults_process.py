"""Faults only a separate process shows: an endpoint nobody listens on, and a real Ctrl-C.

Each case runs the CLI in a subprocess: the error message, the exit code and the partial reports
are what a user sees, so they are checked from outside, as a user would meet them.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


# --- connection and interruption (subprocesses) --------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dead_endpoint_is_one_clear_error_and_exit_2(tmp_path: Path) -> None:
    port = _free_port()  # closed again at once: nothing listens there
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "eu-west-1"}
    env.pop("AWS_ENDPOINT_URL", None)
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "srmscan",
            "scan",
            "--endpoint-url",
            f"http://127.0.0.1:{port}",
            "--region",
            "eu-west-1",
            "--quiet",
            "-o",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("srmscan: error:") and "127.0.0.1" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "report.json").exists()
    assert time.monotonic() - started < 60


INTERRUPT_SCRIPT = textwrap.dedent(
    """
    import sys, time, pathlib
    from moto import mock_aws
    import boto3
    marker = pathlib.Path(sys.argv[1])
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        for i in range(6):
            s3.create_bucket(Bucket=f"slow-{i}", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        from srmscan.collect.session import AwsSession
        create = AwsSession.create

        def slow_create(**kw):
            aws = create(**kw)
            def slow(**_):
                marker.touch()
                time.sleep(0.5)
            aws.events.register("before-call.s3.GetBucketAcl", slow)
            return aws

        AwsSession.create = slow_create
        from srmscan.cli import main
        sys.argv = ["srmscan", "scan", "--region", "eu-west-1", "-o", sys.argv[2], "-f", "json", "-f", "html"]
        main()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics")
def test_ctrl_c_writes_partial_reports(tmp_path: Path) -> None:
    """A real SIGINT to a CLI scan (moto in-process in the child, one slow call per bucket)."""
    marker = tmp_path / "collecting"
    out = tmp_path / "out"
    script = tmp_path / "interrupt.py"
    script.write_text(INTERRUPT_SCRIPT, encoding="utf-8")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "eu-west-1"}
    env.pop("AWS_ENDPOINT_URL", None)
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(marker), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate()[1]
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 130, (proc.returncode, stderr)
    # Under its own name: a partial scan never takes the place of a complete report.json.
    assert not (out / "report.json").exists()
    report = json.loads((out / "report.partial.json").read_text(encoding="utf-8"))
    assert report["partial"] is True
    assert any("interrupted" in note for note in report["notes"])
    assert "interrupted" in (out / "report.partial.html").read_text(encoding="utf-8")
    assert "interrupted" in stdout + stderr
    # It really stopped early: buckets whose calls were cut short are not reported at all.
    seen = {f["resource_id"] for f in report["findings"] if f["resource_id"].startswith("slow-")}
    assert len(seen) < 6
