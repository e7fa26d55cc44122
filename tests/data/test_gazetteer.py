"""The shipped gazetteer, occupation periods and oblast boundaries."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from translitua import translit

from svidok.domain import dates

DATA = Path(__file__).resolve().parents[2] / "src" / "svidok" / "data"
PLACES_CSV = DATA / "gazetteer" / "places.csv"
OCCUPATION_CSV = DATA / "gazetteer" / "occupation.csv"
BOUNDARIES = DATA / "boundaries" / "ua_oblasts.geojson"

CRIMEA, KYIV, SEVASTOPOL = "UA01000000000013043", "UA80000000000093317", "UA85000000000065278"
KHERSON_CITY = "UA65100150010064384"
# Ukraine's extreme points are about 44.38–52.38 N and 22.14–40.23 E.
UA_BBOX = (44.3, 52.4, 22.1, 40.3)
# Prypiat and Chornobyl (exclusion zone) belong to no hromada: the codifier puts them under Kyiv oblast.
PARENT_LEVEL = {"oblast": {"country"}, "raion": {"oblast"}, "hromada": {"raion"}, "settlement": {"hromada", "oblast"}}


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def places() -> dict[str, dict]:
    return {r["code"]: r for r in _read(PLACES_CSV)}


@pytest.fixture(scope="module")
def boundaries() -> dict:
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _contains(geometry: dict, lon: float, lat: float) -> bool:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return any(_in_ring(lon, lat, p[0]) and not any(_in_ring(lon, lat, h) for h in p[1:]) for p in polygons)


def test_header_and_unique_codes() -> None:
    with PLACES_CSV.open(encoding="utf-8") as fh:
        assert fh.readline().strip() == "code,parent_code,level,country,name_uk,name_en,lat,lon"
    codes = [r["code"] for r in _read(PLACES_CSV)]
    assert len(codes) == len(set(codes))


def test_27_first_level_units_and_136_raions(places: dict[str, dict]) -> None:
    first = [p for p in places.values() if p["level"] == "oblast" and p["country"] == "UA"]
    assert len(first) == 27
    assert {p["parent_code"] for p in first} == {"UA"}
    assert {CRIMEA, KYIV, SEVASTOPOL} <= {p["code"] for p in first}
    assert places["UA63000000000041885"]["name_en"] == "Kharkivska oblast"
    assert places[KYIV]["name_en"] == "Kyiv" and places[KYIV]["name_uk"] == "Київ"
    raions = [p for p in places.values() if p["level"] == "raion"]
    assert len(raions) == 136
    hromadas = [p for p in places.values() if p["level"] == "hromada"]
    assert len(hromadas) >= 1469


def test_every_parent_exists_earlier_at_the_level_above(places: dict[str, dict]) -> None:
    seen: set[str] = set()
    for p in places.values():
        if p["parent_code"]:
            assert p["parent_code"] in seen, f"{p['code']}: parent {p['parent_code']} missing or later in the file"
            parent = places[p["parent_code"]]
            if p["level"] in PARENT_LEVEL and p["country"] == "UA" and p["level"] != "oblast":
                assert parent["level"] in PARENT_LEVEL[p["level"]], p["code"]
            assert parent["country"] == p["country"] or p["level"] == "facility", p["code"]
        else:
            assert p["level"] == "country", p["code"]
        seen.add(p["code"])


def test_codes_follow_katottg_and_names_are_transliterated(places: dict[str, dict]) -> None:
    for p in places.values():
        if p["country"] != "UA" or p["level"] in ("country", "facility"):
            continue
        assert re.fullmatch(r"UA\d{17}", p["code"]), p["code"]
        assert p["name_en"].isascii(), p["code"]
        # KMU 2010 transliteration of the Ukrainian name ("територіальна громада" -> "hromada").
        assert p["name_en"] == translit(p["name_uk"]).replace(" terytorialna hromada", " hromada"), p["code"]


def test_coordinates_are_present_and_inside_ukraine(places: dict[str, dict]) -> None:
    lat_lo, lat_hi, lon_lo, lon_hi = UA_BBOX
    for p in places.values():
        if p["level"] in ("country", "oblast", "raion", "facility"):
            assert p["lat"] and p["lon"], f"{p['code']} has no coordinates"
        if not p["lat"]:
            continue
        assert re.fullmatch(r"-?\d+\.\d{4}", p["lat"]) and re.fullmatch(r"-?\d+\.\d{4}", p["lon"]), p["code"]
        if p["country"] == "UA":
            assert lat_lo <= float(p["lat"]) <= lat_hi and lon_lo <= float(p["lon"]) <= lon_hi, p["code"]


def test_facilities_are_documented_places_of_detention(places: dict[str, dict]) -> None:
    facilities = [p for p in places.values() if p["level"] == "facility"]
    assert 10 <= len(facilities) <= 30
    assert {p["country"] for p in facilities} == {"RU", "UA"}
    assert "FAC-RU-TAGANROG-SIZO2" in places and places["FAC-RU-TAGANROG-SIZO2"]["parent_code"] == "RU-ROS"
    for p in facilities:
        assert p["code"].startswith(f"FAC-{p['country']}-")
        parent = places[p["parent_code"]]
        if p["country"] == "RU":
            assert parent["country"] == "RU" and parent["level"] == "oblast"


def test_boundaries_match_the_gazetteer(places: dict[str, dict], boundaries: dict) -> None:
    assert BOUNDARIES.stat().st_size < 1_500_000
    features = boundaries["features"]
    first = {c for c, p in places.items() if p["level"] == "oblast" and p["country"] == "UA"}
    assert [f["properties"]["code"] for f in features] == sorted(first)
    for f in features:
        p = places[f["properties"]["code"]]
        assert f["properties"]["name_en"] == p["name_en"] and f["properties"]["name_uk"] == p["name_uk"]
        assert _contains(f["geometry"], float(p["lon"]), float(p["lat"])), f"{p['name_en']}: point outside"


def test_boundaries_are_valid_geojson_polygons(boundaries: dict) -> None:
    assert boundaries["type"] == "FeatureCollection"
    for f in boundaries["features"]:
        g = f["geometry"]
        assert g["type"] in ("Polygon", "MultiPolygon")
        for polygon in g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]:
            for k, ring in enumerate(polygon):
                assert len(ring) >= 4 and ring[0] == ring[-1], f"{f['properties']['code']}: ring not closed"
                area2 = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))
                # RFC 7946: exterior rings counter-clockwise, holes clockwise.
                assert (area2 > 0) == (k == 0), f"{f['properties']['code']}: ring {k} has the wrong orientation"


def test_raion_centroids_fall_in_their_oblast(places: dict[str, dict], boundaries: dict) -> None:
    shapes = {f["properties"]["code"]: f["geometry"] for f in boundaries["features"]}
    outside = [
        p["name_en"]
        for p in places.values()
        if p["level"] == "raion" and not _contains(shapes[p["parent_code"]], float(p["lon"]), float(p["lat"]))
    ]
    assert not outside, outside


def test_occupation_periods_are_well_formed(places: dict[str, dict]) -> None:
    rows = _read(OCCUPATION_CSV)
    assert list(rows[0]) == ["code", "status", "since", "until", "note"]
    for n, r in enumerate(rows, start=2):
        assert r["code"] in places, f"line {n}: unknown code"
        assert r["status"] in ("occupied", "contested"), f"line {n}"
        since = dates.parse(r["since"])
        if r["until"]:
            assert dates.parse(r["until"]).hi >= since.lo, f"line {n}: ends before it starts"
        assert r["note"], f"line {n}: no note"
    by_code = {r["code"]: r for r in rows}
    assert by_code[CRIMEA]["since"] == by_code[SEVASTOPOL]["since"] == "2014-02-20"
    assert by_code[KHERSON_CITY]["until"] == "2022-11-11"
    # 2014 occupation in Donetsk and Luhansk oblasts, 2022 in the north, de-occupied by April 2022.
    assert any(r["code"].startswith("UA14") and r["since"].startswith("2014") for r in rows)
    assert any(r["code"].startswith("UA44") and r["since"].startswith("2014") for r in rows)
    for oblast in ("UA32", "UA74", "UA59"):
        periods = [r for r in rows if r["code"].startswith(oblast)]
        assert periods and all(r["until"] and dates.parse(r["until"]).hi <= date(2022, 4, 30) for r in periods), oblast


def test_loads_into_the_database_and_answers_occupation_questions(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from svidok.services import places as place_service
    from svidok.storage.models import Base, Place

    engine = create_engine(f"sqlite:///{tmp_path / 'g.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        added = place_service.load_gazetteer(session)
        assert added == len(_read(PLACES_CSV))
        kherson = session.scalar(select(Place).where(Place.code == KHERSON_CITY))
        assert place_service.occupation_status(session, kherson, date(2022, 6, 1)).status == "occupied"
        assert place_service.occupation_status(session, kherson, date(2023, 1, 1)) is None
        olenivka = session.scalar(select(Place).where(Place.code == "FAC-UA-OLENIVKA-COLONY120"))
        assert place_service.oblast_of(session, olenivka).name_en == "Donetska oblast"
        yalta = session.scalar(select(Place).where(Place.name_uk == "Ялтинський район"))
        assert place_service.occupation_status(session, yalta, date(2015, 1, 1)).status == "occupied"


def test_settlements_file_extends_places(places: dict[str, dict]) -> None:
    rows = _read(DATA / "gazetteer" / "settlements.csv")
    assert len(rows) > 25_000  # villages and settlements of the codifier
    codes = [r["code"] for r in rows]
    assert len(set(codes)) == len(codes) and not set(codes) & set(places)
    for r in rows:
        assert places[r["parent_code"]]["level"] in ("hromada", "oblast"), r["code"]
        assert r["level"] == "settlement" and r["country"] == "UA"
        assert r["name_en"] == translit(r["name_uk"]) and r["name_en"].isascii(), r["code"]
    yahidne = [r for r in rows if r["name_uk"] == "Ягідне" and r["parent_code"] == "UA74100110000030364"]
    assert len(yahidne) == 1, "Yahidne (Chernihiv oblast) is in Ivanivska hromada"


def test_hromada_centroids_lie_near_their_raion(places: dict[str, dict]) -> None:
    hromadas = [p for p in places.values() if p["level"] == "hromada"]
    located = [p for p in hromadas if p["lat"]]
    assert len(located) >= 1500  # transcribed from COD-AB; see SOURCES.md for the gaps
    too_far = []
    for p in located:
        raion = places[p["parent_code"]]
        dy = float(p["lat"]) - float(raion["lat"])
        dx = (float(p["lon"]) - float(raion["lon"])) * 0.67  # cos(48°): degrees of longitude are shorter
        if (dx * dx + dy * dy) ** 0.5 * 111 > 100:
            too_far.append(p["name_en"])
    assert not too_far, f"hromada centroids more than 100 km from their raion's: {too_far}"
