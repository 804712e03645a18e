"""DynamoDB and DAX: AWS runs, patches and replicates the storage; recovery, keys and access are ours.

DynamoDB encrypts every table at rest and keeps three copies across Availability Zones, but it
will not bring back a table that was deleted or overwritten unless point-in-time recovery,
deletion protection or a backup plan was switched on beforehand. Which key protects a table is
a data-layer decision of ours, reported as a fact (AWS owned, AWS managed or customer managed).
"""

from fnmatch import fnmatchcase

from srmscan.evaluate.policy import granted_actions, resource_policy_exposure
from srmscan.evaluate.settings import switch
from srmscan.model import Resource, Status
from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    DATA,
    IAM,
    LOW,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    fail,
    info,
    passed,
    rule,
    unknown,
)

TABLE = "AWS::DynamoDB::Table"
DAX = "AWS::DAX::Cluster"
KMS_KEY = "AWS::KMS::Key"
ACCOUNT = "AWS::::Account"


# ----------------------------------------------------------------------------- recovery


@rule(
    id="dynamodb.table_pitr",
    title="DynamoDB table has point-in-time recovery enabled",
    resource_type=TABLE,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["DynamoDB.2"],
    rationale="""Point-in-time recovery restores a table to any second of the last 35 days (or the
    recovery period you set), the one way back from a bad deploy, a buggy batch job or deleted
    items. AWS keeps the storage durable; whether your data can be rolled back is your switch.""",
    remediation="""aws dynamodb update-continuous-backups --table-name TABLE
    --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true""",
    failing={"point_in_time_recovery": "DISABLED"},
    passing={"point_in_time_recovery": "ENABLED"},
)
def table_pitr(r, inv):
    status = r["point_in_time_recovery"]
    if status is None:
        return unknown("DescribeContinuousBackups did not report a point-in-time recovery status")
    if status == "ENABLED":
        return passed("Point-in-time recovery is enabled", status=status)
    return fail(f"Point-in-time recovery is {status}", status=status)


@rule(
    id="dynamodb.table_deletion_protection",
    title="DynamoDB table has deletion protection enabled",
    resource_type=TABLE,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["DynamoDB.6"],
    rationale="""Without deletion protection one DeleteTable call (a mistaken script, an
    infrastructure-as-code change that replaces the table) removes the table and, unless a backup
    exists, its data. The setting is ours; AWS only refuses the call when it is on.""",
    remediation="""aws dynamodb update-table --table-name TABLE --deletion-protection-enabled""",
    failing={"deletion_protection": False},
    passing={"deletion_protection": True},
)
def table_deletion_protection(r, inv):
    return switch(
        r["deletion_protection"],
        unreported="DescribeTable did not report DeletionProtectionEnabled",
        on="Deletion protection is enabled",
        off="Deletion protection is disabled: one DeleteTable call removes the table",
    )


def _selects(selection, arn, tags):
    """Whether one AWS Backup selection picks the resource: True, False, or None (cannot tell).

    Resources / NotResources are ARN patterns ("*" wildcards). ListOfTags (StringEquals) match
    when any one matches; Conditions must all match. A selection that mixes listed resources
    with tag filters is judged only where the answer is certain."""
    if any(fnmatchcase(arn, p) for p in selection.get("not_resources") or []):
        return False
    resources = selection.get("resources") or []
    listed = any(fnmatchcase(arn, p) for p in resources)
    list_of_tags = selection.get("list_of_tags") or []
    conditions = {op: items for op, items in (selection.get("conditions") or {}).items() if items}
    if not list_of_tags and not conditions:
        return listed
    if resources and not listed:
        return False if not list_of_tags else None
    tag_values = tags() if callable(tags) else tags
    if list_of_tags and not any(_tag_matches("StringEquals", t, tag_values) for t in list_of_tags):
        return False
    for op, items in conditions.items():
        for item in items:
            verdict = _tag_matches(op, item, tag_values)
            if verdict is None:
                return None
            if not verdict:
                return False
    return True


def _tag_matches(op, cond, tags):
    key = str(cond.get("key") or "")
    key = key[len("aws:ResourceTag/") :] if key.startswith("aws:ResourceTag/") else key
    want = str(cond.get("value") or "")
    have = tags.get(key)
    op = str(op).replace("STRINGEQUALS", "StringEquals")
    if op == "StringEquals":
        return have == want
    if op == "StringNotEquals":
        return have != want
    if op == "StringLike":
        return have is not None and fnmatchcase(have, want)
    if op == "StringNotLike":
        return have is None or not fnmatchcase(have, want)
    return None


def _account(region, selections):
    return Resource(type=ACCOUNT, id="123456789012", region=region, attrs={"backup_selections": selections})


def _plan(resources, **extra):
    return {"plan": "daily", "name": "tables", "resources": resources, "not_resources": [], "list_of_tags": [], **extra}


@rule(
    id="dynamodb.table_backup_plan",
    title="DynamoDB table is selected by an AWS Backup plan",
    resource_type=TABLE,
    owner=CUSTOMER,
    layer=DATA,
    severity=MEDIUM,
    fsbp=["DynamoDB.4"],
    rationale="""A backup plan keeps copies on a schedule, retains them beyond point-in-time
    recovery's 35 days and can copy them to another Region or account, which protects against a
    deleted table or a compromised account. AWS runs the backups only for what your plans select.""",
    remediation="""Add the table to a backup plan: aws backup create-backup-selection --backup-plan-id
    PLAN --backup-selection file://selection.json (Resources with the table ARN, or a tag condition
    the table carries).""",
    failing=Example(attrs={}, related=(_account("us-east-1", [_plan(["arn:aws:s3:::*"])]),)),
    passing=Example(attrs={}, related=(_account("us-east-1", [_plan(["arn:aws:dynamodb:*:*:table/*"])]),)),
)
def table_backup_plan(r, inv):
    account = inv.account(r.region)
    if account is None or "backup_selections" not in account:
        return unknown("The AWS Backup plans of this region were not collected")
    selections = account["backup_selections"]  # raises Unreadable when Backup could not be read
    arn = str(r.arn or f"arn:{inv.raw.partition}:dynamodb:{r.region}:{inv.account_id}:table/{r.id}")
    undecided = []
    for sel in selections:
        verdict = _selects(sel, arn, lambda: r.tags)
        if verdict:
            return passed(f"Selected by backup plan {sel.get('plan')} ({sel.get('name')})", plan=sel.get("plan"))
        if verdict is None:
            undecided.append(f"{sel.get('plan')}/{sel.get('name')}")
    if undecided:
        return unknown(
            "Whether these backup selections include the table cannot be decided from their rules: "
            + ", ".join(undecided),
            selections=undecided,
        )
    return fail(
        "No AWS Backup plan in this region selects the table" if selections else "This region has no AWS Backup plan",
        plans=sorted({str(s.get("plan")) for s in selections}),
    )


# ----------------------------------------------------------------------------- keys and access


def _key(key_id, manager):
    return Resource(type=KMS_KEY, id=key_id, region="us-east-1", attrs={"manager": manager})


KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"


@rule(
    id="dynamodb.table_encryption_key",
    title="DynamoDB table encryption key (AWS owned, AWS managed or customer managed)",
    resource_type=TABLE,
    owner=CUSTOMER,
    layer=DATA,
    severity=LOW,
    rationale="""Every table is encrypted at rest; the choice of key is ours. With the AWS owned key
    nothing about the key is visible to us (no key policy, no CloudTrail record of its use); an AWS
    managed key (aws/dynamodb) is logged but its policy cannot be changed; a customer managed key
    lets us restrict, audit and revoke access to the data. Stated as a fact, not judged.""",
    remediation="""To use a customer managed key: aws dynamodb update-table --table-name TABLE
    --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN""",
    failing=Example(attrs={"encryption": {"key": "aws_owned", "status": None, "kms_key": None}}, expect=Status.INFO),
    passing=Example(
        attrs={"encryption": {"key": "kms", "status": "ENABLED", "kms_key": KEY_ARN}},
        related=(_key("1111aaaa-2222-bbbb-3333-cccc4444dddd", "CUSTOMER"),),
        expect=Status.INFO,
    ),
)
def table_encryption_key(r, inv):
    enc = r["encryption"] or {}
    if enc.get("key") == "aws_owned":
        return info("Encrypted with the AWS owned key: no key policy or key-use log is ours to see", key="aws_owned")
    key_arn = str(enc.get("kms_key") or "")
    status = enc.get("status")
    if status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS":
        return fail(
            "The table's KMS key is disabled, deleted or not granted: DynamoDB cannot read the table",
            severity=CRITICAL,
            key=key_arn,
            status=status,
        )
    key = inv.find(KMS_KEY, key_arn.rsplit("/", 1)[-1]) if key_arn else None
    manager = key.get("manager") if key is not None and "manager" in key else None
    if manager == "AWS":
        return info(f"Encrypted with the AWS managed key {key_arn} (aws/dynamodb)", key="aws_managed", key_arn=key_arn)
    if manager == "CUSTOMER":
        return info(f"Encrypted with the customer managed key {key_arn}", key="customer_managed", key_arn=key_arn)
    return info(
        f"Encrypted with the KMS key {key_arn}; whether AWS or you manage it was not collected",
        key="kms",
        key_arn=key_arn,
    )


@rule(
    id="dynamodb.table_policy_public",
    title="DynamoDB table resource policy does not grant access to everyone",
    resource_type=TABLE,
    owner=CUSTOMER,
    layer=IAM,
    severity=CRITICAL,
    rationale="""A resource-based policy statement with Principal "*" and no condition that narrows
    who (source VPC endpoint, organization, account) lets any AWS principal in any account call the
    table's actions it lists. Who may read or write the data is ours to decide.""",
    remediation="""Narrow the statement to named principals or add an aws:PrincipalOrgID /
    aws:SourceVpce condition: aws dynamodb put-resource-policy --resource-arn TABLE_ARN --policy
    file://policy.json (or delete-resource-policy).""",
    failing={
        "policy": {
            "document": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem"}]},
            "malformed": None,
        }
    },
    passing={"policy": None},
)
def table_policy_public(r, inv):
    state, public, sids = resource_policy_exposure(r["policy"])
    if state == "none":
        return passed("The table has no resource-based policy")
    if state == "malformed":
        return unknown(
            "The resource policy could not be parsed, so it cannot be shown to be private",
            problem=r["policy"].get("malformed"),
        )
    if state == "private":
        return passed("No policy statement grants access to everyone")
    actions = granted_actions(public)
    return fail("The resource policy grants " + ", ".join(actions) + ' to everyone (Principal "*")', statements=sids)


# ----------------------------------------------------------------------------- DAX


@rule(
    id="dynamodb.dax_encrypted_at_rest",
    title="DAX cluster is encrypted at rest",
    resource_type=DAX,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["DynamoDB.3"],
    rationale="""DAX caches table items in memory and on the nodes' disks; unlike DynamoDB tables, a
    DAX cluster is encrypted at rest only if it was created that way. AWS runs the nodes; the
    setting is chosen by us when the cluster is created.""",
    remediation="""Encryption at rest cannot be turned on later: create a new cluster with
    aws dax create-cluster ... --sse-specification Enabled=true, point clients at it, delete the old one.""",
    failing={"sse_status": "DISABLED"},
    passing={"sse_status": "ENABLED"},
)
def dax_encrypted_at_rest(r, inv):
    status = r["sse_status"]
    if status is None:
        return unknown("DescribeClusters did not report the cluster's SSEDescription")
    if status == "ENABLED":
        return passed("Encrypted at rest")
    return fail(f"Encryption at rest is {status}", status=status)


@rule(
    id="dynamodb.dax_encrypted_in_transit",
    title="DAX cluster endpoint encrypts traffic in transit (TLS)",
    resource_type=DAX,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["DynamoDB.7"],
    rationale="""With ClusterEndpointEncryptionType NONE, clients talk to the cache in clear text
    inside the VPC, so anything that can observe that traffic sees the items. TLS is a create-time
    choice of ours.""",
    remediation="""Create a new cluster with aws dax create-cluster ... --cluster-endpoint-encryption-type
    TLS and move clients to its endpoint (the setting cannot be changed on an existing cluster).""",
    failing={"endpoint_encryption": "NONE"},
    passing={"endpoint_encryption": "TLS"},
)
def dax_encrypted_in_transit(r, inv):
    kind = r["endpoint_encryption"]
    if kind is None:
        return unknown("DescribeClusters did not report ClusterEndpointEncryptionType")
    if kind == "TLS":
        return passed("The cluster endpoint requires TLS")
    return fail(f"The cluster endpoint encryption is {kind}: traffic to the cache is not encrypted", kind=kind)
