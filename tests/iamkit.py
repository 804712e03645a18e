"""What the test_iam_* modules share: policy documents, a users-only account, and a scan of the IAM
collectors only.

The names keep the leading underscore they had when every IAM test lived in one module, so the tests
read exactly as they did; they are shared by tests/test_iam_*.py and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession
from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.model import Finding, Status
from tests.helpers import one

USER_RULES = ("iam.user_console_mfa", "iam.access_key_rotation", "iam.unused_credentials")


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: Any, **extra: Any) -> str:
    return _doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


def _scan(aws: AwsSession, ruleset: Any = None, only: set[str] | None = None) -> tuple[Any, list[Finding]]:
    """Only the IAM collectors by default: the other services are not under test here."""
    only = only or {"account", "iam"}
    inv = collect_inventory(aws, ["eu-west-1"], only=only)
    return inv, evaluate(inv, ruleset or load_ruleset())


def _status(findings: list[Finding], rule_id: str, resource_id: str) -> Status:
    return one(findings, rule_id, resource_id).status


def _seed_users_only(session: boto3.Session) -> None:
    iam = session.client("iam")
    iam.create_user(UserName="no-mfa")
    iam.create_login_profile(UserName="no-mfa", Password="Demo-only-Passw0rd!")
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    iam.create_user(UserName="plain")
    iam.generate_credential_report()  # so the scan does not wait a polling second
