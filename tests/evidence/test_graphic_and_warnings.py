"""Metadata warnings on an evidence item (service and API, both languages) and the graphic mark
(at upload, by a reviewer, in the item's history)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from svidok.core.actors import Actor
from svidok.core.errors import Forbidden, ValidationFailed
from svidok.evidence.consistency import findings
from svidok.schemas.records import IncidentIn, IncidentUpdate
from svidok.services import evidence, history, incidents
from svidok.storage.models import RecordVersion

from .conftest import jpeg_bytes, synthetic_photo

ADMIN, INVESTIGATOR, VIEWER = Actor("tester", "administrator"), Actor("ivan", "investigator"), Actor("vera", "viewer")
KYIV = (50.4501, 30.5234)


def _edited_photo(seed: int = 5) -> bytes:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.0"
    exif.get_ifd(0x8769)[0x9003] = "2021:11:02 10:00:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (50.0, 27.0, 0.36), 3: "E", 4: (30.0, 31.0, 24.24)})  # Kyiv
    return jpeg_bytes(synthetic_photo(seed), exif=exif)


def test_c2pa_time_and_editing_actions_count_too() -> None:
    meta = {
        "c2pa": {
            "state": "Valid",
            "signed_at": "2021-11-03T08:00:00+00:00",
            "actions": [
                {"action": "c2pa.created", "when": "2021-11-02T10:00:00Z"},
                {"action": "c2pa.edited", "software": "Adobe Photoshop 25.0"},
            ],
        }
    }
    found = findings(meta, "2022-03-09")
    assert [(f["kind"], f["source"]) for f in found] == [("before", "c2pa"), ("editor", "c2pa")]
    assert found[0]["days"] == 127 and "by the C2PA content credentials" in found[0]["text"]
    # EXIF time wins over C2PA's when both exist; a file that fits gives nothing
    assert findings({**meta, "capture_time": "2022-03-09T07:00:00"}, "2022-03-09")[0]["kind"] == "editor"
    assert findings({"creation_time": "2022-03-10T07:00:00Z"}, "2022-03-09") == []


def test_warnings_follow_the_incident_and_read_in_both_languages(app) -> None:
    inc = incidents.create(app, ADMIN, IncidentIn(title="Synthetic shelling", date_start="2022-03-09", lat=49.9935, lon=36.2304))
    item = evidence.ingest(app, ADMIN, io.BytesIO(_edited_photo()), original_name="edited.jpg", incident_id=inc["id"])
    got = evidence.get(app, ADMIN, item["id"])["metadata_warnings"]
    assert [w["kind"] for w in got] == ["before", "far", "editor"]
    before, far, editor = got
    assert before["days"] == 127 and before["source"] == "exif"
    assert before["text"]["en"].startswith("recorded 127 day(s) before the incident's date (2022-03-09)")
    assert before["text"]["uk"].startswith("записано за 127 дн. до дати інциденту (2022-03-09)")
    assert 400 < far["km"] < 420 and "км від місця інциденту" in far["text"]["uk"]
    assert editor["software"] == "Adobe Photoshop 25.0" and "програму редагування" in editor["text"]["uk"]
    # the incident's date corrected: the time warning goes, the others stay (computed when read)
    incidents.update(app, ADMIN, inc["id"], IncidentUpdate(version=inc["version"], date_start="2021-11"))
    assert [w["kind"] for w in evidence.get(app, ADMIN, item["id"])["metadata_warnings"]] == ["far", "editor"]


def test_graphic_at_upload_and_by_a_reviewer_in_history(app) -> None:
    inc = incidents.create(app, ADMIN, IncidentIn(title="Synthetic strike", date_start="2022-03-09"))
    marked = evidence.ingest(
        app, ADMIN, io.BytesIO(jpeg_bytes(synthetic_photo(7))), original_name="a.jpg", incident_id=inc["id"], graphic=True
    )
    assert marked["graphic"] is True
    plain = evidence.ingest(app, ADMIN, io.BytesIO(jpeg_bytes(synthetic_photo(8))), original_name="b.jpg", incident_id=inc["id"])
    assert plain["graphic"] is False
    with pytest.raises(ValidationFailed, match="graphic"):
        evidence.ingest(app, ADMIN, io.BytesIO(jpeg_bytes(synthetic_photo(9))), incident_id=inc["id"], graphic="yes")

    out = evidence.mark_graphic(app, ADMIN, plain["id"], True, "shows bodies")
    assert out["graphic"] is True and out["version"] == 2
    out = evidence.mark_graphic(app, ADMIN, plain["id"], True)  # already marked: nothing new
    assert out["version"] == 2
    out = evidence.mark_graphic(app, ADMIN, plain["id"], False, "blurred crop, nothing graphic")
    assert out["graphic"] is False and out["version"] == 3
    with app.db.session() as s:
        versions = history.versions(s, evidence.ENTITY, plain["id"])
        assert [(v.op, v.reason, (v.after or {}).get("graphic")) for v in versions] == [
            ("create", None, False),
            ("update", "shows bodies", True),
            ("update", "blurred crop, nothing graphic", False),
        ]
        assert (
            s.scalar(
                select(RecordVersion).where(
                    RecordVersion.entity == evidence.ENTITY, RecordVersion.record_id == plain["id"], RecordVersion.version == 2
                )
            ).before["graphic"]
            is False
        )
    with pytest.raises(Forbidden):
        evidence.mark_graphic(app, VIEWER, plain["id"], True)
    with pytest.raises(ValidationFailed):
        evidence.mark_graphic(app, ADMIN, plain["id"], "yes")


def test_cli_adds_marked_and_unmarks(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from svidok.cli.main import app as cli
    from svidok.config import get_settings

    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(cli, ["init"]).exit_code == 0
        photo = tmp_path / "p.jpg"
        photo.write_bytes(_edited_photo())
        r = runner.invoke(cli, ["evidence", "add", str(photo), "--graphic"])
        assert r.exit_code == 0 and "Evidence 1 stored" in r.output, r.output
        r = runner.invoke(cli, ["evidence", "graphic", "1", "--off", "--reason", "nothing graphic"])
        assert r.exit_code == 0 and "evidence 1: not marked graphic (version 2)" in r.output, r.output
    finally:
        get_settings.cache_clear()
