"""The evidence page: metadata warnings in both languages, the graphic mark (reviewer's form, API,
upload form) and blurring by the user's two settings."""

from __future__ import annotations

import io
import re

from PIL import Image

from svidok.core.actors import SYSTEM
from svidok.services import evidence
from tests import fixtures as fx
from tests.evidence.conftest import jpeg_bytes, synthetic_photo

from .conftest import csrf


def _edited_photo() -> bytes:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.0"
    exif.get_ifd(0x8769)[0x9003] = "2021:11:02 10:00:00"
    return jpeg_bytes(synthetic_photo(11), exif=exif)


def _veil(html: str) -> str:
    return re.search(r'<div class="(veil[^"]*)">', html).group(1)


def test_metadata_warnings_on_the_page_and_in_the_api_in_both_languages(web, client_for) -> None:
    core, _asgi = web
    inc = fx.incident(core, confidentiality="public", date_start="2022-03-09")
    item = evidence.ingest(
        core, SYSTEM, io.BytesIO(_edited_photo()), original_name="edited.jpg", incident_id=inc["id"], confidentiality="public"
    )
    c = client_for("viewer")
    page = c.get(f"/evidence/{item['id']}").text
    assert "Metadata that does not fit the incident" in page
    assert "recorded 127 day(s) before the incident&#39;s date (2022-03-09), by the EXIF tags" in page
    assert "name editing software (Adobe Photoshop 25.0)" in page
    c.post("/language", data={"csrf_token": csrf(c), "lang": "uk"})
    page = c.get(f"/evidence/{item['id']}").text
    assert "Метадані, що не відповідають інциденту" in page
    assert "записано за 127 дн. до дати інциденту (2022-03-09), за даними: теги EXIF" in page
    assert "recorded 127 day(s)" not in page
    api = c.get(f"/api/v1/evidence/{item['id']}").json()
    kinds = {w["kind"]: w for w in api["metadata_warnings"]}
    assert set(kinds) == {"before", "editor"} and kinds["before"]["days"] == 127
    assert kinds["editor"]["text"]["uk"] == "теги EXIF файлу називають програму редагування (Adobe Photoshop 25.0)"
    assert kinds["editor"]["text"]["en"] == "the file's EXIF tags name editing software (Adobe Photoshop 25.0)"
    assert api["graphic"] is False


def test_a_reviewer_marks_and_unmarks_and_blurring_follows_the_user_setting(web, client_for) -> None:
    core, _asgi = web
    inc = fx.incident(core, confidentiality="public")
    photo = evidence.ingest(
        core,
        SYSTEM,
        io.BytesIO(jpeg_bytes(synthetic_photo(12))),
        original_name="stop.jpg",
        media_type="image/jpeg",
        incident_id=inc["id"],
        confidentiality="public",
    )
    viewer, reviewer = client_for("viewer"), client_for("investigator")
    # a viewer may not mark; the form is not offered
    assert "Mark as graphic" not in viewer.get(f"/evidence/{photo['id']}").text
    assert (
        viewer.post(
            f"/evidence/{photo['id']}/graphic", data={"csrf_token": csrf(viewer), "graphic": "on"}, follow_redirects=False
        ).status_code
        == 403
    )
    # the viewer keeps graphic media blurred but shows the rest: an unmarked photo is not veiled
    r = viewer.post("/account/media", data={"csrf_token": csrf(viewer), "blur_graphic": "on"})
    assert "Pictures marked graphic will be blurred until you click them; others will be shown." in r.text
    assert _veil(viewer.get(f"/evidence/{photo['id']}").text) == "veil"

    page = reviewer.get(f"/evidence/{photo['id']}").text
    assert _veil(page) == "veil veiled"  # the reviewer's defaults: everything blurred
    r = reviewer.post(
        f"/evidence/{photo['id']}/graphic", data={"csrf_token": csrf(reviewer), "graphic": "on", "reason": "shows the wounded"}
    )
    assert "Marked graphic." in r.text and "Remove the graphic mark" in r.text
    assert _veil(r.text) == "veil veiled graphic" and "Marked graphic: click to show" in r.text

    shown = viewer.get(f"/evidence/{photo['id']}").text
    assert _veil(shown) == "veil veiled graphic" and 'class="badge graphic-mark"' in shown
    assert 'graphic-mark">graphic</span>' in viewer.get(f"/incidents/{inc['id']}").text
    # ... and the viewer who turns both settings off sees it at once
    viewer.post("/account/media", data={"csrf_token": csrf(viewer)})
    assert _veil(viewer.get(f"/evidence/{photo['id']}").text) == "veil graphic"

    # the API: a writer unmarks it, with a reason; the history has both changes
    api = reviewer.post(
        f"/api/v1/evidence/{photo['id']}/graphic",
        headers={"X-CSRF-Token": csrf(reviewer)},
        json={"graphic": False, "reason": "a crop: nothing graphic"},
    )
    assert api.status_code == 200 and api.json()["graphic"] is False and api.json()["version"] == 3
    assert (
        viewer.post(f"/api/v1/evidence/{photo['id']}/graphic", headers={"X-CSRF-Token": csrf(viewer)}, json={"graphic": True}).status_code
        == 403
    )
    with core.db.session() as s:
        from svidok.services import history

        reasons = [(v.reason, v.after["graphic"]) for v in history.versions(s, evidence.ENTITY, photo["id"])]
    assert reasons == [(None, False), ("shows the wounded", True), ("a crop: nothing graphic", False)]


def test_upload_form_marks_graphic(web, client_for) -> None:
    core, _asgi = web
    inc = fx.incident(core, confidentiality="public")
    c = client_for("investigator")
    token = csrf(c, f"/incidents/{inc['id']}")
    r = c.post(
        f"/upload/incidents/{inc['id']}/evidence",
        data={"csrf_token": token, "graphic": "on"},
        files={"file": ("wounded.jpg", jpeg_bytes(synthetic_photo(13)), "image/jpeg")},
    )
    assert r.status_code == 200, r.text
    items = evidence.get(core, SYSTEM, _last_item(core))
    assert items["graphic"] is True and items["original_name"] == "wounded.jpg"


def _last_item(core) -> int:
    from sqlalchemy import func, select

    from svidok.storage.models import EvidenceItem

    with core.db.session() as s:
        return s.scalar(select(func.max(EvidenceItem.id)))
