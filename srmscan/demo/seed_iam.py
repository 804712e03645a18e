"""IAM identities: the shortcuts a growing team takes, next to the way they should look.

- a marketing user who signs in to the console with a password and no MFA;
- an ops user with AWS's AdministratorAccess attached directly (not through a group or role);
- a CI user with a long-lived access key (moto dates keys "now", so its age check passes);
- a role that any AWS principal may assume (`{"AWS": "*"}`, no condition);
- a role trusting an outside account (999988887777), as a vendor backup integration would;
- well-configured twins: an analyst in a group with a scoped policy, and a role trusting EC2.
Team tags on users and roles let the report show which team owns each identity.
"""

from __future__ import annotations

import json
from typing import Any

from srmscan.demo.account import DemoWorld

ORDER = 35
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
EXTERNAL_ACCOUNT = "999988887777"


def _doc(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _team(team: str) -> list[dict[str, str]]:
    return [{"Key": "Team", "Value": team}]


def seed(world: DemoWorld) -> None:
    iam = world.client("iam")
    # Demo-only passwords for a simulated account; never real credentials.
    iam.create_user(UserName="dana.marketing", Tags=_team("marketing-web"))
    iam.create_login_profile(UserName="dana.marketing", Password="Demo-only-Passw0rd!")

    iam.create_user(UserName="ops-admin", Tags=_team("platform"))
    iam.attach_user_policy(UserName="ops-admin", PolicyArn=ADMIN_ARN)

    iam.create_user(UserName="ci-deploy", Tags=_team("platform"))
    iam.create_access_key(UserName="ci-deploy")  # the secret in the answer is discarded here
    iam.put_user_policy(
        UserName="ci-deploy",
        PolicyName="deploy-artifacts",
        PolicyDocument=_doc(
            [{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::acme-artifacts/*"}]
        ),
    )

    # The twin done right: permissions through a group with a scoped customer-managed policy.
    policy = iam.create_policy(
        PolicyName="analysts-read-reports",
        PolicyDocument=_doc(
            [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::acme-reports*"}]
        ),
    )
    iam.create_group(GroupName="analysts")
    iam.attach_group_policy(GroupName="analysts", PolicyArn=policy["Policy"]["Arn"])
    iam.create_user(UserName="sam.analyst", Tags=_team("data"))
    iam.add_user_to_group(GroupName="analysts", UserName="sam.analyst")

    iam.create_role(
        RoleName="partner-audit-any",
        AssumeRolePolicyDocument=_doc([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]),
        Tags=_team("security"),
    )
    iam.attach_role_policy(RoleName="partner-audit-any", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")

    iam.create_role(
        RoleName="vendor-backup",
        AssumeRolePolicyDocument=_doc(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{EXTERNAL_ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ]
        ),
        Tags=_team("platform"),
    )

    iam.create_role(
        RoleName="app-ec2",
        AssumeRolePolicyDocument=_doc(
            [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        ),
        Tags=_team("platform"),
    )
    iam.put_role_policy(
        RoleName="app-ec2",
        PolicyName="read-reports",
        PolicyDocument=_doc([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-reports/*"}]),
    )
