"""Spreadsheet import: mapping, validation report, source keys, bad input of every usual kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.core.errors import Forbidden, ValidationFailed
from svidok.interop import mapping as mapping_mod
from svidok.schemas.filters import IncidentFilter
from svidok.services import imports, incident_queries, incidents, persons
from svidok.storage.models import Act, ImportRun, Incident, LedgerEntry, Person, Source, Victim
from tests import fixtures as fx

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats"
EXAMPLE = DOCS / "hotline-example.csv"
MAPPING = DOCS / "hotline-example.mapping.yaml"
HEADER = "Case;Row;Date;Settlement;Title;Violation;Weapon;Victim;Sex;Age;Harm;Source"


def _count(app, model) -> int:
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _write(tmp_path: Path, lines: list[str], encoding: str = "utf-8", name: str = "in.csv") -> Path:
    p = tmp_path / name
    p.write_bytes("\n".join([HEADER, *lines]).encode(encoding) + b"\n")
    return p


def test_example_imports_incidents_acts_victims_and_persons(app):
    m = mapping_mod.load(MAPPING)
    report = imports.run(app, SYSTEM, EXAMPLE, m)
    assert report.rows_bad == 0 and report.problems == []
    assert (report.counts.incidents, report.counts.acts, report.counts.persons) == (3, 4, 3)
    with app.db.session() as s:
        inc_id = s.scalar(select(Incident.id).where(Incident.source_key == "HL-001"))
    detail = incidents.get(app, SYSTEM, inc_id)
    assert detail["date_start"] == "2022-03-05" and detail["place"]["name_en"] == "Kharkiv"
    victims = sorted((v for a in detail["acts"] for v in a["victims"]), key=lambda v: v["age"])
    assert [(v["harm"], v["sex"], v["age"]) for v in victims] == [("injured", "male", 9), ("killed", "female", 67)]
    assert "child" in victims[0]["characteristics"] and "older_person" in victims[1]["characteristics"]
    assert victims[1]["person_name"] == "Коваленко Ганна Іванівна"
    assert {a["violation_type"] for a in detail["acts"]} == {"indiscriminate_attack"}
    # The imported person is found by a Latin spelling of the name, like one entered by hand.
    assert any(p["full_name"] == "Мельник Андрій Олегович" for p in persons.search(app, SYSTEM, "Melnyk Andrii"))
    # The mine incident had a partial date and an oblast code.
    assert incident_queries.count(app, SYSTEM, IncidentFilter(place=fx.KHARKIV_OBLAST)) == 3


def test_same_file_again_adds_nothing_and_the_import_is_in_the_ledger(app):
    m = mapping_mod.load(MAPPING)
    imports.run(app, SYSTEM, EXAMPLE, m)
    before = [_count(app, t) for t in (Incident, Act, Victim, Person, Source)]
    again = imports.run(app, SYSTEM, EXAMPLE, m)
    assert again.counts.rows_new == 0 and again.counts.rows_existing == 4
    assert [_count(app, t) for t in (Incident, Act, Victim, Person, Source)] == before
    with app.db.session() as s:
        runs = s.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        actions = s.scalars(select(LedgerEntry.action).where(LedgerEntry.entity == "import_run")).all()
    assert [r.status for r in runs] == ["finished", "finished"]
    assert runs[0].file_sha256 == imports.file_sha256(EXAMPLE) and runs[0].counts["added"]["incidents"] == 3
    assert runs[0].mapping["name"] == "hotline-example"
    assert actions.count("import.start") == 2 and actions.count("import.finish") == 2 and "import.batch" in actions


def test_dry_run_reports_and_writes_nothing(app):
    report = imports.run(app, SYSTEM, EXAMPLE, mapping_mod.load(MAPPING), dry_run=True)
    assert report.counts.incidents == 3 and report.run_id is None
    assert _count(app, Incident) == 0 and _count(app, ImportRun) == 0 and _count(app, LedgerEntry) == 0


def test_a_viewer_may_not_import(app):
    viewer = fx.user(app, "viewer")
    with pytest.raises(Forbidden):
        imports.run(app, viewer, EXAMPLE, mapping_mod.load(MAPPING))


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "validated-in-a-child"])
def test_bad_rows_are_listed_with_reasons_and_good_rows_are_kept(app, tmp_path, parallel):
    f = _write(tmp_path, [
        "A;1;05.03.2022;Харків;Good row;Обстріл житла;артилерія;Бондар Олена;ж;40;загинула;гаряча лінія",
        "B;2;31.02.2022;Харків;Bad date;Обстріл житла;;;;;поранений;гаряча лінія",
        "C;3;2022-03-06;Атлантида;Unknown place;Обстріл житла;;;;;поранений;гаряча лінія",
        "D;4;2022-03-07;Харків;Unknown violation;Щось дивне;;;;;поранений;гаряча лінія",
        "E;1;2022-03-08;Харків;Duplicate row key;Обстріл житла;;;;;поранений;гаряча лінія",
        "F;6;2030-01-01;Харків;Future;Обстріл житла;;;;;поранений;гаряча лінія",
        "G;7;March 2022;Kharkiv;Month in words;Обстріл житла;;;;;поранений;гаряча лінія",
        "H;8;2022-03-09;Харків;Bad age;Обстріл житла;;Ткач Ігор;ч;двісті;поранений;гаряча лінія",
    ])
    report = imports.run(app, SYSTEM, f, mapping_mod.load(MAPPING), parallel=parallel)
    by_row = {p.row: p for p in report.problems}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 9]
    assert by_row[3].field == "incident.date_start" and by_row[3].value == "31.02.2022"
    assert by_row[4].field == "incident.place" and "Атлантида" in by_row[4].reason
    assert by_row[5].field == "act.violation_type" and "unknown violation_types term" in by_row[5].reason
    assert by_row[6].field == "keys.row" and "first used on row 2" in by_row[6].reason
    assert "future" in by_row[7].reason
    assert by_row[9].field == "victim.age" and by_row[9].column == "Age"
    assert report.rows_read == 8 and report.rows_bad == 6
    with app.db.session() as s:
        assert sorted(s.scalars(select(Incident.source_key))) == ["A", "G"]
    # Once corrected, the same file adds only the corrected rows.
    text = f.read_text(encoding="utf-8").replace("31.02.2022", "28.02.2022").replace("двісті", "52")
    f.write_text(text, encoding="utf-8")
    again = imports.run(app, SYSTEM, f, mapping_mod.load(MAPPING), parallel=parallel)
    assert again.counts.rows_existing == 2 and again.counts.rows_new == 2
    with app.db.session() as s:
        assert sorted(s.scalars(select(Incident.source_key))) == ["A", "B", "G", "H"]


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8-sig", "utf-8"])
def test_ukrainian_encodings_are_read(app, tmp_path, encoding):
    f = _write(tmp_path, ["A;1;05.03.2022;Харків;Обстріл;Обстріл житла;артилерія;Шевчук Їжак Єгорович;ч;70;загинув;гаряча лінія"],
               encoding)
    report = imports.run(app, SYSTEM, f, mapping_mod.load(MAPPING))
    assert report.problems == [] and report.counts.persons == 1
    with app.db.session() as s:
        assert s.scalar(select(Person.full_name)) == "Шевчук Їжак Єгорович"


def test_mapping_problems_are_named_before_any_row_is_read(app, tmp_path):
    f = tmp_path / "other.csv"
    f.write_text("Date,Place\n2022-03-01,Kharkiv\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        imports.run(app, SYSTEM, f, mapping_mod.load(MAPPING))
    text = " ".join(e.reason for e in err.value.errors)
    assert "column 'Case' is not in the file" in text and "column 'Title' is not in the file" in text
    problems = mapping_mod.parse({"name": "x", "incident": {"tittle": "T", "date_start": "D"}}).check(["T", "D"])
    assert any(p.startswith("incident.tittle: not a field") for p in problems)
    assert "incident.title: required when 'incident' is mapped" in problems
    with pytest.raises(mapping_mod.MappingError, match="batch_size"):
        mapping_mod.parse({"name": "x", "batch_size": 0})


def test_xlsx_with_merged_cells_fills_each_row(app, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(["M-1", 1, "2022-03-05", "Харків", "Merged incident", "Обстріл житла", "артилерія", "Гнатюк Марія", "ж", 81, "загинула", "гаряча лінія"])
    ws.append([None, 2, None, None, None, "Обстріл житла", "артилерія", "Гнатюк Іван", "ч", 84, "поранений", "гаряча лінія"])
    ws.append(["M-2", 3, "2022-03-06", "Харків", "Other", "Обстріл житла", None, None, None, None, "поранений", "гаряча лінія"])
    for col in "ACDE":
        ws.merge_cells(f"{col}2:{col}3")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    report = imports.run(app, SYSTEM, path, mapping_mod.load(MAPPING))
    assert report.problems == [] and any("merged cells A2:A3" in n for n in report.notes)
    assert (report.counts.incidents, report.counts.acts) == (2, 3)
    with app.db.session() as s:
        inc = s.scalar(select(Incident).where(Incident.source_key == "M-1"))
        assert inc.title == "Merged incident" and len(inc.acts) == 2


def test_import_into_empty_tables_rebuilds_every_index_and_the_full_text_index(sqlite_app, tmp_path):
    """A first import sets indexes aside while it writes; afterwards everything is in place and searchable."""
    from svidok.storage import deferred_indexes

    lines = [f"C{i};{i};0{1 + i % 9}.03.2022;Харків;Synthetic shelling {i} Saltivka;Обстріл житла;артилерія;"
             f"Коваленко Ганна {i};ж;67;загинула;гаряча лінія" for i in range(1, 40)]
    report = imports.run(sqlite_app, SYSTEM, _write(tmp_path, lines), mapping_mod.load(MAPPING))
    assert report.rows_bad == 0 and report.counts.incidents == 39
    with sqlite_app.db.engine.connect() as c:
        assert deferred_indexes.missing(c) == []
    assert incident_queries.count(sqlite_app, SYSTEM, IncidentFilter(q="Saltivka")) == 39


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "planned-in-a-child"])
def test_people_and_sources_named_again_in_later_batches_are_reused(app, tmp_path, parallel):
    """Batches planned ahead of the writer still find the records earlier batches created."""
    m = tmp_path / "m.yaml"
    m.write_text(MAPPING.read_text(encoding="utf-8").replace(
        "  incident: Case ", "  person: Victim\n  source: Source\n  incident: Case ") + "batch_size: 3\n",
        encoding="utf-8")
    names = ["Бондар Олена", "Ткач Ігор", "Мельник Ганна"]
    f = _write(tmp_path, [f"C{i};{i};0{1 + i % 9}.03.2022;Харків;Shelling {i};Обстріл житла;артилерія;"
                          f"{names[i % 3]};{'ж' if i % 3 != 1 else 'ч'};{30 + i % 3};поранений;гаряча лінія"
                          for i in range(1, 13)])
    report = imports.run(app, SYSTEM, f, mapping_mod.load(m), parallel=parallel)
    assert report.batches == 4 and report.rows_bad == 0
    assert report.counts.incidents == 12 and report.counts.persons == 3 and report.counts.sources == 1
    assert [_count(app, t) for t in (Incident, Act, Victim, Person, Source)] == [12, 12, 12, 3, 1]
    with app.db.session() as s:  # every victim row points at one of the three people
        assert len(set(s.scalars(select(Victim.person_id)))) == 3
    again = imports.run(app, SYSTEM, f, mapping_mod.load(m), parallel=parallel)
    assert again.counts.rows_new == 0 and again.counts.rows_existing == 12
    assert [_count(app, t) for t in (Incident, Act, Victim, Person, Source)] == [12, 12, 12, 3, 1]
