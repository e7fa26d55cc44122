"""The keyframes of a video on the incident page: a contact sheet, opened on request, custody recorded."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from svidok.core.actors import SYSTEM
from svidok.services import evidence
from tests import fixtures as fx

pytestmark = pytest.mark.skipif(subprocess.run(["which", "ffmpeg"], capture_output=True).returncode != 0,
                                reason="ffmpeg not installed")


def test_video_keyframes_on_the_incident_page(web, client_for, tmp_path):
    core, _ = web
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-y", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-t", "1", "-i",
                    "testsrc=size=160x120:rate=10", "-f", "lavfi", "-t", "1", "-i", "smptebars=size=160x120:rate=10",
                    "-filter_complex", "[0][1]concat=n=2:v=1:a=0", "-pix_fmt", "yuv420p", str(clip)],
                   check=True, timeout=60)
    inc = fx.incident(core, confidentiality="public")
    item = evidence.ingest(core, SYSTEM, io.BytesIO(clip.read_bytes()), original_name="clip.mp4",
                           incident_id=inc["id"], confidentiality="public")
    secret = fx.incident(core, confidentiality="strictly_confidential")
    hidden = evidence.ingest(core, SYSTEM, io.BytesIO(clip.read_bytes()), original_name="clip.mp4",
                             incident_id=secret["id"], confidentiality="strictly_confidential")
    c = client_for("viewer")
    page = c.get(f"/incidents/{inc['id']}").text
    assert f'<img src="/evidence/{item["id"]}/contact-sheet.png" loading="lazy"' in page
    actions = [e["action"] for e in evidence.get(core, SYSTEM, item["id"])["custody_events"]]
    assert actions == ["acquisition"]  # showing the page reads nothing
    r = c.get(f"/evidence/{item['id']}/contact-sheet.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).width == 4 * 240
    actions = [e["action"] for e in evidence.get(core, SYSTEM, item["id"])["custody_events"]]
    assert actions == ["acquisition", "access"]
    assert c.get(f"/evidence/{hidden['id']}/contact-sheet.png").status_code == 404
