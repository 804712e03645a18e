"""Shared fixtures: fake credentials, moto in-process accounts, and a scanner session on them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from srmscan.collect.session import AwsSession, Tuning
from srmscan.evaluate.engine import RuleSet, load_ruleset

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
