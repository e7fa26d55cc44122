"""Custody status views over many custody episodes (target: < 200 ms with 500,000).

Builds synthetic detainees with the demo generator through the bulk path (one
transaction per batch), then times the views a monitor uses every day — who is held
(first page and total, and the next page), then every filter of the monitoring view
alone (no proof of life for more than N days, incommunicado, no monitor access, held in
Russia, held in occupied territory, possible enforced disappearance, children, older
people) and in the combinations monitors ask for — the dashboard counts, and one
person's derived status, as an administrator, an investigator and an analyst
(need-to-know clause).

    uv run python bench/custody_views.py                  # 500,000 episodes, SQLite
    uv run python bench/custody_views.py --episodes 50000
    uv run python bench/custody_views.py --database-url postgresql://postgres@127.0.0.1:5432/bench
    PGOPTIONS="-c max_parallel_workers_per_gather=0" uv run python bench/custody_views.py --database-url …

On PostgreSQL the "srv cpu" column is the CPU of the server's backends (read from /proc:
the server must run on this machine); parallel workers are not counted, hence the
second form, which keeps the whole cost in the backend.

The database is kept in --data-dir (default /tmp/svidok-bench-custody) and reused.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM, Actor
from svidok.services import bulk, custody, demo_data
from svidok.services.demo_scenarios import SCENARIOS
from svidok.storage.models import CustodyEpisode

TODAY = date(2026, 11, 1)


def build(app: Svidok, episodes: int, batch: int = 20_000) -> float:
    """Add detainees until the database holds ``episodes`` custody episodes; returns seconds."""
    with app.db.session() as s:
        have = s.scalar(select(func.count()).select_from(CustodyEpisode)) or 0
        gen = demo_data.generator_for(app, s, seed=have + 1)
    todo = episodes - have
    if todo <= 0:
        return 0.0
    kinds = [sc for sc in SCENARIOS if sc.custody]
    rnd = random.Random(7)
    start = time.perf_counter()
    done = 0
    while done < todo:
        b = demo_data.Batch()
        n = min(batch, todo - done)
        for _ in range(n):
            sc = rnd.choice(kinds)
            day = date(2022, 2, 24) + timedelta(days=rnd.randrange((TODAY - date(2022, 2, 24)).days))
            pid, _ = gen._person(b, day, rnd.random() < 0.03, sc.victim_status)
            gen._custody(b, pid, day, sc)
        with app.db.session() as s:
            bulk.insert_batch(s, b)
        done += n
        print(f"  built {have + done:,} episodes", flush=True)
    # Fresh statistics; on PostgreSQL also the visibility map, so that counts read the
    # index alone (autovacuum does the same on a running server, later).
    with app.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE" if app.db.dialect == "postgresql" else "ANALYZE")
    return time.perf_counter() - start


class ServerCpu:
    """CPU seconds spent by the PostgreSQL backends serving this database, read from /proc
    (the server runs on this machine). Parallel workers exit before they can be read: run
    with PGOPTIONS="-c max_parallel_workers_per_gather=0" to count the whole cost."""

    def __init__(self, app: Svidok) -> None:
        self.conn = app.db.engine.raw_connection() if app.db.dialect == "postgresql" else None
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float | None:
        if self.conn is None:
            return None
        cur = self.conn.cursor()
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        total = 0
        for (pid,) in cur.fetchall():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # not on this machine, or gone
            total += int(fields[11]) + int(fields[12])  # utime + stime
        cur.close()
        return total / self.tick


def timed(fn, repeat: int, server: ServerCpu) -> tuple[float, float, float, float | None]:
    """Median and worst wall-clock ms, median CPU ms of this process (SQLite runs
    in-process, so CPU time is the query's cost even when other jobs share the cores) and,
    on PostgreSQL, median CPU ms of its backends."""
    fn()  # warm the caches once, as a running server would have
    runs, cpu, srv = [], [], []
    for _ in range(repeat):
        s0 = server()
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        if s0 is not None:
            srv.append((server() - s0) * 1000)
    return statistics.median(runs), max(runs), statistics.median(cpu), statistics.median(srv) if srv else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--episodes", type=int, default=500_000)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-bench-custody"))
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--days", type=int, default=180)
    args = ap.parse_args()
    settings = Settings(data_dir=args.data_dir, field_key=base64.b64encode(b"b" * 32).decode())
    app = Svidok(settings, database_url=args.database_url)
    app.init()
    built = build(app, args.episodes)
    with app.db.session() as s:
        n = s.scalar(select(func.count()).select_from(CustodyEpisode))
        some_person = s.scalar(select(CustodyEpisode.person_id).where(CustodyEpisode.id == n // 2))
    print(f"engine={app.db.dialect} episodes={n:,} cpu_count={os.cpu_count()} "
          f"build_seconds={built:.1f} (0 = reused)")
    analyst = Actor("bench-analyst", "analyst")
    investigator = Actor("bench-investigator", "investigator")

    def monitor(**kw):
        return lambda a: custody.monitor(app, a, today=TODAY, **kw)

    cursors: dict[str, str | None] = {}

    def second_page(a):
        """The next page as a user asks for it: the cursor of page 1 (read once), page 2 with the total."""
        if a.username not in cursors:
            cursors[a.username] = custody.monitor(app, a, today=TODAY, with_total=False)["next_cursor"]
        return custody.monitor(app, a, today=TODAY, after=cursors[a.username])

    # Every filter of the monitoring view alone, then the combinations a monitor asks for.
    views = {
        "who is held: page 1 + total": monitor(),
        "who is held: page 2 (cursor) + total": second_page,
        f"no proof of life > {args.days} days: page 1 + total": monitor(days=args.days),
        "held incommunicado: page 1 + total": monitor(incommunicado=True),
        "no monitor access: page 1 + total": monitor(no_monitor_access=True),
        "held in Russia (transferred out): page 1 + total": monitor(in_russia=True),
        "held in occupied territory: page 1 + total": monitor(in_occupied=True),
        "possible enforced disappearances: page 1 + total": monitor(disappeared=True),
        "children held: page 1 + total": monitor(mark="child"),
        "older people held: page 1 + total": monitor(mark="older_person"),
        "no proof of life > 365 days, no monitor access": monitor(days=365, no_monitor_access=True),
        f"children, no proof of life > {args.days} days": monitor(mark="child", days=args.days),
        "older people, incommunicado, no monitor access": monitor(mark="older_person", incommunicado=True,
                                                                  no_monitor_access=True),
        "children held in Russia": monitor(mark="child", in_russia=True),
        "older people, possible enforced disappearance": monitor(mark="older_person", disappeared=True),
        "disappeared, held in occupied territory": monitor(disappeared=True, in_occupied=True),
        f"all filters: > {args.days} days, incommunicado, no access, Russia, disappeared, older":
            monitor(days=args.days, incommunicado=True, no_monitor_access=True, in_russia=True, disappeared=True,
                    mark="older_person"),
        "dashboard counts": lambda a: custody.status_counts(app, a),
        "one person's derived status": lambda a: custody.person_status(app, a, some_person, TODAY),
    }
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    server = ServerCpu(app)
    slow: dict[str, list[str]] = {"wall": [], "CPU": []}
    print(f"{'view':76} {'actor':13} {'median ms':>9} {'max ms':>8} {'cpu ms':>7} {'srv cpu':>7} {'rows':>8}")
    for name, fn in views.items():
        for who, actor in (("administrator", SYSTEM), ("investigator", investigator), ("analyst", analyst)):
            res = fn(actor)
            rows = res.get("total", "") if isinstance(res, dict) else ""
            med, worst, cpu, srv = timed(lambda: fn(actor), args.repeat, server)  # noqa: B023
            # CPU is the cost on a quiet machine; wall is that plus waiting for the cores.
            cost = cpu + (srv or 0)
            flag = "  <-- over 200 ms CPU" if cost >= 200 else "  (over 200 ms wall)" if med >= 200 else ""
            for kind, over in (("wall", med >= 200), ("CPU", cost >= 200)):
                if over:
                    slow[kind].append(f"{name} ({who})")
            srv_text = f"{srv:7.1f}" if srv is not None else f"{'-':>7}"
            print(f"{name:76} {who:13} {med:9.1f} {worst:8.1f} {cpu:7.1f} {srv_text} {rows!s:>8}{flag}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    for kind, views_over in slow.items():
        print(f"over 200 ms {kind}: {', '.join(views_over) or 'none'}")
    app.close()


if __name__ == "__main__":
    main()
