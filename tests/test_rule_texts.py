"""Rule texts speak to any customer's account: no project backstory in rule metadata, messages,
data tables or library docstrings. Only the demo (srmscan/demo/) tells the demo's story."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.evaluate.resources import rules_dir
from srmscan.model import ACCOUNT_TYPE, Resource
from srmscan.rules_api import Example, Rule, account_wide
from tests.helpers import inventory

REPO = Path(__file__).resolve().parent.parent
RULESET = load_ruleset()
# The project's own story: its numbered incidents, deadlines, teams and the demo company.
BACKSTORY = re.compile(
    r"\bincidents? ?(?:#|no\.? ?)?[0-9]|\bfriday\b|\bmarketing\b|\bthe brief\b|\bbackstory\b|\blooney\b",
    re.IGNORECASE,
)
DEMO_COMPANY = re.compile(r"\bacme\b", re.IGNORECASE)


def _message(rule: Rule, example: Example) -> str:
    target = Resource(type=rule.resource_type, id="example-resource", region=example.region, attrs=dict(example.attrs))
    if rule.resource_type == ACCOUNT_TYPE and rule.where is account_wide:
        target.region = "global"
    inv = inventory(target, *example.related, regions=[example.region])
    single = type(RULESET)(rules=(rule,), tables=RULESET.tables, matrix=RULESET.matrix)
    return " ".join(f.message for f in evaluate(inv, single) if f.rule_id == rule.id)


def test_the_pattern_catches_the_phrases_it_is_for() -> None:
    for text in ("as in incident 2", "Incident 1's glibc", "by Friday", "the marketing bucket", "the brief's"):
        assert BACKSTORY.search(text), text
    for text in ("an incident review", "incident response", "marketplace"):
        assert not BACKSTORY.search(text), text


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_metadata_and_messages_carry_no_backstory(rule: Rule) -> None:
    texts = [json.dumps(rule.metadata(), default=str), _message(rule, rule.failing), _message(rule, rule.passing)]
    for text in texts:
        assert not BACKSTORY.search(text), f"{rule.id}: {BACKSTORY.search(text)}"
        assert not DEMO_COMPANY.search(text), f"{rule.id}: names the demo company"


def test_rule_files_tables_and_library_carry_no_backstory() -> None:
    roots = [Path(rules_dir()), REPO / "srmscan"]
    hits = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".py", ".toml") or "demo" in path.relative_to(root).parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if BACKSTORY.search(line):
                    hits.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not hits, "\n".join(hits)
