"""The demo installation has a few synthetic evidence files to look at from the first run."""

import io
import wave

from svidok.core.actors import SYSTEM
from svidok.services import demo, demo_files, evidence, evidence_reading, incidents


def test_demo_attaches_a_picture_a_pdf_and_a_sound_through_the_evidence_service(sqlite_app):
    app = sqlite_app
    demo.load(app, size=30, seed=3, batch_size=30)
    ids = demo_files.attach(app)
    assert ids == []  # load() attached them already; a second call adds nothing
    newest = max(i for i in range(1, 40) if _exists(app, i))
    got = incidents.get(app, SYSTEM, newest)
    kinds = sorted(e["media_type"] for e in got["evidence"])
    assert kinds == ["application/pdf", "audio/wav", "image/png"]
    for e in got["evidence"]:
        item = evidence.get(app, SYSTEM, e["id"])
        assert item["custody_events"][0]["action"] == "acquisition"
        body = io.BytesIO()
        evidence_reading.download(app, SYSTEM, e["id"], purpose="test").read_all_to(body)
        data = body.getvalue()
        if e["media_type"] == "image/png":
            assert data.startswith(b"\x89PNG") and item["phash"]
        elif e["media_type"] == "application/pdf":
            assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
        else:
            with wave.open(io.BytesIO(data)) as w:
                assert w.getnframes() / w.getframerate() >= 1


def _exists(app, incident_id: int) -> bool:
    try:
        incidents.get(app, SYSTEM, incident_id)
        return True
    except Exception:
        return False
