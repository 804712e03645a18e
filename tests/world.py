"""The demo story seeded into a test's moto account, for tests that need a realistic spread of
resources (faults, read-only proof, secrets). Adding a demo seed module grows these tests too."""

from __future__ import annotations

from typing import Any

import boto3

from srmscan.collect.session import AwsSession
from srmscan.demo.account import DEMO_REGIONS, DemoWorld, seed_modules

REGIONS = list(DEMO_REGIONS)


def seed_demo(session: boto3.Session) -> DemoWorld:
    """Run every demo seed module against the test's moto account (seeding uses `session`)."""
    world = DemoWorld(session=session, regions=list(REGIONS))
    for module in seed_modules():
        module.seed(world)
    return world


def install_demo(aws: AwsSession, world: DemoWorld) -> None:
    """The demo's simulated answers for APIs moto lacks, installed on the scanner's session."""
    for module in seed_modules():
        install: Any = getattr(module, "install", None)
        if install is not None:
            install(aws.events, world)
