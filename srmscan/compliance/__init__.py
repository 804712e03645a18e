"""Compliance views: a regime's requirements split by owner, filled with this scan's evidence.

`frameworks` loads the mappings kept as data in rules/frameworks/; `evaluate` turns one scan's
findings into rows. Both are pure: no boto3, no network.
"""

from srmscan.compliance.evaluate import ComplianceResult, Row, RuleEvidence, evaluate_compliance
from srmscan.compliance.frameworks import (
    Framework,
    FrameworkError,
    Requirement,
    RuleRef,
    available,
    load_framework,
)

__all__ = [
    "ComplianceResult",
    "Framework",
    "FrameworkError",
    "Requirement",
    "Row",
    "RuleEvidence",
    "RuleRef",
    "available",
    "evaluate_compliance",
    "load_framework",
]
