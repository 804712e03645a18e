"""Clients of one service share one docless model: memory that grew with regions no longer does."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from srmscan.collect.session import AwsSession


def _session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")


def test_clients_of_one_service_share_model_and_class_across_regions() -> None:
    aws = AwsSession(_session())
    east, west = aws.client("ec2", "us-east-1"), aws.client("ec2", "eu-west-1")
    assert east is not west and east.meta.region_name != west.meta.region_name
    assert east.meta.service_model is west.meta.service_model
    assert type(east) is type(west)
    assert aws.client("s3", "us-east-1").meta.service_model is not east.meta.service_model


def test_models_carry_no_documentation_but_still_validate_and_parse() -> None:
    aws = AwsSession(_session())
    client = aws.client("ec2", "us-east-1")
    model = client.meta.service_model
    assert model.operation_model("DescribeInstances").documentation == ""
    assert model.shape_for("Instance").documentation == ""
    with Stubber(client) as stub:
        stub.add_response(
            "describe_instances",
            {"Reservations": [{"Instances": [{"InstanceId": "i-1", "State": {"Name": "running"}}]}]},
            {"MaxResults": 1000},
        )
        answer = client.describe_instances(MaxResults=1000)
    assert answer["Reservations"][0]["Instances"][0]["InstanceId"] == "i-1"


def test_sessions_srmscan_did_not_create_keep_botocore_behaviour() -> None:
    AwsSession(_session())  # installs the sharing for srmscan's own sessions
    other = _session()
    a, b = other.client("ec2", region_name="us-east-1"), other.client("ec2", region_name="eu-west-1")
    assert a.meta.service_model is not b.meta.service_model
    assert a.meta.service_model.operation_model("DescribeInstances").documentation != ""


def test_shapes_are_decoded_only_when_a_call_needs_them() -> None:
    from srmscan.collect._shared_models import CompactShapes

    client = AwsSession(_session()).client("ec2", "us-east-1")
    shapes = client.meta.service_model._service_description["shapes"]
    assert isinstance(shapes, CompactShapes)
    client.meta.service_model.operation_model("DescribeVolumes").output_shape.members  # noqa: B018
    assert 0 < len(shapes._decoded) < len(shapes) / 10
    assert "VolumeList" in shapes._decoded and shapes["Volume"]["type"] == "structure"


def test_error_shapes_match_botocore_without_decoding_every_shape() -> None:
    """The first error answer of a service builds its exception classes from `error_shapes`;
    botocore's own walk of every shape decoded whole models (EC2: thousands of shapes)."""
    from srmscan.collect._shared_models import CompactShapes

    aws, plain = AwsSession(_session()), _session()
    for service in ("ec2", "s3", "iam", "lambda", "secretsmanager"):
        lean = aws.client(service, "us-east-1").meta.service_model
        own = plain.client(service, region_name="us-east-1").meta.service_model
        shapes = lean._service_description["shapes"]
        assert isinstance(shapes, CompactShapes)
        assert [s.name for s in lean.error_shapes] == [s.name for s in own.error_shapes]
        assert all(s.metadata.get("exception") for s in lean.error_shapes)
        assert len(shapes._decoded) <= len(lean.error_shapes) + 40 < len(shapes)


def test_a_service_error_raises_the_modelled_exception_class() -> None:
    client = AwsSession(_session()).client("secretsmanager", "us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("get_resource_policy", "ResourceNotFoundException", http_status_code=400)
        try:
            client.get_resource_policy(SecretId="s")
        except client.exceptions.ResourceNotFoundException as exc:
            assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
        else:  # pragma: no cover - the stub always answers with the error
            raise AssertionError("no error raised")
