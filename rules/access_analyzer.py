"""IAM Access Analyzer: flags resources shared outside the account the moment it happens."""

from srmscan.model import Resource
from srmscan.rules_api import ACCOUNT_TYPE, CUSTOMER, IAM, MEDIUM, Example, fail, passed, regional, rule

ANALYZER = "AWS::AccessAnalyzer::Analyzer"


@rule(
    id="accessanalyzer.enabled",
    title="IAM Access Analyzer has an active analyzer in this region",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="accessanalyzer",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    cis=["1.20"],
    rationale="""An external-access analyzer flags a bucket, role or key shared outside the account within
    minutes of the policy change. It is free for external access; it is ours to create in each region.""",
    remediation="CLI: aws accessanalyzer create-analyzer --analyzer-name account --type ACCOUNT --region REGION",
    failing=Example(attrs={}),
    passing=Example(
        attrs={},
        related=(
            Resource(type=ANALYZER, id="arn:a", region="us-east-1", attrs={"status": "ACTIVE", "type": "ACCOUNT"}),
        ),
    ),
)
def analyzer_enabled(r, inv):
    analyzers = inv.resources(ANALYZER, r.region)
    active = [a for a in analyzers if a["status"] == "ACTIVE"]
    if active:
        return passed("Active analyzer: " + ", ".join(a.name or a.id for a in active), analyzers=[a.id for a in active])
    if analyzers:
        return fail("Analyzers exist but none is active", analyzers=[a.id for a in analyzers])
    return fail(f"No IAM Access Analyzer analyzer in {r.region}")
