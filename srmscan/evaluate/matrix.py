"""The responsibility matrix: resource type -> layer -> owner, kept as data in rules/.

It says, for every resource type present in a scan, which layers AWS carries (stated as
`info` findings, never counted as passes) and drives the report's map of the account.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srmscan.model import GLOBAL_REGION, Finding, Inventory, Layer, Owner, Severity, Status, finding_id

LAYERS = [layer.value for layer in Layer]


@dataclass(frozen=True)
class Cell:
    owner: str  # aws | customer | shared | n/a
    why: str
    source: str = ""
    aws_does: str = ""
    customer_does: str = ""


@dataclass(frozen=True)
class TypeRow:
    resource_type: str
    label: str
    service: str
    tier: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Matrix:
    rows: dict[str, TypeRow]
    layer_labels: dict[str, str]
    attestations: list[dict[str, str]] = field(default_factory=list)
    artifact_url: str = "https://aws.amazon.com/artifact/"

    @classmethod
    def load(cls, path: Path) -> Matrix:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        rows = {}
        for entry in data.get("type", []):
            cells = {
                layer: Cell(
                    owner=str(cell.get("owner", "n/a")),
                    why=str(cell.get("why", "")),
                    source=str(cell.get("source", "")),
                    aws_does=str(cell.get("aws_does", "")),
                    customer_does=str(cell.get("customer_does", "")),
                )
                for layer, cell in (entry.get("layers") or {}).items()
            }
            rows[entry["resource_type"]] = TypeRow(
                resource_type=entry["resource_type"],
                label=str(entry.get("label", entry["resource_type"])),
                service=str(entry.get("service", "")),
                tier=str(entry.get("tier", "")),
                cells=cells,
            )
        labels = {k: str(v) for k, v in (data.get("layer_labels") or {}).items()}
        return cls(
            rows=rows,
            layer_labels={layer: labels.get(layer, layer) for layer in LAYERS},
            attestations=[dict(a) for a in data.get("attestation", [])],
            artifact_url=str(data.get("artifact_url", "https://aws.amazon.com/artifact/")),
        )

    def tier_of(self, resource_type: str) -> str:
        row = self.rows.get(resource_type)
        return row.tier if row else ""

    def info_findings(self, inventory: Inventory) -> list[Finding]:
        """One `info` finding per (resource type present, layer AWS carries or shares)."""
        counts = Counter(r.type for r in inventory.resources)
        out = []
        for rtype, count in sorted(counts.items()):
            row = self.rows.get(rtype)
            if row is None:
                continue
            for layer in LAYERS:
                cell = row.cells.get(layer)
                if cell is None or cell.owner not in (Owner.AWS, Owner.SHARED):
                    continue
                what = cell.aws_does or cell.why
                message = (
                    f"{row.label} ({count}): {self.layer_labels[layer]} is "
                    + ("AWS's. " if cell.owner == Owner.AWS else "shared. ")
                    + what
                )
                if cell.owner == Owner.SHARED and cell.customer_does:
                    message += f" Our lever: {cell.customer_does}"
                out.append(
                    Finding(
                        id=finding_id(f"srm.{layer}", inventory.account_id, GLOBAL_REGION, rtype, rtype),
                        rule_id=f"srm.{layer}",
                        title=f"{self.layer_labels[layer]} of {row.label}: "
                        + ("AWS's side of the line" if cell.owner == Owner.AWS else "shared"),
                        status=Status.INFO,
                        severity=Severity.INFO,
                        owner=Owner(cell.owner),
                        layer=Layer(layer),
                        service=row.service,
                        service_tier=row.tier,
                        account_id=inventory.account_id,
                        region=GLOBAL_REGION,
                        resource_type=rtype,
                        resource_id=rtype,
                        resource_arn=None,
                        resource_name=f"{count} × {row.label}",
                        team=None,
                        message=message,
                        rationale=cell.why,
                        remediation="Nothing to do on AWS's side; keep the attestation on file.",
                        frameworks={},
                        evidence={"resources": count, "source": cell.source},
                    )
                )
        return out

    def account_map(self, inventory: Inventory, findings: list[Finding]) -> list[dict[str, Any]]:
        """The account's side-by-side table: one row per type present, one cell per layer."""
        counts = Counter(r.type for r in inventory.resources)
        open_by_cell: Counter[tuple[str, str, str]] = Counter()
        for f in findings:
            if f.status in (Status.FAIL, Status.UNKNOWN):
                open_by_cell[(f.resource_type, f.layer, f.status)] += 1
        rows = []
        for rtype, count in sorted(counts.items(), key=lambda kv: self._label(kv[0])):
            row = self.rows.get(rtype)
            cells = []
            for layer in LAYERS:
                cell = row.cells.get(layer) if row else None
                cells.append(
                    {
                        "layer": layer,
                        "owner": cell.owner if cell else "customer",
                        "why": cell.why if cell else "",
                        "fail": open_by_cell[(rtype, layer, Status.FAIL)],
                        "unknown": open_by_cell[(rtype, layer, Status.UNKNOWN)],
                    }
                )
            rows.append(
                {
                    "resource_type": rtype,
                    "label": self._label(rtype),
                    "tier": row.tier if row else "",
                    "count": count,
                    "cells": cells,
                }
            )
        return rows

    def _label(self, rtype: str) -> str:
        row = self.rows.get(rtype)
        return row.label if row else rtype
