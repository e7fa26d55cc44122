"""Video platforms: yt-dlp fetches a page's streamed video and its metadata into the capture (local site only)."""

from __future__ import annotations

import hashlib

from svidok.core.actors import Actor
from svidok.services import captures, evidence

from .sites import clip_mp4

ADMIN = Actor("tester", "administrator")


def test_a_video_page_is_kept_with_its_video_and_metadata(capp, sites) -> None:
    capp.settings.capture_video_hosts = ["127.0.0.1"]  # the test site stands in for a video platform
    b = captures.create_batch(capp, ADMIN, [f"{sites.base}/watch/7", f"{sites.base}/page/3"])
    assert captures.run_batch(capp, ADMIN, b["id"])["done"] == 2
    watch, plain = captures.batch(capp, ADMIN, b["id"])["captures"]
    c = captures.get(capp, ADMIN, watch["id"])
    roles = {a["role"]: a for a in c["artefacts"]}
    assert "media" not in roles  # the player streams: the page alone keeps no video
    video = roles["video"]
    assert video["sha256"] == hashlib.sha256(clip_mp4()).hexdigest() and video["media_type"] == "video/mp4"
    item = evidence.get(capp, ADMIN, video["evidence_id"])
    assert item["acquisition_method"] == "web capture" and item["acquisition_url"] == f"{sites.base}/watch/7"
    assert item["extracted"].get("keyframes"), item["extracted"]  # a video like any other: keyframes and hashes
    meta = c["details"]["video"]
    assert meta["title"] == "Strike on the bridge (synthetic)" and meta["extractor"] == "generic"
    assert meta["webpage_url"] == f"{sites.base}/watch/7" and meta["yt_dlp"]
    assert "video-metadata" in roles
    # A page without a video on a listed host: the capture stands, the reason is recorded.
    p = captures.get(capp, ADMIN, plain["id"])
    assert "video" not in {a["role"] for a in p["artefacts"]}
    assert any("no video" in x for x in p["details"]["problems"]), p["details"]["problems"]


def test_other_hosts_are_not_given_to_yt_dlp(capp, sites) -> None:
    capp.settings.capture_video_hosts = ["video.example"]
    b = captures.create_batch(capp, ADMIN, [f"{sites.base}/watch/7"])
    captures.run_batch(capp, ADMIN, b["id"])
    [c] = captures.batch(capp, ADMIN, b["id"])["captures"]
    got = captures.get(capp, ADMIN, c["id"])
    assert got["status"] == "done" and not {"video", "video-metadata"} & {a["role"] for a in got["artefacts"]}
    assert not got["details"].get("video")
