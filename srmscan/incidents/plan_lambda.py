"""Patch-plan rows for Lambda functions: AWS patches a managed runtime in Auto mode until the
runtime is deprecated; pinned runtimes, container images and deprecated runtimes are ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from srmscan.incidents.evidence import PatchEvidence
from srmscan.incidents.plan_common import (
    AWS_PATCHES,
    CHECK_LAYERS,
    FUNCTION,
    OURS,
    OURS_ON_UPDATE,
    UNKNOWN,
    PlanRequest,
    PlanRow,
)
from srmscan.model import Resource


def runtime_deprecations(tables: Mapping[str, Any]) -> dict[str, date | None]:
    """Runtime id -> deprecation date, from rules/data/lambda_runtimes.toml (the scan rule's table)."""
    out: dict[str, date | None] = {}
    for entry in (tables.get("lambda_runtimes") or {}).get("runtime", []) or []:
        if not isinstance(entry, dict) or not entry.get("id"):
            continue
        value = entry.get("deprecation")
        if isinstance(value, datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                value = None
        out[str(entry["id"])] = value if isinstance(value, date) else None
    return out


def function_row(
    fn: Resource,
    req: PlanRequest,
    evidence: PatchEvidence,
    today: date,
    deprecations: Mapping[str, date | None] | None = None,
) -> PlanRow:
    runtime = fn.attrs.get("runtime") or "none"
    layers = list(fn.attrs.get("layers") or [])
    base: dict[str, Any] = dict(
        resource=fn.arn or fn.id,
        name=fn.name or fn.id,
        resource_type=FUNCTION,
        region=fn.region,
        tier="serverless",
        deadline=req.deadline.isoformat(),
    )
    if str(fn.attrs.get("package_type") or "Zip") == "Image":
        return PlanRow(
            **base,
            owner="customer",
            who_patches="customer: a container-image function's OS and libraries are in our image; AWS patches nothing in it",
            lever="rebuild the image from a patched base image, push, and update-function-code",
            status=OURS,
            evidence="package type Image",
        )
    deprecated = (deprecations or {}).get(str(runtime))
    if deprecated is not None and deprecated <= today:
        # AWS stops patching a runtime at deprecation: Auto mode then delivers nothing, it is ours.
        return PlanRow(
            **base,
            owner="customer",
            who_patches=(
                f"customer: {runtime} was deprecated on {deprecated.isoformat()}; AWS no longer patches it, "
                "whatever the runtime update mode"
            ),
            lever="move the function to a supported runtime (aws lambda update-function-configuration --runtime ...)",
            status=OURS,
            evidence=f"runtime {runtime} deprecated {deprecated.isoformat()}, package type Zip, {len(layers)} layer(s)",
        )
    config = evidence.runtime_management.get(str(fn.arn or fn.id))
    facts = [f"runtime {runtime}, package type Zip, {len(layers)} layer(s)"]
    if config is None or "error" in config:
        reason = (config or {}).get("error", "not read")
        return PlanRow(
            **base,
            owner="shared",
            who_patches="AWS patches the managed runtime unless it is pinned; customer: code, dependencies, layers",
            lever="check the runtime update mode (aws lambda get-runtime-management-config)",
            status=UNKNOWN,
            evidence="; ".join([*facts, f"runtime update mode unknown: {reason}"]),
        )
    mode = str(config.get("update_runtime_on") or "Auto")
    facts.append(f"runtime update mode {mode}")
    if config.get("runtime_version_arn"):
        facts.append(f"runtime version {config['runtime_version_arn']}")
    if mode == "Manual":
        return PlanRow(
            **base,
            owner="customer",
            who_patches="customer: the runtime is pinned (Manual), so AWS's runtime patches do not reach it",
            lever="aws lambda put-runtime-management-config --update-runtime-on Auto (or a patched version ARN)",
            status=OURS,
            evidence="; ".join(facts),
        )
    if mode == "FunctionUpdate":
        return PlanRow(
            **base,
            owner="shared",
            who_patches="AWS: publishes the patched runtime; customer: it reaches this function only when we update it",
            lever="deploy the function (any code or configuration update) to pick up the patched runtime",
            status=OURS_ON_UPDATE,
            evidence="; ".join(facts),
        )
    if layers:
        facts.append("layers may vendor native libraries built against the package: ours to check and rebuild")
        return PlanRow(
            **base,
            owner="shared",
            who_patches="AWS: the managed runtime (Auto); customer: the layers and any native libraries they vendor",
            lever="rebuild the layers against the patched library and publish new layer versions",
            status=CHECK_LAYERS,
            evidence="; ".join(facts),
        )
    return PlanRow(
        **base,
        owner="shared",
        who_patches="AWS: the managed runtime and its OS, patched automatically (Auto); customer: code and dependencies",
        lever="none for the runtime; rebuild only if the deployment package vendors the library",
        status=AWS_PATCHES,
        evidence="; ".join(facts),
    )
