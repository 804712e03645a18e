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
