"""No secret value ever leaves the scanner: canaries seeded where AWS returns secrets to a reader.

Lambda environment variables (ListFunctions returns the values), SSM String parameters
(GetParameters returns them in clear), API Gateway stage variables, CloudFront origin custom
headers, ECS task definition
environment (DescribeTaskDefinition returns them), EC2 user data (instances and launch
templates) and an RDS master password are seeded with unique canary strings on top of the
demo account. A full CLI scan then writes every format and the saved inventory; the test greps
every output file, the CLI's stdout/stderr and every log record for the canaries, raw and in
base64 (the form EC2 returns user data in). The canary values are deliberately bland, not
secret-shaped, so that the writers' last-resort `scrub` cannot hide a collector that kept one.

Logging: records from srmscan's own loggers are captured at DEBUG; third-party loggers at INFO,
their default ceiling in normal use (botocore's DEBUG wire log prints response bodies by design,
and is not something srmscan enables).
"""

from __future__ import annotations

import base64
import io
import logging
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from srmscan.cli import app
from tests.world import REGIONS, seed_demo

CANARIES = {
    "lambda_env_plain": "canary-lambda-plain-5f1e",
    "lambda_env_named": "canary-lambda-named-8c2a",
    "ecs_env_plain": "canary-ecs-plain-3d9b",
    "ecs_env_named": "canary-ecs-named-71fe",
    "ec2_user_data": "canary-ec2-userdata-a4c0",
    "launch_template_user_data": "canary-lt-userdata-66d2",
    "rds_password": "canaryRdsPassword9e41",
    "ssm_string_parameter": "canary-ssm-string-2b8d",
    "ssm_string_named": "canary-ssm-named-90aa",
    "apigateway_stage_variable": "canary-apigw-stagevar-c31e",
    "cloudfront_origin_header": "canary-cf-origin-header-5d07",
    "secretsmanager_value": "canary-sm-value-0b7e",
    "secretsmanager_description": "canary-sm-description-5a3c",
}
REGION = REGIONS[0]


def _seed_canaries(session: boto3.Session) -> None:
    iam = session.client("iam")
    role = iam.create_role(
        RoleName="canary-fn-role",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    session.client("lambda", region_name=REGION).create_function(
        FunctionName="canary-fn",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
        Environment={
            "Variables": {"GREETING": CANARIES["lambda_env_plain"], "DB_PASSWORD": CANARIES["lambda_env_named"]}
        },
    )

    ecs = session.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="canary-cluster")
    task = ecs.register_task_definition(
        family="canary-task",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "app",
                "image": "public.ecr.aws/nginx/nginx:1.27",
                "environment": [
                    {"name": "MODE", "value": CANARIES["ecs_env_plain"]},
                    {"name": "API_TOKEN", "value": CANARIES["ecs_env_named"]},
                ],
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="canary-cluster", serviceName="canary-svc", taskDefinition=task, desiredCount=1)

    ec2 = session.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        UserData=f"#!/bin/sh\necho {CANARIES['ec2_user_data']}\n",
    )
    ec2.create_launch_template(
        LaunchTemplateName="canary-lt",
        LaunchTemplateData={
            "ImageId": image,
            "UserData": base64.b64encode(
                f"#!/bin/sh\necho {CANARIES['launch_template_user_data']}\n".encode()
            ).decode(),
        },
    )

    session.client("rds", region_name=REGION).create_db_instance(
        DBInstanceIdentifier="canary-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="canary",
        MasterUserPassword=CANARIES["rds_password"],
        AllocatedStorage=20,
    )

    session.client("secretsmanager", region_name=REGION).create_secret(
        Name="canary-secret",
        Description=f"fallback credential {CANARIES['secretsmanager_description']}",
        SecretString=CANARIES["secretsmanager_value"],
    )


def _seed_front_door_canaries(session: boto3.Session) -> None:
    """Where SSM parameters (String values are returned in clear), API Gateway stage variables and
    CloudFront origin custom headers (often a shared secret the origin checks) carry secrets."""
    ssm = session.client("ssm", region_name=REGION)
    ssm.put_parameter(Name="/canary/greeting", Type="String", Value=CANARIES["ssm_string_parameter"])
    ssm.put_parameter(Name="/canary/db_password", Type="String", Value=CANARIES["ssm_string_named"])
    apigw = session.client("apigateway", region_name=REGION)
    api = apigw.create_rest_api(name="canary-api")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(
        restApiId=api, stageName="canary", variables={"backendToken": CANARIES["apigateway_stage_variable"]}
    )
    session.client("cloudfront", region_name="us-east-1").create_distribution(
        DistributionConfig={
            "CallerReference": "canary",
            "Comment": "canary",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "o",
                        "DomainName": "origin.canary.example",
                        "CustomHeaders": {
                            "Quantity": 1,
                            "Items": [
                                {"HeaderName": "X-Origin-Verify", "HeaderValue": CANARIES["cloudfront_origin_header"]}
                            ],
                        },
                        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only", "CachePolicyId": "x"},
        }
    )


def _forms(value: str) -> list[str]:
    """The canary as it could leak: raw, and base64 of the text it was embedded in (any offset)."""
    raw = value.encode()
    forms = [value]
    for pad in range(3):
        encoded = base64.b64encode(b"x" * pad + raw).decode()
        forms.append(encoded[4 * ((pad + 2) // 3) : -4])  # the stable middle, independent of context
    return [f for f in forms if len(f) >= 12]


def test_secret_canaries_never_reach_any_output(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog) -> None:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="srmscan")
    out = tmp_path / "report"
    inventory = tmp_path / "inventory.json"
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        seed_demo(session)
        _seed_canaries(session)
        _seed_front_door_canaries(session)
        # Prove the canaries are really readable by a scanner, so that their absence means something.
        fn = session.client("lambda", region_name=REGION).get_function_configuration(FunctionName="canary-fn")
        assert CANARIES["lambda_env_plain"] in str(fn)
        regions = [arg for r in REGIONS for arg in ("-r", r)]
        formats = ["-f", "json", "-f", "html", "-f", "csv", "-f", "ocsf", "-f", "junit"]
        args = ["scan", *regions, "-o", str(out), *formats, "--save-inventory", str(inventory)]
        args += ["--framework", "pci-dss-4.0.1", "--framework", "fsbp"]
        args += ["-v"]  # the call log on stderr must not carry a secret either
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    for fmt in ("oscal", "csv", "json", "html"):
        view = ["compliance", "--framework", "pci-dss-4.0.1", "--report", str(out / "report.json"), "-q"]
        done = CliRunner().invoke(app, [*view, "-f", fmt, "--output", str(tmp_path / f"compliance.{fmt}")])
        assert done.exit_code == 0, done.output
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {
        "report.json",
        "report.html",
        "report.csv",
        "report.ocsf.json",
        "report.junit.xml",
        "inventory.json",
    }
    texts = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in files}
    texts["cli output"] = result.output + (result.stderr if result.stderr_bytes is not None else "")
    texts["log records"] = "\n".join(r.getMessage() for r in caplog.records)
    # The scan did see the canary-bearing resources (else the test would prove nothing).
    inv_text = texts[str(inventory)]
    for name in (
        "canary-fn",
        "canary-db",
        "canary-lt",
        "canary-task",
        "canary-api",
        "origin.canary.example",
        "canary-secret",
    ):
        assert name in inv_text, f"{name} was not collected"
    leaks = [
        (label, where)
        for label, value in CANARIES.items()
        for where, text in texts.items()
        if any(form in text for form in _forms(value))
    ]
    assert leaks == []
