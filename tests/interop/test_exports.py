"""Exports of a filtered selection (HXL CSV, GeoJSON, JSON Lines, ACLED) and the public open-data export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.interop import acled, builtin
from svidok.interop import mapping as mapping_mod
from svidok.schemas.filters import IncidentFilter
from svidok.services import export_data, export_public, imports
from tests import fixtures as fx

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats"


def _export(app, fmt: str, f: IncidentFilter | None = None, actor=SYSTEM) -> str:
    out = io.StringIO()
    export_data.export(app, actor, f or IncidentFilter(), fmt, out)
    return out.getvalue()


@pytest.fixture
def hotline(app):
    imports.run(app, SYSTEM, DOCS / "hotline-example.csv", mapping_mod.load(DOCS / "hotline-example.mapping.yaml"))
    return app


def test_hxl_csv_has_hashtags_and_the_filtered_incidents(hotline):
    rows = list(csv.reader(io.StringIO(_export(hotline, "hxl", IncidentFilter(violation_type="indiscriminate_attack")))))
    assert rows[1][0] == "#event+id" and "#affected+killed" in rows[1] and "#adm1+code" in rows[1]
    data = [dict(zip(rows[0], r)) for r in rows[2:]]
    assert len(data) == 1
    assert (data[0]["killed"], data[0]["injured"], data[0]["children"], data[0]["older_persons"]) == ("1", "1", "1", "1")
    assert data[0]["oblast_code"] == fx.KHARKIV_OBLAST and data[0]["date_start"] == "2022-03-05"


def test_geojson_is_a_feature_collection_in_lon_lat_order(hotline):
    doc = json.loads(_export(hotline, "geojson"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
    f = next(x for x in doc["features"] if x["properties"]["title"] == "Detention at a checkpoint")
    lon, lat = f["geometry"]["coordinates"]
    assert 44 < lat < 53 and 22 < lon < 41  # Ukraine, in GeoJSON's lon, lat order


def test_jsonl_has_one_incident_per_line_and_no_names(hotline):
    text = _export(hotline, "jsonl")
    lines = [json.loads(x) for x in text.splitlines()]
    assert len(lines) == 3 and all("acts" in x for x in lines)
    assert "Коваленко" not in text and "Мельник" not in text  # person names never leave in an export
    assert sum(v["named_person"] for x in lines for a in x["acts"] for v in a["victims"]) == 3


def test_exports_respect_need_to_know(hotline):
    viewer = fx.user(hotline, "viewer")
    assert json.loads(_export(hotline, "geojson", actor=viewer))["features"] == []  # imported as 'restricted'
    fx.incident(hotline, confidentiality="public")
    assert len(json.loads(_export(hotline, "geojson", actor=viewer))["features"]) == 1


def test_acled_import_then_export_keeps_event_types_and_fatalities(app):
    report = imports.run(app, SYSTEM, DOCS / "acled-example.csv", acled.load_mapping())
    assert (report.rows_read, report.rows_skipped, report.rows_bad, report.counts.incidents) == (4, 1, 0, 3)
    out = list(csv.DictReader(io.StringIO(_export(app, "acled"))))
    assert list(out[0]) == acled.COLUMNS
    src = {r["notes"]: r for r in csv.DictReader((DOCS / "acled-example.csv").open(encoding="utf-8"))}
    got = sorted((r["sub_event_type"], r["event_type"], int(r["fatalities"])) for r in out)
    want = sorted((r["sub_event_type"], r["event_type"], int(r["fatalities"])) for r in src.values()
                  if r["event_type"] != "Battles")
    assert got == want


def test_uwazi_export_imports_with_the_shipped_mapping(app):
    report = imports.run(app, SYSTEM, DOCS / "uwazi-example.csv", builtin.load("uwazi"))
    assert (report.rows_skipped, report.rows_bad, report.counts.incidents) == (1, 0, 2)
    rows = [json.loads(x) for x in _export(app, "jsonl").splitlines()]
    torture = next(r for r in rows if r["violation_types"] == ["torture_and_ill_treatment"])
    assert torture["place"] == "Izium" and (torture["lat"], torture["lon"]) == (49.21, 37.25)
    assert torture["date_start"] == "2022-09-14"


def _victims(app, n: int, age: int, sex: str, place: str = fx.KHARKIV_OBLAST, day: str = "2022-03-05") -> None:
    fx.incident(app, confidentiality="public", place=place, date_start=day, acts=[{
        "violation_type": "killing_of_civilians", "means": "missile",
        "victims": [{"harm": "killed", "status": "civilian", "sex": sex, "age": age} for _ in range(n)]}])


def test_public_export_refuses_when_a_person_could_be_singled_out(app):
    _victims(app, 6, 35, "female")
    _victims(app, 1, 71, "male", day="2022-03-20")  # the only older man in Kharkiv oblast in March 2022
    out = io.StringIO()
    with pytest.raises(ValidationFailed) as err:
        export_public.export(app, SYSTEM, IncidentFilter(), export_public.PublicConfig(), out)
    text = " ".join(e.reason for e in err.value.errors)
    assert "age older, sex male" in text and "only 1 people" in text and out.getvalue() == ""
    # Without age and sex in the output the groups are large enough.
    out = io.StringIO()
    res = export_public.export(app, SYSTEM, IncidentFilter(), export_public.PublicConfig(age="none", sex=False, k=5), out)
    assert res.people == 7


def test_public_export_is_coarse_and_has_no_protected_fields(app):
    _victims(app, 5, 35, "female", day="2022-03-05")
    _victims(app, 5, 40, "female", day="2022-03-28")
    fx.incident(app, confidentiality="restricted")  # not for publication
    out = io.StringIO()
    res = export_public.export(app, SYSTEM, IncidentFilter(), export_public.PublicConfig(k=5), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["event"] == "#event+num"
    data = rows[1:]
    assert res.people == 10 and len(data) == 10
    assert {(r["period"], r["place"], r["age_group"], r["sex"]) for r in data} == {("2022-03", "Kharkivska oblast", "adult", "female")}
    header = list(rows[0])
    assert not {"title", "narrative", "lat", "lon", "id", "full_name"} & set(header)


def test_periods_coarsen_to_what_the_date_allows():
    from datetime import date

    assert export_public.period(date(2022, 3, 1), date(2022, 3, 31), "month") == "2022-03"
    assert export_public.period(date(2022, 3, 1), date(2022, 4, 30), "month") == "2022"  # March–April spans Q1 and Q2
    assert export_public.period(date(2022, 4, 1), date(2022, 5, 31), "month") == "2022-Q2"
    assert export_public.period(date(2022, 1, 1), date(2022, 12, 31), "quarter") == "2022"
    assert export_public.period(date(2022, 12, 25), date(2023, 1, 2), "month") == "2022-2023"


def test_exports_hold_nothing_strictly_confidential_and_shared_formats_round_points(app):
    fx.incident(app, confidentiality="public", lat=49.993512, lon=36.230417, location_precision="exact",
                title="Public strike")
    fx.incident(app, confidentiality="strictly_confidential", lat=50.0011, lon=36.3011, title="Sealed strike")
    for fmt in ("hxl", "geojson", "jsonl", "acled"):
        assert "Sealed strike" not in _export(app, fmt), fmt  # not even the administrator's file
    [feature] = json.loads(_export(app, "geojson"))["features"]
    assert feature["geometry"]["coordinates"] == [36.23, 49.99]
    assert feature["properties"]["location_precision"] == "approximate"
    assert json.loads(_export(app, "jsonl"))["lat"] == 49.993512  # the internal format keeps the point
    with pytest.raises(ValidationFailed, match="strictly_confidential: never published"):
        export_public.export(app, SYSTEM, IncidentFilter(),
                             export_public.PublicConfig(levels=("public", "strictly_confidential")), io.StringIO())


def test_the_cli_exports_as_a_named_user(sqlite_app, tmp_path):
    import os
    import subprocess
    import sys

    from svidok.services import accounts

    fx.incident(sqlite_app, confidentiality="public", title="Public strike")
    fx.incident(sqlite_app, confidentiality="confidential", title="Confidential strike")
    accounts.create_user(sqlite_app, SYSTEM, "press", "correct horse battery", "viewer")
    env = {**os.environ, "SVIDOK_DATA_DIR": str(sqlite_app.settings.data_dir),
           "SVIDOK_FIELD_KEY": sqlite_app.settings.field_key, "COLUMNS": "200"}

    def svidok(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "from svidok.cli.main import app; app()", *args],
                              env=env, capture_output=True, text=True, timeout=300)

    out = tmp_path / "x.csv"
    r = svidok("interop", "export", str(out), "--format", "hxl", "--as", "press")
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "Public strike" in text and "Confidential strike" not in text
    assert svidok("interop", "export", str(out), "--format", "hxl").returncode == 2  # --as is required
    r = svidok("interop", "export", str(tmp_path / "y.csv"), "--as", "nobody")
    assert r.returncode == 1 and "user 'nobody' not found" in r.stderr and not (tmp_path / "y.csv").exists()
