"""Which IAM action authorises which API operation.

Most operations are `prefix:OperationName`; the exceptions are listed here because the
`permissions` command and the read-only test both depend on getting them right.
"""

from __future__ import annotations

_PREFIX = {
    "s3control": "s3",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "logs": "logs",
    "accessanalyzer": "access-analyzer",
    "lambda": "lambda",
    "autoscaling": "autoscaling",
    "resourcegroupstaggingapi": "tag",
}

_EXCEPTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketLogging"): "s3:GetBucketLogging",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("lambda", "ListFunctionUrlConfigs"): "lambda:ListFunctionUrlConfigs",
    ("lambda", "GetPolicy"): "lambda:GetPolicy",
    ("ecr", "DescribeImageScanFindings"): "ecr:DescribeImageScanFindings",
    ("accessanalyzer", "ListFindingsV2"): "access-analyzer:ListFindings",
}

# Operations that need no IAM permission at all.
UNAUTHORISED_OK = {("sts", "GetCallerIdentity")}


# API Gateway authorises by HTTP verb on resource paths: every read (REST and v2) is apigateway:GET.
_HTTP_VERB_SERVICES = {"apigateway", "apigatewayv2"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action that authorises `operation` on the boto3 `service`."""
    special = _EXCEPTIONS.get((service, operation))
    if special:
        return special
    if service in _HTTP_VERB_SERVICES and operation.startswith("Get"):
        return "apigateway:GET"
    return f"{_PREFIX.get(service, service)}:{operation}"


READ_ONLY_PREFIXES = (
    "Describe",
    "List",
    "Get",
    "BatchGet",
    "GenerateCredentialReport",
    "LookupEvents",
    "Search",
    "GET",  # apigateway:GET, the one IAM action behind every API Gateway read
)


def is_read_only(operation: str) -> bool:
    """Whether an operation name is of the read-only kind srmscan is allowed to call."""
    return operation.startswith(READ_ONLY_PREFIXES)
