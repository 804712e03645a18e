"""GuardDuty and Security Hub: AWS builds and runs the detectors and the checks; turning them on in
every region we use, and answering what they find, is ours."""

from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CUSTOMER,
    HIGH,
    INFO,
    SERVICE_CONFIG,
    fail,
    passed,
    regional,
    rule,
)

FSBP_MARK = "standards/aws-foundational-security-best-practices/"


@rule(
    id="guardduty.enabled",
    title="GuardDuty is enabled in the region",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="guardduty",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["GuardDuty.1"],
    rationale="""GuardDuty watches CloudTrail, VPC flow and DNS logs for compromised credentials, crypto
    mining and reconnaissance, with threat intelligence AWS maintains. It does nothing until a detector is
    created in each region; an attacker who finds a region without one works unobserved there.""",
    remediation="CLI (per region): aws guardduty create-detector --enable --finding-publishing-frequency FIFTEEN_MINUTES",
    failing={"guardduty": None},
    passing={"guardduty": {"detector_id": "d1", "status": "ENABLED", "features": {}}},
)
def guardduty_enabled(r, inv):
    detector = r["guardduty"]
    if detector is None:
        return fail("No GuardDuty detector in this region")
    if detector.get("status") != "ENABLED":
        return fail(f"The GuardDuty detector is {detector.get('status') or 'in an unreported state'}")
    off = sorted(name for name, status in (detector.get("features") or {}).items() if status != "ENABLED")
    return passed("GuardDuty is enabled", detector=detector["detector_id"], plans_off=off)


@rule(
    id="securityhub.enabled",
    title="Security Hub is enabled in the region with the FSBP standard",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="securityhub",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=INFO,
    cis=["4.16"],
    rationale="""Security Hub runs AWS's own checks (the AWS Foundational Security Best Practices standard)
    continuously and gathers GuardDuty, Inspector and Access Analyzer findings in one place. srmscan is a
    point-in-time scan; Security Hub is the standing watch. Reported for information.""",
    remediation="""CLI (per region): aws securityhub enable-security-hub --enable-default-standards
    (subscribes FSBP and CIS), or aws securityhub batch-enable-standards with the FSBP standards ARN.""",
    failing={"securityhub": None, "securityhub_standards": []},
    passing={
        "securityhub": {"hub_arn": "arn:aws:securityhub:us-east-1:123456789012:hub/default"},
        "securityhub_standards": [
            {
                "arn": "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
                "status": "READY",
            }
        ],
    },
)
def securityhub_enabled(r, inv):
    if r["securityhub"] is None:
        return fail("Security Hub is not enabled in this region")
    standards = r["securityhub_standards"]
    fsbp = [s for s in standards if FSBP_MARK in s["arn"]]
    if not fsbp:
        return fail(
            "Security Hub is enabled, but the FSBP standard is not subscribed",
            standards=[s["arn"] for s in standards],
        )
    if not any(s.get("status") == "READY" for s in fsbp):
        return fail(f"The FSBP standard is {fsbp[0].get('status')}, not READY")
    return passed("Security Hub is enabled with the FSBP standard", standards=[s["arn"] for s in standards])
