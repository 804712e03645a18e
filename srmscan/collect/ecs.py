"""ECS: clusters, services (with their task sets), task definitions, and EC2 container instances.

Where the responsibility line sits depends on where tasks run: on Fargate AWS patches the
host (we choose the platform version and rebuild images); on EC2 container instances the host
OS is ours. So each service records its launch type / capacity providers and is tiered
`container` (Fargate) or `iaas`. Services deployed by CodeDeploy (blue/green) or an EXTERNAL
controller keep their task definition, launch type, platform version and network configuration
in `taskSets`, which DescribeServices returns; each task set is kept and judged.

Call budget: describe calls are batched to their API maximum (clusters and container
instances 100, services 10). Task definitions: see `_ecs_task_definitions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from srmscan.collect._ecs_task_definitions import collect_task_definitions
from srmscan.collect.context import Answer, Collection, arn_resource, tags_from
from srmscan.collect.registry import collector
from srmscan.model import Resource

CLUSTER = "AWS::ECS::Cluster"
SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
CONTAINER_INSTANCE = "AWS::ECS::ContainerInstance"

CLUSTERS_PER_CALL = 100
SERVICES_PER_CALL = 10
CONTAINER_INSTANCES_PER_CALL = 100
FARGATE_PROVIDERS = {"FARGATE", "FARGATE_SPOT"}

T = TypeVar("T")


def chunks(items: list[T], size: int) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def gap_once(c: Collection, resource_type: str, region: str, answer: Answer) -> None:
    """Several clusters may fail to list; the type is unknown in the region once, not once per cluster."""
    if c.claim(f"gap:{resource_type}:{region}"):
        c.gap(resource_type, region, answer)


@collector(
    "ecs",
    scope="regional",
    produces=(CLUSTER, SERVICE, TASK_DEFINITION, CONTAINER_INSTANCE),
    actions=[
        "ecs:ListClusters",
        "ecs:DescribeClusters",
        "ecs:ListServices",
        "ecs:DescribeServices",
        "ecs:DescribeTaskDefinition",
        "ecs:ListTaskDefinitionFamilies",
        "ecs:ListContainerInstances",
        "ecs:DescribeContainerInstances",
    ],
)
def collect_ecs(c: Collection, region: str) -> None:
    # Without the cluster list nothing of ECS is listed in the region; the per-cluster listings
    # below may fail for several clusters, so they record their gap once (`gap_once`).
    listing = c.listing(
        "ecs", region, "ListClusters", "clusterArns", gaps=(CLUSTER, SERVICE, TASK_DEFINITION, CONTAINER_INSTANCE)
    )
    if listing.error is not None:
        return
    arns = [str(a) for a in listing.data]
    clusters: dict[str, Resource] = {}
    for batch in chunks(arns, CLUSTERS_PER_CALL):
        answer = c.call("ecs", region, "DescribeClusters", clusters=batch, include=["SETTINGS", "TAGS"])
        for arn in batch:
            clusters[arn] = c.add(_cluster(arn, region, answer))
    services: list[Resource] = []
    for found in c.fanout(lambda arn: _cluster_services(c, region, clusters[arn]), arns):
        services.extend(found)
    c.fanout(lambda arn: _container_instances(c, region, clusters[arn]), arns)
    collect_task_definitions(c, region, services, gap_once)


def _cluster(arn: str, region: str, answer: Answer) -> Resource:
    name = arn.rsplit("/", 1)[-1]
    res = arn_resource(CLUSTER, arn, name, region, "container")
    if answer.error is not None:
        for key in ("status", "container_insights", "capacity_providers", "default_capacity_provider_strategy", "tags"):
            res.unreadable[key] = answer.error.id
        return res
    data = next((d for d in answer.data.get("clusters", []) if d.get("clusterArn") == arn), None)
    if data is None:
        res.attrs["status"] = "MISSING"
        return res
    settings = {str(s.get("name")): str(s.get("value")) for s in data.get("settings", []) or []}
    res.name = str(data.get("clusterName") or name)
    res.tags = tags_from(data.get("tags"), "key", "value")
    res.attrs.update(
        status=data.get("status"),
        container_insights=settings.get("containerInsights"),
        capacity_providers=list(data.get("capacityProviders") or []),
        default_capacity_provider_strategy=[
            str(s.get("capacityProvider")) for s in data.get("defaultCapacityProviderStrategy") or []
        ],
        registered_container_instances=data.get("registeredContainerInstancesCount"),
        active_services=data.get("activeServicesCount"),
        running_tasks=data.get("runningTasksCount"),
    )
    return res


def _cluster_services(c: Collection, region: str, cluster: Resource) -> list[Resource]:
    assert cluster.arn is not None
    listing = c.pages("ecs", region, "ListServices", "serviceArns", cluster=cluster.arn)
    if listing.error is not None:
        gap_once(c, SERVICE, region, listing)
        gap_once(c, TASK_DEFINITION, region, listing)
        return []
    out = []
    for batch in chunks([str(a) for a in listing.data], SERVICES_PER_CALL):
        answer = c.call("ecs", region, "DescribeServices", cluster=cluster.arn, services=batch, include=["TAGS"])
        if answer.error is not None:
            # Without the description we know neither the service nor its task definition.
            gap_once(c, SERVICE, region, answer)
            gap_once(c, TASK_DEFINITION, region, answer)
            continue
        for data in answer.data.get("services", []) or []:
            out.append(c.add(_service(data, region, cluster)))
    return out


def compute_of(launch_type: str | None, providers: list[str]) -> str:
    """Where a service's tasks run: FARGATE, EC2, EXTERNAL, or `unknown` when undecidable.

    A service sets a launch type or a capacity provider strategy; with neither, the cluster's
    default strategy applies. Custom capacity providers are Auto Scaling groups (EC2)."""
    if launch_type:
        return "FARGATE" if launch_type == "FARGATE" else str(launch_type)
    if not providers:
        return "unknown"
    fargate = [p for p in providers if p in FARGATE_PROVIDERS]
    if len(fargate) == len(providers):
        return "FARGATE"
    return "MIXED" if fargate else "EC2"


def _task_sets(data: dict[str, Any], cluster: Resource, service_launch: str | None) -> list[dict[str, Any]]:
    """Blue/green (CODE_DEPLOY) and EXTERNAL services run their tasks in task sets, each with its own
    task definition, launch type, platform version and network configuration."""
    out = []
    for ts in data.get("taskSets") or []:
        if not isinstance(ts, dict):
            continue
        net = (ts.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
        strategy = [str(s.get("capacityProvider")) for s in ts.get("capacityProviderStrategy") or []]
        launch = ts.get("launchType") or (None if strategy else service_launch)
        providers = strategy or ([] if launch else list(cluster.attrs.get("default_capacity_provider_strategy") or []))
        out.append(
            {
                "id": str(ts.get("id") or ts.get("taskSetArn") or ""),
                "status": ts.get("status"),
                "task_definition": ts.get("taskDefinition"),
                "launch_type": launch,
                "compute": compute_of(launch, providers),
                "platform_version": ts.get("platformVersion"),
                "platform_family": ts.get("platformFamily"),
                "assign_public_ip": net.get("assignPublicIp"),
                "subnets": [str(x) for x in net.get("subnets") or []],
                "security_groups": [str(x) for x in net.get("securityGroups") or []],
            }
        )
    return out


def _combined_compute(service_compute: str, task_sets: list[dict[str, Any]]) -> str:
    """A service without its own launch settings runs where its task sets run."""
    if service_compute != "unknown" or not task_sets:
        return service_compute
    kinds = {str(ts["compute"]) for ts in task_sets} - {"unknown"}
    if not kinds:
        return "unknown"
    if len(kinds) == 1:
        return kinds.pop()
    return "MIXED" if "FARGATE" in kinds or "MIXED" in kinds else "EC2"


def _service(data: dict[str, Any], region: str, cluster: Resource) -> Resource:
    name = str(data.get("serviceName") or "")
    arn = str(data.get("serviceArn") or "")
    if arn.count("/") < 2 and cluster.arn:
        # Old short ARNs (service/NAME) are not unique across clusters; use the long form.
        arn = f"{cluster.arn.replace(':cluster/', ':service/')}/{name}"
    launch_type = data.get("launchType")
    own_strategy = [str(s.get("capacityProvider")) for s in data.get("capacityProviderStrategy") or []]
    task_sets = _task_sets(data, cluster, launch_type)
    providers = own_strategy
    default_unreadable = None
    if not launch_type and not own_strategy and not task_sets:
        if "default_capacity_provider_strategy" in cluster.unreadable:
            default_unreadable = cluster.unreadable["default_capacity_provider_strategy"]
        providers = list(cluster.attrs.get("default_capacity_provider_strategy") or [])
    compute = _combined_compute(compute_of(launch_type, providers), task_sets)
    deployments = data.get("deployments") or []
    network = ((data.get("networkConfiguration") or {}).get("awsvpcConfiguration")) or {}
    deploy_public = [
        ((d.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("assignPublicIp")
        for d in deployments
    ]
    in_use = [str(data["taskDefinition"])] if data.get("taskDefinition") else []
    for d in [*deployments, *({"taskDefinition": ts["task_definition"]} for ts in task_sets)]:
        if d.get("taskDefinition") and str(d["taskDefinition"]) not in in_use:
            in_use.append(str(d["taskDefinition"]))
    running = {str(d["platformVersion"]) for d in deployments if d.get("platformVersion")}
    running |= {str(ts["platform_version"]) for ts in task_sets if ts["platform_version"]}
    tags = tags_from(data.get("tags"), "key", "value")
    attrs = {
        "cluster": cluster.arn,
        "cluster_name": cluster.name,
        "status": data.get("status"),
        "launch_type": launch_type,
        "capacity_providers": providers,
        "capacity_providers_from_cluster_default": bool(providers) and not own_strategy and not launch_type,
        "compute": compute,
        "deployment_controller": (data.get("deploymentController") or {}).get("type") or "ECS",
        "task_sets": task_sets,
        "platform_version": data.get("platformVersion"),
        "platform_versions_running": sorted(running),
        "platform_family": next((d.get("platformFamily") for d in deployments if d.get("platformFamily")), None),
        "assign_public_ip": network.get("assignPublicIp"),
        "deployments_assign_public_ip": sorted({str(p) for p in deploy_public if p}),
        "subnets": list(network.get("subnets") or []),
        "security_groups": list(network.get("securityGroups") or []),
        "task_definition": data.get("taskDefinition"),
        "task_definitions_in_use": in_use,
        "desired_count": data.get("desiredCount"),
        "running_count": data.get("runningCount"),
        "pending_count": data.get("pendingCount"),
        "load_balancers": [
            str(lb.get("targetGroupArn") or lb.get("loadBalancerName") or "") for lb in data.get("loadBalancers") or []
        ],
        "scheduling_strategy": data.get("schedulingStrategy"),
    }
    tier = "container" if compute == "FARGATE" else "iaas"
    res = arn_resource(SERVICE, arn, name, region, tier, tags=tags, attrs=attrs)
    if default_unreadable is not None and compute == "unknown":
        res.unreadable["compute"] = default_unreadable
    return res


def _container_instances(c: Collection, region: str, cluster: Resource) -> None:
    assert cluster.arn is not None
    listing = c.pages("ecs", region, "ListContainerInstances", "containerInstanceArns", cluster=cluster.arn)
    if listing.error is not None:
        gap_once(c, CONTAINER_INSTANCE, region, listing)
        return
    for batch in chunks([str(a) for a in listing.data], CONTAINER_INSTANCES_PER_CALL):
        answer = c.call(
            "ecs", region, "DescribeContainerInstances", cluster=cluster.arn, containerInstances=batch, include=["TAGS"]
        )
        if answer.error is not None:
            gap_once(c, CONTAINER_INSTANCE, region, answer)
            continue
        for data in answer.data.get("containerInstances", []) or []:
            c.add(_container_instance(data, region, cluster))


def _container_instance(data: dict[str, Any], region: str, cluster: Resource) -> Resource:
    arn = str(data.get("containerInstanceArn") or "")
    attributes = {str(a.get("name")): a.get("value") for a in data.get("attributes") or []}
    version = data.get("versionInfo") or {}
    instance_id = data.get("ec2InstanceId")
    registered = data.get("registeredAt")
    tags = tags_from(data.get("tags"), "key", "value")
    attrs = {
        "cluster": cluster.arn,
        "cluster_name": cluster.name,
        "ec2_instance_id": instance_id,
        "status": data.get("status"),
        "agent_connected": data.get("agentConnected"),
        "agent_version": version.get("agentVersion"),
        "docker_version": version.get("dockerVersion"),
        "agent_update_status": data.get("agentUpdateStatus"),
        "ami_id": attributes.get("ecs.ami-id"),
        "os_type": attributes.get("ecs.os-type"),
        "instance_type": attributes.get("ecs.instance-type"),
        "availability_zone": attributes.get("ecs.availability-zone"),
        "registered_at": _iso(registered),
        "running_tasks": data.get("runningTasksCount"),
    }
    return arn_resource(
        CONTAINER_INSTANCE, arn, str(instance_id or arn.rsplit("/", 1)[-1]), region, "iaas", tags=tags, attrs=attrs
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)
