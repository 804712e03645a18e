"""API Gateway collector and rules: the demo's REST and HTTP APIs on moto (which serves every
call made), failures as unknown, the apigateway:GET permission, and every recorded real
GetRestApis / GetResources / GetStages / GetApis answer through the parsers."""

from __future__ import annotations

from typing import Any

from srmscan.collect import apigateway as ag
from srmscan.collect.iam_actions import iam_action, is_read_only
from srmscan.evaluate.engine import evaluate
from srmscan.model import Resource, Status
from tests.helpers import by_rule, fail_operation, inventory, one
from tests.placebo_feed import mini_demo, recordings, shape_problems


def _demo(ruleset, hook=None):  # type: ignore[no-untyped-def]
    inv = mini_demo(["seed_apigateway"], {"apigateway"}, hook)
    names = {r.id: r.name for r in inv.resources}
    return inv, evaluate(inv, ruleset), names


def _status(findings, names, rule_id, name):  # type: ignore[no-untyped-def]
    [f] = [f for f in by_rule(findings, rule_id) if names.get(f.resource_id, "").startswith(name)]
    return f


def test_demo_open_apis_fail_and_their_twins_pass(ruleset) -> None:
    inv, findings, names = _demo(ruleset)
    assert inv.errors == []
    cases = [
        ("apigateway.rest_method_authorization", "acme-partner-orders", "acme-orders-internal"),
        ("apigateway.rest_execution_logging", "acme-partner-orders", "acme-orders-internal"),
        ("apigateway.rest_access_logging", "acme-partner-orders", "acme-orders-internal"),
        ("apigateway.rest_waf", "acme-partner-orders", "acme-orders-internal"),
        ("apigateway.v2_route_authorization", "acme-signup-webhook", "acme-customer-portal"),
        ("apigateway.v2_access_logging", "acme-signup-webhook", "acme-customer-portal"),
    ]
    for rule_id, bad, good in cases:
        assert _status(findings, names, rule_id, bad).status is Status.FAIL, rule_id
        assert _status(findings, names, rule_id, good).status is Status.PASS, rule_id
    open_rest = _status(findings, names, "apigateway.rest_method_authorization", "acme-partner-orders")
    assert open_rest.evidence["methods"] == ["GET /orders"]  # the CORS preflight OPTIONS is not reported
    assert _status(findings, names, "apigateway.v2_route_authorization", "acme-signup-webhook").evidence["routes"] == [
        "POST /signup"
    ]
    # HTTP APIs have no execution logs: the WebSocket rule does not apply to them.
    assert by_rule(findings, "apigateway.websocket_execution_logging") == []


def test_every_read_is_the_apigateway_get_action() -> None:
    for service, op in (("apigateway", "GetRestApis"), ("apigatewayv2", "GetRoutes")):
        assert iam_action(service, op) == "apigateway:GET"
    assert is_read_only("GET")


def test_listing_denied_is_unknown(ruleset) -> None:
    _, findings, _ = _demo(ruleset, lambda aws: fail_operation(aws.events, "api-gateway", "GetRestApis"))
    for rule_id in ("apigateway.rest_method_authorization", "apigateway.rest_waf"):
        got = by_rule(findings, rule_id)  # one placeholder per scanned region
        assert len(got) == 2 and all(f.status is Status.UNKNOWN for f in got)
        assert all("apigateway:GET failed" in (f.unknown_reason or "") for f in got)
    assert {f.status for f in by_rule(findings, "apigateway.v2_route_authorization")} == {Status.FAIL, Status.PASS}


def test_methods_denied_is_unknown_but_stages_judged(ruleset) -> None:
    _, findings, names = _demo(ruleset, lambda aws: fail_operation(aws.events, "api-gateway", "GetResources"))
    assert {f.status for f in by_rule(findings, "apigateway.rest_method_authorization")} == {Status.UNKNOWN}
    assert _status(findings, names, "apigateway.rest_waf", "acme-orders-internal").status is Status.PASS


def test_websocket_connect_route_is_the_one_judged(ruleset) -> None:
    api = Resource(
        type=ag.HTTP_API,
        id="ws",
        region="us-east-1",
        attrs={
            "protocol": "WEBSOCKET",
            "routes": [
                {"route": "$connect", "caller_check": "AWS_IAM", "api_key_required": False},
                {"route": "sendMessage", "caller_check": "NONE", "api_key_required": False},
            ],
        },
    )
    assert one(evaluate(inventory(api), ruleset), "apigateway.v2_route_authorization").status is Status.PASS


class _C:
    account_id = "123456789012"
    partition = "aws"


def _rest_or_v2(data: dict[str, Any]) -> str:
    return "apigatewayv2" if "Items" in data else "apigateway"


def test_every_recording_validates_and_parses(aws, ruleset) -> None:
    parsed: list[Resource] = []
    for name, data in recordings("apigateway", "GetRestApis"):
        assert shape_problems(aws.client("apigateway", "us-east-1"), "GetRestApis", data) == [], name
        for item in data.get("items") or []:
            api = Resource(type=ag.REST_API, id=str(item["id"]), region="us-east-1", name=item.get("name"))
            api.attrs.update({"endpoint_types": (item.get("endpointConfiguration") or {}).get("types") or []})
            parsed.append(api)
    for name, data in recordings("apigateway", "GetResources"):
        assert shape_problems(aws.client("apigateway", "us-east-1"), "GetResources", data) == [], name
        methods = ag._methods(data.get("items") or [])
        for m in methods:
            assert m["caller_check"] is None or isinstance(m["caller_check"], str)
    for n, (name, data) in enumerate(recordings("apigateway", "GetStages")):
        service = _rest_or_v2(data)
        assert shape_problems(aws.client(service, "us-east-1"), "GetStages", data) == [], name
        api = Resource(type=ag.HTTP_API, id=f"api{n}", region="us-east-1", name="a", attrs={"protocol": "HTTP"})
        for stage in data.get("item") or data.get("Items") or []:
            if service == "apigateway":
                parsed.append(ag._rest_stage(_C(), "us-east-1", api, stage))  # type: ignore[arg-type]
            else:
                parsed.append(ag._http_stage(_C(), "us-east-1", api, stage))  # type: ignore[arg-type]
    for name, data in recordings("apigateway", "GetApis"):
        assert shape_problems(aws.client("apigatewayv2", "us-east-1"), "GetApis", data) == [], name
    stages = [r for r in parsed if r.type in (ag.REST_STAGE, ag.HTTP_STAGE)]
    assert len(stages) >= 10
    # Stage variables never survive parsing, whatever the recording carried.
    assert all("variables" not in r.attrs and "StageVariables" not in r.attrs for r in stages)
    findings = evaluate(inventory(*stages), ruleset)
    for f in findings:
        if f.status is Status.PASS and f.rule_id == "apigateway.rest_waf":
            res = next(r for r in stages if r.id == f.resource_id)
            assert res.attrs["web_acl_arn"]
