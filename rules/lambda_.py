"""Lambda: AWS patches the managed runtime until it is deprecated; moving off it, the code, its
dependencies, who may invoke the function and what sits in its environment are ours."""

from datetime import date, timedelta

from srmscan.evaluate.policy import as_list, function_url_statements, resource_policy_exposure, statement_ids
from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    DATA,
    HIGH,
    IAM,
    MEDIUM,
    RUNTIME,
    SERVICE_CONFIG,
    SHARED,
    fail,
    passed,
    rule,
    unknown,
)

FUNCTION = "AWS::Lambda::Function"
SOON_DAYS = 180


def _runtime_entry(inv, runtime_id):
    for entry in inv.table("lambda_runtimes").get("runtime", []):
        if entry.get("id") == runtime_id:
            return entry
    return None


def _as_date(value):
    return value if isinstance(value, date) else None


@rule(
    id="lambda.runtime_supported",
    title="Lambda function uses a runtime that AWS still patches",
    resource_type=FUNCTION,
    owner=SHARED,
    layer=RUNTIME,
    severity=HIGH,
    fsbp=["Lambda.2"],
    rationale="""AWS patches a managed runtime (language and the Amazon Linux under it) until the runtime's
    deprecation date; after it, the function keeps running with no security fixes, and later it can
    no longer be updated. Moving to a supported runtime is ours. Deprecated runtimes fail at high
    severity; runtimes deprecated within 180 days of the scan at medium. Dates come from
    rules/data/lambda_runtimes.toml; a runtime missing from that table is reported as unknown.""",
    remediation="""Upgrade the code and dependencies, test, then: aws lambda update-function-configuration
    --function-name FN --runtime NEW_RUNTIME (e.g. python3.13, nodejs22.x).""",
    failing={"runtime": "python3.8", "package_type": "Zip"},
    passing={"runtime": "python3.13", "package_type": "Zip"},
)
def runtime_supported(r, inv):
    if r.get("package_type") == "Image":
        return None  # container images carry no managed runtime: the image is rebuilt by us
    runtime = r["runtime"]
    if not runtime:
        return unknown("The function reports no runtime identifier")
    entry = _runtime_entry(inv, runtime)
    if entry is None:
        return unknown(
            f"Runtime {runtime!r} is not in srmscan's runtime table, so whether AWS still patches it is not known",
            runtime=runtime,
        )
    deprecation = _as_date(entry.get("deprecation"))
    if deprecation is None:
        return passed(f"{runtime}: AWS has announced no deprecation date", runtime=runtime)
    today = inv.scan_time.date()
    block_update = _as_date(entry.get("block_update"))
    evidence = {
        "runtime": runtime,
        "deprecation": deprecation.isoformat(),
        "block_update": block_update.isoformat() if block_update else None,
    }
    if deprecation <= today:
        message = f"{runtime} was deprecated on {deprecation.isoformat()}: AWS no longer patches it"
        if block_update and block_update <= today:
            message += f"; updates to the function have been blocked since {block_update.isoformat()}"
        elif block_update:
            message += f"; function updates will be blocked from {block_update.isoformat()}"
        return fail(message, **evidence)
    if deprecation <= today + timedelta(days=SOON_DAYS):
        days = (deprecation - today).days
        return fail(
            f"{runtime} will be deprecated on {deprecation.isoformat()} (in {days} days)",
            severity=MEDIUM,
            days_left=days,
            **evidence,
        )
    return passed(f"{runtime} is supported until {deprecation.isoformat()}", **evidence)


_PUBLIC_POLICY = {
    "document": {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}],
    },
    "malformed": None,
}
_SCOPED_POLICY = {
    "document": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}},
            }
        ],
    },
    "malformed": None,
}


@rule(
    id="lambda.policy_public",
    title="Lambda function resource policy does not allow invocation by everyone",
    resource_type=FUNCTION,
    owner=CUSTOMER,
    layer=IAM,
    severity=CRITICAL,
    fsbp=["Lambda.1"],
    rationale="""A statement with Principal "*" and no condition that narrows who (source ARN, source
    account, organization) lets anyone with AWS credentials invoke or manage the function, spending
    our money and reaching whatever its role can reach. Statements that apply only through a
    function URL are judged with the URL: with auth type NONE lambda.function_url_auth reports them;
    with AWS_IAM, Principal "*" still admits principals of every AWS account.""",
    remediation="""List statements: aws lambda get-policy --function-name FN. Remove the public one with
    aws lambda remove-permission --function-name FN --statement-id SID and re-add it with
    --source-arn / --source-account (or a named principal).""",
    failing={"policy": _PUBLIC_POLICY},
    passing={"policy": _SCOPED_POLICY},
)
def policy_public(r, inv):
    state, _, sids = resource_policy_exposure(r["policy"])
    if state == "none":
        return passed("The function has no resource policy")
    if state == "malformed":
        return fail(
            "The resource policy could not be parsed, so it cannot be shown to be private",
            severity=MEDIUM,
            problem=r["policy"].get("malformed"),
        )
    if state == "public":
        return fail('The resource policy grants access to everyone (Principal "*")', statements=sids)
    via_url = function_url_statements(r["policy"]["document"])
    if not via_url:
        return passed("No policy statement grants access to everyone")
    return _via_function_url(r, via_url)


def _url_auth_types(statement):
    """The function-URL auth types a statement applies to (a FunctionUrlAuthType condition, or all)."""
    for block in (statement.get("Condition") or {}).values():
        if isinstance(block, dict):
            for key, value in block.items():
                if str(key).lower() == "lambda:functionurlauthtype":
                    return {str(v).upper() for v in as_list(value)}
    return {"NONE", "AWS_IAM"}


def _via_function_url(r, via_url):
    """Statements open to everyone but usable only through a function URL: the URL decides.

    With auth type NONE the URL is public and lambda.function_url_auth reports it, so it is not
    reported twice here. With AWS_IAM, Principal "*" still lets principals of any AWS account call
    the URL (their own identity policy is all they need): that is this rule's finding."""
    sids = statement_ids(via_url)
    urls = r["function_urls"]  # unreadable -> unknown: the URL's auth type decides the exposure
    present = {str(u.get("auth_type")).upper() for u in urls}
    reachable = set().union(*(_url_auth_types(s) for s in via_url)) & present
    if "AWS_IAM" in reachable:
        return fail(
            'Statements with Principal "*" let principals of any AWS account invoke the function '
            "through its IAM-authenticated function URL",
            severity=HIGH,
            statements=sids,
        )
    if "NONE" in reachable:
        return passed(
            "The statements open to everyone apply only through the function URL with auth type NONE, "
            "reported by lambda.function_url_auth",
            statements=sids,
        )
    return passed("The statements open to everyone apply only through a function URL the function does not have")


@rule(
    id="lambda.function_url_auth",
    title="Lambda function URL requires IAM authentication",
    resource_type=FUNCTION,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    rationale="""A function URL with auth type NONE is an HTTPS endpoint anyone on the internet can call;
    any authentication is then up to our code. AWS runs the endpoint; whether it is open is ours.""",
    remediation="""Use AWS_IAM: aws lambda update-function-url-config --function-name FN --auth-type AWS_IAM,
    or put the function behind API Gateway with an authorizer; delete URLs that are not needed.""",
    failing={"function_urls": [{"url": "https://abc.lambda-url.us-east-1.on.aws/", "auth_type": "NONE"}]},
    passing={"function_urls": [{"url": "https://abc.lambda-url.us-east-1.on.aws/", "auth_type": "AWS_IAM"}]},
)
def function_url_auth(r, inv):
    urls = r["function_urls"]
    if not urls:
        return passed("The function has no function URL")
    open_urls = [u.get("url") for u in urls if str(u.get("auth_type")).upper() == "NONE"]
    if open_urls:
        return fail("Function URL without authentication (auth type NONE): " + ", ".join(open_urls), urls=open_urls)
    return passed("Every function URL requires IAM authentication")


@rule(
    id="lambda.env_secrets",
    title="Lambda environment variables do not appear to hold secrets",
    resource_type=FUNCTION,
    owner=CUSTOMER,
    layer=DATA,
    severity=HIGH,
    rationale="""Environment variables are readable by anyone with lambda:GetFunctionConfiguration and are
    copied into every deployment tool and console view. A variable whose name or value looks like a
    secret (password, token, key) belongs in Secrets Manager or Parameter Store. Only names are
    collected; values are checked and dropped at collection time. Where Lambda returns an
    environment error instead of the variables (a KMS key the scanner may not use), the check is
    unknown, never a pass.""",
    remediation="""Move the value to AWS Secrets Manager (aws secretsmanager create-secret), grant the
    execution role secretsmanager:GetSecretValue on it, read it at start-up, rotate it (it has been
    exposed), and remove the variable. For an unknown result, grant the scanning role kms:Decrypt on
    the function's key, or review the variables with a role that has it.""",
    failing={"secret_like_env": ["API_TOKEN"], "env_var_names": ["API_TOKEN", "LOG_LEVEL"]},
    passing={"secret_like_env": [], "env_var_names": ["LOG_LEVEL"]},
)
def env_secrets(r, inv):
    names = list(r["secret_like_env"])
    error = r.get("env_error")
    if error and not names:
        return unknown(
            f"Lambda returned no readable environment variables ({error.get('code')}): they are encrypted "
            "with a KMS key the scanner may not use, so whether they hold secrets is not known",
            error_code=error.get("code"),
        )
    if names:
        return fail("Environment variables that look like secrets: " + ", ".join(names), names=names)
    return passed("No environment variable looks like a secret", variable_count=len(r.get("env_var_names") or []))
