"""Exchange packages at scale: export N synthetic incidents with their victims, import them elsewhere.

    uv run python bench/share_exchange.py --size 100000
    uv run python bench/share_exchange.py --size 100000 --database-url postgresql://postgres@127.0.0.1:5432/share_a \\
        --database-url-b postgresql://postgres@127.0.0.1:5432/share_b

Installation A is loaded with the demo generator through the bulk path (as bench/core_load.py
does); every synthetic source is marked as consenting to sharing and the rule's ceiling is
strictly confidential, so every incident travels. Prints wall and CPU time of: the export,
the import into an empty installation B, a second export of the unchanged data, and its
import (which must change nothing), with the package size and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, peak_rss_mib
from sqlalchemy import func, select, update

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.services import bulk, demo_data, share_export, share_import, sharing
from svidok.storage.models import Incident, Source, Victim


def timed(label: str, fn):
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"{label:38s} {wall:7.1f} s wall  [CPU {cpu:6.1f} s]  load {os.getloadavg()[0]:.1f}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/svidok-share-bench"))
    ap.add_argument("--database-url")
    ap.add_argument("--database-url-b")
    ap.add_argument("--keep-a", action="store_true",
                    help="reuse A as an earlier run loaded it (B must be empty: a new database, its folder removed)")
    args = ap.parse_args()
    if not args.keep_a:
        shutil.rmtree(args.dir, ignore_errors=True)
    shutil.rmtree(args.dir / "b", ignore_errors=True)
    a = Svidok(Settings(data_dir=args.dir / "a"), database_url=args.database_url)
    b = Svidok(Settings(data_dir=args.dir / "b"), database_url=args.database_url_b)
    a.init()
    b.init()
    if not args.keep_a:
        with a.db.session() as s:
            gen = demo_data.generator_for(a, s, 2022)
            run_id = bulk.start_run(s, f"share-bench:{time.time()}", SYSTEM, "0" * 64, {}).id
        timed(f"load A ({args.size:,} incidents)", lambda: bulk.load(a, SYSTEM, run_id, gen.batches(args.size, 10_000)))
        with a.db.session() as s:
            s.execute(update(Source).values(consent_share_prosecutors=True))
    ka = sharing.create_keys(a, SYSTEM, "Org A")  # (made once: on a kept A, its keys on record)
    kb = sharing.create_keys(b, SYSTEM, "Org B")
    partner = f"orgb{int(time.time())}"  # a new partner each run: nothing sent to it yet
    sharing.add_partner(a, SYSTEM, partner, "Org B", kb["encryption_key"], kb["signing_key"])
    sharing.add_partner(b, SYSTEM, "orga", "Org A", ka["encryption_key"], ka["signing_key"])
    sharing.set_rule(a, SYSTEM, partner, ceiling="strictly_confidential")

    def export(path: Path):
        with open(path, "wb") as out:
            return share_export.export(a, SYSTEM, partner, out)

    first = timed("export (package 1)", lambda: export(args.dir / "1.pkg"))
    print(f"  package: {first['bytes'] / 2**20:,.1f} MiB; {first['counts']}")
    got = timed("import into empty B", lambda: share_import.run(b, SYSTEM, args.dir / "1.pkg"))
    print(f"  {got['counts']}")
    with b.db.session() as s:
        n_inc = s.scalar(select(func.count()).select_from(Incident).where(Incident.import_source == "share:orga"))
        n_vic = s.scalar(select(func.count()).select_from(Victim))
    print(f"  B holds {n_inc:,} incidents, {n_vic:,} victim rows")
    timed("export again, unchanged (package 2)", lambda: export(args.dir / "2.pkg"))
    got = timed("import of the unchanged package", lambda: share_import.run(b, SYSTEM, args.dir / "2.pkg"))
    changed = sum(c["new"] + c["changed"] + c["withdrawn"] + c["conflict"] for c in got["counts"].values())
    print(f"  records changed by the unchanged package: {changed}; {got['counts']['incident']}")
    print(f"machine: {machine()}; engine A {a.db.dialect}, B {b.db.dialect}; peak memory {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
