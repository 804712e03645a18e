"""Recorded real AWS responses (../shared/realworld/placebo) for parser tests.

Each file is {"status_code": 200, "data": {...}} with datetimes stored as
{"__class__": "datetime", ...}; `recordings` decodes them into what botocore would return.
Service prefixes are endpoint prefixes (monitoring = CloudWatch, apigateway = both API Gateway
APIs). Tests that need the recordings skip when the folder is not there (a wheel-only checkout).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

_REPO = Path(__file__).resolve().parents[1]
# The repository sits in /work/main or /work/wt/<branch>; the recordings in /work/shared/realworld.
_FOUND = [p / "shared" / "realworld" for p in _REPO.parents if (p / "shared" / "realworld").is_dir()]
ROOT = Path(os.environ.get("SRMSCAN_REALWORLD") or (_FOUND[0] if _FOUND else _REPO / "realworld"))
PLACEBO = ROOT / "placebo"


_DATETIME_KEYS = {"__class__", "year", "month", "day", "hour", "minute", "second", "microsecond"}


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        # Most recordings tag datetimes with __class__; some hand-edited ones carry only the fields.
        if value.get("__class__") == "datetime" or (
            {"year", "month", "day"} <= set(value) and set(value) <= _DATETIME_KEYS
        ):
            parts = {k: int(value.get(k, 0)) for k in ("year", "month", "day", "hour", "minute", "second")}
            return datetime(**parts, tzinfo=UTC)
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def recordings(prefix: str, operation: str, *, ok_only: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """Every recording of `prefix.Operation` as (recording name, parsed response data)."""
    if not PLACEBO.is_dir():
        pytest.skip(f"recorded responses not found at {PLACEBO}")
    out = []
    for path in sorted(PLACEBO.glob(f"*/{prefix}.{operation}_*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        if ok_only and body.get("status_code", 200) != 200:
            continue
        data = _decode(body.get("data") or {})
        data.pop("ResponseMetadata", None)
        out.append((f"{path.parent.name}/{path.name}", data))
    assert out, f"no recordings of {prefix}.{operation}"
    return out


def shape_problems(client: Any, operation: str, data: dict[str, Any]) -> list[str]:
    """What botocore's output shape rejects in a recorded answer (the check Stubber makes),
    except required members the recording predates (e.g. CloudFront's `Staging`, added after
    the recording was made): unknown members and wrong types still count."""
    from botocore.validate import ParamValidator

    shape = client.meta.service_model.operation_model(operation).output_shape
    report = ParamValidator().validate(data, shape)
    return [e for e in report._errors if e[0] != "missing required field"]


def mini_demo(modules: list[str], collectors: set[str], hook: Any = None, simulate: bool = True) -> Any:
    """Seed only some demo modules into a fresh moto account and collect with some collectors:
    the demo's resources for one service, without seeding the whole demo for every test.
    `simulate=False` leaves out the demo's simulated answers for APIs moto lacks."""
    import importlib

    import boto3
    from moto import mock_aws

    from srmscan.collect.runner import collect_inventory
    from srmscan.collect.session import AwsSession, Tuning
    from srmscan.demo.account import DEMO_REGIONS, DemoWorld

    with mock_aws():
        world = DemoWorld(session=boto3.Session(region_name=DEMO_REGIONS[0]), regions=list(DEMO_REGIONS))
        loaded = [importlib.import_module(f"srmscan.demo.{name}") for name in modules]
        for module in loaded:
            module.seed(world)
        aws = AwsSession(boto3.Session(region_name=DEMO_REGIONS[0]), tuning=Tuning(max_attempts=2))
        for module in loaded:
            install = getattr(module, "install", None)
            if install is not None and simulate:
                install(aws.events, world)
        if hook is not None:
            hook(aws)
        return collect_inventory(aws, list(DEMO_REGIONS), only=collectors)
