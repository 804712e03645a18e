"""The partner API in front of the launch: a REST API whose order endpoint anyone may call, with
a stage that logs nothing and has no web ACL, and an HTTP API (the sign-up webhook) with an open
route and no access logs. Their well-configured twins are the internal orders API (IAM
authorization, execution and access logs, a WAF web ACL) and an HTTP API behind a JWT
authorizer that writes access logs. moto serves every call the collector makes.
"""

from __future__ import annotations

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 62
REGION = "eu-west-1"
LOG_GROUP = f"arn:aws:logs:{REGION}:{DEMO_ACCOUNT}:log-group:/acme/api-access"


def seed(world: DemoWorld) -> None:
    apigw = world.client("apigateway", REGION)
    bad = _rest_api(world, "acme-partner-orders", "NONE")
    good = _rest_api(world, "acme-orders-internal", "AWS_IAM")
    apigw.update_stage(
        restApiId=good,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": LOG_GROUP},
            {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId $context.status"},
        ],
    )
    wafv2 = world.client("wafv2", REGION)
    acl = wafv2.create_web_acl(
        Name="acme-api",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "api"},
    )["Summary"]["ARN"]
    wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=f"arn:aws:apigateway:{REGION}::/restapis/{good}/stages/prod")
    world.ids["apigateway"] = {"bad_rest": bad, "good_rest": good}

    v2 = world.client("apigatewayv2", REGION)
    hook = v2.create_api(Name="acme-signup-webhook", ProtocolType="HTTP")["ApiId"]
    v2.create_route(ApiId=hook, RouteKey="POST /signup", AuthorizationType="NONE")
    v2.create_stage(ApiId=hook, StageName="$default")
    portal = v2.create_api(Name="acme-customer-portal", ProtocolType="HTTP")["ApiId"]
    authorizer = v2.create_authorizer(
        ApiId=portal,
        Name="cognito",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Audience": ["portal"], "Issuer": "https://cognito-idp.eu-west-1.amazonaws.com/pool"},
    )["AuthorizerId"]
    v2.create_route(ApiId=portal, RouteKey="GET /orders", AuthorizationType="JWT", AuthorizerId=authorizer)
    v2.create_stage(
        ApiId=portal,
        StageName="$default",
        AccessLogSettings={"DestinationArn": LOG_GROUP, "Format": "$context.requestId $context.status"},
    )
    world.ids["apigateway"].update({"bad_http": hook, "good_http": portal})


def _rest_api(world: DemoWorld, name: str, authorization: str) -> str:
    apigw = world.client("apigateway", REGION)
    api = apigw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]}, tags={"Team": "orders"})["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    orders = apigw.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
    for verb, auth in (("GET", authorization), ("OPTIONS", "NONE")):
        apigw.put_method(restApiId=api, resourceId=orders, httpMethod=verb, authorizationType=auth)
        apigw.put_integration(restApiId=api, resourceId=orders, httpMethod=verb, type="MOCK")
    apigw.create_deployment(restApiId=api, stageName="prod")
    return str(api)
