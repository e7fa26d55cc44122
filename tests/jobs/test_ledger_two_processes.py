"""Two processes appending to the ledger at once (two web workers, a web process and a job
worker) must extend one hash chain: no fork, no gap, no failed append — on both engines."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from svidok.evidence.ledger_check import ROW_FIELDS, check_chain
from svidok.storage.models import LedgerEntry

from .processes import ROOT

APPENDS = 150
SCRIPT = """
import sys
from svidok.app import Svidok
from svidok.config import Settings
from svidok.services import ledger
app = Svidok(Settings(data_dir=sys.argv[1], field_key=sys.argv[3]), database_url=sys.argv[2])
sys.stdin.readline()  # start together
for i in range({n}):
    with app.db.session() as s:
        ledger.append(s, sys.argv[4], "test.append", "test", i, {{"i": i, "who": sys.argv[4]}})
app.close()
"""


@pytest.mark.slow
def test_concurrent_appends_from_two_processes_keep_one_chain(app):
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT.format(n=APPENDS), str(app.settings.data_dir), app.db.url,
                               app.settings.field_key, f"p{k}"], cwd=ROOT, stdin=subprocess.PIPE,
                              stderr=subprocess.PIPE) for k in range(2)]
    for p in procs:
        p.stdin.write(b"go\n")
        p.stdin.flush()
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]
    with app.db.session() as s:
        rows = s.execute(select(*[getattr(LedgerEntry, f) for f in ROW_FIELDS]).order_by(LedgerEntry.seq)).all()
        actors = list(s.scalars(select(LedgerEntry.actor).where(LedgerEntry.action == "test.append")))
    assert sorted(actors) == sorted(["p0"] * APPENDS + ["p1"] * APPENDS)
    report = check_chain(iter(rows))
    assert not report.problems and report.entries == len(rows)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
