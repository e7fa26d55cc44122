"""Filtered, paginated incident listing through the HTTP API (a real uvicorn server).

    uv run python bench/api_listing.py --data-dir /tmp/svidok-1m
    uv run python bench/api_listing.py --database-url postgresql://postgres@127.0.0.1:5432/svidok_bench
    uv run python bench/api_listing.py --database-url … --rare --requests 10

Fill the database first with bench/core_load.py. Half the requests of a shape ask for the
first page, half follow the cursors (pages 2, 3, … 31). Prints median and 95th percentile
latency per query shape and over all requests, the load average before and after, and the
CPU time per request of the server process plus, on PostgreSQL, of its database backends
(wall-clock figures on a shared machine grow with its load; CPU time much less).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, summary_ms

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.services import accounts

QUERIES = {
    "no filter": {},
    "month 2022-03": {"date_from": "2022-03", "date_to": "2022-03"},
    "oblast (Kharkiv, with descendants)": {"place": "UA63000000000041885"},
    "violation type": {"violation_type": "enforced_disappearance"},
    "victim characteristic child": {"characteristic": "child"},
    "provision RS 8(2)(b)(i)": {"provision": "rs_8_2_b_i"},
    "year 2023 + oblast Donetsk + killed": {"date_from": "2023", "date_to": "2023", "place": "UA14000000000091971", "harm": "killed"},
    "verified + prisoners of war": {"verification_status": "verified", "victim_status": "prisoner_of_war"},
    "full text 'Kharkiv'": {"q": "Kharkiv"},
}
#: --rare: victim filter combinations that match few incidents or none (in the synthetic data
#: prisoners of war are ill-treated, never killed; none is a child; nobody is Indigenous) and
#: one that is rare only among victims of a common status (civilian journalists).
RARE = {
    "prisoners of war + killed (none)": {"victim_status": "prisoner_of_war", "harm": "killed"},
    "verified + prisoners of war + killed (none)": {"verification_status": "verified", "victim_status": "prisoner_of_war",
                                                    "harm": "killed"},
    "prisoners of war + sexually abused (none)": {"victim_status": "prisoner_of_war", "harm": "sexually_abused"},
    "year 2024 + verified + sexually abused": {"date_from": "2024", "date_to": "2024", "verification_status": "verified",
                                               "harm": "sexually_abused"},
    "prisoners of war + child (none)": {"victim_status": "prisoner_of_war", "characteristic": "child"},
    "civilians + indigenous (none)": {"victim_status": "civilian", "characteristic": "indigenous"},
    "civilians + journalist": {"victim_status": "civilian", "characteristic": "journalist"},
}


APP_NAME = "svidok-bench-api"


def cpu_by_pid(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes that is still running (Linux /proc)."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings by the processes alive at the second: a process that
    ended in between is left out (not subtracted); one that began in between counts whole. Parallel
    workers that began and ended in between are not seen."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def server_pids(app: Svidok, server_pid: int) -> set[int]:
    """The server process and, on PostgreSQL, the backends of its connections."""
    if app.db.dialect != "postgresql":
        return {server_pid}
    with app.db.engine.connect() as c:
        rows = c.exec_driver_sql("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)).all()
    return {server_pid, *(r[0] for r in rows)}


def settle(app: Svidok, server_pid: int, limit: float = 180.0) -> float:
    """Wait until the server and its backends are idle (below 5 % of a core for two seconds in a
    row): a server on a big database reads the statistics columns in the background at start-up,
    which would otherwise be measured with the first shapes. Returns the seconds waited."""
    t0 = time.perf_counter()
    quiet = 0
    before = cpu_by_pid(server_pids(app, server_pid))
    while quiet < 2 and time.perf_counter() - t0 < limit:
        time.sleep(1.0)
        after = cpu_by_pid(server_pids(app, server_pid) | set(before))
        quiet = quiet + 1 if cpu_used(before, after) < 0.05 else 0
        before = after
    return time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-bench"))
    ap.add_argument("--database-url")
    ap.add_argument("--requests", type=int, default=60, help="per query shape (half first pages, half pages 2, 3, 4, … in turn)")
    ap.add_argument("--rare", action="store_true", help="measure the rare victim filter combinations instead")
    args = ap.parse_args()
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    name = f"bench{int(time.time())}"
    accounts.create_user(app, SYSTEM, name, "benchmark-password", "investigator")
    token = accounts.create_token(app, SYSTEM, name)
    port = free_port()
    env = {**os.environ, "SVIDOK_DATA_DIR": str(args.data_dir)}
    if args.database_url:
        sep = "&" if "?" in args.database_url else "?"
        env["SVIDOK_DATABASE_URL"] = f"{args.database_url}{sep}application_name={APP_NAME}"
    server = subprocess.Popen([sys.executable, "-m", "svidok", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for _ in range(1200):
            try:
                if client.get("/api/v1/openapi.json").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        waited = settle(app, server.pid)
        all_times: list[float] = []
        all_cpu = 0.0
        print(f"machine: {machine()}; engine: {app.db.dialect}; server idle {waited:.0f} s after start-up; "
              f"load average {os.getloadavg()[0]:.1f}")
        for label, params in (RARE if args.rare else QUERIES).items():
            times: list[float] = []
            cpu0 = cpu_by_pid(server_pids(app, server.pid))
            first_next = deep = None
            for i in range(args.requests):
                p = dict(params, limit=50)
                if deep and i % 2:
                    p["cursor"] = deep
                t = time.perf_counter()
                r = client.get("/api/v1/incidents", params=p)
                times.append(time.perf_counter() - t)
                r.raise_for_status()
                nxt = r.json()["next_cursor"]
                if i % 2 == 0:
                    first_next = nxt
                    deep = deep or nxt
                else:  # odd requests follow the cursors: pages 2, 3, … (back to 2 after the last)
                    deep = nxt or first_next
            all_times += times
            cpu = cpu_used(cpu0, cpu_by_pid(server_pids(app, server.pid) | set(cpu0)))
            all_cpu += cpu
            print(f"{label:44s} {summary_ms(times)}; CPU {cpu / len(times) * 1000:.1f} ms/request")
        print(f"{'ALL':44s} {summary_ms(all_times)}; CPU {all_cpu / len(all_times) * 1000:.1f} ms/request")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
