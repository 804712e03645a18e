"""Which team owns a finding: the resource's owner tags, or, for an untagged record that names
the resources using it (an ECR image names the ECS services running it), their teams."""

from __future__ import annotations

from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.model import Resource
from tests.helpers import inventory

SERVICE = "arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout-web"
WORKER = "arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout-worker"


def _image(used_by: list[str], tags: dict[str, str] | None = None) -> Resource:
    return Resource(
        type="AWS::ECR::Image",
        id="123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/checkout@sha256:" + "a" * 64,
        region="eu-west-1",
        attrs={"used_by": used_by, "repository_name": "acme/checkout", "scan": None},
        tags=tags or {},
    )


def _service(arn: str, team: str) -> Resource:
    return Resource(type="AWS::ECS::Service", id=arn, arn=arn, region="eu-west-1", tags={"Team": team})


def _image_teams(*resources: Resource) -> set[str | None]:
    findings = evaluate(inventory(*resources), load_ruleset())
    image = resources[0].id
    teams = {f.team for f in findings if f.resource_id == image}
    assert teams, "no finding on the image"
    return teams


def test_an_image_takes_the_teams_of_the_services_running_it() -> None:
    assert _image_teams(_image([SERVICE]), _service(SERVICE, "checkout")) == {"checkout"}
    both = _image_teams(_image([SERVICE, WORKER]), _service(SERVICE, "checkout"), _service(WORKER, "batch"))
    assert both == {"batch, checkout"}


def test_its_own_tag_wins_and_no_user_means_no_team() -> None:
    assert _image_teams(_image([SERVICE], {"Owner": "platform"}), _service(SERVICE, "checkout")) == {"platform"}
    assert _image_teams(_image(["arn:aws:ecs:eu-west-1:123456789012:service/prod/gone"])) == {None}
