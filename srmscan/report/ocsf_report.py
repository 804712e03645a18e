"""report.ocsf.json: every finding as an OCSF Detection Finding (class 2004), the format Prowler writes and
AWS Security Hub and Amazon Security Lake ingest. Pure: one ScanResult -> str.

Records are built with `py-ocsf-models` (Prowler's maintained pydantic models of the OCSF schema), so
each one is validated by the schema's own types as it is made. What OCSF has no field for — the owner
under the Shared Responsibility Model, the layer, the service tier, the framework ids, srmscan's own
status — goes in `unmapped`. Muted findings are `Suppressed`; `status_code` carries srmscan's status.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from srmscan.model import Finding, Severity, Status
from srmscan.redact import scrub
from srmscan.scan import ScanResult


class OcsfUnavailable(RuntimeError):
    """py-ocsf-models is not installed (it is the optional extra `srmscan[ocsf]`)."""


def require_models() -> Any:
    """The models module, or OcsfUnavailable naming the extra to install (checked before a scan)."""
    return _models()


def _models() -> Any:
    try:
        from py_ocsf_models.events.findings import detection_finding
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise OcsfUnavailable("--format ocsf needs py-ocsf-models: pip install 'srmscan[ocsf]'") from exc
    return detection_finding


def _epoch_ms(stamp: str) -> tuple[int, datetime]:
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return int(when.timestamp() * 1000), when


def _severity_id(severity: Severity) -> int:
    return {
        Severity.CRITICAL: 5,
        Severity.HIGH: 4,
        Severity.MEDIUM: 3,
        Severity.LOW: 2,
        Severity.INFO: 1,
    }[severity]


def ocsf_record(f: Finding, result: ScanResult) -> dict[str, Any]:
    """One finding as an OCSF Detection Finding, as a plain dict (validated on construction)."""
    from py_ocsf_models.events.findings.activity_id import ActivityID
    from py_ocsf_models.events.findings.detection_finding_type_id import DetectionFindingTypeID
    from py_ocsf_models.events.findings.severity_id import SeverityID
    from py_ocsf_models.events.findings.status_id import StatusID
    from py_ocsf_models.objects.account import Account, TypeID
    from py_ocsf_models.objects.cloud import Cloud
    from py_ocsf_models.objects.finding_info import FindingInformation
    from py_ocsf_models.objects.metadata import Metadata
    from py_ocsf_models.objects.product import Product
    from py_ocsf_models.objects.remediation import Remediation
    from py_ocsf_models.objects.resource_details import ResourceDetails

    inv = result.inventory
    ms, when = _epoch_ms(inv.finished_at or inv.started_at)
    real = Status(f.mute["status"]) if f.status is Status.MUTED and f.mute and f.mute.get("status") else f.status
    record = _models().DetectionFinding(
        activity_id=ActivityID.Create,
        activity_name="Create",
        type_uid=DetectionFindingTypeID.Create,
        type_name="Detection Finding: Create",
        time=ms,
        time_dt=when,
        severity_id=SeverityID(_severity_id(f.severity)),
        severity=str(f.severity).capitalize(),
        status_id=StatusID.Suppressed if f.status is Status.MUTED else StatusID.New,
        status="Suppressed" if f.status is Status.MUTED else "New",
        status_code=str(real).upper(),
        status_detail=f.unknown_reason or f.message,
        message=f.message,
        metadata=Metadata(
            product=Product(name="srmscan", vendor_name="srmscan", version=result.tool_version),
            event_code=f.rule_id,
            uid=f.id,
            profiles=["cloud"],
        ),
        finding_info=FindingInformation(
            uid=f.id,
            title=f.title,
            desc=f.rationale,
            types=[f"{f.owner}/{f.layer}"],
            created_time=ms,
            created_time_dt=when,
        ),
        cloud=Cloud(
            provider="AWS",
            region=f.region,
            account=Account(uid=f.account_id, name=inv.account_alias or f.account_id, type_id=TypeID.AWS_Account),
        ),
        resources=[
            ResourceDetails(
                uid=f.resource_arn or f.resource_id,
                name=f.resource_name or f.resource_id,
                type=f.resource_type,
                region=f.region,
                cloud_partition=inv.partition,
                labels=[f"team:{f.team}"] if f.team else None,
            )
        ],
        remediation=Remediation(desc=f.remediation),
        unmapped={
            "srmscan": {
                "owner": str(f.owner),
                "layer": str(f.layer),
                "service_tier": f.service_tier,
                "service": f.service,
                "status": str(f.status),
                "team": f.team,
                "frameworks": f.frameworks,
                "unknown_reason": f.unknown_reason,
                "mute": f.mute,
            }
        },
    )
    return scrub(record.model_dump(mode="json", exclude_none=True))


def render_ocsf(result: ScanResult) -> str:
    """A JSON array of Detection Findings, one per finding (AWS-side `info` statements included)."""
    _models()
    parts = [json.dumps(ocsf_record(f, result), ensure_ascii=False) for f in result.findings]
    return "[\n" + ",\n".join(parts) + ("\n" if parts else "") + "]\n"
