"""50 users editing the same incidents at once through the web forms: is any save lost?

    uv run python bench/concurrent_edits.py --database-url postgresql://postgres@127.0.0.1:5432/svidok_edits
    uv run python bench/concurrent_edits.py --web-workers 2 --seconds 120   # two web processes, 2 minutes

Creates that database afresh (PostgreSQL), 50 investigator accounts and a few incidents,
serves the app with ``svidok serve --workers N`` (``--web-workers`` uvicorn processes behind
one address), and lets every user loop "open the edit form, change the
title, save" concurrently, ``--rounds`` times or for ``--seconds``. A save is either accepted (303) or refused with the conflict
message (409); afterwards every accepted save must be a version in the incident's history
and the version counter must equal 1 + accepted saves (no lost update). Prints the counts,
the save latency and the check.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, pct

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.schemas.records import IncidentIn
from svidok.services import accounts, incidents
from svidok.storage.db import normalise_url

PASSWORD = "bench-edit-password"


def _fresh_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = create_engine(normalise_url(base + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/svidok_edits")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--incidents", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=10, help="saves each user attempts")
    ap.add_argument("--seconds", type=float, default=0, help="instead of --rounds: keep saving this long")
    ap.add_argument("--web-workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-edits"))
    args = ap.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("this benchmark is about PostgreSQL: pass --database-url postgresql://…")
    _fresh_database(args.database_url)
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    app.init()
    for i in range(args.users):
        accounts.create_user(app, SYSTEM, f"editor{i:02d}", PASSWORD, "investigator")
    ids = [incidents.create(app, SYSTEM, IncidentIn(title=f"Synthetic incident {k}", date_start="2022-03-05",
                                                     acts=[{"violation_type": "killing_of_civilians",
                                                            "victims": [{"harm": "killed", "count": 2}]}]))["id"]
           for k in range(args.incidents)]
    port = _free_port()
    env = {**os.environ, "SVIDOK_DATA_DIR": str(args.data_dir), "SVIDOK_DATABASE_URL": args.database_url}
    # what an operator runs: `svidok serve --workers N` (uvicorn worker processes behind one address)
    server = subprocess.Popen([sys.executable, "-m", "svidok", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", str(args.web_workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    lock = threading.Lock()
    accepted: list[tuple[int, str]] = []
    refused, errors, latencies, all_requests, pids = [], [], [], [], set()
    try:
        ready_by = time.monotonic() + 600  # `svidok serve` imports and checks the database, then starts N workers
        while True:
            try:
                httpx.get(base + "/login", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > ready_by or server.poll() is not None:
                    raise RuntimeError("svidok serve did not answer") from None
                time.sleep(0.5)
        time.sleep(5 * args.web_workers)  # the other workers finish starting
        clients = []
        for i in range(args.users):
            c = httpx.Client(base_url=base, timeout=120)
            token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
            r = c.post("/login", data={"username": f"editor{i:02d}", "password": PASSWORD, "csrf_token": token})
            assert r.status_code == 303, r.text
            clients.append(c)
        start = threading.Barrier(args.users)

        def user(i: int) -> None:
            c = clients[i]
            start.wait()
            until = time.perf_counter() + args.seconds
            k = -1
            while (k := k + 1) < args.rounds or (args.seconds and time.perf_counter() < until):
                if args.seconds and time.perf_counter() >= until:
                    break
                inc = ids[(i + k) % len(ids)]
                t = time.perf_counter()
                got = c.get(f"/incidents/{inc}/edit")
                with lock:
                    all_requests.append(time.perf_counter() - t)
                    if got.status_code >= 500:
                        errors.append((got.status_code, got.text[:200]))
                if k % 5 == 0:  # which process answered: /healthz names its pid
                    h = c.get("/healthz")
                    with lock:
                        if h.status_code == 200:
                            pids.add(h.json()["pid"])
                        else:
                            errors.append((h.status_code, h.text[:200]))
                form = got.text
                fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
                fields.update(re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected',
                                         form, re.S))
                title = f"edited by editor{i:02d} in round {k}"
                fields["title"] = title
                t = time.perf_counter()
                r = c.post(f"/incidents/{inc}/edit", data=fields)
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    all_requests.append(dt)
                    if r.status_code == 303:
                        accepted.append((inc, title))
                    elif r.status_code == 409 and "Someone else saved this incident" in r.text:
                        refused.append((inc, title))
                    else:
                        errors.append((r.status_code, r.text[:200]))

        t0 = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        try:
            server.wait(120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    lost = []
    for inc in ids:
        versions = incidents.history_of(app, SYSTEM, inc)
        titles_in_history = {v["changes"].get("title", {}).get("after") for v in versions}
        mine = [t for i, t in accepted if i == inc]
        lost += [t for t in mine if t not in titles_in_history]
        final = incidents.get(app, SYSTEM, inc)
        if final["version"] != 1 + len(mine) or len(versions) != 1 + len(mine):
            lost.append(f"incident {inc}: version {final['version']}, {len(versions)} versions, {len(mine)} accepted saves")
    ms = [x * 1000 for x in latencies]
    print(f"machine: {machine()}; PostgreSQL; {args.users} concurrent users, {args.incidents} incidents, "
          f"{f'for {args.seconds:.0f} s' if args.seconds else f'{args.rounds:d} saves each'} ({wall:.1f} s); "
          f"{args.web_workers} web worker process(es) (answered from {len(pids)} pids); load average "
          f"{open('/proc/loadavg').read().split()[:3]}")
    print(f"saves accepted: {len(accepted)}; refused as conflicts (clear message, nothing saved): {len(refused)}; "
          f"other answers: {len(errors)}")
    print(f"save latency: p50 {pct(ms, 50):.0f} ms, p95 {pct(ms, 95):.0f} ms")
    every = [x * 1000 for x in all_requests]
    print(f"every request (form + save): {len(every)}, p50 {pct(every, 50):.0f} ms, p95 {pct(every, 95):.0f} ms; "
          f"server errors (5xx): {sum(1 for e in errors if e[0] >= 500)}")
    print(f"lost updates: {len(lost)}" + (f" — {lost[:5]}" if lost else " (every accepted save is a version in the history)"))
    if errors:
        print("unexpected answers:", errors[:3])
    app.close()


if __name__ == "__main__":
    main()
