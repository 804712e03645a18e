"""Amazon DocumentDB and Neptune checks that RDS has no counterpart for.

Both services run on the RDS control plane (the same DescribeDBClusters answers for them) and
arrive as AWS::DocDB::* and AWS::Neptune::* resources. What they share with RDS (encryption,
backups, deletion protection, pending maintenance) is judged by the RDS rules, declared for
these types too; what is theirs alone is here. Cluster snapshots (DocumentDB.3, Neptune.3 and
Neptune.6) are not collected yet, so those controls are not judged.
"""

from srmscan.rules_api import (
    CUSTOMER,
    IAM,
    MEDIUM,
    SERVICE_CONFIG,
    Target,
    fail,
    passed,
    rule,
)

DOCDB_CLUSTER = "AWS::DocDB::DBCluster"
NEPTUNE_CLUSTER = "AWS::Neptune::DBCluster"


@rule(
    id="docdb.cluster_audit_logs",
    title="DocumentDB cluster publishes audit logs to CloudWatch Logs",
    resource_type=DOCDB_CLUSTER,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["DocumentDB.4"],
    rationale="""Audit logs record authentication attempts, user management and schema changes: the
    evidence of who did what to the data after an incident. AWS runs the log pipeline; exporting
    the audit log to it is our setting (DocumentDB also needs the cluster parameter audit_logs
    enabled, which this check does not read).""",
    remediation="""aws docdb modify-db-cluster --db-cluster-identifier CLUSTER
    --cloudwatch-logs-export-configuration '{"EnableLogTypes":["audit"]}', and set audit_logs to
    enabled in the cluster parameter group.""",
    failing={"log_exports": ["profiler"]},
    passing={"log_exports": ["audit", "profiler"]},
    also=[
        Target(
            NEPTUNE_CLUSTER,
            id="neptune.cluster_audit_logs",
            title="Neptune DB cluster publishes audit logs to CloudWatch Logs",
            fsbp=["Neptune.2"],
            rationale="""Audit logs record the queries and connections made to the graph: the evidence
            of who read or changed what. Exporting them to CloudWatch Logs is our setting (Neptune also
            needs the cluster parameter neptune_enable_audit_log set to 1).""",
            remediation="""aws neptune modify-db-cluster --db-cluster-identifier CLUSTER
            --cloudwatch-logs-export-configuration '{"EnableLogTypes":["audit"]}'""",
            failing={"log_exports": []},
            passing={"log_exports": ["audit"]},
        )
    ],
)
def audit_logs(r, inv):
    exports = sorted(r["log_exports"] or [])
    if "audit" in exports:
        return passed("Audit logs are exported to CloudWatch Logs", log_exports=exports)
    shown = ", ".join(exports) if exports else "none"
    return fail(f"Audit logs are not exported to CloudWatch Logs (exports: {shown})", log_exports=exports)


@rule(
    id="neptune.cluster_iam_auth",
    title="Neptune DB cluster uses IAM database authentication",
    resource_type=NEPTUNE_CLUSTER,
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["Neptune.7"],
    rationale="""Without IAM database authentication, anyone who can reach the cluster endpoint inside
    the VPC can query the graph: Neptune has no database users of its own. IAM authentication makes
    every request carry a Signature V4 credential that our policies grant or deny.""",
    remediation="""aws neptune modify-db-cluster --db-cluster-identifier CLUSTER
    --enable-iam-database-authentication --apply-immediately, then grant neptune-db:* actions to the
    roles that query it.""",
    failing={"iam_auth": False},
    passing={"iam_auth": True},
)
def neptune_iam_auth(r, inv):
    if r["iam_auth"]:
        return passed("IAM database authentication is on")
    return fail("IAM database authentication is off: network reach alone grants access to the graph")
