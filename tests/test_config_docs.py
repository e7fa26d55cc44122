"""Every setting is documented, and read in one place (svidok/config.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented():
    out = subprocess.run([sys.executable, "tools/settings_doc.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout == (ROOT / "docs" / "configuration.md").read_text(), (
        "docs/configuration.md is stale: uv run python tools/settings_doc.py > docs/configuration.md")


def test_every_setting_has_a_meaning():
    from svidok.config import Settings

    doc = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `SVIDOK_{name.upper()}`"))
        assert not row.endswith("|  |"), f"SVIDOK_{name.upper()} has no explanation: add a #: comment in config.py"


def test_no_module_reads_the_environment_but_config():
    readers = []
    for path in (ROOT / "src" / "svidok").rglob("*.py"):
        if path.name == "config.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ|os\.getenv|getenv\(", text):
            readers.append(str(path.relative_to(ROOT)))
    assert readers == [], f"read settings through svidok.config.Settings instead: {readers}"
