"""AWS Config: the configuration timeline that shows when a setting drifted."""

from srmscan.model import Resource
from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CUSTOMER,
    MEDIUM,
    SERVICE_CONFIG,
    Example,
    fail,
    passed,
    regional,
    rule,
)

RECORDER = "AWS::Config::ConfigurationRecorder"


@rule(
    id="config.recorder_enabled",
    title="AWS Config is recording in this region",
    resource_type=ACCOUNT_TYPE,
    where=regional,
    service="config",
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["Config.1"],
    cis=["3.3"],
    rationale="""Config's timeline is how an investigation reconstructs a change (for example, when a
    bucket's Block Public Access was turned off, and back on). Config is AWS's service; turning the recorder on in every region is our choice.""",
    remediation="""Console: AWS Config > Settings > turn on recording (all resource types). CLI: aws configservice
    put-configuration-recorder ... && aws configservice start-configuration-recorder --configuration-recorder-name default""",
    failing=Example(attrs={}),
    passing=Example(
        attrs={},
        related=(
            Resource(
                type=RECORDER,
                id="default",
                region="us-east-1",
                attrs={"recording": True, "all_supported": True},
            ),
        ),
    ),
)
def recorder_enabled(r, inv):
    recorders = inv.resources(RECORDER, r.region)
    if not recorders:
        return fail(f"No AWS Config recorder exists in {r.region}")
    recording = [x for x in recorders if x["recording"]]
    if not recording:
        return fail(
            f"The Config recorder in {r.region} exists but is not recording",
            recorders=[x.id for x in recorders],
        )
    partial = [x.id for x in recording if not x["all_supported"]]
    if partial:
        return fail("The Config recorder records only some resource types", recorders=partial)
    return passed(f"Config is recording all resource types in {r.region}", recorders=[x.id for x in recording])
