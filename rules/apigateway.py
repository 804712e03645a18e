"""API Gateway: AWS runs the fleet that terminates TLS and scales the API; who may call each
route, what gets logged and whether a web ACL filters requests are ours."""

from srmscan.evaluate.settings import web_acl
from srmscan.rules_api import (
    CUSTOMER,
    IAM,
    LOW,
    MEDIUM,
    SERVICE_CONFIG,
    fail,
    passed,
    rule,
    unknown,
)

REST_API = "AWS::ApiGateway::RestApi"
REST_STAGE = "AWS::ApiGateway::Stage"
HTTP_API = "AWS::ApiGatewayV2::Api"
HTTP_STAGE = "AWS::ApiGatewayV2::Stage"
_LOGGING_ON = {"ERROR", "INFO"}
_LOG_GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:api-access"


def _execution_logging(level):
    """REST and WebSocket stages log executions alike: at ERROR or INFO, or not at all."""
    if level in _LOGGING_ON:
        return passed(f"Execution logging at {level}")
    return fail(f"Execution logging is {level or 'not configured'}")


def _access_logging(r):
    """REST and HTTP / WebSocket stages name their access log destination alike."""
    if r["access_log_destination"]:
        return passed(f"Access logs go to {r['access_log_destination']}")
    return fail("No access log destination is configured")


@rule(
    id="apigateway.rest_execution_logging",
    title="API Gateway REST API stage has execution logging enabled",
    resource_type=REST_STAGE,
    service="apigateway",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["APIGateway.1"],
    rationale="""Execution logs record what happened inside each request (authorizer results, integration
    errors) in CloudWatch Logs; without them an abused or failing API leaves no trace beyond metrics.
    Passes when the stage-wide setting (*/*) logs at ERROR or INFO.""",
    remediation="""aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations
    op=replace,path=/*/*/logging/loglevel,value=ERROR (the account needs a CloudWatch Logs role set in API Gateway settings).""",
    failing={"logging_level": "OFF", "method_logging_levels": {"*/*": "OFF"}},
    passing={"logging_level": "ERROR", "method_logging_levels": {"*/*": "ERROR"}},
)
def rest_execution_logging(r, inv):
    level = r["logging_level"]
    if level in _LOGGING_ON:
        off = sorted(p for p, lvl in r["method_logging_levels"].items() if lvl == "OFF")
        if off:
            return fail(f"Stage-wide logging is {level}, but switched off for: " + ", ".join(off), severity=LOW)
    return _execution_logging(level)


@rule(
    id="apigateway.rest_access_logging",
    title="API Gateway REST API stage writes access logs",
    resource_type=REST_STAGE,
    service="apigateway",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    rationale="""Access logs name who called which resource, from which IP, with which status: the record an
    investigation starts from. Execution logs do not replace them.""",
    remediation="""aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations
    op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN
    op=replace,path=/accessLogSettings/format,value='$context.requestId $context.identity.sourceIp ...'""",
    failing={"access_log_destination": None},
    passing={"access_log_destination": _LOG_GROUP},
)
def rest_access_logging(r, inv):
    return _access_logging(r)


@rule(
    id="apigateway.rest_waf",
    title="API Gateway REST API stage is associated with an AWS WAF web ACL",
    resource_type=REST_STAGE,
    service="apigateway",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["APIGateway.4"],
    rationale="""API Gateway throttles and absorbs volumetric load, but does not inspect requests for
    injection, bots or abusive clients; a regional web ACL on the stage does, with rules we choose.""",
    remediation="""aws wafv2 associate-web-acl --web-acl-arn WEB_ACL_ARN
    --resource-arn arn:aws:apigateway:REGION::/restapis/API/stages/STAGE""",
    failing={"web_acl_arn": None},
    passing={"web_acl_arn": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/1a2b"},
)
def rest_waf(r, inv):
    return web_acl(r["web_acl_arn"], "stage")


@rule(
    id="apigateway.rest_method_authorization",
    title="API Gateway REST API methods require authorization",
    resource_type=REST_API,
    service="apigateway",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    rationale="""A method with authorization type NONE can be called by anyone who can reach the endpoint
    (an API key is for metering, not authentication). OPTIONS methods (CORS preflight) are left out. On a
    PRIVATE endpoint the resource policy still limits who reaches it, so the finding is low there.""",
    remediation="""Attach an authorizer: aws apigateway update-method --rest-api-id API --resource-id RES
    --http-method GET --patch-operations op=replace,path=/authorizationType,value=AWS_IAM
    (or COGNITO_USER_POOLS / CUSTOM with an authorizer id), then redeploy the stage.""",
    failing={
        "endpoint_types": ["REGIONAL"],
        "methods": [{"path": "/orders", "method": "GET", "caller_check": "NONE", "api_key_required": False}],
    },
    passing={
        "endpoint_types": ["REGIONAL"],
        "methods": [
            {"path": "/orders", "method": "GET", "caller_check": "AWS_IAM", "api_key_required": False},
            {"path": "/orders", "method": "OPTIONS", "caller_check": "NONE", "api_key_required": False},
        ],
    },
)
def rest_method_authorization(r, inv):
    methods = [m for m in r["methods"] if m["method"] != "OPTIONS"]
    if not methods:
        return None
    open_ = [f"{m['method']} {m['path']}" for m in methods if m.get("caller_check") == "NONE"]
    if open_:
        private = r.get("endpoint_types") == ["PRIVATE"]
        return fail(
            "Methods anyone can call: " + ", ".join(open_),
            severity=LOW if private else None,
            methods=open_,
        )
    if any(not m.get("caller_check") for m in methods):
        return unknown("A method's authorization type was not in the answer")
    return passed(f"All {len(methods)} methods require authorization")


@rule(
    id="apigateway.v2_access_logging",
    title="API Gateway HTTP / WebSocket API stage writes access logs",
    resource_type=HTTP_STAGE,
    service="apigateway",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["APIGateway.9"],
    rationale="""For HTTP APIs access logs are the only request log there is: without them nobody can say
    who called the API or from where.""",
    remediation="""aws apigatewayv2 update-stage --api-id API --stage-name STAGE --access-log-settings
    DestinationArn=LOG_GROUP_ARN,Format='$context.requestId $context.identity.sourceIp $context.routeKey $context.status'""",
    failing={"access_log_destination": None, "protocol": "HTTP"},
    passing={"access_log_destination": _LOG_GROUP, "protocol": "HTTP"},
)
def v2_access_logging(r, inv):
    return _access_logging(r)


@rule(
    id="apigateway.websocket_execution_logging",
    title="API Gateway WebSocket API stage has execution logging enabled",
    resource_type=HTTP_STAGE,
    service="apigateway",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["APIGateway.1"],
    rationale="""WebSocket stages log connection and message handling to CloudWatch Logs only when the
    default route settings set a logging level of ERROR or INFO. HTTP APIs have no execution logs.""",
    remediation="""aws apigatewayv2 update-stage --api-id API --stage-name STAGE
    --default-route-settings LoggingLevel=ERROR""",
    failing={"protocol": "WEBSOCKET", "logging_level": "OFF"},
    passing={"protocol": "WEBSOCKET", "logging_level": "INFO"},
)
def websocket_execution_logging(r, inv):
    if r["protocol"] != "WEBSOCKET":
        return None
    return _execution_logging(r["logging_level"])


@rule(
    id="apigateway.v2_route_authorization",
    title="API Gateway HTTP / WebSocket API routes require authorization",
    resource_type=HTTP_API,
    service="apigateway",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["APIGateway.8"],
    rationale="""A route with authorization type NONE is open to anyone who can reach the endpoint. For
    WebSocket APIs only the $connect route can carry authorization, so only it is judged.""",
    remediation="""aws apigatewayv2 update-route --api-id API --route-id ROUTE --authorization-type JWT
    --authorizer-id AUTHORIZER (or AWS_IAM / CUSTOM).""",
    failing={
        "protocol": "HTTP",
        "routes": [{"route": "GET /orders", "caller_check": "NONE", "api_key_required": False}],
    },
    passing={
        "protocol": "HTTP",
        "routes": [{"route": "GET /orders", "caller_check": "JWT", "api_key_required": False}],
    },
)
def v2_route_authorization(r, inv):
    routes = r["routes"]
    if r["protocol"] == "WEBSOCKET":
        routes = [x for x in routes if x["route"] == "$connect"]
    if not routes:
        return None
    open_ = [x["route"] for x in routes if x.get("caller_check") == "NONE"]
    if open_:
        return fail("Routes anyone can call: " + ", ".join(open_), routes=open_)
    if any(not x.get("caller_check") for x in routes):
        return unknown("A route's authorization type was not in the answer")
    return passed(f"All {len(routes)} routes require authorization")
