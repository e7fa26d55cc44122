"""Filtered, paginated incident listing through the HTTP API (a real uvicorn server).

    uv run python bench/api_listing.py --data-dir /tmp/svidok-1m
    uv run python bench/api_listing.py --database-url postgresql://postgres@127.0.0.1:5432/svidok_bench

Fill the database first with bench/core_load.py. Prints median and 95th percentile
latency per query shape and over all requests.
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
from _common import machine, summary_ms  # noqa: E402

from svidok.app import Svidok  # noqa: E402
from svidok.config import Settings  # noqa: E402
from svidok.services import accounts  # noqa: E402
from svidok.services.actors import SYSTEM  # noqa: E402

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-bench"))
    ap.add_argument("--database-url")
    ap.add_argument("--requests", type=int, default=60, help="per query shape (half first pages, half next pages)")
    args = ap.parse_args()
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    name = f"bench{int(time.time())}"
    accounts.create_user(app, SYSTEM, name, "benchmark-password", "investigator")
    token = accounts.create_token(app, SYSTEM, name)
    port = free_port()
    env = {**os.environ, "SVIDOK_DATA_DIR": str(args.data_dir)}
    if args.database_url:
        env["SVIDOK_DATABASE_URL"] = args.database_url
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
        all_times: list[float] = []
        print(f"machine: {machine()}; engine: {app.db.dialect}")
        for label, params in QUERIES.items():
            times: list[float] = []
            cursor = None
            for i in range(args.requests):
                p = dict(params, limit=50)
                if cursor and i % 2:
                    p["cursor"] = cursor
                t = time.perf_counter()
                r = client.get("/api/v1/incidents", params=p)
                times.append(time.perf_counter() - t)
                r.raise_for_status()
                cursor = r.json()["next_cursor"] or cursor
            all_times += times
            print(f"{label:40s} {summary_ms(times)}")
        print(f"{'ALL':40s} {summary_ms(all_times)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
