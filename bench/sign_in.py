"""Sign-in time through the real app: Argon2 verify, backoff checks, session creation (figures printed).

    uv run python bench/sign_in.py --data-dir /tmp/svidok-bench-sign-in --count 60
    uv run python bench/sign_in.py --data-dir /tmp/x --database-url postgresql://postgres@127.0.0.1:5432/svidok_bench_sign_in

Starts `uvicorn` (one worker, like `svidok serve`) on a free port, then signs in `--count`
times through the form, each with a fresh client (GET /login for the CSRF token, untimed;
POST /login timed until the 303 arrives). Prints median / p95 / max of the POST, the
server's CPU time per sign-in, and Argon2's verify alone in this process for comparison.
Target: < 300 ms. The machine is shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import httpx
from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, serve, summary_ms

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict
from svidok.services import accounts

USER, PASSWORD = "bench-sign-in", "bench sign-in password"



def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url")
    ap.add_argument("--count", type=int, default=60, help="sign-ins to time (bounded: each costs an Argon2 hash)")
    args = ap.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    app.init()
    try:
        accounts.create_user(app, SYSTEM, USER, PASSWORD, "investigator")
    except Conflict:
        pass
    app.close()
    server, base = serve(args.data_dir, args.database_url)
    try:
        times: list[float] = []
        cpu_before = _cpu_seconds(server.pid)
        form_cpu = 0.0
        for _ in range(args.count + 3):
            with httpx.Client(base_url=base, timeout=60) as c:
                before_form = _cpu_seconds(server.pid)
                token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
                form_cpu += _cpu_seconds(server.pid) - before_form
                t = time.perf_counter()
                r = c.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
                times.append(time.perf_counter() - t)
                if r.status_code != 303:
                    raise SystemExit(f"sign-in failed: HTTP {r.status_code}")
        cpu = _cpu_seconds(server.pid) - cpu_before - form_cpu
        hasher = PasswordHasher()
        stored = hasher.hash(PASSWORD)
        verify = []
        for _ in range(20):
            t = time.perf_counter()
            hasher.verify(stored, PASSWORD)
            verify.append(time.perf_counter() - t)
        engine = "PostgreSQL" if args.database_url else "SQLite"
        print(f"machine: {machine()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {engine}")
        print(f"POST /login (Argon2 verify + backoff + session), first 3 dropped: {summary_ms(times[3:])}")
        print(f"server CPU per sign-in: {1000 * cpu / len(times):.1f} ms")
        print(f"Argon2 verify alone (argon2-cffi defaults, this process): {summary_ms(verify)}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
