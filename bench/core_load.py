"""Bulk load of synthetic incidents (with acts, victims, persons, sources, custody…).

    uv run python bench/core_load.py --size 1000000 --data-dir /tmp/svidok-1m
    uv run python bench/core_load.py --size 1000000 --database-url postgresql://postgres@127.0.0.1:5432/svidok_bench

On SQLite the batches are made by a forked producer that hands them over as scratch files
(``services.bulk_spill``), as ``svidok demo`` does; ``--single-process`` makes them here.
Prints the generation (producer) rate, the bulk-path insert rate (time inside the loader only),
the end-to-end rate, rows per incident, peak memory and (SQLite) the CPU time per incident
spent on each table and on rebuilding the indexes an initial load sets aside. The resulting database is
what bench/api_listing.py and bench/name_search.py read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, peak_rss_mib

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.services import bulk, bulk_spill, bulk_sqlite, demo_data, row_commitments


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-bench"))
    ap.add_argument("--database-url")
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--single-process", action="store_true",
                    help="generate and insert in this process (SQLite otherwise forks a producer, as `svidok demo` does)")
    args = ap.parse_args()
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    app.init()
    with app.db.session() as s:
        gen = demo_data.generator_for(app, s, args.seed)
        run = bulk.start_run(s, f"bench:{args.size}:{time.time()}", SYSTEM, "0" * 64, {})
        run_id = run.id
    gen_time = gen_cpu = 0.0
    rows = 0
    spilled = bulk_spill.worth_it(app) and not args.single_process
    producer_cpu = 0.0

    def timed_batches():
        nonlocal gen_time, gen_cpu, rows, producer_cpu
        it = gen.batches(args.size, args.batch)
        if spilled:
            it = bulk_spill.spilled_batches(app, it)
        while True:
            t, c = time.perf_counter(), time.process_time()
            try:
                b = next(it)
            except StopIteration:
                return
            gen_time += time.perf_counter() - t
            gen_cpu += time.process_time() - c
            if spilled:
                rows += sum(t.count for t in b.tables)
                producer_cpu = b.producer_cpu
            else:
                rows += sum(len(r) for r in b.rows.values())
            yield b

    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        if done % (args.batch * 10) == 0:
            el = time.perf_counter() - t0
            print(f"  {done:>9,} incidents  {done / el:,.0f}/s end-to-end", flush=True)

    # CPU time per table and for rebuilding the indexes set aside (SQLite), to show where the time goes.
    per_table: dict[str, float] = {}
    if app.db.dialect == "sqlite":
        from svidok.storage import deferred_indexes

        def timed(fn, key=None):
            def wrapper(*a, **k):
                c = time.process_time()
                try:
                    return fn(*a, **k)
                finally:
                    name = key or a[1].table
                    per_table[name] = per_table.get(name, 0.0) + time.process_time() - c
            return wrapper

        bulk_sqlite._execute_sqlite = timed(bulk_sqlite._execute_sqlite)
        bulk_spill.copy_table = timed(bulk_spill.copy_table)
        # Packing rows for their ledger commitment runs in the generator (counted as generation),
        # sealing and storing them in the bulk path: both shown, so their cost is visible.
        row_commitments.pre_seal = timed(row_commitments.pre_seal, "(packing rows, in generation)")
        bulk._seal_prepared = timed(bulk._seal_prepared, "(row commitments)")
        bulk_sqlite.verify_references = timed(bulk_sqlite.verify_references, "(reference check)")
        deferred_indexes.restore = timed(deferred_indexes.restore, "(index rebuild)")

    t0, c0 = time.perf_counter(), time.process_time()
    n = bulk.load(app, SYSTEM, run_id, timed_batches(), 0, progress)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    insert_time, insert_cpu = total - gen_time, total_cpu - gen_cpu
    print(f"machine: {machine()}; engine: {app.db.dialect}; incidents: {n:,}; rows: {rows:,} ({rows / n:.1f} per incident)")
    print(f"load average: {os.getloadavg()[0]:.1f} (figures below are wall time; CPU time of this process in brackets)")
    if spilled:
        print(f"producer (forked child: generation, ledger packing, scratch files): CPU {n / producer_cpu:,.0f} incidents/s "
              f"({producer_cpu:.1f} s); the loader waited {gen_time:.1f} s for it")
    else:
        print(f"generation: {n / gen_time:,.0f} incidents/s ({gen_time:.1f} s) [CPU {n / gen_cpu:,.0f}/s]")
    print(f"bulk path (insert + ledger + progress): {n / insert_time:,.0f} incidents/s, {rows / insert_time:,.0f} rows/s "
          f"({insert_time:.1f} s) [CPU {n / insert_cpu:,.0f}/s]")
    print(f"end to end: {n / total:,.0f} incidents/s ({total:.1f} s)")
    print(f"peak memory: {peak_rss_mib():,.0f} MiB")
    if per_table:
        packing = per_table.pop("(packing rows, in generation)", 0.0)
        print("CPU per incident inside the bulk path:")
        for name, sec in sorted(per_table.items(), key=lambda kv: -kv[1]):
            print(f"  {name:22s} {sec / n * 1e6:6.1f} µs")
        rest = insert_cpu - sum(per_table.values())
        print(f"  {'(commits, ledger, rest)':22s} {rest / n * 1e6:6.1f} µs")
        if not spilled:
            print(f"CPU per incident packing rows for the ledger (inside generation): {packing / n * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
