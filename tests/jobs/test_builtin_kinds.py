"""The built-in kinds run as jobs: an evidence bundle and verify (import and brief: see the other tests)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.services import evidence, jobs
from tests.fixtures import incident

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_bundle_and_verify_jobs(japp):
    inc = incident(japp)
    evidence.ingest(japp, SYSTEM, io.BytesIO(PNG), original_name="photo.png", incident_id=inc["id"])
    with pytest.raises(ValidationFailed, match="purpose"):
        jobs.submit(japp, SYSTEM, "bundle", {"incident_ids": [inc["id"]]})
    bundle = jobs.submit(japp, SYSTEM, "bundle", {"incident_ids": [inc["id"]], "purpose": "for a prosecutor (test)"})
    verify = jobs.submit(japp, SYSTEM, "verify", {"check_files": True})
    jobs.DatabaseWorker(japp).run(burst=True)
    b = jobs.get(japp, SYSTEM, bundle["id"])
    assert b["status"] == "done", b["error"]
    path = Path(b["result"]["file"])
    assert path.parent == japp.settings.data_dir / "jobs" / str(bundle["id"]) and b["result"]["items"] == 1
    with tarfile.open(path) as tf:
        assert any(n.endswith(".png") for n in tf.getnames())
    v = jobs.get(japp, SYSTEM, verify["id"])
    assert v["status"] == "done" and v["result"]["ok"] is True, v["result"]
    assert v["progress"]["message"] == "finished" and v["result"]["counts"]["ledger_entries"] > 0
