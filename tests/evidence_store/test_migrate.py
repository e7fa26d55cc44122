"""`svidok evidence migrate --to s3`: killed with SIGKILL mid-way, a rerun finishes without duplicates or losses."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time

from svidok.core.actors import Actor
from svidok.services import evidence, evidence_migration, integrity
from tests.conftest import TEST_KEY

from .conftest import s3_settings

ADMIN = Actor("admin", "administrator")


def _env(app, settings: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SVIDOK_", "AWS_"))}
    env.update({"SVIDOK_DATA_DIR": str(app.settings.data_dir), "SVIDOK_FIELD_KEY": TEST_KEY, "COLUMNS": "400"})
    env.update({f"SVIDOK_{k.upper()}": str(v) for k, v in settings.items() if k != "evidence_backend"})
    return env


def _migrate(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "svidok", "evidence", "migrate", "--to", "s3"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_migrate_killed_mid_way_resumes_and_verifies(sqlite_app, s3_server):
    app = sqlite_app
    rng = random.Random(11)
    sizes = [rng.randrange(1_000, 200_000) for _ in range(50)] + [20 << 20]  # one multipart upload
    items = [evidence.ingest(app, ADMIN, io.BytesIO(rng.randbytes(n)), original_name=f"f{i}.bin")
             for i, n in enumerate(sizes)]
    hashes = {it["sha256"] for it in items}
    local = evidence.evidence_store(app)
    settings = s3_settings(s3_server)
    env = _env(app, settings)
    journal = app.settings.data_dir / "evidence-migration-s3.log"

    proc = _migrate(env)
    deadline = time.monotonic() + 120
    while not (journal.exists() and len(journal.read_text().splitlines()) >= 12):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(journal.read_text().splitlines())
    assert 12 <= done_before < len(hashes)

    # The rerun, in this process (the command is a thin shell over this service; starting
    # another interpreter costs half a minute on a loaded machine).
    app.settings = app.settings.model_copy(update={k: v for k, v in settings.items() if k != "evidence_backend"})
    out = evidence_migration.migrate(app, ADMIN, to="s3")
    assert out["verified_before"] == done_before and out["failed"] == [] and out["missing"] == []
    assert out["copied"] + out["already_there"] == len(hashes) - done_before

    lines = journal.read_text().splitlines()
    assert len(lines) == len(set(lines)) == len(hashes)  # every file once, none twice
    app.settings = app.settings.model_copy(update=settings)
    app.__dict__.pop("evidence_store", None)
    s3 = evidence.evidence_store(app)
    keys = [o["Key"] for p in s3.client.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket, Prefix=s3.prefix)
            for o in p.get("Contents", [])]
    assert sorted(keys) == sorted(s3.key_for(h) for h in hashes)  # nothing extra, nothing lost
    assert [u for u in s3.unfinished_uploads(older_than_seconds=0) if u.startswith("s3 upload")] == []
    assert set(local.iter_hashes()) == hashes  # local files stay without --remove-local
    report = integrity.verify(app)
    assert report.ok, report.problems

    out = evidence_migration.migrate(app, ADMIN, to="s3", remove_local=True)
    assert out["removed"] == len(hashes) and out["verified_before"] == len(hashes)
    assert list(local.iter_hashes()) == []
    assert integrity.verify(app).ok
