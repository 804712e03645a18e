"""Systems Manager beyond patching: a runbook shared with every AWS account "so the partner could
use it", next to one shared only with the partner's account; a plaintext String parameter that
holds the partner API key, and a CI setting whose value is an access key, next to a SecureString
twin and an ordinary setting; association
compliance for two instances (one failing), and DHMC turned on in the home region only.

moto 5.2.5 lacks ssm:ListResourceComplianceSummaries and ssm:GetServiceSetting; `install`
answers them with the demo's SIMULATED account data (instance ids are made up for the story).
"""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse

from srmscan.demo.account import DemoWorld

ORDER = 70
HOME = "eu-west-1"
PUBLIC_DOC = "acme-partner-diagnostics"
PRIVATE_DOC = "acme-internal-diagnostics"
PLAINTEXT_PARAM = "/acme/partner/api_key"
SHAPED_PARAM = "/acme/ci/deploy-settings"
# Must never appear in any scanner output: parameter values (one bland, one shaped like an access key).
PARAM_CANARY = "demo-canary-ssm-param-41c7"
SHAPED_CANARY = "AKIADEMOPARAMCANARY7"
_DOC = (
    '{"schemaVersion":"2.2","description":"collect diagnostics","mainSteps":[{"action":"aws:runShellScript",'
    '"name":"diag","inputs":{"runCommand":["uptime"]}}]}'
)


def seed(world: DemoWorld) -> None:
    ssm = world.client("ssm", HOME)
    for name in (PUBLIC_DOC, PRIVATE_DOC):
        ssm.create_document(Content=_DOC, Name=name, DocumentType="Command", DocumentFormat="JSON")
    ssm.modify_document_permission(Name=PUBLIC_DOC, PermissionType="Share", AccountIdsToAdd=["all"])
    ssm.modify_document_permission(Name=PRIVATE_DOC, PermissionType="Share", AccountIdsToAdd=["111122223333"])
    ssm.put_parameter(Name=PLAINTEXT_PARAM, Type="String", Value=PARAM_CANARY)
    ssm.put_parameter(Name=SHAPED_PARAM, Type="String", Value=SHAPED_CANARY)
    ssm.put_parameter(Name="/acme/partner/api_key_secure", Type="SecureString", Value=PARAM_CANARY)
    ssm.put_parameter(Name="/acme/partner/endpoint", Type="String", Value="https://partner.example/api")


def install(events: Any, world: DemoWorld) -> None:
    def compliance(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # SIMULATED: two managed nodes with associations in the home region; one is failing.
        region = (kwargs.get("context") or {}).get("client_region")
        items = []
        if region == HOME:
            for node, status in (("i-0demo0assoc0ok", "COMPLIANT"), ("i-0demo0assoc0bad", "NON_COMPLIANT")):
                items.append(
                    {
                        "ComplianceType": "Association",
                        "ResourceType": "ManagedInstance",
                        "ResourceId": node,
                        "Status": status,
                        "OverallSeverity": "UNSPECIFIED",
                    }
                )
        return AWSResponse("", 200, {}, None), {"ResourceComplianceSummaryItems": items}

    def service_setting(params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # SIMULATED: DHMC configured in the home region, never in the other.
        region = (kwargs.get("context") or {}).get("client_region")
        value = "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole" if region == HOME else "$None"
        setting = {
            "SettingId": params.get("SettingId"),
            "SettingValue": value,
            "Status": "Customized" if region == HOME else "Default",
        }
        return AWSResponse("", 200, {}, None), {"ServiceSetting": setting}

    events.register("before-call.ssm.ListResourceComplianceSummaries", compliance)
    events.register("before-call.ssm.GetServiceSetting", service_setting)
