"""``svidok claims`` and ``svidok import --update`` as a data manager and a family's lawyer type them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svidok.cli.main import app as cli
from svidok.config import get_settings
from tests import fixtures as fx
from tests.conftest import TEST_KEY

runner = CliRunner()
MAPPING = Path(__file__).resolve().parents[2] / "docs" / "formats" / "hotline-example.mapping.yaml"
HEADER = "Case;Row;Date;Settlement;Title;Violation;Weapon;Victim;Sex;Age;Harm;Source"


@pytest.fixture
def env(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SVIDOK_FIELD_KEY", TEST_KEY)
    get_settings.cache_clear()
    yield sqlite_app
    get_settings.cache_clear()


def test_claims_commands(env, tmp_path):
    p = fx.person(env, full_name="Коваленко Ганна")["id"]
    fx.incident(env, acts=[{"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "person_id": p}]}])
    r = runner.invoke(cli, ["claims", "categories"])
    assert r.exit_code == 0 and "A2.1" in r.output and "Sources:" in r.output
    r = runner.invoke(cli, ["claims", "family-add", str(p), "--relationship", "child", "--consent-date", "2024-05"])
    assert r.exit_code != 0 and "consent" in r.output
    r = runner.invoke(cli, ["claims", "family-add", str(p), "--relationship", "child", "--consent-date", "2024-05",
                            "--consent", "--name", "Коваленко Петро"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["claims", "assess", str(p)])
    assert r.exit_code == 0 and "A2.1 Death of an immediate family member" in r.output and "claimant provides" in r.output
    out = tmp_path / "d.zip"
    r = runner.invoke(cli, ["claims", "dossier", str(p), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "dossier-uk.pdf" in zipfile.ZipFile(out).namelist()
    r = runner.invoke(cli, ["claims", "figures", "--json"])
    totals = {t["category"]: t for t in json.loads(r.output)["totals"]}
    assert totals["A2.1"]["could_claim"] == 1 and totals["A2.1"]["dossier_prepared"] == 1


def test_import_update_from_the_command_line(env, tmp_path):
    rows = ["HL-1;1;05.03.2022;Харків;Shelling;Обстріл житла;артилерія;Бондар Олена;ж;67;загинула;гаряча лінія",
            "HL-1;2;05.03.2022;Харків;Shelling;Обстріл житла;артилерія;Бондар Петро;ч;9;поранений;гаряча лінія"]
    f = tmp_path / "v.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    assert runner.invoke(cli, ["import", str(f), "--mapping", str(MAPPING)]).exit_code == 0
    f.write_text("\n".join([HEADER, rows[0].replace(";67;", ";68;")]) + "\n", encoding="utf-8")
    r = runner.invoke(cli, ["import", str(f), "--mapping", str(MAPPING), "--update", "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "changed: 1" in r.output and "victim.age: 67 → 68" in r.output
    r = runner.invoke(cli, ["import", str(f), "--mapping", str(MAPPING), "--update", "--withdraw-missing",
                            "row removed by the hotline"])
    assert r.exit_code == 0, r.output
    assert "withdrawn: 1" in r.output and "1 new record versions" in r.output  # one incident: both changes in one version
