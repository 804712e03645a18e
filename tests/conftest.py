"""Shared fixtures: fake credentials, moto in-process accounts, a scanner session on them, and the
browser and demo report the report-in-a-browser tests share."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from srmscan.collect.session import AwsSession, Tuning
from srmscan.evaluate.engine import RuleSet, load_ruleset
from tests.browserkit import ARGS, CHROMIUM, Page, _browser_or_skip

if TYPE_CHECKING:
    from srmscan.scan import ScanResult

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real account: fake keys, and no endpoint or profile from the host."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def session(moto: None) -> boto3.Session:
    """The boto3 session tests seed with; the scanner gets its own (see `aws`)."""
    return boto3.Session(region_name="eu-west-1")


@pytest.fixture
def aws(moto: None) -> AwsSession:
    """A scanner session on the moto account; tests may register event hooks on `aws.events`."""
    return AwsSession(boto3.Session(region_name="eu-west-1"), tuning=Tuning(max_attempts=2))


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset()


# --- the report in a real browser (tests/test_report_browser*.py, tests/test_compliance_browser.py)
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScanResult]:
    """Once per session: the demo scan takes ~20 s and every browser module only reads its report."""
    from srmscan.demo.account import demo_session
    from srmscan.report import write_reports
    from srmscan.scan import run_scan

    out = tmp_path_factory.mktemp("demo-report")
    with demo_session() as (aws, regions):
        result = run_scan(aws, regions, load_ruleset())
    (html,) = write_reports(result, ["html"], out)
    return html, result


@pytest.fixture
def demo_page(browser: Any, demo_report: tuple[Path, ScanResult]) -> Iterator[Page]:
    page = Page(browser, demo_report[0])
    yield page
    page.close()
