"""Build the demo account and hand the scanner an ordinary session pointed at it.

Each `seed_*` module in this package adds one part of the story (`ORDER` sets the order) and
may install simulated answers for APIs moto lacks, through botocore event hooks. Those
answers are the demo's simulated account data; the scanner cannot tell it is a demo.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3
from moto import mock_aws

from srmscan.collect.session import AwsSession, Tuning

DEMO_REGIONS = ["eu-west-1", "us-east-1"]
DEMO_ACCOUNT = "123456789012"


@dataclass
class DemoWorld:
    """What seed modules share: the session, the regions, and ids they created for each other."""

    session: boto3.Session
    regions: list[str]
    ids: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.client(service, region_name=region or self.regions[0])


def seed_modules() -> list[ModuleType]:
    import srmscan.demo as package

    modules = [
        importlib.import_module(f"srmscan.demo.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("seed_")
    ]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


@contextmanager
def demo_session() -> Iterator[tuple[AwsSession, list[str]]]:
    """A moto account seeded with the demo story, and a scanner session pointed at it."""
    saved = {k: os.environ.pop(k, None) for k in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
    fake = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        # The demo attaches AWS-managed policies (AdministratorAccess); moto loads them only on request.
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    }
    saved.update({k: os.environ.get(k) for k in fake})
    os.environ.update(fake)
    try:
        with mock_aws():
            session = boto3.Session(region_name=DEMO_REGIONS[0])
            world = DemoWorld(session=session, regions=list(DEMO_REGIONS))
            modules = seed_modules()
            for module in modules:
                module.seed(world)
            scan_session = boto3.Session(region_name=DEMO_REGIONS[0])
            for module in modules:
                install = getattr(module, "install", None)
                if install is not None:
                    install(scan_session.events, world)
            yield AwsSession(scan_session, endpoint_url=None, tuning=Tuning()), list(DEMO_REGIONS)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
