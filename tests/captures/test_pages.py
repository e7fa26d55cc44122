"""Capturing pages served on 127.0.0.1: what a user checks on the stored evidence."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import pytest
from sqlalchemy import func, select

from svidok.core.actors import Actor
from svidok.core.errors import ValidationFailed
from svidok.evidence.capture.wacz import check_wacz
from svidok.schemas.records import IncidentIn
from svidok.services import captures, evidence, incidents
from svidok.storage.models import Capture, CaptureBatch, CustodyEvent, EvidenceItem

ADMIN = Actor("tester", "administrator")


def capture(app, *urls, **links) -> dict:
    b = captures.create_batch(app, ADMIN, list(urls), **links)
    captures.run_batch(app, ADMIN, b["id"])
    return captures.batch(app, ADMIN, b["id"])


def stored(app, sha256: str) -> bytes:
    with evidence.evidence_store(app).open(sha256) as fh:
        return fh.read()


def by_role(cap: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for a in cap["artefacts"]:
        out.setdefault(a["role"], []).append(a)
    return out


def _incident(app) -> int:
    return incidents.create(app, ADMIN, IncidentIn(title="Synthetic shelling of a school",
                                                   date_start="2022-03-09"))["id"]


def test_article_is_archived_with_screenshot_text_metadata_and_media(capp, sites) -> None:
    inc = _incident(capp)
    b = capture(capp, f"{sites.base}/article", incident_id=inc)
    assert [c["status"] for c in b["captures"]] == ["done"], b
    cap = captures.get(capp, ADMIN, b["captures"][0]["id"])
    assert cap["title"] == "Shelling of a school in Testville"
    assert cap["author"] == "Olena Testenko" and cap["published"] == "2022-03-09T14:20:00+02:00"
    assert cap["http_status"] == 200 and cap["final_url"] == f"{sites.base}/article"
    assert ["x-test-header", "article"] in cap["details"]["headers"]
    roles = by_role(cap)
    assert set(roles) == {"archive", "text", "metadata", "screenshot", "media"}
    assert sorted(a["name"] for a in roles["media"]) == ["clip.mp4", "photo.jpg"]
    from .sites import clip_mp4, photo_jpeg
    media = {a["name"]: stored(capp, a["sha256"]) for a in roles["media"]}
    assert media == {"photo.jpg": photo_jpeg(), "clip.mp4": clip_mp4()}
    assert "a school was hit at 14:20" in stored(capp, roles["text"][0]["sha256"]).decode()
    assert stored(capp, roles["screenshot"][0]["sha256"])[:8] == b"\x89PNG\r\n\x1a\n"
    meta = json.loads(stored(capp, roles["metadata"][0]["sha256"]))
    assert meta["final_url"] == f"{sites.base}/article" and meta["browser"].startswith("Chromium")
    # Every artefact is an evidence item: hash of its bytes, acquisition "web capture", incident, custody.
    with capp.db.session() as s:
        for a in cap["artefacts"]:
            item = s.get(EvidenceItem, a["evidence_id"])
            assert item.sha256 == hashlib.sha256(stored(capp, a["sha256"])).hexdigest() == a["sha256"]
            assert (item.acquisition_method, item.incident_id, item.acquisition_url) == \
                ("web capture", inc, f"{sites.base}/article")
            actions = s.scalars(select(CustodyEvent.action).where(CustodyEvent.evidence_id == item.id)).all()
            assert actions == ["acquisition"]
    # The WACZ is sound and replays the page: its index names the article and the photo.
    wacz = stored(capp, roles["archive"][0]["sha256"])
    path = capp.settings.data_dir / "check.wacz"
    path.write_bytes(wacz)
    assert check_wacz(path) == []
    with zipfile.ZipFile(io.BytesIO(wacz)) as z:
        index = z.read("indexes/index.cdx").decode()
        assert f'"url":"{sites.base}/article"' in index and "/img/photo.jpg" in index
        assert json.loads(z.read("pages/pages.jsonl").decode().splitlines()[1])["url"] == f"{sites.base}/article"
        from warcio.archiveiterator import ArchiveIterator
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                   for r in ArchiveIterator(io.BytesIO(z.read("archive/data.warc.gz")))]
    assert ("response", f"{sites.base}/article") in records and ("request", f"{sites.base}/article") in records
    # The evidence page finds the capture from any of its items.
    assert captures.of_evidence(capp, ADMIN, roles["screenshot"][0]["evidence_id"])["id"] == cap["id"]


def test_redirect_chain_is_followed_and_recorded(capp, sites) -> None:
    b = capture(capp, f"{sites.base}/r/1")
    assert b["captures"][0]["status"] == "done", b["captures"][0]["error"]
    cap = captures.get(capp, ADMIN, b["captures"][0]["id"])
    assert cap["final_url"] == f"{sites.base}/article"
    assert [(r["url"].rsplit("/", 2)[-2:], r["status"]) for r in cap["details"]["redirects"]] == \
        [(["r", "1"], 302), (["r", "2"], 301), (["127.0.0.1:" + sites.base.rsplit(":", 1)[1], "article"], 200)]


def test_404_fails_with_the_reason_and_can_be_retried(capp, sites) -> None:
    b = capture(capp, f"{sites.base}/missing", f"{sites.base}/page/1")
    failed, done = b["captures"]
    assert failed["status"] == "failed" and "HTTP 404" in failed["error"] and done["status"] == "done"
    with capp.db.session() as s:
        ids = {a["evidence_id"] for c in s.scalars(select(Capture)) for a in c.artefacts or []}
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == len(ids) == 5
    assert captures.retry(capp, ADMIN, b["id"]) == 1
    out = captures.run_batch(capp, ADMIN, b["id"])
    assert (out["failed"], out["done"]) == (1, 1)
    assert captures.batch(capp, ADMIN, b["id"])["captures"][0]["attempts"] == 2


def test_page_whose_image_never_arrives_is_captured_after_a_bounded_wait(capp, sites) -> None:
    t0 = time.monotonic()
    b = capture(capp, f"{sites.base}/slow-image")
    assert time.monotonic() - t0 < 20
    cap = captures.get(capp, ADMIN, b["captures"][0]["id"])
    assert cap["status"] == "done"
    # Whichever gives up first (the resource's fetch or the page's load), the problem is named.
    assert any("still loading after 4 s" in p or "/never.jpg: no complete answer" in p
               for p in cap["details"]["problems"]), cap["details"]["problems"]
    assert "Text that arrived." in stored(capp, by_role(cap)["text"][0]["sha256"]).decode()


def test_page_that_never_finishes_sending_fails_after_a_bounded_wait(capp, sites) -> None:
    t0 = time.monotonic()
    b = capture(capp, f"{sites.base}/hang")
    assert time.monotonic() - t0 < 20
    c = b["captures"][0]
    # Whichever gives up first (the fetch or the browser), the reason names the page and the wait.
    assert c["status"] == "failed" and "/hang: " in c["error"] and "4 s" in c["error"], c["error"]


def test_huge_videos_are_refused_and_nothing_half_stored(capp, sites) -> None:
    b = capture(capp, f"{sites.base}/big-video")
    cap = captures.get(capp, ADMIN, b["captures"][0]["id"])
    problems = " | ".join(cap["details"]["problems"])
    assert "5368709120 bytes announced" in problems and "endless.mp4: more than the 8388608-byte limit" in problems
    assert "media" not in by_role(cap)
    store = evidence.evidence_store(capp)
    assert sum(1 for _ in store.objects.rglob("*") if _.is_file()) == 4  # archive, text, metadata, screenshot
    assert not any(p.is_file() for p in (capp.settings.data_dir / "capture-work").rglob("*"))


def test_telegram_post_and_channel(capp, sites) -> None:
    b = capture(capp, "https://t.me/testchan/42", "https://t.me/s/testchan")
    post, channel = (captures.get(capp, ADMIN, c["id"]) for c in b["captures"])
    assert post["kind"] == "telegram" and post["url"] == "https://t.me/testchan/42"
    assert post["author"] == "Test Channel" and post["published"] == "2022-03-07T09:17:00+00:00"
    [p] = post["details"]["telegram"]
    assert p["post"] == "testchan/42" and p["text"].startswith("Post 42: synthetic report")
    assert (p["views"], p["views_count"], p["forwarded_from"]) == ("12.3K", 12300, "Other Channel")
    assert [m["kind"] for m in p["media"]] == ["image", "video"]
    assert sorted(a["name"] for a in by_role(post)["media"]) == ["tg-42.jpg", "tg-42.mp4"]
    assert [x["post"] for x in channel["details"]["telegram"]] == ["testchan/40", "testchan/41", "testchan/42"]
    assert [x["forwarded_from"] for x in channel["details"]["telegram"]] == [None, None, "Other Channel"]


def test_capturing_again_keeps_both_and_shows_what_changed(capp, sites) -> None:
    first = capture(capp, f"{sites.base}/changing")["captures"][0]
    second = capture(capp, f"{sites.base}/changing")["captures"][0]
    assert first["id"] != second["id"] and second["changed"] is True
    cap = captures.get(capp, ADMIN, second["id"])
    assert cap["previous_id"] == first["id"]
    assert cap["changes"]["text"] == {"changed": True, "lines_added": 1, "lines_removed": 1}
    text_change = [a for a in cap["changes"]["artefacts"] if a["role"] == "text"]
    assert text_change and text_change[0]["before"] != text_change[0]["after"]
    assert "-Casualties reported:" in cap["text_diff"] and "+Casualties reported:" in cap["text_diff"]
    assert captures.get(capp, ADMIN, first["id"])["status"] == "done"  # the first is kept as it was


def test_private_addresses_are_refused_by_default(app, sites) -> None:
    app.settings.capture_page_timeout = 4.0
    b = capture(app, f"{sites.base}/article", "http://localhost:9/")
    for c in b["captures"]:
        assert c["status"] == "failed" and "loopback address" in c["error"], c
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_bad_urls_are_named_and_nothing_is_written(app) -> None:
    with pytest.raises(ValidationFailed) as exc:
        captures.create_batch(app, ADMIN, ["https://example.org/a", "file:///etc/passwd", "javascript:alert(1)",
                                           "http://user:pw@example.org/"], incident_id=999_999)
    fields = {e.field for e in exc.value.errors}
    assert fields == {"urls[2]", "urls[3]", "urls[4]", "incident_id"}
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaptureBatch)) == 0


def test_reader_may_not_capture(app) -> None:
    from svidok.core.errors import Forbidden
    with pytest.raises(Forbidden):
        captures.create_batch(app, Actor("r", "viewer"), ["https://example.org/"])
