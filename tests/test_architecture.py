"""The package layout holds: imports run one way, stage by stage, and nothing imports the CLI.

The import graph is read from the source with `ast` (every `import`, including those inside
functions and under TYPE_CHECKING), so a lazy import cannot hide a circle or a wrong direction.
ARCHITECTURE.md describes the same rules in prose; change both together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import srmscan.evaluate.rules_api as rules_api_impl
import srmscan.rules_api as rules_api_compat

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "srmscan"

# What each part of srmscan may import besides itself (prefixes of dotted module names).
# The unit of a module is its first component below srmscan (a package or a top-level module).
BOTTOM = ("srmscan.model", "srmscan.redact", "srmscan.errors")
ALLOWED: dict[str, tuple[str, ...]] = {
    "srmscan": (),  # the package __init__: the version, nothing else
    "model": (),
    "redact": (),
    "errors": (),
    "evaluate": BOTTOM,
    # Collectors parse policy documents with the parser the rules use, so both read them alike.
    "collect": (*BOTTOM, "srmscan.evaluate.policy"),
    # The scan writes its inventory in the saved form that drift reads back.
    "scan": ("srmscan", *BOTTOM, "srmscan.collect", "srmscan.evaluate", "srmscan.drift.snapshot"),
    "report": (*BOTTOM, "srmscan.evaluate", "srmscan.scan"),
    "drift": (*BOTTOM, "srmscan.collect", "srmscan.evaluate", "srmscan.scan", "srmscan.report"),
    "accounts": (*BOTTOM, "srmscan.collect", "srmscan.evaluate", "srmscan.scan", "srmscan.report"),
    "incidents": (*BOTTOM, "srmscan.collect", "srmscan.evaluate", "srmscan.report.csv_report"),
    "demo": (*BOTTOM, "srmscan.collect.session"),
    "rules_api": ("srmscan.evaluate.rules_api",),
    # Scope filters read the collector registry's names and types, never call AWS.
    "filters": (*BOTTOM, "srmscan.collect.registry", "srmscan.evaluate"),
    "cli": ("srmscan",),  # the top: may import the whole library
    "__main__": ("srmscan.cli",),
}
# Inside the CLI: commands -> app and shared options -> library; the package registers commands.
CLI_ALLOWED: dict[str, tuple[str, ...]] = {
    "app": (),
    "options": (),
    "scan": (
        "srmscan.cli.app",
        "srmscan.cli.options",
        "srmscan.cli.filtering",
        "srmscan.cli.config",
        "srmscan.cli.outcome",
    ),
    "drift": ("srmscan.cli.app", "srmscan.cli.options"),
    "incidents": ("srmscan.cli.app", "srmscan.cli.options"),
    "accounts": ("srmscan.cli.app", "srmscan.cli.options"),
    "rules": ("srmscan.cli.app", "srmscan.cli.options"),
    "compliance": ("srmscan.cli.app", "srmscan.cli.options"),
    # The filter options shared by scan, demo and evaluate.
    "filtering": ("srmscan.cli.options",),
    # srmscan.toml's [scan] defaults and mute checks, read by scan, demo and evaluate.
    "config": ("srmscan.cli.options",),
    # scan.py's helpers around a scan: preflight checks, exit code, summary, --attribute, --baseline.
    "outcome": ("srmscan.cli.options", "srmscan.cli.filtering"),
    # The command's own process tuning (malloc arenas), called by main: imports no srmscan code.
    "memory": (),
}
# Bundled rule files are evaluation code: the public rule API, the model and evaluation helpers.
RULES_ALLOWED = ("srmscan.rules_api", "srmscan.model", "srmscan.evaluate")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str:
    """`name` if it is one of our modules, else the nearest enclosing module of ours."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports_of(path: Path, package: str | None) -> set[str]:
    """srmscan modules imported by the file at `path` (absolute and relative imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "srmscan")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                assert package is not None, f"relative import outside a package in {path}"
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "srmscan":
                continue
            for alias in node.names:
                # `from pkg import submodule` imports the submodule; `from mod import name`, the module.
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {_resolve(n) for n in found if _resolve(n)}


def _package_of(name: str) -> str:
    path = MODULES[name]
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


GRAPH: dict[str, set[str]] = {name: imports_of(path, _package_of(name)) - {name} for name, path in MODULES.items()}


def _unit(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "srmscan"


def _allowed(target: str, prefixes: tuple[str, ...]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def test_the_graph_is_read_from_real_imports() -> None:
    # Guards the checks below against passing vacuously on an empty or mis-parsed graph.
    assert "srmscan.evaluate.engine" in GRAPH["srmscan.scan"]
    assert "srmscan.cli.options" in GRAPH["srmscan.cli.drift"]
    assert "srmscan.drift.snapshot" in GRAPH["srmscan.scan"]  # a lazy import inside a function
    assert "srmscan.cli.scan" in GRAPH["srmscan.cli"]  # `from srmscan.cli import scan`
    assert len(GRAPH) > 60


def test_there_is_no_import_circle() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_library_never_imports_the_cli() -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if _unit(name) not in ("cli", "__main__")
        for target in targets
        if _unit(target) == "cli"
    )
    assert not offenders, offenders


def test_each_package_imports_only_the_stages_below_it() -> None:
    offenders = []
    for name, targets in sorted(GRAPH.items()):
        unit = _unit(name)
        assert unit in ALLOWED, f"{name}: new top-level part {unit!r}: add it to ALLOWED and ARCHITECTURE.md"
        own = "srmscan" if unit == "srmscan" else f"srmscan.{unit}"
        for target in sorted(targets):
            if unit != "srmscan" and _allowed(target, (own,)):
                continue
            if not _allowed(target, ALLOWED[unit]):
                offenders.append(f"{name} imports {target}")
    assert not offenders, offenders


def test_cli_commands_import_only_app_and_options_from_the_cli() -> None:
    offenders = []
    for name, targets in sorted(GRAPH.items()):
        if not name.startswith("srmscan.cli."):
            continue
        leaf = name.rsplit(".", 1)[1]
        assert leaf in CLI_ALLOWED, f"{name}: new CLI module: add it to CLI_ALLOWED"
        for target in sorted(t for t in targets if _unit(t) == "cli"):
            if not _allowed(target, CLI_ALLOWED[leaf]):
                offenders.append(f"{name} imports {target}")
    assert not offenders, offenders


@pytest.mark.parametrize("path", sorted((REPO / "rules").glob("*.py")), ids=lambda p: p.name)
def test_bundled_rules_import_only_evaluation_code(path: Path) -> None:
    bad = sorted(t for t in imports_of(path, None) if not _allowed(t, RULES_ALLOWED))
    assert not bad, f"{path.name} imports {bad}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    third_party = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert not third_party & {"boto3", "botocore"}, "rules are pure: no AWS SDK"


def test_rules_api_compatibility_module_re_exports_the_whole_rule_api() -> None:
    """`from srmscan.rules_api import ...` keeps working for users' --rules-dir rules, with the
    engine's own objects (so a rule decorated through it is recognised by the engine)."""
    public = {n for n in vars(rules_api_impl) if not n.startswith("_") and n.isidentifier()}
    public -= {"annotations", "Any", "Callable", "Iterator", "dataclass", "field", "datetime"}
    missing = sorted(n for n in public if getattr(rules_api_compat, n, None) is not getattr(rules_api_impl, n))
    assert not missing, missing
    assert rules_api_compat.rule is rules_api_impl.rule
    assert rules_api_compat.RULE_ATTR == rules_api_impl.RULE_ATTR


def test_a_rules_dir_rule_written_against_the_compatibility_path_runs(tmp_path: Path) -> None:
    from srmscan.evaluate.engine import evaluate, load_ruleset
    from srmscan.model import Resource, Status
    from tests.helpers import inventory

    (tmp_path / "mine.py").write_text(
        "from srmscan.rules_api import CUSTOMER, DATA, LOW, fail, passed, rule\n"
        "@rule(id='custom.tag_present', title='Buckets carry a CostCenter tag', service='s3',\n"
        "      resource_type='AWS::S3::Bucket', owner=CUSTOMER, layer=DATA, severity=LOW,\n"
        "      rationale='Cost allocation.', remediation='Tag the bucket.',\n"
        "      failing={}, passing={})\n"
        "def tagged(r, inv):\n"
        "    return passed('tagged') if 'CostCenter' in r.tags else fail('no CostCenter tag')\n",
        encoding="utf-8",
    )
    ruleset = load_ruleset([tmp_path])
    assert "custom.tag_present" in {r.id for r in ruleset.rules}
    untagged = Resource(type="AWS::S3::Bucket", id="a", region="us-east-1", arn="arn:aws:s3:::a")
    tagged = Resource(type="AWS::S3::Bucket", id="b", region="us-east-1", tags={"CostCenter": "42"})
    mine = {
        f.resource_id: f.status
        for f in evaluate(inventory(untagged, tagged), ruleset)
        if f.rule_id == "custom.tag_present"
    }
    assert mine == {"a": Status.FAIL, "b": Status.PASS}
