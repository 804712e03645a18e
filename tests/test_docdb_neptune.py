"""Neptune, which moto serves (it rejects engine `docdb`), typed by engine end to end on moto.

The real-shaped DocumentDB / Neptune and read-replica scenarios are tests/realworld/
test_docdb_neptune.py and test_rds_replicas.py.
"""

from __future__ import annotations

from srmscan.collect.runner import collect_inventory
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import by_rule, one


def test_neptune_on_moto_end_to_end(session, aws, ruleset) -> None:
    rds = session.client("rds", region_name="eu-west-1")
    rds.create_db_cluster(DBClusterIdentifier="kg", Engine="neptune", StorageEncrypted=True, DeletionProtection=True)
    inv = collect_inventory(aws, ["eu-west-1"], only={"rds"})
    cluster = next(r for r in inv.resources if r.id == "kg")
    assert cluster.type == "AWS::Neptune::DBCluster"
    findings = evaluate(inv, ruleset)
    assert one(findings, "neptune.cluster_deletion_protection", "kg").status is Status.PASS
    assert not by_rule(findings, "rds.cluster_deletion_protection", "kg")


def test_patch_plan_and_events_keep_documentdb_and_neptune_instances() -> None:
    """Typed apart from RDS, their AWS-applied maintenance still shows in `patch-plan` and `events`."""
    from datetime import date

    from srmscan.incidents import events, patch_plan, plan_common
    from srmscan.incidents.evidence import PatchEvidence
    from srmscan.model import Resource
    from tests.helpers import inventory

    action = {"action": "system-update", "description": "New Operating System upgrade is available"}
    docdb = Resource(
        type="AWS::DocDB::DBInstance",
        id="docs-1",
        region="us-east-1",
        attrs={"engine": "docdb", "engine_version": "5.0.0", "pending_maintenance": [action]},
    )
    graph = Resource(
        type="AWS::Neptune::DBInstance", id="graph-1", region="us-east-1", attrs={"pending_maintenance": []}
    )
    inv = inventory(docdb, graph)
    req = patch_plan.PlanRequest("glibc", None, "high", 30, date(2026, 11, 21), True)
    rows = {r.resource: r for r in patch_plan.build_plan(inv, PatchEvidence(), req).rows}
    assert rows["docs-1"].resource_type == "AWS::DocDB::DBInstance" and rows["docs-1"].owner == "aws"
    assert "does not apply" in rows["docs-1"].evidence and "system-update" in rows["docs-1"].evidence
    assert rows["graph-1"].status == plan_common.NONE_PENDING
    scheduled = [r for r in events._rds_rows(inv) if r.resource == "docs-1"]
    assert [r.resource_type for r in scheduled] == ["AWS::DocDB::DBInstance"]
