"""Detection: GuardDuty and Security Hub are on in the home region (eu-west-1, with the FSBP
standard) and were never turned on in us-east-1, where nobody would notice an intruder.

moto 5.2.5 lacks securityhub:GetEnabledStandards; `install` answers it with the demo's SIMULATED
subscription (FSBP, READY) for eu-west-1.
"""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse

from srmscan.demo.account import DemoWorld

ORDER = 64
HOME = "eu-west-1"
FSBP_ARN = f"arn:aws:securityhub:{HOME}::standards/aws-foundational-security-best-practices/v/1.0.0"


def seed(world: DemoWorld) -> None:
    world.client("guardduty", HOME).create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")
    world.client("securityhub", HOME).enable_security_hub(EnableDefaultStandards=False)


def install(events: Any, world: DemoWorld) -> None:
    def enabled_standards(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # SIMULATED: the FSBP standard, subscribed and READY, in the home region.
        region = kwargs["context"].get("client_region") if "context" in kwargs else None
        subscriptions = []
        if region in (None, HOME):
            subscriptions.append(
                {
                    "StandardsSubscriptionArn": f"arn:aws:securityhub:{HOME}:123456789012:subscription/"
                    "aws-foundational-security-best-practices/v/1.0.0",
                    "StandardsArn": FSBP_ARN,
                    "StandardsInput": {},
                    "StandardsStatus": "READY",
                }
            )
        return AWSResponse("", 200, {}, None), {"StandardsSubscriptions": subscriptions}

    events.register("before-call.securityhub.GetEnabledStandards", enabled_standards)
