"""Patch-plan rows for Lambda functions: AWS patches a managed runtime in Auto mode until the
runtime is deprecated; pinned runtimes, container images and deprecated runtimes are ours.
"""

from __future__ import annotations

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


def function_row(fn: Resource, req: PlanRequest, evidence: PatchEvidence) -> PlanRow:
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
