"""The stable import path for rule files: `from srmscan.rules_api import rule, fail, passed, ...`.

Rules written for `--rules-dir` (and the bundled ones in rules/) import from here. The rule API
itself lives in `srmscan.evaluate.rules_api` beside the engine that runs it; this module only
re-exports the same objects, so a rule's decorator, verdicts and constants are the engine's own
(tests/test_architecture.py checks that every public name of the implementation is here).
"""

from __future__ import annotations

from srmscan.evaluate.rules_api import (
    ACCOUNT_TYPE as ACCOUNT_TYPE,
)
from srmscan.evaluate.rules_api import (
    AWS as AWS,
)
from srmscan.evaluate.rules_api import (
    CRITICAL as CRITICAL,
)
from srmscan.evaluate.rules_api import (
    CUSTOMER as CUSTOMER,
)
from srmscan.evaluate.rules_api import (
    DATA as DATA,
)
from srmscan.evaluate.rules_api import (
    GLOBAL_REGION as GLOBAL_REGION,
)
from srmscan.evaluate.rules_api import (
    HIGH as HIGH,
)
from srmscan.evaluate.rules_api import (
    IAM as IAM,
)
from srmscan.evaluate.rules_api import (
    INFO as INFO,
)
from srmscan.evaluate.rules_api import (
    LOW as LOW,
)
from srmscan.evaluate.rules_api import (
    MEDIUM as MEDIUM,
)
from srmscan.evaluate.rules_api import (
    OS_PATCHING as OS_PATCHING,
)
from srmscan.evaluate.rules_api import (
    PHYSICAL as PHYSICAL,
)
from srmscan.evaluate.rules_api import (
    RULE_ATTR as RULE_ATTR,
)
from srmscan.evaluate.rules_api import (
    RULES_ATTR as RULES_ATTR,
)
from srmscan.evaluate.rules_api import (
    RUNTIME as RUNTIME,
)
from srmscan.evaluate.rules_api import (
    SERVICE_CONFIG as SERVICE_CONFIG,
)
from srmscan.evaluate.rules_api import (
    SHARED as SHARED,
)
from srmscan.evaluate.rules_api import (
    CheckFn as CheckFn,
)
from srmscan.evaluate.rules_api import (
    Example as Example,
)
from srmscan.evaluate.rules_api import (
    Inventory as Inventory,
)
from srmscan.evaluate.rules_api import (
    InventoryView as InventoryView,
)
from srmscan.evaluate.rules_api import (
    Layer as Layer,
)
from srmscan.evaluate.rules_api import (
    Owner as Owner,
)
from srmscan.evaluate.rules_api import (
    Resource as Resource,
)
from srmscan.evaluate.rules_api import (
    ResourceView as ResourceView,
)
from srmscan.evaluate.rules_api import (
    Rule as Rule,
)
from srmscan.evaluate.rules_api import (
    Severity as Severity,
)
from srmscan.evaluate.rules_api import (
    Status as Status,
)
from srmscan.evaluate.rules_api import (
    Target as Target,
)
from srmscan.evaluate.rules_api import (
    Tier as Tier,
)
from srmscan.evaluate.rules_api import (
    Unreadable as Unreadable,
)
from srmscan.evaluate.rules_api import (
    Verdict as Verdict,
)
from srmscan.evaluate.rules_api import (
    account_wide as account_wide,
)
from srmscan.evaluate.rules_api import (
    declared_rules as declared_rules,
)
from srmscan.evaluate.rules_api import (
    fail as fail,
)
from srmscan.evaluate.rules_api import (
    info as info,
)
from srmscan.evaluate.rules_api import (
    passed as passed,
)
from srmscan.evaluate.rules_api import (
    regional as regional,
)
from srmscan.evaluate.rules_api import (
    rule as rule,
)
from srmscan.evaluate.rules_api import (
    unknown as unknown,
)
