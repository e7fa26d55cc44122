"""Metadata that does not fit the incident: capture time, position, editing software."""

from __future__ import annotations

import io

from PIL import Image

from svidok.core.actors import Actor
from svidok.evidence.consistency import km_between, warnings
from svidok.schemas.records import IncidentIn
from svidok.services import evidence, incidents

from .conftest import jpeg_bytes, synthetic_photo

KYIV, KHARKIV = (50.4501, 30.5234), (49.9935, 36.2304)


def test_distance_between_cities() -> None:
    assert 405 < km_between(KYIV, KHARKIV) < 415  # ~409 km by great circle


def test_each_inconsistency_is_named() -> None:
    meta = {"capture_time": "2021-11-02T10:00:00+02:00", "gps": {"lat": KYIV[0], "lon": KYIV[1]},
            "device": {"software": "Adobe Photoshop 25.0"}}
    out = warnings(meta, "2022-03-09", None, KHARKIV)
    assert out[0] == "recorded 127 day(s) before the incident's date (2022-03-09), by the EXIF tags: older media re-used?"
    assert out[1].startswith(f"recorded {km_between(KYIV, KHARKIV):.0f} km from the incident's place")
    assert out[2] == "the file's EXIF tags name editing software (Adobe Photoshop 25.0)"
    fine = {"capture_time": "2022-03-20T08:00:00Z", "gps": {"lat": 49.99, "lon": 36.23}, "device": {"software": "1.0"}}
    assert warnings(fine, "2022-03", None, KHARKIV) == []  # within the month, the city, a camera's firmware
    assert warnings({"capture_time": "2022-06-01T00:00:00Z"}, "2022-03-09", "2022-03-10")[0].startswith(
        "recorded 83 day(s) after")


def test_ingest_files_the_warnings_with_the_metadata(app) -> None:
    admin = Actor("tester", "administrator")
    inc = incidents.create(app, admin, IncidentIn(title="Synthetic shelling", date_start="2022-03-09"))["id"]
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.0"
    exif.get_ifd(0x8769)[0x9003] = "2021:11:02 10:00:00"
    item = evidence.ingest(app, admin, io.BytesIO(jpeg_bytes(synthetic_photo(3), exif=exif)),
                           original_name="edited.jpg", incident_id=inc)
    found = [w["text"] for w in item["extracted"]["consistency"]]
    assert any("before the incident's date (2022-03-09)" in w for w in found)
    assert "the file's EXIF tags name editing software (Adobe Photoshop 25.0)" in found
