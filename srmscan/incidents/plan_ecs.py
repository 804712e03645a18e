"""Patch-plan rows for ECS services: on Fargate AWS patches the host and the images are ours;
on the EC2 launch type the images are ours (the hosts are their own rows).
"""

from __future__ import annotations

from srmscan.incidents.plan_common import (
    ECR_IMAGE,
    ECS_SERVICE,
    NO_SCAN,
    NOT_IN_SCAN,
    REBUILD,
    TASK_DEFINITION,
    PlanRequest,
    PlanRow,
    matches_package,
)
from srmscan.model import Inventory, Resource


def _service_images(service: Resource, inv: Inventory) -> tuple[list[Resource], list[str]]:
    images = [r for r in inv.resources if r.type == ECR_IMAGE and service.id in (r.attrs.get("used_by") or [])]
    external = []
    known = {str(i.attrs.get("repository_name")) for i in images}
    for td_arn in service.attrs.get("task_definitions_in_use") or []:
        td = next((r for r in inv.resources if r.type == TASK_DEFINITION and r.id == td_arn), None)
        for container in (td.attrs.get("containers") if td else None) or []:
            ref = container.get("image_ref") or {}
            if str(ref.get("repository")) not in known:
                external.append(str(container.get("image") or "")[:200])
    return images, sorted(set(external))


def _image_verdict(image: Resource, req: PlanRequest) -> tuple[str, str]:
    label = image.name or image.id
    pushed = image.attrs.get("pushed_at")
    head = f"image {label} ({image.attrs.get('repository_name')} in ECR, pushed {pushed or 'unknown'})"
    if "scan" in image.unreadable:
        return NO_SCAN, f"{head}: scan findings unreadable"
    scan = image.attrs.get("scan")
    if not scan:
        return NO_SCAN, f"{head}: no scan findings (scanning off or image gone)"
    hits = [
        f
        for f in scan.get("findings") or []
        if matches_package(str(f.get("package") or ""), req.package)
        or (req.cve and str(f.get("id")).upper() == req.cve)
    ]
    if hits:
        listed = ", ".join(
            f"{f.get('id')} {f.get('severity')} {f.get('package')} {f.get('version') or ''}".strip() for f in hits[:5]
        )
        return REBUILD, f"{head}: scan {scan.get('completed_at') or ''} lists {listed}"
    if scan.get("truncated"):
        return NO_SCAN, f"{head}: {req.subject} not among the {len(scan.get('findings') or [])} findings kept"
    return NOT_IN_SCAN, f"{head}: scan {scan.get('completed_at') or ''} does not list {req.subject}"


def service_row(service: Resource, req: PlanRequest, inv: Inventory) -> PlanRow:
    fargate = service.attrs.get("compute") == "FARGATE"
    images, external = _service_images(service, inv)
    verdicts = [(_image_verdict(i, req), i) for i in images]
    facts = []
    if fargate:
        platform = str(service.attrs.get("platform_version") or "LATEST")
        if platform == "LATEST":
            facts.append(
                "host: Fargate platform LATEST (AWS patches it; tasks move to patched revisions when replaced)"
            )
        else:
            facts.append(
                f"host: Fargate platform pinned to {platform} (AWS patches it through new revisions of {platform}, "
                "picked up when tasks are replaced; newer platform versions are not)"
            )
    facts.extend(text for (_, text), _ in verdicts)
    facts.extend(f"image {ref}: outside this account's ECR, no scan evidence" for ref in external)
    statuses = {s for (s, _), _ in verdicts} | ({NO_SCAN} if external else set())
    status = REBUILD if REBUILD in statuses else NO_SCAN if (NO_SCAN in statuses or not statuses) else NOT_IN_SCAN
    if not statuses:
        facts.append("no container image found for the service's task definitions")
    return PlanRow(
        resource=service.id,
        name=service.name or "",
        resource_type=ECS_SERVICE,
        region=service.region,
        tier="container" if fargate else "iaas",
        owner="shared" if fargate else "customer",
        who_patches=(
            "AWS: the Fargate host OS and container runtime; customer: every package inside our images"
            if fargate
            else "customer: the images (the EC2 hosts are their own rows)"
        ),
        lever="rebuild the image from a patched base image, push, and force a new deployment"
        + (" (also moves tasks onto the latest platform revision)" if fargate else ""),
        status=status,
        evidence="; ".join(facts),
        deadline=req.deadline.isoformat(),
        images_to_rebuild=sorted({i.id for (s, _), i in verdicts if s == REBUILD}),
    )
