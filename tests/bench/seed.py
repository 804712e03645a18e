"""Seed a synthetic account of a given size into a running moto_server, through boto3.

Everything goes through the public API (endpoint_url), the way a real account would have been
built, using batch calls where AWS has them (run_instances MinCount/MaxCount) and a thread pool
for the rest. Resources are spread evenly over the bench's regions; S3 and IAM are global.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import boto3
from botocore.config import Config

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
AMI = "ami-12c6146b"  # in moto's default AMI list for every region
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@dataclass(frozen=True)
class Size:
    """How many of each thing to create (totals across all regions)."""

    name: str
    instances: int
    security_groups: int
    buckets: int
    functions: int
    iam_users: int
    iam_roles: int
    rds_instances: int
    ecs_services: int
    task_definitions: int
    # Front doors and detection (issue 11): per region unless noted.
    apis: int = 0  # REST and HTTP APIs, half each, totals across regions
    log_groups: int = 0
    parameters: int = 0
    zones: int = 0  # global
    distributions: int = 0  # global

    def total(self) -> int:
        return sum(v for v in asdict(self).values() if isinstance(v, int))


SMALL = Size("small", 24, 12, 8, 12, 8, 8, 4, 8, 4, apis=4, log_groups=8, parameters=8, zones=2, distributions=2)
LARGE = Size(
    "large",
    3000,
    500,
    300,
    500,
    250,
    250,
    100,
    200,
    40,
    apis=40,
    log_groups=200,
    parameters=200,
    zones=10,
    distributions=10,
)


def _split(total: int, parts: int = len(REGIONS)) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class Seeder:
    def __init__(self, endpoint: str, workers: int = 8) -> None:
        self.endpoint = endpoint
        self.session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        self.config = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=workers * 2)
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.calls = 0
        self.timings: dict[str, float] = {}

    def client(self, service: str, region: str) -> Any:
        return self.session.client(service, region_name=region, endpoint_url=self.endpoint, config=self.config)

    def _many(self, label: str, fn: Callable[[Any], Any], items: list[Any]) -> None:
        started = time.perf_counter()
        list(self.pool.map(fn, items))
        self.timings[label] = round(time.perf_counter() - started, 2)

    def seed(self, size: Size) -> dict[str, float]:
        started = time.perf_counter()
        role_arn = self._iam(size)
        self._s3(size)
        per_region = list(zip(REGIONS, _split(size.instances), _split(size.security_groups), strict=True))
        self._many("ec2", lambda args: self._ec2(*args), per_region)
        self._many(
            "lambda",
            lambda args: self._lambda(*args, role_arn),
            list(zip(REGIONS, _split(size.functions), strict=True)),
        )
        self._many("rds", lambda args: self._rds(*args), list(zip(REGIONS, _split(size.rds_instances), strict=True)))
        self._many(
            "ecs",
            lambda args: self._ecs(*args),
            list(zip(REGIONS, _split(size.ecs_services), _split(size.task_definitions), strict=True)),
        )
        self._many(
            "front",
            lambda args: self._front(*args),
            list(zip(REGIONS, _split(size.apis), _split(size.log_groups), _split(size.parameters), strict=True)),
        )
        self._global_front(size)
        self._many("data_services", lambda region: self._data_services(region, size), list(REGIONS))
        self.timings["total"] = round(time.perf_counter() - started, 2)
        self.pool.shutdown()
        return self.timings

    # --- services --------------------------------------------------------------------
    def _iam(self, size: Size) -> str:
        iam = self.client("iam", "us-east-1")
        role_arn = iam.create_role(RoleName="bench-lambda-exec", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        self._many("iam_users", lambda i: iam.create_user(UserName=f"bench-user-{i:05d}"), list(range(size.iam_users)))
        self._many(
            "iam_roles",
            lambda i: iam.create_role(RoleName=f"bench-role-{i:05d}", AssumeRolePolicyDocument=TRUST),
            list(range(max(0, size.iam_roles - 1))),
        )
        return str(role_arn)

    def _s3(self, size: Size) -> None:
        def make(i: int) -> None:
            region = REGIONS[i % len(REGIONS)]
            s3 = self.client("s3", region)
            kwargs: dict[str, Any] = {"Bucket": f"bench-bucket-{i:05d}"}
            if region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            s3.create_bucket(**kwargs)
            if i % 5 == 0:
                s3.put_bucket_versioning(Bucket=kwargs["Bucket"], VersioningConfiguration={"Status": "Enabled"})

        self._many("s3", make, list(range(size.buckets)))

    def _ec2(self, region: str, instances: int, groups: int) -> None:
        ec2 = self.client("ec2", region)
        remaining = instances
        while remaining > 0:
            batch = min(250, remaining)
            ec2.run_instances(
                ImageId=AMI,
                MinCount=batch,
                MaxCount=batch,
                InstanceType="t3.micro",
                TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Owner", "Value": "bench"}]}],
            )
            remaining -= batch
        for i in range(groups):
            gid = ec2.create_security_group(GroupName=f"bench-sg-{i:05d}", Description="bench")["GroupId"]
            if i % 5 == 0:
                ec2.authorize_security_group_ingress(
                    GroupId=gid,
                    IpPermissions=[
                        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
                    ],
                )

    def _lambda(self, region: str, count: int, role_arn: str) -> None:
        lam = self.client("lambda", region)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("handler.py", "def handler(event, context):\n    return 1\n")
        code = buf.getvalue()
        runtimes = ("python3.12", "python3.8", "nodejs20.x", "java17")
        for i in range(count):
            lam.create_function(
                FunctionName=f"bench-fn-{region}-{i:05d}",
                Runtime=runtimes[i % len(runtimes)],
                Role=role_arn,
                Handler="handler.handler",
                Code={"ZipFile": code},
                Environment={"Variables": {"STAGE": "bench"}},
            )

    def _rds(self, region: str, count: int) -> None:
        rds = self.client("rds", region)
        for i in range(count):
            rds.create_db_instance(
                DBInstanceIdentifier=f"bench-db-{i:05d}",
                DBInstanceClass="db.t3.micro",
                Engine="postgres" if i % 2 else "mysql",
                MasterUsername="bench",
                MasterUserPassword="bench-password-not-secret",
                AllocatedStorage=20,
                AutoMinorVersionUpgrade=bool(i % 3),
                PubliclyAccessible=i % 10 == 0,
            )

    def _ecs(self, region: str, services: int, task_defs: int) -> None:
        ecs = self.client("ecs", region)
        clusters = [ecs.create_cluster(clusterName=f"bench-cluster-{n}")["cluster"]["clusterArn"] for n in range(2)]
        arns = []
        for i in range(max(1, task_defs)):
            td = ecs.register_task_definition(
                family=f"bench-task-{i:04d}",
                requiresCompatibilities=["FARGATE"],
                networkMode="awsvpc",
                cpu="256",
                memory="512",
                containerDefinitions=[{"name": "app", "image": "public.ecr.aws/nginx/nginx:latest", "essential": True}],
            )
            arns.append(td["taskDefinition"]["taskDefinitionArn"])
        for i in range(services):
            ecs.create_service(
                cluster=clusters[i % 2],
                serviceName=f"bench-svc-{i:05d}",
                taskDefinition=arns[i % len(arns)],
                desiredCount=1,
                launchType="FARGATE",
                platformVersion="1.4.0" if i % 4 else "LATEST",
            )

    def _front(self, region: str, apis: int, log_groups: int, parameters: int) -> None:
        """API Gateway REST/HTTP APIs (one stage each), log groups and SSM String parameters."""
        apigw, v2 = self.client("apigateway", region), self.client("apigatewayv2", region)
        for i in range(apis):
            if i % 2:
                api = v2.create_api(Name=f"bench-http-{i:04d}", ProtocolType="HTTP")["ApiId"]
                v2.create_route(ApiId=api, RouteKey="GET /items", AuthorizationType="NONE" if i % 4 == 1 else "AWS_IAM")
                v2.create_stage(ApiId=api, StageName="$default")
            else:
                rest = apigw.create_rest_api(name=f"bench-rest-{i:04d}")["id"]
                root = apigw.get_resources(restApiId=rest)["items"][0]["id"]
                apigw.put_method(restApiId=rest, resourceId=root, httpMethod="GET", authorizationType="NONE")
                apigw.put_integration(restApiId=rest, resourceId=root, httpMethod="GET", type="MOCK")
                apigw.create_deployment(restApiId=rest, stageName="prod")
        logs = self.client("logs", region)
        for i in range(log_groups):
            logs.create_log_group(logGroupName=f"/bench/{region}/group-{i:05d}")
            if i % 3 == 0:
                logs.put_retention_policy(logGroupName=f"/bench/{region}/group-{i:05d}", retentionInDays=30)
        ssm = self.client("ssm", region)
        for i in range(parameters):
            ssm.put_parameter(Name=f"/bench/{region}/setting-{i:05d}", Type="String", Value=f"value-{i}")

    def _global_front(self, size: Size) -> None:
        """Hosted zones with a few records each, and CloudFront distributions over bench buckets."""
        route53 = self.client("route53", "us-east-1")
        for z in range(size.zones):
            zone = route53.create_hosted_zone(Name=f"bench{z:03d}.example", CallerReference=f"bench-{z}")
            changes = [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": f"host{i}.bench{z:03d}.example",
                        "Type": "CNAME",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": f"bench-bucket-{i:05d}.s3-website-us-east-1.amazonaws.com"}],
                    },
                }
                for i in range(20)
            ]
            route53.change_resource_record_sets(HostedZoneId=zone["HostedZone"]["Id"], ChangeBatch={"Changes": changes})
        cloudfront = self.client("cloudfront", "us-east-1")
        for d in range(size.distributions):
            origin = {
                "Id": "o",
                "DomainName": f"bench-bucket-{d:05d}.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""},
            }
            cloudfront.create_distribution(
                DistributionConfig={
                    "CallerReference": f"bench-{d}",
                    "Comment": "bench",
                    "Enabled": True,
                    "Origins": {"Quantity": 1, "Items": [origin]},
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "o",
                        "ViewerProtocolPolicy": "allow-all",
                        "CachePolicyId": "x",
                    },
                }
            )

    def _data_services(self, region: str, size: Size) -> None:
        """A few of each data service per region (issue 11), scaled from the RDS count."""
        per_region = max(1, size.rds_instances // len(REGIONS))
        ddb = self.client("dynamodb", region)
        schema: dict[str, Any] = {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for i in range(per_region // 2 or 1):
            ddb.create_table(TableName=f"bench-table-{i:04d}", DeletionProtectionEnabled=bool(i % 2), **schema)
        cache = self.client("elasticache", region)
        for i in range(per_region // 10 or 1):
            cache.create_replication_group(
                ReplicationGroupId=f"bench-cache-{i:03d}",
                ReplicationGroupDescription="bench",
                Engine="redis",
                CacheNodeType="cache.t3.micro",
                NumCacheClusters=2,
                AutomaticFailoverEnabled=bool(i % 2),
            )
        eks = self.client("eks", region)
        eks.create_cluster(
            name="bench-eks",
            version="1.33",
            roleArn="arn:aws:iam::123456789012:role/bench-eks",
            resourcesVpcConfig={"subnetIds": ["subnet-0bench"]},
        )
        eks.create_nodegroup(
            clusterName="bench-eks",
            nodegroupName="workers",
            subnets=["subnet-0bench"],
            nodeRole="arn:aws:iam::123456789012:role/bench-node",
        )
        kms = self.client("kms", region)
        for i in range(per_region // 5 or 1):
            key = kms.create_key(Description="bench")["KeyMetadata"]["KeyId"]
            if i % 2:
                kms.enable_key_rotation(KeyId=key)
        sm = self.client("secretsmanager", region)
        for i in range(per_region // 2 or 1):
            sm.create_secret(Name=f"bench/secret-{i:04d}", SecretString="bench-not-a-secret")
