"""API Gateway: REST APIs (v1) and HTTP / WebSocket APIs (v2), with their stages and routes.

Each region costs one listing per API generation (GetRestApis at its maximum page of 500,
GetApis). AWS has no cross-API listing of stages, methods or routes, so each API then costs
one GetStages plus one GetResources (embedding every method, page 500) or GetRoutes call.

Stage variables (REST `variables`, v2 `StageVariables`) often carry backend credentials; they
never leave this module: only whether a stage has any is kept. Every API Gateway read is
authorised by the single IAM action `apigateway:GET` (see iam_actions.py).
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, fill
from srmscan.collect.registry import collector
from srmscan.model import Resource

REST_API = "AWS::ApiGateway::RestApi"
REST_STAGE = "AWS::ApiGateway::Stage"
HTTP_API = "AWS::ApiGatewayV2::Api"
HTTP_STAGE = "AWS::ApiGatewayV2::Stage"
REST_PAGE = 500  # GetRestApis / GetResources: "The default value is 25 and the maximum value is 500."


@collector(
    "apigateway",
    scope="regional",
    produces=(REST_API, REST_STAGE, HTTP_API, HTTP_STAGE),
    actions=["apigateway:GET"],
)
def collect_apigateway(c: Collection, region: str) -> None:
    _rest(c, region)
    _http(c, region)


# --- REST APIs -------------------------------------------------------------------------
def _rest(c: Collection, region: str) -> None:
    listing = c.listing(
        "apigateway",
        region,
        "GetRestApis",
        "items",
        gaps=(REST_API, REST_STAGE),
        PaginationConfig={"PageSize": REST_PAGE},
    )
    if listing.error is not None:
        return
    c.fanout(lambda item: _rest_api(c, region, item), listing.entries("id"))


def _gateway_resource(
    c: Collection, region: str, rtype: str, ident: str, name: str, path: str, tags: Any, attrs: dict[str, Any]
) -> Resource:
    """Any API Gateway resource: serverless, its ARN the resource's path in the region (API Gateway
    ARNs carry no account), its tags a plain name -> value map in both API generations."""
    return Resource(
        type=rtype,
        id=ident,
        name=name,
        region=region,
        arn=f"arn:{c.partition}:apigateway:{region}::{path}",
        tier="serverless",
        tags={str(k): str(v) for k, v in (tags or {}).items()},
        attrs=attrs,
    )


def _stage(
    c: Collection, region: str, rtype: str, api: Resource, api_path: str, name: str, tags: Any, attrs: dict[str, Any]
) -> Resource:
    """A stage of either generation: identified and named under its API, and naming it."""
    ident, label, path = f"{api.id}/{name}", f"{api.name} {name}", f"{api_path}/stages/{name}"
    return _gateway_resource(
        c, region, rtype, ident, label, path, tags, {"api_id": api.id, "api_name": api.name, **attrs}
    )


def _rest_api(c: Collection, region: str, item: dict[str, Any]) -> None:
    api_id = str(item["id"])
    endpoint_types = [str(t) for t in (item.get("endpointConfiguration") or {}).get("types") or []]
    attrs = {"endpoint_types": endpoint_types, "has_resource_policy": bool(item.get("policy"))}
    name = str(item.get("name") or api_id)
    api = _gateway_resource(c, region, REST_API, api_id, name, f"/restapis/{api_id}", item.get("tags"), attrs)
    resources = c.pages(
        "apigateway",
        region,
        "GetResources",
        "items",
        restApiId=api_id,
        embed=["methods"],
        PaginationConfig={"PageSize": REST_PAGE},
    )
    fill(api, "methods", resources, _methods)
    c.add(api)
    stages = c.call("apigateway", region, "GetStages", restApiId=api_id)
    if stages.error is not None:
        api.unreadable["stages"] = stages.error.id
        c.gap(REST_STAGE, region, stages)
        return
    for stage in (stages.data or {}).get("item") or []:
        if isinstance(stage, dict) and stage.get("stageName"):
            c.add(_rest_stage(c, region, api, stage))


def _methods(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for res in items:
        if not isinstance(res, dict):
            continue
        for verb, method in (res.get("resourceMethods") or {}).items():
            method = method if isinstance(method, dict) else {}
            out.append(
                {
                    "path": str(res.get("path") or ""),
                    "method": str(verb),
                    # GetResources with embed=methods carries authorizationType; absent = not seen.
                    "caller_check": method.get("authorizationType"),
                    "api_key_required": bool(method.get("apiKeyRequired")),
                }
            )
    return out


def _rest_stage(c: Collection, region: str, api: Resource, stage: dict[str, Any]) -> Resource:
    name = str(stage["stageName"])
    settings = stage.get("methodSettings") or {}
    all_methods = settings.get("*/*") if isinstance(settings.get("*/*"), dict) else {}
    access = stage.get("accessLogSettings") or {}
    return _stage(
        c,
        region,
        REST_STAGE,
        api,
        f"/restapis/{api.id}",
        name,
        stage.get("tags"),
        {
            "stage": name,
            "logging_level": all_methods.get("loggingLevel") if all_methods else None,
            "method_logging_levels": {
                str(path): s.get("loggingLevel") for path, s in settings.items() if isinstance(s, dict)
            },
            "access_log_destination": access.get("destinationArn") or None,
            "web_acl_arn": stage.get("webAclArn") or None,
            "tracing_enabled": bool(stage.get("tracingEnabled")),
            "client_certificate_id": stage.get("clientCertificateId") or None,
            "has_stage_variables": bool(stage.get("variables")),
        },
    )


# --- HTTP and WebSocket APIs -----------------------------------------------------------
def _http(c: Collection, region: str) -> None:
    # The v2 model gives MaxResults no maximum and the API reference documents none, so the
    # service default page size is used.
    listing = c.listing("apigatewayv2", region, "GetApis", "Items", gaps=(HTTP_API, HTTP_STAGE))
    if listing.error is not None:
        return
    c.fanout(lambda item: _http_api(c, region, item), listing.entries("ApiId"))


def _http_api(c: Collection, region: str, item: dict[str, Any]) -> None:
    api_id = str(item["ApiId"])
    attrs = {
        "protocol": str(item.get("ProtocolType") or ""),
        "endpoint": item.get("ApiEndpoint"),
        "execute_api_endpoint_disabled": bool(item.get("DisableExecuteApiEndpoint")),
    }
    name = str(item.get("Name") or api_id)
    api = _gateway_resource(c, region, HTTP_API, api_id, name, f"/apis/{api_id}", item.get("Tags"), attrs)
    routes = c.pages("apigatewayv2", region, "GetRoutes", "Items", ApiId=api_id)
    fill(api, "routes", routes, _routes)
    c.add(api)
    stages = c.listing("apigatewayv2", region, "GetStages", "Items", gaps=(HTTP_STAGE,), ApiId=api_id)
    if stages.error is not None:
        return
    for stage in stages.data:
        if isinstance(stage, dict) and stage.get("StageName"):
            c.add(_http_stage(c, region, api, stage))


def _routes(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "route": str(r.get("RouteKey") or ""),
            "caller_check": r.get("AuthorizationType"),
            "api_key_required": bool(r.get("ApiKeyRequired")),
        }
        for r in items
        if isinstance(r, dict)
    ]


def _http_stage(c: Collection, region: str, api: Resource, stage: dict[str, Any]) -> Resource:
    name = str(stage["StageName"])
    access = stage.get("AccessLogSettings") or {}
    defaults = stage.get("DefaultRouteSettings") or {}
    return _stage(
        c,
        region,
        HTTP_STAGE,
        api,
        f"/apis/{api.id}",
        name,
        stage.get("Tags"),
        {
            "protocol": api.attrs["protocol"],
            "stage": name,
            "access_log_destination": access.get("DestinationArn") or None,
            # Execution logging exists for WebSocket APIs only; HTTP APIs have access logs alone.
            "logging_level": defaults.get("LoggingLevel"),
            "has_stage_variables": bool(stage.get("StageVariables")),
        },
    )
