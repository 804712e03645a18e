"""The API-call budget: what a scan of a given inventory must call, operation by operation.

Each entry says how an operation scales and why that is necessary:
- `once`: one call per scan (account-wide settings),
- `region`: one call per scanned region, or per page of a regional listing,
- `each`: one call per resource of the named types, allowed ONLY where AWS has no batch or list
  API that returns the same data (S3 bucket settings, Lambda resource policies, ...),
- `batch`: per-resource data fetched in batches of `page`,
- `cluster` / `cluster+`: per ECS cluster (a listing even when empty / a describe in batches of `page`),
- `poll`: the credential report: generate, then ask again until it is ready,
- `typed`: one filtered listing per named type, per region holding any of that type.

Listings count as ceil(resources / AWS maximum page size) pages per region (at least one).
The bench compares each operation's actual count (from the botocore hook) with this budget, so
an operation made per resource where a batch exists, or made twice, stands out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    scale: str  # once | region | each | batch | typed
    types: tuple[str, ...] = ()
    page: int = 0
    why: str = ""
    # One more call when any resource of these types exists (a global listing of the same operation).
    plus_one_if: tuple[str, ...] = ()


INSTANCE = "AWS::EC2::Instance"
BUCKET = "AWS::S3::Bucket"
FUNCTION = "AWS::Lambda::Function"
SERVICE = "AWS::ECS::Service"
CLUSTER = "AWS::ECS::Cluster"
TASKDEF = "AWS::ECS::TaskDefinition"
DB = "AWS::RDS::DBInstance"
SG = "AWS::EC2::SecurityGroup"
VOLUME = "AWS::EC2::Volume"
USER = "AWS::IAM::User"
ROLE = "AWS::IAM::Role"
# SSM parameters are read (names, and the shape of String values) but are not inventory
# resources: the bench passes the seeded count under this name.
PARAMETER = "AWS::SSM::Parameter"

S3_PER_BUCKET = "S3 has no batch API for bucket settings: one call per bucket per setting"

BUDGET: dict[str, Entry] = {
    # --- identity and account-wide settings
    "sts GetCallerIdentity": Entry("once", why="account id and partition"),
    "iam GetAccountSummary": Entry("once"),
    "iam GetAccountPasswordPolicy": Entry("once"),
    "iam ListAccountAliases": Entry("once"),
    "iam ListVirtualMFADevices": Entry("once"),
    "iam GenerateCredentialReport": Entry(
        "poll", why="start, then ask again until COMPLETE (moto: 2 calls; AWS may need a few more)"
    ),
    "iam GetCredentialReport": Entry("once"),
    "iam GetAccountAuthorizationDetails": Entry(
        "once", (USER, ROLE), page=1000, why="users, roles, groups, policies with attachments in one paginated call"
    ),
    "iam ListUsers": Entry("once", (USER,), page=1000),
    "iam ListRoles": Entry("once", (ROLE,), page=1000),
    "iam ListPolicies": Entry("once", page=1000),
    "s3control GetPublicAccessBlock": Entry("once"),
    # --- S3: per bucket is unavoidable
    "s3 ListBuckets": Entry("once", (BUCKET,), page=10000),
    "s3 GetBucketLocation": Entry(
        "each",
        (BUCKET,),
        why="moto 5.2.5 omits BucketRegion from ListBuckets; on AWS ListBuckets returns it and this is 0",
    ),
    **{
        f"s3 {op}": Entry("each", (BUCKET,), why=S3_PER_BUCKET)
        for op in (
            "GetPublicAccessBlock",
            "GetBucketPolicy",
            "GetBucketAcl",
            "GetBucketEncryption",
            "GetBucketVersioning",
            "GetBucketLogging",
            "GetBucketTagging",
        )
    },
    # --- regional account settings
    "cloudtrail DescribeTrails": Entry("region"),
    "config DescribeConfigurationRecorders": Entry("region"),
    "config DescribeConfigurationRecorderStatus": Entry("region"),
    "accessanalyzer ListAnalyzers": Entry("region"),
    "ec2 GetEbsEncryptionByDefault": Entry("region"),
    "ec2 GetEbsDefaultKmsKeyId": Entry("region"),
    "ec2 GetSnapshotBlockPublicAccessState": Entry("region"),
    "ec2 GetImageBlockPublicAccessState": Entry("region"),
    "ec2 GetInstanceMetadataDefaults": Entry("region"),
    "lambda GetAccountSettings": Entry("region"),
    # --- EC2 listings (MaxResults 1000)
    "ec2 DescribeInstances": Entry("region", (INSTANCE,), page=1000),
    "ec2 DescribeSecurityGroups": Entry("region", (SG,), page=1000),
    "ec2 DescribeVolumes": Entry("region", (VOLUME,), page=500),
    "ec2 DescribeVpcs": Entry("region", ("AWS::EC2::VPC",), page=1000),
    "ec2 DescribeSubnets": Entry("region", ("AWS::EC2::Subnet",), page=1000),
    "ec2 DescribeRouteTables": Entry("region", page=100),
    "ec2 DescribeInternetGateways": Entry("region", page=1000),
    "ec2 DescribeNetworkAcls": Entry("region", page=1000),
    "ec2 DescribeFlowLogs": Entry("region", page=1000),
    "ec2 DescribeLaunchTemplates": Entry("region", ("AWS::EC2::LaunchTemplate",), page=200),
    "ec2 DescribeLaunchTemplateVersions": Entry("region", ("AWS::EC2::LaunchTemplate",), page=200),
    "ec2 DescribeInstanceStatus": Entry("region", (INSTANCE,), page=1000, why="scheduled events for all instances"),
    "ec2 DescribeImages": Entry("region", (INSTANCE,), page=1000, why="AMIs in use, batched by ImageIds"),
    "ec2 DescribeSnapshots": Entry("region", page=1000),
    "elbv2 DescribeLoadBalancers": Entry("region", ("AWS::ElasticLoadBalancingV2::LoadBalancer",), page=400),
    "elbv2 DescribeTargetGroups": Entry("region", page=400),
    "resourcegroupstaggingapi GetResources": Entry(
        "typed",
        (FUNCTION, "AWS::DynamoDB::Table"),
        page=100,
        why="tags of all functions (and, separately, all tables) in one listing per region instead of one call each;"
        " one more for CloudFront's",
        plus_one_if=("AWS::CloudFront::Distribution",),
    ),
    "autoscaling DescribeAutoScalingGroups": Entry("region", ("AWS::AutoScaling::AutoScalingGroup",), page=100),
    # --- SSM (inventory of managed instances, one listing per region)
    "ssm DescribeInstanceInformation": Entry("region", (INSTANCE,), page=50),
    "ssm DescribeInstancePatchStates": Entry("region", (INSTANCE,), page=50, why="batch of up to 50 instance ids"),
    "ssm ListComplianceSummaries": Entry("region"),
    "ssm ListResourceComplianceSummaries": Entry("region", (INSTANCE,), page=100),
    "ssm ListAssociations": Entry("region"),
    # --- Lambda: ListFunctions returns configuration; resource policy and URL config are per function
    "lambda ListFunctions": Entry("region", (FUNCTION,), page=50),
    "lambda GetPolicy": Entry("each", (FUNCTION,), why="no batch API for resource policies"),
    "lambda ListFunctionUrlConfigs": Entry("each", (FUNCTION,), why="no batch API for function URLs"),
    "lambda ListEventSourceMappings": Entry("region", page=100),
    "lambda ListLayers": Entry("region", page=50),
    # --- ECS: list then describe in batches
    "ecs ListClusters": Entry("region", (CLUSTER,), page=100),
    "ecs DescribeClusters": Entry("region", (CLUSTER,), page=100),
    "ecs ListServices": Entry("cluster", (SERVICE,), page=100, why="per cluster, pages of 100"),
    "ecs DescribeServices": Entry("cluster+", (SERVICE,), page=10, why="per cluster, 10 services per call"),
    "ecs DescribeTaskDefinition": Entry("each", (TASKDEF,), why="no batch describe for task definitions"),
    "ecs ListTaskDefinitions": Entry("region", (TASKDEF,), page=100),
    "ecs ListTaskDefinitionFamilies": Entry("region", (TASKDEF,), page=100),
    "ecs ListContainerInstances": Entry("cluster", ("AWS::ECS::ContainerInstance",), page=100),
    "ecs DescribeContainerInstances": Entry("cluster+", ("AWS::ECS::ContainerInstance",), page=100),
    "ecs ListAccountSettings": Entry("region"),
    "ecr DescribeRepositories": Entry("region", ("AWS::ECR::Repository",), page=1000),
    "ecr DescribeRegistry": Entry("region"),
    "ecr GetRegistryScanningConfiguration": Entry("region"),
    # --- RDS (MaxRecords 100)
    "rds DescribeDBInstances": Entry("region", (DB,), page=100),
    "rds DescribeDBClusters": Entry("region", ("AWS::RDS::DBCluster",), page=100),
    "rds DescribeDBSnapshots": Entry("region", ("AWS::RDS::DBSnapshot",), page=100),
    "rds DescribeDBClusterSnapshots": Entry("region", page=100),
    "rds DescribePendingMaintenanceActions": Entry("region", (DB,), page=100),
    "rds DescribeDBEngineVersions": Entry("region", why="one filtered call per engine in use is acceptable"),
    "rds DescribeDBParameterGroups": Entry("region", page=100),
    # --- organization membership and Access Analyzer findings
    "organizations DescribeOrganization": Entry("once", why="is an ORGANIZATION analyzer elsewhere possible"),
    "organizations ListDelegatedAdministrators": Entry("once", why="management account only"),
    "accessanalyzer ListFindingsV2": Entry(
        "region", why="two listings (ACTIVE, ACTIVE and public) per external-access analyzer"
    ),
    # --- CloudFront (global): the listing carries nearly everything; logging and the default root
    # object are only in the full configuration
    "cloudfront ListDistributions": Entry("once", ("AWS::CloudFront::Distribution",), page=100),
    "cloudfront GetDistributionConfig": Entry(
        "each", ("AWS::CloudFront::Distribution",), why="logging and DefaultRootObject: no batch API"
    ),
    # --- API Gateway: one listing per generation and region; stages, methods, routes per API
    "apigateway GetRestApis": Entry("region", ("AWS::ApiGateway::RestApi",), page=500),
    "apigateway GetResources": Entry(
        "each", ("AWS::ApiGateway::RestApi",), why="every method of one API (embed=methods); no cross-API listing"
    ),
    "apigateway GetStages": Entry("each", ("AWS::ApiGateway::RestApi",), why="no cross-API listing of stages"),
    "apigatewayv2 GetApis": Entry("region", ("AWS::ApiGatewayV2::Api",), why="no documented maximum page size"),
    "apigatewayv2 GetRoutes": Entry("each", ("AWS::ApiGatewayV2::Api",), why="no cross-API listing of routes"),
    "apigatewayv2 GetStages": Entry("each", ("AWS::ApiGatewayV2::Api",), why="no cross-API listing of stages"),
    # --- detection: one detector and one hub per region
    "guardduty ListDetectors": Entry("region", page=50),
    "guardduty GetDetector": Entry("region", why="the region's one detector, when it exists"),
    "securityhub DescribeHub": Entry("region"),
    "securityhub GetEnabledStandards": Entry("region", page=100, why="only where the hub is enabled"),
    # --- CloudWatch: three regional listings, nothing per resource
    "logs DescribeLogGroups": Entry("region", ("AWS::Logs::LogGroup",), page=50),
    "logs DescribeMetricFilters": Entry("region", page=50),
    "cloudwatch DescribeAlarms": Entry("region", page=100),
    # --- Route 53 (global) and Route 53 Domains (us-east-1); records per public zone
    "route53 ListHostedZones": Entry("once", ("AWS::Route53::HostedZone",), page=100),
    "route53 ListQueryLoggingConfigs": Entry("once", page=100, why="every zone's config in one listing"),
    "route53 ListResourceRecordSets": Entry(
        "each", ("AWS::Route53::HostedZone",), why="records of one zone (page 300); private zones are skipped"
    ),
    "route53domains ListDomains": Entry("once", ("AWS::Route53Domains::Domain",), page=100),
    "ec2 DescribeAddresses": Entry("region", why="Elastic IPs, for A records; not paginated"),
    # --- Systems Manager beyond patching
    "ssm ListDocuments": Entry("region", ("AWS::SSM::Document",), page=50, why="Owner=Self only"),
    "ssm DescribeDocumentPermission": Entry("each", ("AWS::SSM::Document",), why="no batch API for sharing"),
    "ssm DescribeParameters": Entry(
        "region",
        (PARAMETER,),
        page=50,
        why="AWS pages by MaxResults=50; moto 5.2.5 answers 10 a page whatever MaxResults says, so it runs over",
    ),
    "ssm GetParameters": Entry(
        "region",
        (PARAMETER,),
        page=10,
        why="String/StringList values in batches of 10 (the API's maximum), shape judged",
    ),
    "ssm GetServiceSetting": Entry("region", why="the DHMC setting"),
    # --- DynamoDB and DAX (ListTables Limit 100, DAX MaxResults 100), AWS Backup (MaxResults 1000)
    "dynamodb ListTables": Entry("region", ("AWS::DynamoDB::Table",), page=100),
    **{
        f"dynamodb {op}": Entry("each", ("AWS::DynamoDB::Table",), why="DynamoDB has no batch describe for tables")
        for op in ("DescribeTable", "DescribeContinuousBackups", "GetResourcePolicy")
    },
    "dax DescribeClusters": Entry("region", ("AWS::DAX::Cluster",), page=100),
    "dax ListTags": Entry("each", ("AWS::DAX::Cluster",), why="DAX has no batch tag API; the tagging API omits DAX"),
    "backup ListBackupPlans": Entry("region", page=1000),
    "backup ListBackupSelections": Entry("region", why="one per backup plan; the bench account has none"),
    "backup GetBackupSelection": Entry("region", why="one per selection: AWS Backup has no batch form"),
    # --- ElastiCache (MaxRecords 100): two listings, nothing per resource
    "elasticache DescribeCacheClusters": Entry("region", ("AWS::ElastiCache::CacheCluster",), page=100),
    "elasticache DescribeReplicationGroups": Entry("region", ("AWS::ElastiCache::ReplicationGroup",), page=100),
    # --- EKS (maxResults 100): no batch describe, so per cluster / per node group
    "eks ListClusters": Entry("region", ("AWS::EKS::Cluster",), page=100),
    "eks DescribeClusterVersions": Entry("region", why="AWS's version calendar, only in regions with clusters"),
    "eks DescribeCluster": Entry("each", ("AWS::EKS::Cluster",), why="EKS has no batch describe"),
    "eks ListNodegroups": Entry("each", ("AWS::EKS::Cluster",), why="node groups are listed per cluster"),
    "eks ListFargateProfiles": Entry("each", ("AWS::EKS::Cluster",), why="profiles are listed per cluster"),
    "eks DescribeNodegroup": Entry("each", ("AWS::EKS::Nodegroup",), why="EKS has no batch describe"),
    # --- KMS (Limit 1000): describe per key; rotation and policy per customer managed key
    "kms ListKeys": Entry("region", ("AWS::KMS::Key",), page=1000),
    "kms ListAliases": Entry("region", ("AWS::KMS::Key",), page=1000),
    **{
        f"kms {op}": Entry("each", ("AWS::KMS::Key",), why="KMS has no batch describe / policy / rotation call")
        for op in ("DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy")
    },
    # --- Secrets Manager (MaxResults 100): the listing carries rotation and access dates
    "secretsmanager ListSecrets": Entry("region", ("AWS::SecretsManager::Secret",), page=100),
    "secretsmanager GetResourcePolicy": Entry(
        "each", ("AWS::SecretsManager::Secret",), why="no batch API for secret resource policies"
    ),
}


@dataclass
class Line:
    op: str
    actual: int
    expected: int | None
    why: str


@dataclass
class Budget:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def expected_total(self) -> int:
        return sum(line.expected or 0 for line in self.lines)

    @property
    def actual_budgeted(self) -> int:
        return sum(line.actual for line in self.lines if line.expected is not None)

    @property
    def excess(self) -> int:
        """Calls beyond the budget, summed per operation (fewer calls elsewhere do not offset them)."""
        return sum(max(0, line.actual - line.expected) for line in self.lines if line.expected is not None)

    def ratio_text(self) -> str:
        """Calls over budget as a share of the budget: the figure the 10% target applies to."""
        if not self.expected_total:
            return "n/a"
        unbudgeted = sum(line.actual for line in self.lines if line.expected is None)
        extra = f" (+{unbudgeted} with no budget entry)" if unbudgeted else ""
        return f"{self.excess} ({self.excess / self.expected_total:.1%}){extra}"

    def table(self, attempts: dict[str, int]) -> list[str]:
        rows = [
            "| service operation | calls | HTTP attempts | budget | over budget |",
            "|---|---|---|---|---|",
        ]
        for line in sorted(self.lines, key=lambda x: (-x.actual, x.op)):
            over = ""
            if line.expected is None:
                over = "no budget entry"
            elif line.actual > line.expected * 1.1:
                over = f"**+{line.actual - line.expected}**"
            exp = "?" if line.expected is None else str(line.expected)
            rows.append(f"| {line.op} | {line.actual} | {attempts.get(line.op, 0)} | {exp} | {over} |")
        return rows


def expected(entry: Entry, counts: dict[str, int], regions: int) -> int:
    plus = 1 if any(counts.get(t, 0) for t in entry.plus_one_if) else 0
    return _expected(entry, counts, regions) + plus


def _expected(entry: Entry, counts: dict[str, int], regions: int) -> int:
    n = sum(counts.get(t, 0) for t in entry.types)
    if entry.scale == "once":
        return max(1, math.ceil(n / entry.page)) if entry.page else 1
    if entry.scale == "region":
        if not entry.page:
            return regions
        return sum(max(1, math.ceil(part / entry.page)) for part in _split(n, regions))
    if entry.scale == "each":
        return n
    if entry.scale == "batch":
        return math.ceil(n / entry.page) if entry.page else n
    if entry.scale == "poll":
        return 2
    if entry.scale == "typed":
        # one listing per resource type per region that has any of that type (filtered listings)
        return sum(
            math.ceil(part / entry.page) for t in entry.types for part in _split(counts.get(t, 0), regions) if part
        )
    if entry.scale in ("cluster", "cluster+"):
        # per ECS cluster: a listing is needed even when empty ("cluster"); a describe only when
        # the cluster has something to describe ("cluster+").
        clusters = counts.get(CLUSTER, 0)
        if entry.scale == "cluster":
            return sum(max(1, math.ceil(part / entry.page)) for part in _split(n, clusters)) if clusters else 0
        return sum(math.ceil(part / entry.page) for part in _split(n, clusters)) if clusters else 0
    raise ValueError(entry.scale)


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def budget_for(calls: dict[str, int], counts: dict[str, int], regions: int) -> Budget:
    """Compare the calls a scan made with the budget for the inventory it found."""
    budget = Budget()
    for op, actual in calls.items():
        entry = BUDGET.get(op)
        if entry is None:
            budget.lines.append(Line(op, actual, None, "not in tests/bench/budget.py"))
            budget.notes.append(f"`{op}` has no budget entry: add one saying why it is necessary")
            continue
        budget.lines.append(Line(op, actual, expected(entry, counts, regions), entry.why))
    return budget
