"""A batch killed with kill -9 keeps whole captures only and resumes without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from svidok.core.actors import Actor
from svidok.services import captures
from svidok.storage.models import Capture, EvidenceItem, LedgerEntry

from ..conftest import TEST_KEY

ADMIN = Actor("tester", "administrator")
N = 14


def test_kill_9_then_resume_captures_each_url_once(capp, sites, tmp_path) -> None:
    urls = tmp_path / "urls.csv"
    urls.write_text("url,note\n" + "".join(f"{sites.base}/page/{i},synthetic\n" for i in range(N)))
    env = {**os.environ, "SVIDOK_DATA_DIR": str(capp.settings.data_dir), "SVIDOK_DATABASE_URL": capp.db.url,
           "SVIDOK_FIELD_KEY": TEST_KEY, "SVIDOK_CAPTURE_ALLOW_PRIVATE": "1", "SVIDOK_CAPTURE_PAGE_TIMEOUT": "4"}
    proc = subprocess.Popen([sys.executable, "-m", "svidok", "capture", "--from-file", str(urls)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        done = 0
        while done < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            with capp.db.session() as s:
                done = s.scalar(select(func.count()).select_from(Capture).where(Capture.status == "done"))
        assert proc.poll() is None, "the batch finished before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command, its Playwright driver and Chromium at once
        proc.wait()
    with capp.db.session() as s:
        before = dict(s.execute(select(Capture.status, func.count()).group_by(Capture.status)).all())
        batch_id = s.scalar(select(Capture.batch_id).limit(1))
    assert 3 <= before.get("done", 0) < N
    out = captures.run_batch(capp, ADMIN, batch_id)
    assert (out["done"], out["failed"], out["pending"], out["running"]) == (N, 0, 0, 0)
    with capp.db.session() as s:
        rows = s.scalars(select(Capture).order_by(Capture.position)).all()
        assert [c.url for c in rows] == [f"{sites.base}/page/{i}" for i in range(N)]
        referenced = [a["evidence_id"] for c in rows for a in c.artefacts]
        items = s.scalars(select(EvidenceItem.id)).all()
        assert sorted(referenced) == sorted(items) and len(items) == 5 * N  # no orphan, no duplicate
        assert s.scalar(select(func.count()).select_from(LedgerEntry)
                        .where(LedgerEntry.action == "capture.done")) == N
        assert all(c.previous_id is None for c in rows)  # no URL was captured twice
