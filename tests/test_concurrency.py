"""Throttling and concurrency: the knobs that keep a scan from starving the account's own workloads.

These tests measure what actually happens on the wire (botocore event hooks), not the settings:
- at most `per_service_concurrency` calls to one service in one region are in flight at once,
  while other regions/services proceed independently;
- `max_workers` bounds the whole fan-out;
- botocore's retry mode is adaptive, with the attempts and timeouts from `Tuning`;
- Throttling / RequestLimitExceeded / TooManyRequestsException answers are retried with
  jittered exponential back-off at the 1-second throttling base (botocore's standard retry
  handler, which adaptive mode includes), and a call that never answers times out.
Throttling answers are simulated with a `before-send` hook that returns an HTTP response, since
moto never throttles; the hook says so where it is registered.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.endpoint
import botocore.retries.bucket
import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries import bucket, standard

from srmscan.collect.context import Collection
from srmscan.collect.session import AwsSession, Tuning
from srmscan.model import ErrorKind
from tests.helpers import fail_operation


class InFlight:
    """A before-call hook that holds each call for `hold` seconds and records peak concurrency."""

    def __init__(self, hold: float = 0.05) -> None:
        self.hold = hold
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.total_now = 0
        self.total_peak = 0

    def __call__(self, model: Any = None, context: Any = None, **_: Any) -> None:
        key = f"{model.service_model.service_name} {context.get('client_region')}"
        with self.lock:
            self.now[key] += 1
            self.total_now += 1
            self.peak[key] = max(self.peak[key], self.now[key])
            self.total_peak = max(self.total_peak, self.total_now)
        time.sleep(self.hold)
        with self.lock:
            self.now[key] -= 1
            self.total_now -= 1


@pytest.fixture
def inflight() -> InFlight:
    return InFlight()


def _collection(tuning: Tuning, hook: InFlight, regions: list[str]) -> Collection:
    aws = AwsSession(boto3.Session(region_name=regions[0]), tuning=tuning)
    aws.events.register("before-call", hook)  # botocore puts client_region into the call's context
    return Collection(aws, "123456789012", "aws", regions)


def _buckets(c: Collection, region: str, n: int) -> list[Any]:
    return c.fanout(lambda _: c.call("s3", region, "ListBuckets"), range(n))


def test_per_service_concurrency_caps_calls_in_flight_per_service_and_region(moto: None, inflight: InFlight) -> None:
    c = _collection(Tuning(max_workers=16, per_service_concurrency=2), inflight, ["eu-west-1", "us-east-1"])
    try:
        # Two regions and a second service at the same time: each (service, region) has its own cap.
        work = [("s3", "eu-west-1"), ("s3", "us-east-1"), ("sts", "eu-west-1")] * 8
        answers = c.fanout(
            lambda sr: c.call(sr[0], sr[1], "ListBuckets" if sr[0] == "s3" else "GetCallerIdentity"), work
        )
    finally:
        c.close()
    assert all(a.ok for a in answers)
    assert inflight.peak["s3 eu-west-1"] == 2
    assert inflight.peak["s3 us-east-1"] == 2
    assert inflight.peak["sts eu-west-1"] == 2
    # The cap is per (service, region), not global: different keys overlapped.
    assert inflight.total_peak > 2


def test_per_service_concurrency_one_serialises_a_service(moto: None, inflight: InFlight) -> None:
    c = _collection(Tuning(max_workers=8, per_service_concurrency=1), inflight, ["eu-west-1"])
    try:
        started = time.perf_counter()
        answers = _buckets(c, "eu-west-1", 6)
        elapsed = time.perf_counter() - started
    finally:
        c.close()
    assert all(a.ok for a in answers)
    assert inflight.peak["s3 eu-west-1"] == 1
    assert elapsed >= 6 * inflight.hold * 0.9


def test_max_workers_bounds_the_fanout(moto: None, inflight: InFlight) -> None:
    c = _collection(Tuning(max_workers=3, per_service_concurrency=50), inflight, ["eu-west-1"])
    try:
        answers = _buckets(c, "eu-west-1", 12)
    finally:
        c.close()
    assert all(a.ok for a in answers)
    assert inflight.total_peak == 3


def test_clients_use_adaptive_retries_attempts_and_timeouts() -> None:
    aws = AwsSession(
        boto3.Session(region_name="eu-west-1"),
        tuning=Tuning(max_attempts=4, connect_timeout=2.5, read_timeout=7.0),
    )
    config = aws.client("ec2", "eu-west-1").meta.config
    assert config.retries["mode"] == "adaptive"
    # botocore reads Config(retries={"max_attempts": N}) as N retries: N + 1 attempts in all.
    assert config.retries["total_max_attempts"] == 5
    assert (config.connect_timeout, config.read_timeout) == (2.5, 7.0)


# --- back-off on throttling ------------------------------------------------------------------
THROTTLES = {
    # service, operation, HTTP status, headers, body (each in that service's own error format)
    "Throttling": (
        "sts",
        "GetCallerIdentity",
        400,
        {},
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
        b"</Error><RequestId>r</RequestId></ErrorResponse>",
    ),
    "RequestLimitExceeded": (
        "ec2",
        "DescribeRegions",
        503,
        {},
        b"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
        b"</Error></Errors><RequestID>r</RequestID></Response>",
    ),
    "TooManyRequestsException": (
        "lambda",
        "ListFunctions",
        429,
        {"x-amzn-ErrorType": "TooManyRequestsException"},
        b'{"Type":"User","message":"Rate exceeded"}',
    ),
}


SUCCESS = {
    # Canned successful answers: every attempt is answered by the hook, so these tests need no
    # moto backend and never reach a network.
    "DescribeRegions": b"<DescribeRegionsResponse><regionInfo/></DescribeRegionsResponse>",
    "ListFunctions": b'{"Functions":[]}',
    "GetCallerIdentity": b"<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
    b"<Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDEXAMPLE</UserId></GetCallerIdentityResult>"
    b"</GetCallerIdentityResponse>",
}


class Throttler:
    """Simulated throttling (moto never throttles): answers the first `times` sends with an error."""

    def __init__(self, times: int, status: int, headers: dict[str, str], body: bytes) -> None:
        self.times, self.status, self.headers, self.body = times, status, headers, body
        self.sent = 0

    def __call__(self, request: Any = None, event_name: str = "", **_: Any) -> AWSResponse:
        self.sent += 1
        if self.sent > self.times:
            ok = SUCCESS.get(event_name.rsplit(".", 1)[-1])
            assert ok, f"no canned answer for {event_name}"
            return AWSResponse(request.url, 200, {}, _Raw(ok))
        raw = _Raw(self.body)
        return AWSResponse(request.url, self.status, self.headers, raw)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def _fast_rate_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Adaptive mode's client-side token bucket really waits (0.5 requests/s at worst) after a
    throttle; raise its floor so back-off tests run in milliseconds. The adaptive test below
    keeps the real bucket."""
    monkeypatch.setattr(bucket.TokenBucket.__init__, "__defaults__", (1000.0,))


def _throttled_call(
    monkeypatch: pytest.MonkeyPatch, code: str, times: int, attempts: int = 6, fast: bool = True
) -> tuple[Any, list[float], Throttler]:
    service, operation, status, headers, body = THROTTLES[code]
    sleeps: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleeps.append)
    if fast:
        _fast_rate_limiter(monkeypatch)
    aws = AwsSession(boto3.Session(region_name="eu-west-1"), tuning=Tuning(max_attempts=attempts))
    throttler = Throttler(times, status, headers, body)
    aws.events.register(f"before-send.{service}", throttler)
    c = Collection(aws, "123456789012", "aws", ["eu-west-1"])
    try:
        answer = c.call(service, "eu-west-1", operation)
    finally:
        c.close()
    return answer, sleeps, throttler


@pytest.mark.parametrize("code", sorted(THROTTLES))
def test_throttling_is_retried_with_exponential_backoff_at_the_throttling_base(
    monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    """With the jitter pinned to its maximum (random() = 1.0) the delays are exactly 1, 2, 4 s:
    botocore recognised the code as throttling (base 1 s; other errors start at 50 ms)."""
    monkeypatch.setattr(standard.ExponentialBackoff.__init__, "__defaults__", (20, lambda: 1.0, None, None))
    answer, sleeps, throttler = _throttled_call(monkeypatch, code, times=3)
    assert answer.ok, answer.error
    assert throttler.sent == 4
    assert sleeps == [1.0, 2.0, 4.0]


def test_throttling_backoff_is_jittered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real jitter: each delay is a random fraction of its exponential cap, so threads that were
    throttled together do not retry in lock-step."""
    runs = [_throttled_call(monkeypatch, "Throttling", times=3)[1] for _ in range(3)]
    for sleeps in runs:
        assert len(sleeps) == 3
        assert all(0 <= d <= cap for d, cap in zip(sleeps, (1.0, 2.0, 4.0), strict=True))
    assert len({tuple(s) for s in runs}) == 3


def test_throttling_that_never_clears_becomes_a_recorded_throttled_error(monkeypatch: pytest.MonkeyPatch) -> None:
    answer, sleeps, throttler = _throttled_call(monkeypatch, "Throttling", times=100, attempts=3)
    assert answer.error is not None
    assert answer.error.kind is ErrorKind.THROTTLED
    assert throttler.sent == 4  # 1 + max_attempts retries, then give up
    assert len(sleeps) == 3


def test_adaptive_mode_paces_the_client_after_throttles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond back-off, adaptive mode turns on a client-side token bucket once it sees a throttle, so
    the client's request rate drops (what protects the account's own workloads). Checked without a
    clock: the bucket is consulted before every request sent after a throttle, and never after a
    plain 500. Back-off sleeps and the bucket's waits are replaced by recorders."""
    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda _: None)
    acquired: list[object] = []
    monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "acquire", lambda self, *a, **k: acquired.append(self))
    server_error = (
        500,
        {},
        b"<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>oops</Message>"
        b"</Error><RequestId>r</RequestId></ErrorResponse>",
    )

    def tokens_taken(status: int, headers: dict[str, str], body: bytes) -> int:
        acquired.clear()
        aws = AwsSession(boto3.Session(region_name="eu-west-1"), tuning=Tuning(max_attempts=3))
        c = Collection(aws, "123456789012", "aws", ["eu-west-1"])
        try:
            throttler = Throttler(1, status, headers, body)
            aws.events.register("before-send.sts", throttler)
            answer = c.call("sts", "eu-west-1", "GetCallerIdentity")
        finally:
            c.close()
        assert answer.ok
        assert throttler.sent == 2
        return len(acquired)

    assert tokens_taken(*server_error) == 0
    # The throttled first attempt enabled the limiter; the retry had to take a token first.
    assert tokens_taken(*THROTTLES["Throttling"][2:]) >= 1


def test_a_call_that_never_answers_times_out() -> None:
    """A listening socket that never replies: the read timeout, not a hang, ends the call."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        aws = AwsSession(
            boto3.Session(region_name="eu-west-1"),
            endpoint_url=f"http://127.0.0.1:{port}",
            tuning=Tuning(max_attempts=0, connect_timeout=1.0, read_timeout=0.5),
        )
        c = Collection(aws, "123456789012", "aws", ["eu-west-1"])
        aws.client("ec2", "eu-west-1")  # client creation (model loading) is not part of the call
        try:
            started = time.perf_counter()
            answer = c.call("ec2", "eu-west-1", "DescribeInstances")
            elapsed = time.perf_counter() - started
        finally:
            c.close()
    assert answer.error is not None
    assert "timeout" in (answer.error.code + answer.error.message).lower()
    assert elapsed < 15  # one attempt, 0.5 s read timeout; a hang would be 60 s+ (slack for a loaded CI box)


def test_nested_fanout_does_not_deadlock(moto: None) -> None:
    """A fan-out inside a fan-out (ECR images per repository) must not wait on a pool that its own
    callers have filled: with 2 workers and 4 outer items this deadlocked before nested fan-outs
    ran inline."""
    aws = AwsSession(boto3.Session(region_name="eu-west-1"), tuning=Tuning(max_workers=2))
    c = Collection(aws, "123456789012", "aws", ["eu-west-1"])
    result: list[list[int]] = []

    def outer(i: int) -> list[int]:
        return c.fanout(lambda j: i * 10 + j, range(3))

    worker = threading.Thread(target=lambda: result.extend(c.fanout(outer, range(4))), daemon=True)
    worker.start()
    worker.join(timeout=10)
    c.close()
    assert not worker.is_alive(), "nested fan-out deadlocked"
    assert result == [[0, 1, 2], [10, 11, 12], [20, 21, 22], [30, 31, 32]]


def test_a_failed_page_request_is_counted_as_an_api_call(moto: None) -> None:
    """The report's `api_calls` must agree with what went on the wire: a listing whose first page
    fails was still a call (this undercounted before; the bench cross-checks it at scale)."""
    aws = AwsSession(boto3.Session(region_name="eu-west-1"), tuning=Tuning(max_attempts=0))
    fail_operation(aws.events, "ec2", "DescribeVpcs", code="AccessDenied")
    c = Collection(aws, "123456789012", "aws", ["eu-west-1"])
    try:
        failed = c.pages("ec2", "eu-west-1", "DescribeVpcs", "Vpcs")
        listed = c.pages("ec2", "eu-west-1", "DescribeSubnets", "Subnets")
    finally:
        c.close()
    assert failed.error is not None and listed.ok
    assert c.api_calls == 2
