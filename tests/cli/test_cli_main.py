"""The command line starts at once: listing commands or asking one for its help imports no
numeric, linkage, chart or database library; the listed help is each command's own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from svidok.cli.main import COMMANDS, load

HEAVY = ("numpy", "scipy", "pandas", "numba", "splink", "duckdb", "altair", "vl_convert", "statsmodels", "sqlalchemy")

PROBE = f"""
import sys
from svidok.cli.main import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
import json
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))), file=sys.stderr)
"""


def heavy_modules_after(*args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stderr.strip().splitlines()[-1])


def test_listing_the_commands_imports_nothing_heavy():
    assert heavy_modules_after("--help") == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_commands_help_imports_nothing_heavy(name):
    assert heavy_modules_after(name, "--help") == [], f"svidok {name} --help imports heavy modules"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_the_commands_own(name):
    assert load(name).get_short_help_str(limit=300) == COMMANDS[name][1]


def test_a_subcommand_still_runs_through_the_lazy_group(tmp_path):
    out = subprocess.run([sys.executable, "-m", "svidok.cli", "vocab", "list"], capture_output=True, text=True,
                         env={"SVIDOK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "violation_types" in out.stdout
