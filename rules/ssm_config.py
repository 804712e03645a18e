"""Systems Manager beyond patching: AWS runs the service and the agent's release train; which
documents we share, whether our associations hold, where we keep secrets and whether new
instances are managed by default are ours."""

from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CRITICAL,
    CUSTOMER,
    DATA,
    HIGH,
    LOW,
    SERVICE_CONFIG,
    fail,
    passed,
    regional,
    rule,
)

DOCUMENT = "AWS::SSM::Document"


@rule(
    id="ssm.document_public",
    title="Systems Manager documents owned by the account are not shared publicly",
    resource_type=DOCUMENT,
    service="ssm",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=CRITICAL,
    fsbp=["SSM.4"],
    rationale="""A document shared with "All" can be read and run by every AWS account: its commands, and
    any account ids, bucket names or credentials written into it, are public.""",
    remediation="""aws ssm modify-document-permission --name DOC --permission-type Share --account-ids-to-remove All
    (share with named accounts instead), and turn on block public sharing in the Systems Manager settings.""",
    failing={"shared_with": ["all"]},
    passing={"shared_with": ["111122223333"]},
)
def document_public(r, inv):
    shared = r["shared_with"]
    if any(a.lower() == "all" for a in shared):
        return fail("The document is shared with all AWS accounts")
    if shared:
        return passed("Shared with specific accounts only", accounts=shared)
    return passed("The document is not shared")


@rule(
    id="ssm.association_compliance",
    title="Managed nodes are compliant with their State Manager associations",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="ssm",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    fsbp=["SSM.3"],
    rationale="""An association keeps a node in a state we declared (agent installed, software present,
    configuration applied). NON_COMPLIANT means that state no longer holds on those nodes. Nodes with no
    association report nothing here, so the rule only judges nodes that have one.""",
    remediation="""aws ssm list-resource-compliance-summaries --filters Key=ComplianceType,Values=Association;
    inspect the failed association (aws ssm describe-association-executions) and re-run it.""",
    failing={"ssm_association_compliance": {"i-0abc": "NON_COMPLIANT", "i-0def": "COMPLIANT"}},
    passing={"ssm_association_compliance": {"i-0def": "COMPLIANT"}},
)
def association_compliance(r, inv):
    states = r["ssm_association_compliance"]
    if not states:
        return None
    bad = sorted(node for node, status in states.items() if status != "COMPLIANT")
    if bad:
        return fail(f"{len(bad)} of {len(states)} nodes are not compliant: " + ", ".join(bad[:20]), nodes=bad)
    return passed(f"All {len(states)} nodes with associations are compliant")


@rule(
    id="ssm.plaintext_secret_parameters",
    title="No plaintext (String / StringList) parameter holds what looks like a secret",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="ssm",
    owner=CUSTOMER,
    layer=DATA,
    severity=HIGH,
    rationale="""String and StringList parameters are stored and returned unencrypted to anyone with
    ssm:GetParameter, and appear in console views and logs. A parameter named like a secret, or whose value
    is shaped like a key or token, belongs in a SecureString (or Secrets Manager). Only names are reported;
    srmscan never keeps the values.""",
    remediation="""Re-create it as a SecureString: aws ssm put-parameter --name NAME --type SecureString
    --value file://value.txt --overwrite (delete and re-create if the type must change), then rotate the secret.""",
    failing={"ssm_plaintext_secret_parameters": [{"name": "/app/db_password", "why": "name"}]},
    passing={"ssm_plaintext_secret_parameters": []},
)
def plaintext_secret_parameters(r, inv):
    flagged = r["ssm_plaintext_secret_parameters"]
    if flagged:
        return fail(
            "Plaintext parameters that look like secrets: "
            + ", ".join(f"{p['name']} ({p['why']})" for p in flagged[:20]),
            parameters=[p["name"] for p in flagged],
        )
    return passed("No String / StringList parameter looks like a secret")


@rule(
    id="ssm.default_host_management",
    title="Default Host Management Configuration is turned on",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="ssm",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=LOW,
    rationale="""With DHMC, every EC2 instance in the region becomes a managed node without an instance
    profile, so patching, inventory and Session Manager reach it. Without it, an instance launched without
    the right role is invisible to Systems Manager and its OS patches (ours) are not applied.""",
    remediation="""In Systems Manager > Fleet Manager > Account management, configure DHMC, or:
    aws ssm update-service-setting --setting-id arn:aws:ssm:REGION:ACCOUNT:servicesetting/ssm/managed-instance/default-ec2-instance-management-role
    --setting-value service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole""",
    failing={"ssm_dhmc_role": {"role": None, "status": "Default"}},
    passing={
        "ssm_dhmc_role": {
            "role": "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole",
            "status": "Customized",
        }
    },
)
def default_host_management(r, inv):
    setting = r["ssm_dhmc_role"]
    if setting["role"]:
        return passed(f"DHMC uses {setting['role']}")
    return fail("Default Host Management Configuration is off in this region")
