"""S3 stopped while jobs need it: a bundle job ends ``failed`` with a reason that names the store
and nothing half-written (no bundle file, no export recorded); a verify job ends with a report
that is not ok and says the files were not checked, and why."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from svidok.core.actors import Actor
from svidok.services import evidence, jobs
from svidok.storage.models import CustodyEvent, LedgerEntry
from tests import seaweed

from .conftest import s3_settings

ADMIN = Actor("admin", "administrator")


@pytest.fixture
def own_server(tmp_path, s3_server):
    """A server of this test's own, so the test can stop it (skips or fails as ``s3_server`` does)."""
    server = seaweed.start(tmp_path / "own-seaweedfs")
    yield server
    server.stop()


def _counts(app) -> tuple[int, int]:
    with app.db.session() as s:
        return (s.scalar(select(func.count()).select_from(CustodyEvent)),
                s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.action.like("custody%"))))


def test_jobs_fail_with_the_reason_when_s3_is_down_and_write_nothing(app, own_server):
    own_server.client().create_bucket(Bucket="svidok-evidence")
    app.settings = app.settings.model_copy(update=s3_settings(own_server))
    app.__dict__.pop("evidence_store", None)
    item = evidence.ingest(app, ADMIN, io.BytesIO(b"%PDF-1.4 synthetic report" * 40), original_name="r.pdf")
    before = _counts(app)
    own_server.stop()
    bundle = jobs.submit(app, ADMIN, "bundle", {"evidence_ids": [item["id"]], "purpose": "prosecutor (synthetic)"})
    verify = jobs.submit(app, ADMIN, "verify", {"check_files": True})
    jobs.DatabaseWorker(app).run(burst=True)
    b, v = jobs.get(app, ADMIN, bundle["id"]), jobs.get(app, ADMIN, verify["id"])
    assert b["status"] == "failed" and "evidence store s3://svidok-evidence/" in b["error"], b
    assert "no bundle written" in b["error"]
    folder = app.settings.data_dir / "jobs" / str(bundle["id"])
    assert not folder.exists() or list(folder.iterdir()) == []
    assert _counts(app) == before  # no export recorded for a bundle that was not made
    # verify reports rather than stops: the run ends, and says the files were not checked, and why
    assert v["status"] == "done" and v["result"]["ok"] is False
    assert any(p.startswith("evidence files not checked: evidence store s3://svidok-evidence/") and
               "Could not connect" in p for p in v["result"]["problems"]), v["result"]["problems"]

    # S3 back (the same data, restarted on new ports): a retry of the failed bundle makes it
    own_server.stop()
    back = seaweed.start(own_server.folder)
    try:
        app.settings = app.settings.model_copy(update={"s3_endpoint": back.endpoint})
        app.__dict__.pop("evidence_store", None)
        again = jobs.retry(app, ADMIN, bundle["id"])
        assert again["status"] == "queued" and again["error"] is None
        jobs.DatabaseWorker(app).run(burst=True)
        b = jobs.get(app, ADMIN, bundle["id"])
        assert b["status"] == "done" and b["attempts"] == 1, b["error"]
        assert (folder / "bundle.tar").is_file() and _counts(app) != before  # now the export is recorded
    finally:
        back.stop()
