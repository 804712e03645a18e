"""Defect 9: RDS read replicas on the backup-retention rule.

A whole `srmscan scan` replayed (tests/realworld/harness.py). The two replicas are the recorded
response test_rds_retention/rds.DescribeDBInstances_1.json (Cloud Custodian placebo data under
/work/shared/realworld/, trimmed): a PostgreSQL 9.4.5 replica with retention 0 (RDS for PostgreSQL
before 14.1 cannot keep automated backups on a replica) and a MySQL replica kept 1 day (MySQL
replicas can). Engine rules: AWS RDS User Guide, "Differences between read replicas for DB
engines" and "Working with read replicas for Amazon RDS for PostgreSQL".
"""

from __future__ import annotations

from typing import Any

from srmscan.model import Severity, Status
from tests.realworld.harness import Scenario
from tests.realworld.test_docdb_neptune import db_instance

REGION = "us-east-1"
SOURCE = "recorded: placebo/test_rds_retention/rds.DescribeDBInstances_1.json; RDS User Guide (read replicas)"


def _instance(ident: str, engine: str, version: str, days: int, source: str | None = None) -> dict[str, Any]:
    replica = {"ReadReplicaSourceDBInstanceIdentifier": source} if source else {}
    return db_instance(ident, engine, version, BackupRetentionPeriod=days, DBInstanceClass="db.m3.medium", **replica)


INSTANCES = [
    _instance("qapipfit", "postgres", "9.4.5", 0),  # a primary with backups off still fails
    _instance("qapipfitread", "postgres", "9.4.5", 0, source="qapipfit"),
    _instance("qpsoaread", "mysql", "5.1.73b", 1, source="qpsoa"),
    _instance("reports-read", "sqlserver-se", "15.00.4345.5.v1", 0, source="reports"),
    _instance("pg16read", "postgres", "16.3", 0, source="qapipfit"),
]


def test_read_replicas_and_primaries_on_backups(ruleset) -> None:
    sc = Scenario("read replicas", source=SOURCE)
    sc.answer("rds", "DescribeDBInstances", {"DBInstances": INSTANCES}, source=SOURCE)
    run = sc.scan(ruleset, regions=[REGION])
    primary = run.finding("rds.instance_backups", "qapipfit")
    assert primary.status is Status.FAIL and primary.severity == Severity.MEDIUM
    old_pg = run.finding("rds.instance_backups", "qapipfitread")
    assert old_pg.status is Status.INFO and "Not applicable" in old_pg.message and "9.4.5" in old_pg.message
    assert old_pg.evidence["replica_of"] == "qapipfit" and old_pg.evidence["source_retention_days"] == 0
    sqlserver = run.finding("rds.instance_backups", "reports-read")
    assert sqlserver.status is Status.INFO and "SQL Server" in sqlserver.message
    mysql = run.finding("rds.instance_backups", "qpsoaread")
    assert mysql.status is Status.FAIL and mysql.severity == Severity.LOW and "read replica of qpsoa" in mysql.message
    # PostgreSQL 14.1 and later can keep backups on a replica: failing, at low severity.
    new_pg = run.finding("rds.instance_backups", "pg16read")
    assert new_pg.status is Status.FAIL and new_pg.severity == Severity.LOW
