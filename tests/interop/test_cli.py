"""The commands as a user runs them: `svidok import --mapping`, `svidok interop …`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats"


def svidok(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from svidok.cli.main import app; app()", *args],
                          env=env, capture_output=True, text=True, timeout=300)


def test_import_dry_run_then_import_then_export(sqlite_app, tmp_path):
    env = {**os.environ, "SVIDOK_DATA_DIR": str(sqlite_app.settings.data_dir), "SVIDOK_FIELD_KEY": sqlite_app.settings.field_key,
           "COLUMNS": "200"}
    bad = tmp_path / "bad.csv"
    bad.write_text((DOCS / "hotline-example.csv").read_text(encoding="utf-8").replace("05.03.2022;Харків", "05.03.2022;Атлантида", 1),
                   encoding="utf-8")
    dry = svidok(env, "import", str(bad), "--mapping", str(DOCS / "hotline-example.mapping.yaml"), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would add: 3 incidents, 3 acts, 2 persons" in dry.stdout  # row 2 left out, its incident kept by row 3
    assert "row 2, column 'Settlement' (incident.place)" in dry.stderr and "Атлантида" in dry.stderr

    done = svidok(env, "import", str(DOCS / "hotline-example.csv"), "--mapping", str(DOCS / "hotline-example.mapping.yaml"))
    assert done.returncode == 0, done.stderr
    assert "Added: 3 incidents, 4 acts, 3 persons" in done.stdout and "recorded in the ledger" in done.stdout

    from svidok.core.actors import SYSTEM
    from svidok.services import accounts

    accounts.create_user(sqlite_app, SYSTEM, "researcher", "correct horse battery", "investigator")
    out = tmp_path / "sel.geojson"
    exp = svidok(env, "interop", "export", str(out), "--format", "geojson", "--violation-type", "arbitrary_detention",
                 "--as", "researcher")
    assert exp.returncode == 0, exp.stderr
    assert [f["properties"]["title"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]] == ["Detention at a checkpoint"]

    pub = svidok(env, "interop", "public", str(tmp_path / "open.csv"), "--levels", "restricted", "--as", "researcher")
    assert pub.returncode == 1 and "fewer than 5 people" in pub.stderr and not (tmp_path / "open.csv").exists()

    form = tmp_path / "form.xlsx"
    assert svidok(env, "interop", "xlsform", str(form)).returncode == 0 and form.stat().st_size > 5000

    wrong = svidok(env, "interop", "export", str(tmp_path / "x"), "--format", "shapefile", "--as", "researcher")
    assert wrong.returncode == 1 and "unknown format 'shapefile'" in wrong.stderr
