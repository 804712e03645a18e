"""Lambda: functions, their resource policies and function URLs.

Serverless tier: AWS patches the runtime until it is deprecated; code, dependencies,
configuration and who may invoke the function are ours. ListFunctions returns almost
everything in one paginated call per region, and the tagging API returns every function's
tags in one more; each function then costs exactly two calls (the budget issue 3 sets):
GetPolicy and ListFunctionUrlConfigs. The runtime update
mode (GetRuntimeManagementConfig) would be a third per-function call and is left to the
patch-plan command (issue 6), which needs it only for the functions it reports on.

Environment variable VALUES never leave this module: ListFunctions returns them, so we keep
the names, decide here whether each name or value looks like a secret, and drop the values.
"""

from __future__ import annotations

from typing import Any

from srmscan.collect.context import Collection, apply_tags, fill, named_resource, tags_by_arn
from srmscan.collect.registry import collector
from srmscan.evaluate.policy import MalformedPolicy, parse
from srmscan.model import Resource
from srmscan.redact import looks_secret_name, looks_secret_value

FUNCTION = "AWS::Lambda::Function"


@collector(
    "lambda",
    scope="regional",
    produces=(FUNCTION,),
    actions=["lambda:ListFunctions", "lambda:GetPolicy", "lambda:ListFunctionUrlConfigs", "tag:GetResources"],
)
def collect_lambda(c: Collection, region: str) -> None:
    listing = c.listing("lambda", region, "ListFunctions", "Functions", gaps=(FUNCTION,))
    if listing.error is not None:
        return
    # Build (and strip secrets from) every function before any further call, so that no
    # environment value outlives this statement.
    functions = [_function(c, region, item) for item in listing.entries()]
    if functions:
        # Tags (for team ownership) for all functions in one tagging-API listing, not one call each.
        apply_tags(functions, tags_by_arn(c, region, "lambda:function"))
    c.fanout(lambda res: _details(c, region, res), functions)


def _function(c: Collection, region: str, item: dict[str, Any]) -> Resource:
    name = str(item.get("FunctionName"))
    arn = str(item.get("FunctionArn") or c.arn("lambda", region, f"function:{name}"))
    env = item.get("Environment") or {}
    variables = env.get("Variables") if isinstance(env, dict) else None
    variables = variables if isinstance(variables, dict) else {}
    vpc = item.get("VpcConfig") or {}
    package_type = str(item.get("PackageType") or "Zip")
    attrs = {
        "runtime": item.get("Runtime"),
        "package_type": package_type,
        "architectures": [str(a) for a in item.get("Architectures") or []],
        "handler": item.get("Handler"),
        "role": item.get("Role"),
        "last_modified": item.get("LastModified"),
        "env_var_names": sorted(str(k) for k in variables),
        "secret_like_env": _secret_like(variables),
        "env_error": _env_error(env),
        "vpc": {
            "vpc_id": vpc.get("VpcId") or None,
            "subnet_ids": [str(s) for s in vpc.get("SubnetIds") or []],
            "security_group_ids": [str(s) for s in vpc.get("SecurityGroupIds") or []],
        },
        "layers": [str(layer.get("Arn")) for layer in item.get("Layers") or [] if isinstance(layer, dict)],
        "kms_key": item.get("KMSKeyArn"),
    }
    return named_resource(FUNCTION, name, region, arn, "serverless", attrs=attrs)


def _env_error(env: Any) -> dict[str, Any] | None:
    """Lambda's `Environment.Error`: the variables could not be read (e.g. a KMS key we cannot use).

    Only the error code is kept: the model marks the message a SensitiveString, so it stays here."""
    error = env.get("Error") if isinstance(env, dict) else None
    if not isinstance(error, dict):
        return None
    return {"code": str(error.get("ErrorCode") or "unknown error"), "variables_returned": "Variables" in env}


def _secret_like(variables: dict[Any, Any]) -> list[str]:
    """Names of variables whose name or value looks like a secret; the values are not kept."""
    return sorted(
        str(name) for name, value in variables.items() if looks_secret_name(str(name)) or looks_secret_value(str(value))
    )


def _details(c: Collection, region: str, res: Resource) -> None:
    policy = c.call("lambda", region, "GetPolicy", FunctionName=res.id, absent={"ResourceNotFoundException"})
    fill(res, "policy", policy, lambda d: _policy(d.get("Policy")), default=None)
    urls = c.pages("lambda", region, "ListFunctionUrlConfigs", "FunctionUrlConfigs", FunctionName=res.id)
    fill(res, "function_urls", urls, _urls)
    c.add(res)


def _policy(text: Any) -> dict[str, Any]:
    try:
        return {"document": parse(text), "malformed": None}
    except MalformedPolicy as exc:
        return {"document": None, "malformed": str(exc)}


def _urls(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "url": str(cfg.get("FunctionUrl") or ""),
            "function_arn": str(cfg.get("FunctionArn") or ""),
            "auth_type": str(cfg.get("AuthType") or ""),
        }
        for cfg in configs
        if isinstance(cfg, dict)
    ]
