"""``svidok claims`` and ``svidok import --update`` as a data manager and a family's lawyer type them
(and ``--problems FILE``, the rows with problems as a CSV to correct)."""

from __future__ import annotations

import csv
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
GOOD = "HL-1;1;05.03.2022;Харків;Shelling;Обстріл житла;артилерія;Бондар Олена;ж;67;загинула;гаряча лінія"
BAD_DATE = "HL-2;2;31.02.2022;Харків;Bad date;Обстріл житла;;;;;поранений;гаряча лінія"


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


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_problem_rows_are_written_to_the_csv_on_import_and_on_update(env, tmp_path):
    f = tmp_path / "hotline.csv"
    f.write_text("\n".join([HEADER, GOOD, BAD_DATE]) + "\n", encoding="utf-8")
    first = tmp_path / "problems-import.csv"
    r = runner.invoke(cli, ["import", str(f), "--mapping", str(MAPPING), "--problems", str(first)])
    assert r.exit_code == 0, r.output
    (row,) = _rows(first)
    assert list(row) == ["row", "field", "column", "value", "reason"]
    assert row["row"] == "3" and row["field"] == "incident.date_start" and row["value"] == "31.02.2022"
    assert row["reason"]

    bad_age = "HL-3;3;06.03.2022;Харків;Bad age;Обстріл житла;;Ткач Ігор;ч;двісті;поранений;гаряча лінія"
    f.write_text("\n".join([HEADER, GOOD.replace(";67;", ";68;"), bad_age]) + "\n", encoding="utf-8")
    second = tmp_path / "problems-update.csv"
    r = runner.invoke(cli, ["import", str(f), "--mapping", str(MAPPING), "--update", "--problems", str(second)])
    assert r.exit_code == 0, r.output
    (row,) = _rows(second)
    assert row["row"] == "3" and row["field"] == "victim.age" and row["column"] == "Age" and row["value"] == "двісті"
