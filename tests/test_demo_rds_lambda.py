"""The demo's RDS and Lambda story end to end: what a user of `srmscan demo` should see.

The pending maintenance action and the function URL are the demo's simulated answers for APIs
moto lacks (installed as event hooks by srmscan/demo/seed_rds_lambda.py), not scanner logic.
"""

from __future__ import annotations

import json

from srmscan.collect.runner import collect_inventory
from srmscan.demo.account import demo_session
from srmscan.demo.seed_rds_lambda import BAD_DB, CANARY, GOOD_DB, PUBLIC_FN
from srmscan.evaluate.engine import evaluate
from srmscan.model import Status
from tests.helpers import one


def test_demo_rds_and_lambda_story(ruleset) -> None:
    with demo_session() as (aws, regions):
        inv = collect_inventory(aws, regions, only={"rds", "lambda", "ec2"})
    findings = evaluate(inv, ruleset)
    for rule_id in (
        "rds.instance_public_access",
        "rds.instance_public_subnet",
        "rds.instance_storage_encrypted",
        "rds.instance_backups",
        "rds.instance_auto_minor_upgrade",
        "rds.instance_multi_az",
    ):
        assert one(findings, rule_id, BAD_DB).status is Status.FAIL, rule_id
        assert one(findings, rule_id, GOOD_DB).status is Status.PASS, rule_id
    pending = one(findings, "rds.instance_pending_maintenance", BAD_DB)
    assert pending.status is Status.FAIL and "system-update" in pending.message
    assert one(findings, "rds.snapshot_public", f"{BAD_DB}-for-vendor").status is Status.FAIL
    assert one(findings, "lambda.runtime_supported", "acme-legacy-report").status is Status.FAIL
    assert one(findings, "lambda.runtime_supported", "acme-thumbnailer").status is Status.PASS
    assert one(findings, "lambda.policy_public", PUBLIC_FN).status is Status.FAIL
    assert one(findings, "lambda.function_url_auth", PUBLIC_FN).status is Status.FAIL
    assert one(findings, "lambda.env_secrets", "acme-billing-webhook").status is Status.FAIL
    blob = json.dumps(inv.to_dict(), default=str) + json.dumps([f.to_dict() for f in findings], default=str)
    assert CANARY not in blob
