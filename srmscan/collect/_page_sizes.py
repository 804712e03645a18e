"""The largest page each paginated API accepts, sent on every call by the choke point.

Without a page size most AWS listings answer in small default pages (ECS 10, SSM 10, Auto Scaling
50, ...), so a large account costs several times the calls it needs, and EC2 documents its
unpaginated describes as "susceptible to throttling and timeouts". Real AWS honours these sizes;
moto ignores them, so only tests against real-shaped answers (tests/realworld/) can see them.

The botocore model carries a maximum for some parameters (`max` on the shape); for the others the
maximum is in the documentation, cited per entry. tests/realworld/test_page_sizes.py checks every
paginated call a scan makes against this table and the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_EC2_PAGES = "EC2 API reference, Pagination (Query-Requests.html#api-pagination): MaxResults 5-1000"
_ECS = "ECS API reference: maxResults 'can be between 1 and 100'"
_RDS = "RDS API reference: MaxRecords 'Minimum 20, maximum 100'"


@dataclass(frozen=True)
class PageSize:
    param: str
    maximum: int | None  # None: the API documents no maximum, so nothing is sent (see `source`)
    source: str
    # Request parameters the page size may not be combined with (AWS rejects the pair).
    not_with: tuple[str, ...] = ()


PAGE_SIZES: dict[tuple[str, str], PageSize] = {
    ("accessanalyzer", "ListAnalyzers"): PageSize(
        "maxResults", None, "Access Analyzer API reference documents no maximum; a region holds a handful of analyzers"
    ),
    ("accessanalyzer", "ListFindingsV2"): PageSize(
        "maxResults",
        None,
        "Access Analyzer API reference (ListFindingsV2) and botocore model document no maximum; a value "
        "AWS rejects would make every findings listing fail, so none is sent",
    ),
    ("autoscaling", "DescribeAutoScalingGroups"): PageSize(
        "MaxRecords", 100, "botocore model documentation: 'The default value is 50 and the maximum value is 100'"
    ),
    ("ec2", "DescribeFlowLogs"): PageSize("MaxResults", 1000, _EC2_PAGES),
    ("ec2", "DescribeInstances"): PageSize("MaxResults", 1000, _EC2_PAGES, ("InstanceIds",)),
    ("ec2", "DescribeInstanceStatus"): PageSize("MaxResults", 1000, _EC2_PAGES, ("InstanceIds",)),
    ("ec2", "DescribeImages"): PageSize("MaxResults", 1000, _EC2_PAGES, ("ImageIds",)),
    ("ec2", "DescribeVolumes"): PageSize(
        "MaxResults",
        1000,
        _EC2_PAGES + " (earlier DescribeVolumes docs: pages hold at most 500, larger values answer 500)",
        ("VolumeIds",),
    ),
    ("ec2", "DescribeLaunchTemplates"): PageSize("MaxResults", 200, "botocore model: max 200"),
    ("ec2", "DescribeLaunchTemplateVersions"): PageSize(
        "MaxResults", 200, "botocore model documentation: 'This value can be between 1 and 200'"
    ),
    ("ec2", "GetManagedPrefixListEntries"): PageSize("MaxResults", 100, "botocore model: max 100"),
    ("ec2", "DescribeRouteTables"): PageSize("MaxResults", 100, "botocore model: max 100"),
    ("ec2", "DescribeSecurityGroups"): PageSize("MaxResults", 1000, "botocore model: max 1000", ("GroupIds",)),
    ("ec2", "DescribeSubnets"): PageSize("MaxResults", 1000, "botocore model: max 1000"),
    ("ec2", "DescribeVpcs"): PageSize("MaxResults", 1000, "botocore model: max 1000"),
    ("ecr", "DescribeRepositories"): PageSize("maxResults", 1000, "botocore model: max 1000", ("repositoryNames",)),
    ("ecr", "DescribeImages"): PageSize("maxResults", 1000, "botocore model: max 1000", ("imageIds",)),
    ("ecr", "DescribeImageScanFindings"): PageSize("maxResults", 1000, "botocore model: max 1000"),
    ("ecs", "ListClusters"): PageSize("maxResults", 100, _ECS),
    ("ecs", "ListServices"): PageSize("maxResults", 100, _ECS),
    ("ecs", "ListContainerInstances"): PageSize("maxResults", 100, _ECS),
    ("ecs", "ListTaskDefinitionFamilies"): PageSize("maxResults", 100, _ECS),
    ("elbv2", "DescribeLoadBalancers"): PageSize(
        "PageSize", 400, "botocore model: max 400", ("LoadBalancerArns", "Names")
    ),
    ("elbv2", "DescribeTargetGroups"): PageSize("PageSize", 400, "botocore model: max 400"),
    ("iam", "GetAccountAuthorizationDetails"): PageSize("MaxItems", 1000, "botocore model: max 1000"),
    ("iam", "ListAccountAliases"): PageSize("MaxItems", 1000, "botocore model: max 1000"),
    ("iam", "ListVirtualMFADevices"): PageSize("MaxItems", 1000, "botocore model: max 1000"),
    ("lambda", "ListFunctions"): PageSize(
        "MaxItems",
        50,
        "botocore model documentation: 'ListFunctions returns a maximum of 50 items in each response, "
        "even if you set the number higher' (the shape allows 10000)",
    ),
    ("lambda", "ListFunctionUrlConfigs"): PageSize("MaxItems", 50, "botocore model: max 50"),
    ("organizations", "ListDelegatedAdministrators"): PageSize("MaxResults", 20, "botocore model: max 20"),
    ("rds", "DescribeDBInstances"): PageSize("MaxRecords", 100, _RDS),
    ("rds", "DescribeDBClusters"): PageSize("MaxRecords", 100, _RDS),
    ("rds", "DescribeDBSnapshots"): PageSize("MaxRecords", 100, _RDS),
    ("rds", "DescribeDBSubnetGroups"): PageSize("MaxRecords", 100, _RDS),
    ("rds", "DescribePendingMaintenanceActions"): PageSize("MaxRecords", 100, _RDS),
    ("resourcegroupstaggingapi", "GetResources"): PageSize(
        "ResourcesPerPage", 100, "botocore model documentation: 'a minimum of 1 and a maximum value of 100'"
    ),
    ("s3", "ListBuckets"): PageSize(
        "MaxBuckets",
        10000,
        "botocore model: max 10000; S3 returns BucketRegion only when a parameter such as MaxBuckets is sent",
    ),
    ("ssm", "DescribeInstanceInformation"): PageSize("MaxResults", 50, "botocore model: max 50"),
    ("ssm", "DescribeInstancePatchStates"): PageSize("MaxResults", 100, "botocore model: max 100"),
    # Collectors added alongside (their own page sizes, recorded here so the model test covers them).
    ("apigateway", "GetRestApis"): PageSize("limit", 500, "botocore model documentation: 'the maximum value is 500'"),
    ("apigatewayv2", "GetApis"): PageSize(
        "MaxResults", None, "API Gateway v2 API reference documents no maximum (MaxResults is a string)"
    ),
    ("backup", "ListBackupPlans"): PageSize("MaxResults", 1000, "botocore model: max 1000"),
    ("cloudfront", "ListDistributions"): PageSize(
        "MaxItems", 100, "CloudFront API reference: MaxItems (pages of up to 100 distributions)"
    ),
    ("cloudwatch", "DescribeAlarms"): PageSize("MaxRecords", 100, "botocore model: max 100"),
    ("dax", "DescribeClusters"): PageSize("MaxResults", 100, "DAX API reference: 'between 20 and 100'"),
    ("dynamodb", "ListTables"): PageSize("Limit", 100, "botocore model: max 100"),
    ("eks", "ListClusters"): PageSize("maxResults", 100, "botocore model: max 100"),
    ("elasticache", "DescribeCacheClusters"): PageSize(
        "MaxRecords", 100, "ElastiCache API reference: 'minimum 20; maximum 100'"
    ),
    ("elasticache", "DescribeReplicationGroups"): PageSize(
        "MaxRecords", 100, "ElastiCache API reference: 'minimum 20; maximum 100'"
    ),
    ("guardduty", "ListDetectors"): PageSize("MaxResults", 50, "botocore model: max 50"),
    ("kms", "ListKeys"): PageSize("Limit", 1000, "botocore model: max 1000"),
    ("logs", "DescribeLogGroups"): PageSize("limit", 50, "botocore model: max 50"),
    ("logs", "DescribeMetricFilters"): PageSize("limit", 50, "botocore model: max 50"),
    ("route53", "ListHostedZones"): PageSize(
        "MaxItems", 100, "Route 53 API reference: a value above 100 returns only the first 100"
    ),
    ("route53", "ListQueryLoggingConfigs"): PageSize("MaxResults", 100, "Route 53 API reference: maximum 100"),
    ("route53domains", "ListDomains"): PageSize("MaxItems", 100, "botocore model: max 100"),
    ("secretsmanager", "ListSecrets"): PageSize("MaxResults", 100, "botocore model: max 100"),
    ("securityhub", "GetEnabledStandards"): PageSize("MaxResults", 100, "botocore model: max 100"),
    ("ssm", "DescribeParameters"): PageSize("MaxResults", 50, "botocore model: max 50"),
    ("ssm", "ListDocuments"): PageSize("MaxResults", 50, "botocore model: max 50"),
    ("ssm", "ListResourceComplianceSummaries"): PageSize("MaxResults", 50, "botocore model: max 50"),
}


def with_page_size(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """`params` plus the operation's largest page size, unless the caller chose one or cannot send one."""
    size = PAGE_SIZES.get((service, operation))
    if size is None or size.maximum is None or size.param in params:
        return params
    if any(params.get(p) for p in size.not_with):
        return params
    return {**params, size.param: size.maximum}
