"""The wheel ships rules/ and templates/ inside the package, and nothing stray."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_contains_rules_and_templates_only(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("srmscan-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "srmscan/_bundled/templates/report.html.j2" in names
    assert "srmscan/_bundled/rules/responsibility.toml" in names
    assert "srmscan/_bundled/rules/s3.py" in names
    assert "srmscan/_bundled/rules/data/lambda_runtimes.toml" in names
    assert "srmscan/_bundled/rules/frameworks/pci-dss-4.0.1.toml" in names
    assert "srmscan/_bundled/rules/frameworks/fsbp_controls.toml" in names
    assert "srmscan/_bundled/templates/_compliance.html.j2" in names
    assert "srmscan/cli/__init__.py" in names
    tops = {n.split("/")[0] for n in names}
    assert tops == {"srmscan", next(t for t in tops if t.endswith(".dist-info"))}, tops
    stray = [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".orig", ".rej", "~")) or "/tests/" in n]
    assert not stray, stray
    rules_in_repo = {p.name for p in (REPO / "rules").glob("*.py")}
    rules_in_wheel = {
        n.rsplit("/", 1)[1] for n in names if n.startswith("srmscan/_bundled/rules/") and n.endswith(".py")
    }
    assert rules_in_repo == rules_in_wheel
