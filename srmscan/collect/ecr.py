"""ECR: repositories (scanning, tag mutability, lifecycle) and the images running services use.

The image half of an OS-library CVE lives here: on Fargate AWS patches the host, but a vulnerable
glibc inside our image stays until we rebuild it. So for every image that an ECS task
definition in use points at (in this account's ECR, in this region), we record when it was
pushed and its scan findings, as an `AWS::ECR::Image` record that names the services using it.

Call budget: repositories are listed in pages; effective scanning settings come from
BatchGetRepositoryScanningConfiguration (25 repositories a call); GetLifecyclePolicy has no
batch form, so one call per repository. DescribeImages is batched per repository (100 image
ids a call); DescribeImageScanFindings runs at most once per image in use, and only when the
image's scan summary does not already show it clean.
"""

from __future__ import annotations

import json
from typing import Any

from srmscan.collect.context import Answer, Collection, arn_resource, fill
from srmscan.collect.ecs import SERVICE, TASK_DEFINITION, chunks
from srmscan.collect.registry import collector
from srmscan.model import Resource

REPOSITORY = "AWS::ECR::Repository"
IMAGE = "AWS::ECR::Image"
SCAN_CONFIGS_PER_CALL = 25
IMAGES_PER_CALL = 100
MAX_FINDINGS_KEPT = 20
SEVERITY_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED", "UNTRIAGED"]


@collector(
    "ecr",
    scope="regional",
    after=("ecs",),
    produces=(REPOSITORY, IMAGE),
    actions=[
        "ecr:DescribeRepositories",
        "ecr:GetRegistryScanningConfiguration",
        "ecr:BatchGetRepositoryScanningConfiguration",
        "ecr:GetLifecyclePolicy",
        "ecr:DescribeImages",
        "ecr:DescribeImageScanFindings",
    ],
)
def collect_ecr(c: Collection, region: str) -> None:
    listing = c.listing("ecr", region, "DescribeRepositories", "repositories", gaps=(REPOSITORY, IMAGE))
    if listing.error is not None:
        return
    registry = c.call("ecr", region, "GetRegistryScanningConfiguration")
    fill(c.account(region), "ecr_registry_scanning", registry, _registry_scanning)
    repos = {str(r.get("repositoryName")): _repository(r, region, registry) for r in listing.data}
    for batch in chunks(sorted(repos), SCAN_CONFIGS_PER_CALL):
        _scanning(c, region, [repos[name] for name in batch])
    c.fanout(lambda res: _lifecycle(c, region, res), list(repos.values()))
    in_use = images_in_use(c, region)
    c.fanout(lambda name: _images(c, region, name, repos.get(name), in_use[name]), sorted(in_use))
    for res in repos.values():
        res.attrs["images_in_use"] = len(in_use.get(str(res.name), {}))
        c.add(res)


def _registry_scanning(data: dict[str, Any]) -> dict[str, Any]:
    config = data.get("scanningConfiguration") or {}
    return {
        "scan_type": config.get("scanType"),
        "rules": [
            {
                "frequency": r.get("scanFrequency"),
                "filters": [str(f.get("filter")) for f in r.get("repositoryFilters") or []],
            }
            for r in config.get("rules") or []
        ],
    }


def _repository(data: dict[str, Any], region: str, registry: Answer) -> Resource:
    arn = str(data.get("repositoryArn") or "")
    attrs = {
        "uri": data.get("repositoryUri"),
        "registry_id": data.get("registryId"),
        "tag_mutability": data.get("imageTagMutability"),
        "tag_mutability_exclusions": [
            str(f.get("filter")) for f in data.get("imageTagMutabilityExclusionFilters") or []
        ],
        "repo_scan_on_push": bool((data.get("imageScanningConfiguration") or {}).get("scanOnPush")),
        "encryption": (data.get("encryptionConfiguration") or {}).get("encryptionType"),
    }
    res = arn_resource(REPOSITORY, arn, str(data.get("repositoryName") or ""), region, "managed", attrs=attrs)
    fill(res, "registry_scan_type", registry, lambda d: (d.get("scanningConfiguration") or {}).get("scanType"))
    return res


def _scanning(c: Collection, region: str, repos: list[Resource]) -> None:
    """The effective scan settings per repository: registry rules and repository settings combined by AWS."""
    answer = c.call(
        "ecr", region, "BatchGetRepositoryScanningConfiguration", repositoryNames=[str(r.name) for r in repos]
    )
    if answer.error is not None:
        for res in repos:
            res.unreadable["scanning"] = answer.error.id
        return
    found = {str(s.get("repositoryName")): s for s in answer.data.get("scanningConfigurations") or []}
    for res in repos:
        config = found.get(str(res.name))
        # A repository ECR reports as a failure has no readable setting; None makes the rule say so.
        res.attrs["scanning"] = (
            {
                "scan_on_push": bool(config.get("scanOnPush")),
                "frequency": config.get("scanFrequency"),
                "filters": [str(f.get("filter")) for f in config.get("appliedScanFilters") or []],
            }
            if config
            else None
        )


def _lifecycle(c: Collection, region: str, res: Resource) -> None:
    answer = c.call(
        "ecr", region, "GetLifecyclePolicy", repositoryName=str(res.name), absent={"LifecyclePolicyNotFoundException"}
    )
    fill(res, "lifecycle_policy", answer, _lifecycle_summary, default=None)


def _lifecycle_summary(data: dict[str, Any]) -> dict[str, Any]:
    try:
        policy = json.loads(str(data.get("lifecyclePolicyText") or "{}"))
        rules = policy.get("rules") if isinstance(policy, dict) else None
        count = len(rules) if isinstance(rules, list) else 0
    except ValueError:
        count = 0
    return {"present": True, "rule_count": count}


def images_in_use(c: Collection, region: str) -> dict[str, dict[str, dict[str, Any]]]:
    """repository name -> image key (digest or tag) -> who uses it, from task definitions in use.

    Task definitions in any scanned region may pull from this region's registry; only images in
    this account's ECR can be looked up here (others have no scan evidence we can read)."""
    services = {r.id: r for r in list(c.resources) if r.type == SERVICE}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for td in [r for r in list(c.resources) if r.type == TASK_DEFINITION]:
        for container in td.attrs.get("containers") or []:
            ref = container.get("image_ref") or {}
            if ref.get("ecr_account") != c.account_id or ref.get("ecr_region") != region:
                continue
            key = ref.get("digest") or f"tag:{ref.get('tag')}"
            use = out.setdefault(str(ref.get("repository")), {}).setdefault(
                key, {"tag": ref.get("tag"), "digest": ref.get("digest"), "services": set(), "containers": set()}
            )
            use["containers"].add(f"{td.name}/{container.get('name')}")
            for sid in td.attrs.get("used_by") or []:
                use["services"].add(sid)
    for images in out.values():
        for use in images.values():
            use["fargate"] = sorted(
                s for s in use["services"] if (services.get(s) or _NONE).attrs.get("compute") == "FARGATE"
            )
            use["service_names"] = sorted(str((services.get(s) or _NONE).name or s) for s in use["services"])
    return out


_NONE = Resource(type="", id="", region="")


def _image_id(use: dict[str, Any]) -> dict[str, str]:
    return {"imageDigest": use["digest"]} if use.get("digest") else {"imageTag": str(use.get("tag"))}


def _images(c: Collection, region: str, repo_name: str, repo: Resource | None, uses: dict[str, dict[str, Any]]) -> None:
    keys = sorted(uses)
    details: dict[str, Answer] = {}
    for batch in chunks(keys, IMAGES_PER_CALL):
        if repo is None:
            details.update({k: Answer(absent=True) for k in batch})
            continue
        answer = c.call(
            "ecr",
            region,
            "DescribeImages",
            repositoryName=repo_name,
            imageIds=[_image_id(uses[k]) for k in batch],
            absent={"ImageNotFoundException"},
        )
        if answer.absent:
            # One missing tag fails the whole batch: look each up on its own (absent = not there).
            for k in batch:
                details[k] = _describe_one(c, region, repo_name, uses[k])
        elif answer.error is not None:
            details.update(dict.fromkeys(batch, answer))
        else:
            rows = answer.data.get("imageDetails") or []
            for k in batch:
                row = _match(rows, uses[k])
                details[k] = Answer(data=row) if row else Answer(absent=True)
    merged = _merge_by_digest(uses, details)
    c.fanout(lambda item: c.add(_image(c, region, repo_name, repo, *item)), merged)


def _describe_one(c: Collection, region: str, repo_name: str, use: dict[str, Any]) -> Answer:
    answer = c.call(
        "ecr",
        region,
        "DescribeImages",
        repositoryName=repo_name,
        imageIds=[_image_id(use)],
        absent={"ImageNotFoundException"},
    )
    if answer.ok and not answer.absent:
        rows = answer.data.get("imageDetails") or []
        return Answer(data=rows[0]) if rows else Answer(absent=True)
    return answer


def _match(rows: list[dict[str, Any]], use: dict[str, Any]) -> dict[str, Any] | None:
    for row in rows:
        if use.get("digest") and row.get("imageDigest") == use["digest"]:
            return row
        if not use.get("digest") and use.get("tag") in (row.get("imageTags") or []):
            return row
    return None


def _merge_by_digest(
    uses: dict[str, dict[str, Any]], details: dict[str, Answer]
) -> list[tuple[dict[str, Any], Answer]]:
    """The same image may be referenced by tag in one task definition and by digest in another:
    it is one image, scanned once."""
    merged: dict[str, tuple[dict[str, Any], Answer]] = {}
    for key, use in uses.items():
        answer = details[key]
        digest = (answer.data or {}).get("imageDigest") if answer.ok and not answer.absent else None
        group = f"digest:{digest}" if digest else key
        if group in merged:
            prev = merged[group][0]
            prev["services"] |= use["services"]
            prev["containers"] |= use["containers"]
            prev["fargate"] = sorted(set(prev["fargate"]) | set(use["fargate"]))
            prev["service_names"] = sorted(set(prev["service_names"]) | set(use["service_names"]))
        else:
            merged[group] = (dict(use), answer)
    return list(merged.values())


def _image(
    c: Collection, region: str, repo_name: str, repo: Resource | None, use: dict[str, Any], detail: Answer
) -> Resource:
    row = detail.data if detail.ok and not detail.absent else {}
    digest = row.get("imageDigest") or use.get("digest")
    uri = repo.attrs.get("uri") if repo else f"{c.account_id}.dkr.ecr.{region}.amazonaws.com/{repo_name}"
    label = f"{repo_name}@{digest}" if digest else f"{repo_name}:{use.get('tag')}"
    res = Resource(
        type=IMAGE,
        id=f"{uri}@{digest}" if digest else f"{uri}:{use.get('tag')}",
        arn=None,
        name=f"{repo_name}:{use['tag']}" if use.get("tag") else label,
        region=region,
        tier="container" if use["fargate"] else "iaas",
        attrs={
            "repository": repo.id if repo else None,
            "repository_name": repo_name,
            "repository_exists": repo is not None,
            "tag": use.get("tag"),
            "digest": digest,
            "image_tags": list(row.get("imageTags") or []),
            "pushed_at": _iso(row.get("imagePushedAt")),
            "used_by": sorted(use["services"]),
            "used_by_names": use["service_names"],
            "used_by_fargate": use["fargate"],
            "containers": sorted(use["containers"]),
        },
    )
    if detail.error is not None:
        res.unreadable["exists"] = detail.error.id
        res.unreadable["scan"] = detail.error.id
        return res
    res.attrs["exists"] = not detail.absent
    if detail.absent:
        res.attrs["scan"] = None
        return res
    summary = row.get("imageScanFindingsSummary")
    status = (row.get("imageScanStatus") or {}).get("status")
    counts = {str(k): int(v) for k, v in ((summary or {}).get("findingSeverityCounts") or {}).items()}
    if summary is not None and status == "COMPLETE" and not any(counts.values()):
        res.attrs["scan"] = _scan_facts(status, summary, counts, [], 0, "summary")
        return res
    image_id = {"imageDigest": digest} if digest else {"imageTag": str(use.get("tag"))}
    answer = c.call(
        "ecr",
        region,
        "DescribeImageScanFindings",
        repositoryName=repo_name,
        imageId=image_id,
        maxResults=1000,
        absent={"ScanNotFoundException"},
    )
    fill(res, "scan", answer, _scan_from_findings, default=None)
    return res


def _scan_from_findings(data: dict[str, Any]) -> dict[str, Any]:
    status = (data.get("imageScanStatus") or {}).get("status")
    body = data.get("imageScanFindings") or {}
    counts = {str(k): int(v) for k, v in (body.get("findingSeverityCounts") or {}).items()}
    items: list[dict[str, Any]] = []
    for f in body.get("findings") or []:  # basic scanning
        attrs = {str(a.get("key")): a.get("value") for a in f.get("attributes") or []}
        items.append(
            {
                "id": str(f.get("name") or "")[:64],
                "severity": str(f.get("severity") or "UNDEFINED"),
                "package": str(attrs.get("package_name") or "")[:128] or None,
                "version": str(attrs.get("package_version") or "")[:64] or None,
            }
        )
    for f in body.get("enhancedFindings") or []:  # Amazon Inspector (enhanced scanning)
        details = f.get("packageVulnerabilityDetails") or {}
        packages = details.get("vulnerablePackages") or [{}]
        items.append(
            {
                "id": str(details.get("vulnerabilityId") or f.get("title") or "")[:64],
                "severity": str(f.get("severity") or "UNDEFINED"),
                "package": str(packages[0].get("name") or "")[:128] or None,
                "version": str(packages[0].get("version") or "")[:64] or None,
            }
        )
    total = len(items)
    items.sort(key=lambda i: (_rank(i["severity"]), i["id"]))
    return _scan_facts(status, body, counts, items[:MAX_FINDINGS_KEPT], total, "findings")


def _scan_facts(
    status: Any, body: dict[str, Any], counts: dict[str, int], items: list[dict[str, Any]], total: int, source: str
) -> dict[str, Any]:
    return {
        "status": status,
        "completed_at": _iso(body.get("imageScanCompletedAt")),
        "severity_counts": counts,
        "findings": items,
        "findings_listed": total,
        "truncated": total > len(items),
        "source": source,
    }


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
