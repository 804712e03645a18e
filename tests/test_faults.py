"""Faults and bad input: nothing lost, nothing claimed.

One demo-seeded moto account per module (seeding and the baseline scan are the slow part), a
fresh scanner session per test with faults injected through botocore event hooks. Where each
hook sits, and why, is explained in tests/faultkit.py: `before-call` for final answers,
`before-send` (registered first, ahead of moto) when botocore's own retry logic must see the
error. Every case checks the same promise against the fault-free baseline:

* the scan finishes (not partial), and the errors it met are listed with the IAM action;
* every baseline finding is still there with the same status, or is `unknown` (itself, or
  through a "could not list" finding for its rule), never silently gone;
* no finding turns into `pass`, and every new `unknown` names its reason and error.

The baseline machinery and `assert_honest` are in tests/faultworld.py; the cases that need a
separate process (a dead endpoint, Ctrl-C) are in tests/test_faults_process.py.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.retries.adaptive
import botocore.retries.standard
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from srmscan.collect.registry import all_collectors
from srmscan.evaluate.engine import load_ruleset
from srmscan.evaluate.policy import parse
from srmscan.model import ACCOUNT_TYPE, ErrorKind, Status
from srmscan.report import write_reports
from srmscan.scan import evaluate_inventory
from tests.faultkit import answer_with_error, raise_client_error, respond
from tests.faultworld import (
    COLLECTORS,
    World,
    _baseline,
    _collector,
    _could_not_see,
    _scan,
    _scanner,
    _scope,
    assert_honest,
)
from tests.world import REGIONS, seed_demo


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """Seeded once per module: the demo story takes ~10 s to seed, a full scan ~10 s, so the
    per-collector cases scan only that collector (and those it runs after) against its own
    fault-free baseline; the account-wide cases compare full scans."""
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",  # the demo attaches AdministratorAccess
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with mock_aws():
            demo = seed_demo(boto3.Session(region_name=REGIONS[0]))
            w = World(load_ruleset(), demo, {})
            for name in COLLECTORS:
                w.per_collector[name] = _baseline(w, _scope(name))
            yield w
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's jittered back-off sleeps up to seconds per retry, and after a throttle the
    adaptive mode's token bucket paces the client down to ~0.5 calls/s. These tests exercise the
    retry *decisions* (retried or not, given up after max_attempts, what the error becomes), so
    both waits are made zero here; tests/test_concurrency.py covers the timing itself."""
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.0)
    monkeypatch.setattr(botocore.retries.adaptive.ClientRateLimiter, "on_sending_request", lambda self, *a, **k: None)


# --- per collector -------------------------------------------------------------------------
@pytest.mark.parametrize("name", COLLECTORS)
def test_access_denied_on_every_call_of_a_collector(world: World, name: str, tmp_path: Path) -> None:
    """AccessDenied as the final answer (before-call: it is not retried, as in AWS)."""
    base = _collector(world, name)
    aws = _scanner(world.demo)
    for service, op in base.ops:
        raise_client_error(aws.events, f"before-call.{service}.{op}", "AccessDenied", 403)
    inv, findings = _scan(world, aws, base.scope)
    assert_honest(base, inv, findings)
    denied = {e.operation for e in inv.errors if e.kind is ErrorKind.ACCESS_DENIED}
    assert denied, "no AccessDenied recorded"
    assert denied <= {op for _, op in base.ops}
    spec = next(s for s in all_collectors() if s.name == name)
    if ACCOUNT_TYPE not in spec.produces:
        # Nothing of these types could be seen, so nothing about them may be claimed.
        mine = [f for f in findings if f.resource_type in spec.produces and f.status is not Status.INFO]
        assert all(f.status is Status.UNKNOWN for f in mine), [(f.rule_id, f.status) for f in mine]
    report, html = _could_not_see(world, inv, tmp_path)
    assert {e["operation"] for e in report["errors"]} >= denied
    assert "What we could not see" in html
    for err in inv.errors:
        assert err.iam_action in html


@pytest.mark.parametrize("name", COLLECTORS)
def test_throttling_that_clears_loses_nothing(world: World, name: str) -> None:
    """Each of the collector's operations answers HTTP 400 Throttling twice on the wire
    (before-send, so botocore's retry handler sees it and retries), then moto answers."""
    base = _collector(world, name)
    aws = _scanner(world.demo, attempts=4)
    seen = answer_with_error(aws.session, base.ops, status=400, code="Throttling", times=2)
    inv, findings = _scan(world, aws, base.scope)
    if not seen:
        pytest.skip(f"every {name} call is answered by the demo's simulated data, none reaches the wire")
    assert any(n > 2 for n in seen.values()), "the throttled calls were never retried"
    assert not [e for e in inv.errors if e.kind is ErrorKind.THROTTLED]
    assert {(f.id, f.status) for f in findings} == {(f.id, f.status) for f in base.findings}
    assert sorted(r.key for r in inv.resources) == sorted(r.key for r in base.inventory.resources)


@pytest.mark.parametrize("name", COLLECTORS)
def test_throttling_that_never_clears_is_unknown(world: World, name: str) -> None:
    """Every attempt is throttled on the wire: botocore gives up after max_attempts, the choke
    point records `throttled`, and the affected checks are unknown with that reason."""
    base = _collector(world, name)
    aws = _scanner(world.demo, attempts=2)
    seen = answer_with_error(aws.session, base.ops, status=400, code="ThrottlingException")
    inv, findings = _scan(world, aws, base.scope)
    if not seen:
        pytest.skip(f"every {name} call is answered by the demo's simulated data, none reaches the wire")
    assert_honest(base, inv, findings)
    assert [e for e in inv.errors if e.kind is ErrorKind.THROTTLED]
    was_unknown = {f.id for f in base.findings if f.status is Status.UNKNOWN}
    new_unknown = [f for f in findings if f.status is Status.UNKNOWN and f.id not in was_unknown]
    assert all("throttled" in (f.unknown_reason or "") for f in new_unknown), [f.unknown_reason for f in new_unknown]


@pytest.mark.parametrize("name", COLLECTORS)
def test_service_500_is_a_service_error(world: World, name: str) -> None:
    """HTTP 500 InternalError on the wire (retried by botocore, then given up)."""
    base = _collector(world, name)
    aws = _scanner(world.demo, attempts=2)
    seen = answer_with_error(aws.session, base.ops, status=500, code="InternalError")
    inv, findings = _scan(world, aws, base.scope)
    if not seen:
        pytest.skip(f"every {name} call is answered by the demo's simulated data, none reaches the wire")
    assert_honest(base, inv, findings)
    assert max(seen.values()) >= 2, "a 500 should be retried"
    assert any(e.kind is ErrorKind.SERVICE_ERROR for e in inv.errors)


# --- account-wide faults (full scans) ------------------------------------------------------
def test_disabled_opt_in_region(world: World, tmp_path: Path) -> None:
    """A region the account has not opted into answers every call with InvalidClientTokenId."""
    full = world.full
    aws = _scanner(world.demo)
    disabled = REGIONS[1]
    raise_client_error(
        aws.events,
        "before-call",
        "InvalidClientTokenId",
        403,
        when=lambda kw: (kw.get("context") or {}).get("client_region") == disabled,
    )
    inv, findings = _scan(world, aws)
    assert_honest(full, inv, findings)
    kinds = {e.kind for e in inv.errors if e.region == disabled}
    assert kinds == {ErrorKind.REGION_DISABLED}
    assert not [e for e in inv.errors if e.region != disabled and e.kind is ErrorKind.REGION_DISABLED]
    # Findings in the enabled home region are exactly the baseline's.
    home = {(f.id, f.status) for f in findings if f.region == REGIONS[0]}
    assert home == {(f.id, f.status) for f in full.findings if f.region == REGIONS[0]}
    report, _ = _could_not_see(world, inv, tmp_path)
    assert any(e["kind"] == "region_disabled" for e in report["errors"])


def test_expired_session_token_mid_scan(world: World) -> None:
    """Credentials expire after K calls: every later call answers ExpiredToken."""
    full = world.full
    aws = _scanner(world.demo)
    budget = {"left": max(3, full.inventory.api_calls // 2)}
    lock = threading.Lock()

    def expire(**kwargs: Any) -> None:
        with lock:
            budget["left"] -= 1
            expired = budget["left"] < 0
        if expired:
            raise ClientError({"Error": {"Code": "ExpiredToken", "Message": "The security token expired"}}, "Call")

    aws.events.register("before-call", expire)
    inv, findings = _scan(world, aws)
    assert_honest(full, inv, findings)
    assert any(e.kind is ErrorKind.EXPIRED_CREDENTIALS for e in inv.errors)
    assert any(f.status is Status.UNKNOWN and "ExpiredToken" in (f.unknown_reason or "") for f in findings)


# --- bad input -----------------------------------------------------------------------------
MALFORMED_POLICIES = [
    "{not json",
    "[]",
    "null",
    '"just a string"',
    '{"Statement": "not a list"}',
    '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*", {"odd": 1}]}, "Action": 7}]}',
    '{"Statement": [null, 3, {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": "x"}]}',
    json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}] * 5000}),
]


@pytest.mark.parametrize("text", MALFORMED_POLICIES, ids=range(len(MALFORMED_POLICIES)))
def test_malformed_bucket_policy(world: World, text: str) -> None:
    """Whatever GetBucketPolicy returns, the policy check is fail/unknown or an evidenced pass,
    and the bucket's other checks are untouched."""
    base = world.per_collector["s3"]
    aws = _scanner(world.demo)
    respond(aws.events, "before-call.s3.GetBucketPolicy", {"Policy": text})
    inv, findings = _scan(world, aws, base.scope)
    assert not inv.partial
    policy = [f for f in findings if f.rule_id == "s3.bucket_policy_public" and f.resource_id != "*"]
    assert policy
    for f in policy:
        if f.status is Status.PASS:
            # Only a document that parses, statement by statement, may pass.
            parse(text)
    others = {(f.id, f.status) for f in findings if not f.rule_id.startswith("s3.bucket_policy")}
    assert others == {(f.id, f.status) for f in base.findings if not f.rule_id.startswith("s3.bucket_policy")}


BROKEN_TRUST: dict[str, Any] = {
    # What botocore hands over after its own URL-decode + JSON-parse step (after-call.iam):
    "trust-not-json": "%7Bnot%20json",  # a document that did not parse stays a string
    "trust-list": [1, 2],
    "trust-odd-types": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": [None, 5, "*"]}, "Action": 1}]},
    "trust-statement-string": {"Statement": "sts:AssumeRole"},
}


def test_malformed_role_trust_policy(world: World) -> None:
    """Roles whose trust policies are broken or oddly typed, appended to the real answer by an
    `after-call` hook (it runs after botocore's own policy decoding, so the collector sees
    exactly what it would see from AWS): the scan finishes, no trust check on them passes, and
    other findings are unchanged."""
    if "iam" not in world.per_collector or not any(
        op == "GetAccountAuthorizationDetails" for _, op in world.per_collector["iam"].ops
    ):
        pytest.skip("no IAM role collector reading GetAccountAuthorizationDetails")
    base = world.per_collector["iam"]
    aws = _scanner(world.demo)

    def add_roles(parsed: dict[str, Any], event_name: str, **_: Any) -> None:
        if not event_name.endswith(".GetAccountAuthorizationDetails"):
            return
        if parsed.get("Marker") and parsed.get("IsTruncated"):
            return  # only on the last page
        parsed.setdefault("RoleDetailList", []).extend(
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": f"AROA{i:016d}",
                "Arn": f"arn:aws:iam::123456789012:role/{name}",
                "CreateDate": "2026-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": doc,
            }
            for i, (name, doc) in enumerate(BROKEN_TRUST.items())
        )

    # botocore calls handlers of more specific event names first, so this sits on "after-call.iam"
    # (last) to run after botocore's own decoder there.
    aws.events.register_last("after-call.iam", add_roles)
    inv, findings = _scan(world, aws, base.scope)
    assert not inv.partial
    assert {r.id for r in inv.resources} >= set(BROKEN_TRUST), inv.errors
    unreadable = {"trust-not-json", "trust-list", "trust-statement-string"}
    for f in findings:
        if f.resource_id in unreadable and f.status is Status.PASS:
            assert "trust" not in f.rule_id and "assum" not in f.rule_id, (f.rule_id, f.resource_id)
    # Odd types around a wildcard principal must not hide it.
    public = [f for f in findings if f.resource_id == "trust-odd-types" and f.rule_id == "iam.role_trust_public"]
    assert [f.status for f in public] == [Status.FAIL]
    others = {(f.id, f.status) for f in findings if f.resource_id not in BROKEN_TRUST}
    assert others == {(f.id, f.status) for f in base.findings}


HOSTILE = {
    "Owner": "<script>alert('x')</script>",
    "Team": '=HYPERLINK("http://evil","x")',
    "ctl": "line1\nline2\r\x00\x07\x1b[31mred",
    "long": "L" * 20000,
    "unicode": "Ωmega – 東京 – 🚀 – \u202eevil",
    "<img src=x onerror=alert(1)>": "k",
}


def test_hostile_tags_names_and_unicode_render_safely(world: World, tmp_path: Path) -> None:
    """Tags with HTML, formulas, control characters, 20k-char values and non-ASCII, plus a bucket
    listed with a very long non-ASCII name: the scan finishes and every report is safe."""
    aws = _scanner(world.demo)
    long_name = "b" * 300 + "-ünïcode-<b>bold</b>"
    respond(
        aws.events, "before-call.s3.GetBucketTagging", {"TagSet": [{"Key": k, "Value": v} for k, v in HOSTILE.items()]}
    )

    real_list: list[dict[str, Any]] = []

    def listing(**kwargs: Any) -> dict[str, Any]:
        if not real_list:
            real_list.extend(
                boto3.Session(region_name=REGIONS[0]).client("s3", region_name=REGIONS[0]).list_buckets()["Buckets"]
            )
        return {"Buckets": [*real_list, {"Name": long_name, "CreationDate": "2026-01-01T00:00:00Z"}]}

    respond(aws.events, "before-call.s3.ListBuckets", listing)
    inv, findings = _scan(world, aws, world.per_collector["s3"].scope)
    assert not inv.partial
    odd = next(r for r in inv.resources if r.id == long_name)
    # Calls AWS would refuse for that name become errors, so its checks cannot pass.
    assert not [f for f in findings if f.resource_id == long_name and f.status is Status.PASS]
    assert odd.unreadable
    written = write_reports(evaluate_inventory(inv, world.ruleset), ["json", "html", "csv"], tmp_path)
    assert len(written) == 3
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert any(f["resource_id"] == long_name for f in report["findings"])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    csv_text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    for line in csv_text.splitlines():
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), cell[:40]
