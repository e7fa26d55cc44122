"""``svidok import --mapping M --problems FILE``: the rows with problems, as a CSV to correct,
from a first import and from an update in place."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svidok.cli.main import app as cli
from svidok.config import get_settings
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
