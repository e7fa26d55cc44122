"""docs/cli.md is generated from --help, so the reference cannot drift from the code.

Regenerate it with (a fixed environment, so the text does not depend on your terminal):
    env -i COLUMNS=100 TERM=dumb PATH=/usr/bin:/bin .venv/bin/python -m typer svidok.cli.main utils docs \
        --name svidok --title "svidok command reference" --output docs/cli.md
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_matches_the_help(tmp_path):
    out = tmp_path / "cli.md"
    subprocess.run(
        [sys.executable, "-m", "typer", "svidok.cli.main", "utils", "docs", "--name", "svidok",
         "--title", "svidok command reference", "--output", str(out)],
        check=True, capture_output=True, cwd=ROOT, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )
    assert out.read_text() == (ROOT / "docs" / "cli.md").read_text(), (
        "docs/cli.md is stale: regenerate it (see this test's docstring)"
    )
