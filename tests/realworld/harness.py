"""Real-shaped replay: a whole `srmscan scan` answered from canned responses, no moto, no network.

A `Scenario` states only the answers that matter to it; every other call gets a default (an empty,
shape-valid answer, or what an untouched account answers, see `DEFAULTS`). Every canned answer is
checked against the botocore output shape of its operation (`shapes.py`), so a scenario cannot
invent a member or a type AWS does not return. Each scenario and each answer names where its shape
comes from (`source=`): the botocore model's documentation, an AWS documentation page, or a
recorded response under /work/shared/realworld/.

This module is the entry point and states scenarios and runs them; the botocore hooks that answer
each call live in `replay.py` and the shape checks in `shapes.py`. Everything is re-exported here,
so tests import from `tests.realworld.harness` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from srmscan.collect.runner import collect_inventory
from srmscan.collect.session import AwsSession, Tuning
from srmscan.evaluate.engine import RuleSet
from srmscan.model import Finding, Inventory, Resource
from srmscan.scan import ScanResult, run_scan
from tests.realworld.replay import ACCOUNT, DEFAULTS, Call, ReplayHooks, Responder, Rule
from tests.realworld.shapes import (
    REALWORLD,
    ShapeError,
    minimal,
    minimal_answer,
    paginator_config,
    recording,
    service_model,
    validate,
)

__all__ = [
    "ACCOUNT",
    "DEFAULTS",
    "REALWORLD",
    "Call",
    "Replayer",
    "Responder",
    "Rule",
    "ScanRun",
    "Scenario",
    "ShapeError",
    "minimal",
    "minimal_answer",
    "paginator_config",
    "recording",
    "service_model",
    "validate",
]


class Scenario(ReplayHooks):
    """Canned answers for one scan. Later rules for the same call take precedence over earlier ones."""

    def __init__(
        self,
        name: str,
        *,
        source: str,
        account_id: str = ACCOUNT,
        partition: str = "aws",
        deny_unanswered: bool = False,
    ) -> None:
        """`deny_unanswered`: calls no rule answers get AccessDenied instead of a default, so that
        every conclusion the scan draws must come from an answer the scenario states."""
        if not source:
            raise ValueError("a scenario names where its shapes come from")
        super().__init__(name, deny_unanswered=deny_unanswered)
        self.source = source
        self.account_id = account_id
        self.partition = partition
        if account_id != ACCOUNT or partition != "aws":
            self.answer(
                "sts",
                "GetCallerIdentity",
                {
                    "UserId": "AIDAEXAMPLEUSERID",
                    "Account": account_id,
                    "Arn": f"arn:{partition}:iam::{account_id}:user/scanner",
                },
                source="botocore model GetCallerIdentityResponse",
            )

    # --- stating answers ----------------------------------------------------------------
    def answer(
        self,
        service: str,
        operation: str,
        response: dict[str, Any] | Responder,
        *,
        source: str,
        when: dict[str, Any] | None = None,
        region: str | None = None,
        times: int | None = None,
        recorded: bool = False,
    ) -> Scenario:
        """Answer matching calls with `response` (or `response(params)`), validated against the model
        (`recorded=True`: a response AWS really sent, held to what AWS is known to send)."""
        if not callable(response):
            validate(service, operation, response, recorded=recorded)
        rule = Rule(service, operation, source, response, None, dict(when or {}), region, times, recorded=recorded)
        self._rules.append(rule)
        return self

    def error(
        self,
        service: str,
        operation: str,
        code: str,
        message: str = "",
        *,
        status: int = 400,
        source: str,
        when: dict[str, Any] | None = None,
        region: str | None = None,
        times: int | None = None,
    ) -> Scenario:
        """Answer matching calls with an AWS error (code, message, HTTP status)."""
        service_model(service).operation_model(operation)  # the operation must exist
        self._rules.append(
            Rule(service, operation, source, None, (code, message, status), dict(when or {}), region, times)
        )
        return self

    def pages(
        self,
        service: str,
        operation: str,
        pages: list[dict[str, Any]],
        *,
        source: str,
        when: dict[str, Any] | None = None,
        region: str | None = None,
    ) -> Scenario:
        """A listing in several pages; the tokens are added from botocore's paginator definition."""
        config = paginator_config(service, operation)
        if not config or not isinstance(config.get("input_token"), str):
            raise ValueError(f"{service}.{operation} has no single-token paginator")
        in_token, out_token, more = config["input_token"], config["output_token"], config.get("more_results")
        for index, page in enumerate(pages):
            body = dict(page)
            if index + 1 < len(pages):
                body[out_token] = f"replay-page-{index + 1}"
                if more:
                    body[more] = True
            cond = dict(when or {})
            if index:
                cond[in_token] = f"replay-page-{index}"
            self.answer(service, operation, body, source=source, when=cond, region=region)
            if not index:
                self._rules[-1].when[in_token] = None  # the first page: no token sent
        return self

    def recorded(
        self,
        service: str,
        operation: str,
        path: str,
        *,
        when: dict[str, Any] | None = None,
        region: str | None = None,
        edit: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> Scenario:
        """Answer with a recorded real response (path under /work/shared/realworld/)."""
        status, data = recording(path)
        source = f"recorded: {path}" + (" (edited)" if edit else "")
        if status >= 300:
            err = data.get("Error") or {}
            return self.error(
                service, operation, str(err.get("Code")), str(err.get("Message") or ""), status=status,
                source=source, when=when, region=region,
            )  # fmt: skip
        data.pop("ResponseMetadata", None)
        return self.answer(
            service, operation, edit(data) if edit else data, source=source, when=when, region=region, recorded=True
        )

    # --- running ------------------------------------------------------------------------
    def session(self, home_region: str | None = "eu-west-1") -> AwsSession:
        """A scanner session whose every call this scenario answers."""
        aws = AwsSession(boto3.Session(region_name=home_region), tuning=Tuning(max_attempts=1, max_workers=4))
        self.install(aws.events)
        return aws

    def scan(self, ruleset: RuleSet, regions: Iterable[str] = ("eu-west-1",), **kw: Any) -> ScanRun:
        regions = list(regions)
        result = run_scan(self.session(kw.pop("home_region", regions[0])), regions, ruleset, **kw)
        return ScanRun(self, result.inventory, result)

    def collect(
        self, regions: Iterable[str] = ("eu-west-1",), only: set[str] | None = None, via: Replayer | None = None
    ) -> ScanRun:
        """Collect only (no evaluation); `via` reuses a Replayer's session when many scenarios run."""
        regions = list(regions)
        if via is not None:
            return via.collect(self, regions, only)
        inventory = collect_inventory(self.session(regions[0]), regions, only=only)
        return ScanRun(self, inventory, None)


@dataclass
class ScanRun:
    """What one replayed scan produced, and every call it made."""

    scenario: Scenario
    inventory: Inventory
    result: ScanResult | None

    def requests(self, service: str, operation: str) -> list[dict[str, Any]]:
        return [c.params for c in self.scenario.calls if c.service == service and c.operation == operation]

    def resource(self, rtype: str, rid: str) -> Resource:
        found = [r for r in self.inventory.resources if r.type == rtype and r.id == rid]
        assert len(found) == 1, f"expected one {rtype} {rid}, found {len(found)}"
        return found[0]

    def findings(self, rule_id: str, resource_id: str | None = None) -> list[Finding]:
        assert self.result is not None, "collect() does not evaluate: use scan()"
        return [
            f
            for f in self.result.findings
            if f.rule_id == rule_id and (resource_id is None or f.resource_id == resource_id)
        ]

    def finding(self, rule_id: str, resource_id: str | None = None) -> Finding:
        found = self.findings(rule_id, resource_id)
        assert len(found) == 1, (
            f"expected one {rule_id} finding for {resource_id}, got {[f.resource_id for f in found]}"
        )
        return found[0]

    def collector_crashes(self) -> list[str]:
        """Collector bugs the runner caught (recorded as `collector:<name>` errors)."""
        return [
            f"{e.operation}: {e.code}: {e.message}"
            for e in self.inventory.errors
            if e.operation.startswith("collector:")
        ]


class Replayer:
    """One scanner session reused by many scenarios in turn: botocore clients are slow to create,
    and a test that replays hundreds of recordings would spend most of its time creating them."""

    def __init__(self, home_region: str = "us-east-1") -> None:
        self.current: Scenario | None = None
        self.aws = AwsSession(boto3.Session(region_name=home_region), tuning=Tuning(max_attempts=1, max_workers=4))
        self.aws.events.register("before-parameter-build", Scenario._remember)
        self.aws.events.register("before-call", self._respond)
        self.aws.events.register("before-send", self._no_network)

    def _scenario(self) -> Scenario:
        assert self.current is not None, "a call outside Replayer.collect"
        return self.current

    def _respond(self, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return self._scenario()._respond(**kwargs)

    def _no_network(self, **kwargs: Any) -> None:
        self._scenario()._no_network(**kwargs)

    def collect(self, scenario: Scenario, regions: list[str], only: set[str] | None) -> ScanRun:
        self.current = scenario
        try:
            return ScanRun(scenario, collect_inventory(self.aws, regions, only=only), None)
        finally:
            self.current = None
