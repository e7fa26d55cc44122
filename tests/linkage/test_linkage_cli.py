"""`svidok link PERSONS.csv --out CLUSTERS.csv` as a user runs it."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from svidok.cli.main import app

runner = CliRunner()
ROWS = [
    ("record_id", "source", "name", "birth_date", "place"),
    ("1", "registry", "Шевченко Олександр Григорович", "1972-05-14", "Маріуполь"),
    ("2", "ngo", "Oleksandr Shevchenko", "1972", "Mariupol"),
    ("3", "list", "Шевченко Александр Григорьевич", "14.05.1972", "Мариуполь"),
    ("4", "ngo", "Коваль Олена", "1980-02-30", "Херсон"),
    ("5", "ngo", "", "1980", "Херсон"),
]


def write(path, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def read(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_link_writes_clusters_and_reports_issues(tmp_path):
    persons = write(tmp_path / "persons.csv", ROWS, encoding="cp1251")  # an Excel export
    out, issues, pairs = tmp_path / "clusters.csv", tmp_path / "issues.csv", tmp_path / "pairs.csv"
    res = runner.invoke(app, ["link", str(persons), "--out", str(out), "--issues", str(issues),
                              "--pairs", str(pairs)])
    assert res.exit_code == 0, res.output
    rows = read(out)
    assert list(rows[0]) == ["record_id", "cluster_id", "match_probability"]
    assert [r["record_id"] for r in rows] == ["1", "2", "3", "4", "5"]
    cluster = {r["record_id"]: r["cluster_id"] for r in rows}
    assert cluster["1"] == cluster["2"] == cluster["3"] == "1"
    assert cluster["4"] == "4" and cluster["5"] == "5"
    assert float(rows[0]["match_probability"]) >= 0.9 and rows[4]["match_probability"] == ""
    problems = {(r["row"], r["field"], r["excluded"]) for r in read(issues)}
    assert problems == {("4", "birth_date", "no"), ("5", "name", "yes")}
    assert {(p["record_id_l"], p["record_id_r"]) for p in read(pairs)} >= {("1", "2"), ("1", "3")}
    assert "5 records -> 3 persons" in res.output


def test_link_with_bom_and_reviewed_pairs(tmp_path):
    persons = write(tmp_path / "persons.csv", ROWS, encoding="utf-8-sig")
    labels = write(tmp_path / "labels.csv", [("record_id_l", "record_id_r", "decision"),
                                             ("1", "2", "rejected")])
    out, pairs = tmp_path / "clusters.csv", tmp_path / "pairs.csv"
    res = runner.invoke(app, ["link", str(persons), "--out", str(out), "--labels", str(labels),
                              "--pairs", str(pairs)])
    assert res.exit_code == 0, res.output
    cluster = {r["record_id"]: r["cluster_id"] for r in read(out)}
    assert cluster["1"] == cluster["3"]
    decided = {(p["record_id_l"], p["record_id_r"]): p for p in read(pairs)}
    assert decided[("1", "2")]["decided"] == "rejected"
    assert float(decided[("1", "2")]["match_probability"]) == 0.0
    assert decided[("1", "3")]["decided"] == ""


def test_missing_column_stops_before_any_work(tmp_path):
    persons = write(tmp_path / "persons.csv", [("id", "source", "name"), ("1", "a", "X")])
    out = tmp_path / "clusters.csv"
    res = runner.invoke(app, ["link", str(persons), "--out", str(out)])
    assert res.exit_code == 2
    assert "missing required column(s): record_id" in res.output
    assert not out.exists()


def test_binary_file_is_refused(tmp_path):
    persons = tmp_path / "persons.csv"
    persons.write_bytes(b"record_id,source,name\n1,a,\x89PNG\x00\x1a\xff\n")
    res = runner.invoke(app, ["link", str(persons), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "not UTF-8" in res.output


def test_unwritable_output_is_refused_before_work(tmp_path):
    persons = write(tmp_path / "persons.csv", ROWS)
    res = runner.invoke(app, ["link", str(persons), "--out", str(tmp_path / "no" / "such" / "c.csv")])
    assert res.exit_code == 2
    said = " ".join(res.output.split())  # Rich wraps the message at the terminal's width
    assert "folder" in said and "does not exist" in said
