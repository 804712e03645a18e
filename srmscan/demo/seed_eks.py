"""EKS beside ECS: a platform cluster done right (private endpoint, secrets encrypted with a KMS
key, audit logs, a current managed node group, a Fargate profile) and a legacy cluster left
behind (Kubernetes 1.29 past standard support, endpoint open to 0.0.0.0/0, no secrets
encryption, no audit log, a node group on a January 2024 AMI).

moto lacks eks:DescribeClusterVersions; the scanner then reads the end-of-support dates from
its own table and says so in the finding.
"""

from __future__ import annotations

from srmscan.demo.account import DEMO_ACCOUNT, DemoWorld

ORDER = 57
REGION = "eu-west-1"
GOOD = "acme-platform"
BAD = "acme-legacy-k8s"


def seed(world: DemoWorld) -> None:
    eks = world.client("eks", REGION)
    kms = world.client("kms", REGION)
    key = kms.create_key(Description="acme platform k8s secrets")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key)
    role = f"arn:aws:iam::{DEMO_ACCOUNT}:role/acme-eks-cluster"
    node_role = f"arn:aws:iam::{DEMO_ACCOUNT}:role/acme-eks-node"
    eks.create_cluster(
        name=GOOD,
        version="1.34",
        roleArn=role,
        resourcesVpcConfig={
            "subnetIds": ["subnet-0demo1"],
            "endpointPublicAccess": False,
            "endpointPrivateAccess": True,
        },
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key}}],
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True}]},
        tags={"Team": "platform"},
    )
    eks.create_nodegroup(
        clusterName=GOOD,
        nodegroupName="general",
        subnets=["subnet-0demo1"],
        nodeRole=node_role,
        version="1.34",
        releaseVersion="1.34.2-20261118",
        tags={"Team": "platform"},
    )
    eks.create_fargate_profile(
        fargateProfileName="batch",
        clusterName=GOOD,
        podExecutionRoleArn=f"arn:aws:iam::{DEMO_ACCOUNT}:role/acme-fargate-pods",
        selectors=[{"namespace": "batch"}],
    )
    eks.create_cluster(
        name=BAD,
        version="1.29",
        roleArn=role,
        resourcesVpcConfig={
            "subnetIds": ["subnet-0demo1"],
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["0.0.0.0/0"],
        },
        tags={"Team": "data-science"},
    )
    eks.create_nodegroup(
        clusterName=BAD,
        nodegroupName="workers",
        subnets=["subnet-0demo1"],
        nodeRole=node_role,
        version="1.29",
        releaseVersion="1.29.0-20240129",
        tags={"Team": "data-science"},
    )
    world.ids["eks_clusters"] = [GOOD, BAD]
