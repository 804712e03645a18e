"""The data-service resource types (issue 11) each have a full row in the responsibility matrix."""

from __future__ import annotations

import pytest

from srmscan.evaluate.engine import load_ruleset
from srmscan.evaluate.matrix import LAYERS

MATRIX = load_ruleset().matrix
TYPES = {
    "AWS::DynamoDB::Table": "managed",
    "AWS::DAX::Cluster": "managed",
    "AWS::ElastiCache::ReplicationGroup": "managed",
    "AWS::ElastiCache::CacheCluster": "managed",
    "AWS::EKS::Cluster": "container",
    "AWS::EKS::Nodegroup": "container",
    "AWS::EKS::FargateProfile": "container",
    "AWS::KMS::Key": "managed",
    "AWS::SecretsManager::Secret": "managed",
}


@pytest.mark.parametrize(("resource_type", "tier"), sorted(TYPES.items()))
def test_every_layer_has_an_owner_and_aws_cells_cite_a_source(resource_type: str, tier: str) -> None:
    row = MATRIX.rows[resource_type]
    assert row.tier == tier
    assert set(row.cells) == set(LAYERS)
    for layer, cell in row.cells.items():
        assert cell.owner in ("aws", "customer", "shared", "n/a") and cell.why, (resource_type, layer)
        if cell.owner in ("aws", "shared"):
            assert cell.source.startswith("https://docs.aws.amazon.com/"), (resource_type, layer)
        if cell.owner == "shared":
            assert cell.aws_does and cell.customer_does, (resource_type, layer)
    assert row.cells["data"].owner == "customer" and row.cells["iam"].owner == "customer"
