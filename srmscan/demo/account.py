"""Build the demo account and hand the scanner an ordinary session pointed at it.

Each `seed_*` module in this package adds one part of the story (`ORDER` sets the order) and
may install simulated answers for APIs moto lacks, through botocore event hooks; a module's
optional `record(world)` runs before any seeding (to observe the seeding calls). Those
answers are the demo's simulated account data; the scanner cannot tell it is a demo.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import boto3
from moto import mock_aws
from moto.moto_api._internal import mock_random

from srmscan.collect.session import AwsSession, Tuning

DEMO_REGIONS = ["eu-west-1", "us-east-1"]
DEMO_ACCOUNT = "123456789012"
# moto draws every generated id (instance, volume, subnet, security group, ...) from one
# `random.Random` singleton. Seeding it makes the demo's ids, and so its finding ids, the same
# on every run: `srmscan diff` of two demo reports is empty and an id from one run works in the
# next. Any fixed value will do; changing it changes every demo id.
DEMO_RANDOM_SEED = 20231003


@dataclass
class DemoWorld:
    """What seed modules share: the session, the regions, and ids they created for each other."""

    session: boto3.Session
    regions: list[str]
    ids: dict[str, Any] = field(default_factory=dict)
    # The demo's clock for every simulated date (events, scans, pings): today at 00:00 UTC, so
    # two demo runs on the same day produce the same reports.
    now: datetime = field(default_factory=lambda: demo_clock())

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.client(service, region_name=region or self.regions[0])


def demo_clock() -> datetime:
    """Midnight UTC today: the instant the demo's simulated dates are measured from."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


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
    random_state = mock_random.getstate()
    try:
        with mock_aws():
            mock_random.seed(DEMO_RANDOM_SEED)
            session = boto3.Session(region_name=DEMO_REGIONS[0])
            world = DemoWorld(session=session, regions=list(DEMO_REGIONS))
            modules = seed_modules()
            for module in modules:  # e.g. the simulated CloudTrail records what the seeds do
                recorder = getattr(module, "record", None)
                if recorder is not None:
                    recorder(world)
            _create_backends(world)
            for module in modules:
                # Each seed module draws from its own sequence: a backend that draws ids only when it
                # is first created in this process (or a new seed module) cannot shift the ids of
                # every module seeded after it.
                mock_random.seed(f"{DEMO_RANDOM_SEED}:{module.__name__}")
                module.seed(world)
            scan_session = boto3.Session(region_name=DEMO_REGIONS[0])
            for module in modules:
                install = getattr(module, "install", None)
                if install is not None:
                    install(scan_session.events, world)
            yield AwsSession(scan_session, endpoint_url=None, tuning=Tuning()), list(DEMO_REGIONS)
    finally:
        mock_random.setstate(random_state)  # other moto users in this process keep their sequence
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _create_backends(world: DemoWorld) -> None:
    """Create moto's per-region EC2 backends before the seeds run.

    A backend draws random ids for its default VPC, subnets and security groups when it is
    created: on first use in a fresh process, but at moto's reset in a process that ran moto
    before (moto keeps backend objects cached and re-initialises them). Re-creating each from its
    own seed, then re-seeding, makes every id the same in both cases; left to the scan, the first
    use would also happen in collector threads in whatever order they run.
    """
    from moto.ec2.models import ec2_backends

    for n, region in enumerate(world.regions):
        backend = ec2_backends[DEMO_ACCOUNT][region]  # created here in a fresh process
        mock_random.seed(DEMO_RANDOM_SEED + n)
        backend.reset()  # re-created from a known seed, default VPC included
