"""Response times of the web pages against a large database (figures printed, not asserted).

    uv run python bench/core_load.py --size 1000000 --data-dir /tmp/svidok-1m   # the lead's loader
    uv run python bench/web_pages.py --data-dir /tmp/svidok-1m

Starts `uvicorn` (one worker, like `svidok serve`) in a subprocess on that data dir, signs in
through the login form as an administrator and an analyst (created if missing), and requests
each page sequentially. Prints, per role, how long the dashboard's figures take to count in the background
(svidok.figures.dashboard: pages never wait for it; figures are recounted every 60 s),
then p50/p95 per page and the first request of each page separately (and, for a page whose
figures are counted in the background, such as /claims, /statistics's list sizes or the count on
/custody/monitor, how long until they are shown). The incident list is in date order, latest first:
besides its first page it is measured on the next page and on a page from the middle of the
war (the cursor "before 30 June 2023").
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import date
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, pct, serve

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict
from svidok.schemas.filters import IncidentFilter
from svidok.services import accounts, incident_queries

PASSWORD = "bench-web-password"
PAGES = ["/", "/incidents",
         # The list is in date order (latest first): its next page, and one from the middle of the war.
         "/incidents?cursor={next_page}", "/incidents?cursor={mid_page}",
         "/incidents?family=detention", "/incidents?date_from=2022-03&date_to=2022-04",
         "/incidents?characteristic=older_person", "/incidents?q=Kharkiv", "/search?q=Kharkiv",
         "/briefs", "/briefs/monthly_update", "/interventions",
         "/search?q=Kovalenko",  # a common family name: victims lead to their incidents
         "/incidents/{incident}", "/persons", "/persons/{person}", "/evidence", "/map", "/map/incidents.geojson", "/review",
         "/review/incidents", "/statistics", "/claims", "/account", "/custody/monitor"]
#: Pages only an administrator (or a writer) opens.
ADMIN_PAGES = ["/imports", "/admin/keys", "/admin/users"]


def _users(app: Svidok) -> None:
    for name, role in (("bench-admin", "administrator"), ("bench-analyst", "analyst")):
        try:
            accounts.create_user(app, SYSTEM, name, PASSWORD, role)
        except Conflict:
            pass


def _sign_in(base: str, user: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=120)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
    if r.status_code != 303:
        raise SystemExit(f"sign-in as {user} failed: {r.status_code}")
    return c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url")
    ap.add_argument("--requests", type=int, default=100, help="requests per page and role")
    ap.add_argument("--settle", type=float, default=0.0,
                    help="seconds to wait after start-up (the statistics cache loads in the background on big databases)")
    ap.add_argument("--only", nargs="*", default=None, metavar="PAGE",
                    help="measure only these pages (as listed above, e.g. /admin/keys '/incidents?cursor={mid_page}')")
    ap.add_argument("--roles", nargs="*", default=["bench-admin", "bench-analyst"], choices=["bench-admin", "bench-analyst"])
    args = ap.parse_args()
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    _users(app)
    total = incident_queries.count(app, SYSTEM, IncidentFilter())
    app.close()
    server, base = serve(args.data_dir, args.database_url)
    try:
        time.sleep(args.settle)
        print(f"machine: {machine()}; incidents in the database: {total:,}; {args.requests} requests per page and role;"
              f" measured {args.settle:.0f} s after start-up; load average {os.getloadavg()[0]:.1f}")
        for user in args.roles:
            c = _sign_in(base, user)
            # The dashboard's figures are counted in the background; time that, then measure
            # the pages as users see them once the figures exist.
            t = time.perf_counter()
            while "being computed" in c.get("/").text:
                time.sleep(0.5)
            print(f"{user:14} dashboard figures computed in the background in {time.perf_counter() - t:.1f} s", flush=True)
            # Detail pages: the newest incident and person this user may see (ids differ by clearance).
            incident = re.search(r'href="/incidents/(\d+)"', c.get("/incidents").text).group(1)
            person = re.search(r'href="/persons/(\d+)"', c.get("/persons").text).group(1)
            next_page = re.search(r'cursor=([\w-]+)" rel="next"', c.get("/incidents").text).group(1)
            mid_page = incident_queries.encode_date_cursor(date(2023, 6, 30), 2**62)  # before 30 June 2023
            for page in PAGES + (ADMIN_PAGES if user == "bench-admin" else []):
                if args.only is not None and page not in args.only:
                    continue
                page = page.format(incident=incident, person=person, next_page=next_page, mid_page=mid_page)
                t = time.perf_counter()
                r = c.get(page)
                cold = time.perf_counter() - t
                if r.status_code != 200:
                    raise SystemExit(f"{page}: HTTP {r.status_code}")
                if "being computed" in r.text:  # figures counted in the background (e.g. /claims): time that
                    while "being computed" in r.text:
                        time.sleep(0.5)
                        r = c.get(page)
                    print(f"{user:14} {page:48} figures computed in the background in "
                          f"{time.perf_counter() - t:.1f} s", flush=True)
                times = []
                for _ in range(args.requests):
                    t = time.perf_counter()
                    r = c.get(page)
                    times.append(time.perf_counter() - t)
                ms = [x * 1000 for x in times]
                print(f"{user:14} {page:48} first {cold * 1000:8.1f} ms   p50 {pct(ms, 50):7.1f} ms   "
                      f"p95 {pct(ms, 95):7.1f} ms   ({len(r.content) // 1024} KiB)", flush=True)
            c.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
