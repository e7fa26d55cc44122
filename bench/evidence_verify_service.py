"""`svidok verify` end to end (service, SQLAlchemy, SQLite) over 1,000,000 ledger entries.

    uv run python bench/evidence_verify_service.py
    SVIDOK_BENCH_ENTRIES=100000 uv run python bench/evidence_verify_service.py

A fresh installation (``svidok init``) gets N synthetic chained ledger entries appended
with plain SQLite (continuing the chain ``init`` started), is sealed with the service's
``seal`` (timed: the issue's "signed tree head over 1,000,000 entries"), then checked with
``integrity.verify`` — exactly what `svidok verify` runs (with 10,000 more entries and an
incremental seal in between). Target: verify < 60 s, seal < 10 s.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from svidok.app import Svidok
from svidok.config import Settings
from svidok.domain.ledger import GENESIS_HASH, content_hash, entry_hash
from svidok.evidence.ledger_check import ROW_FIELDS
from svidok.services import integrity, ledger_sealing

N = int(os.environ.get("SVIDOK_BENCH_ENTRIES", "1000000"))


def append_entries(db: Path, n: int) -> None:
    con = sqlite3.connect(db)
    last = con.execute("SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1").fetchone()
    seq0, prev = last if last else (0, GENESIS_HASH)
    batch = []
    sql = f"INSERT INTO ledger_entries ({', '.join(ROW_FIELDS)}) VALUES ({', '.join('?' * 9)})"
    for seq in range(seq0 + 1, seq0 + n + 1):
        f = {"seq": seq, "at": f"2026-01-01T10:00:{seq % 60:02d}.{seq % 1000000:06d}+00:00",
             "actor": f"user{seq % 50}", "action": "protected.read", "entity": "person",
             "record_id": str(seq % 5000), "content_hash": content_hash({"fields": ["address"], "purpose": str(seq)}),
             "prev_hash": prev}
        prev = f["entry_hash"] = entry_hash(f)
        batch.append(tuple(f[k] for k in ROW_FIELDS))
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch.clear()
    con.executemany(sql, batch)
    con.commit()
    con.close()


def main() -> None:
    work = Path("bench/out")
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as d:
        settings = Settings(data_dir=Path(d), field_key=base64.b64encode(os.urandom(32)).decode())
        app = Svidok(settings)
        app.init()
        t = time.perf_counter()
        append_entries(Path(d) / "svidok.db", N)
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        head = ledger_sealing.seal(app)
        seal_s = time.perf_counter() - t
        append_entries(Path(d) / "svidok.db", 10_000)
        t = time.perf_counter()
        ledger_sealing.seal(app)
        reseal_s = time.perf_counter() - t
        t = time.perf_counter()
        report = integrity.verify(app)
        verify_s = time.perf_counter() - t
        app.close()
    assert report.ok, report.problems[:5]
    print(f"load average now {os.getloadavg()[0]:.1f} (shared machine: figures scale with it)")
    print(f"cpu_count={os.cpu_count()} ledger entries={report.counts['ledger_entries']:,} (appended {N:,} in {build_s:.1f} s)")
    print(f"seal (service: read entry hashes via SQLAlchemy, Merkle root, sign, store head): {seal_s:.2f} s (target < 10 s)")
    print(f"seal again after 10,000 more entries (incremental, from the cached right edge): {reseal_s:.2f} s")
    print(f"svidok verify (service: chain, tree heads, records, custody, files): {verify_s:.2f} s (target < 60 s)")
    print(f"tree head: size {head['tree_size']:,}, root {head['root_hash']}")


if __name__ == "__main__":
    main()
