"""Where a batch capture's time goes, per page: Chromium (a child process) and each Python phase.

    uv run python bench/capture_phases.py            # 12 short pages, one at a time
    SVIDOK_BENCH_PAGES=30 SVIDOK_CAPTURE_CONCURRENCY=4 uv run python bench/capture_phases.py

Same pages as ``capture_batch.py`` (served on 127.0.0.1). Python CPU is the process's own
(all threads); "children" is Chromium and Playwright's driver. Phases: ``capture`` (page
load, screenshot, archive written; wall includes Chromium's work), ``inspect_file`` (metadata
and perceptual hashes of every artefact), ``_finish`` (vault + evidence items + ledger, which
includes ``inspect_file``). With concurrency above 1 the phases overlap, so only the totals add up.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import os
import resource
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import capture_batch as cb
from _common import machine

PAGES = int(os.environ.get("SVIDOK_BENCH_PAGES", "12"))
spent: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])


def timed(name: str, f):
    if asyncio.iscoroutinefunction(f):
        @functools.wraps(f)
        async def run_async(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return await f(*a, **k)
            finally:
                spent[name][0] += time.perf_counter() - t
                spent[name][1] += time.process_time() - c
        return run_async

    @functools.wraps(f)
    def run(*a, **k):
        t, c = time.perf_counter(), time.process_time()
        try:
            return f(*a, **k)
        finally:
            spent[name][0] += time.perf_counter() - t
            spent[name][1] += time.process_time() - c
    return run


def children() -> float:
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return c.ru_utime + c.ru_stime


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), cb.Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ.setdefault("SVIDOK_CAPTURE_CONCURRENCY", "1")
    os.environ.update(SVIDOK_DATA_DIR=tempfile.mkdtemp(prefix="svidok-bench-phases-"),
                      SVIDOK_CAPTURE_ALLOW_PRIVATE="1", SVIDOK_FIELD_KEY="a" * 43 + "=")
    from svidok.app import Svidok
    from svidok.core.actors import Actor
    from svidok.evidence.capture import browser
    from svidok.services import captures, evidence

    captures._finish = timed("_finish", captures._finish)
    evidence.inspect_file = timed("inspect_file", evidence.inspect_file)
    browser.Capturer.capture = timed("capture", browser.Capturer.capture)
    app = Svidok()
    app.init()
    actor = Actor("bench", "administrator")
    print(f"{machine()}, load average {open('/proc/loadavg').read().split()[:3]}, "
          f"concurrency {app.settings.capture_concurrency}")
    b = captures.create_batch(app, actor, [f"{base}/page/{i}" for i in range(PAGES)])
    t, c, k = time.perf_counter(), time.process_time(), children()
    out = captures.run_batch(app, actor, b["id"])
    wall = time.perf_counter() - t
    print(f"{PAGES} pages ({out['done']} done): {wall:.1f} s wall, {PAGES / wall:.2f} pages/s; per page: "
          f"{(time.process_time() - c) / PAGES:.3f} s Python CPU, {(children() - k) / PAGES:.3f} s Chromium CPU "
          "(its start included)")
    for name, (w, cpu) in spent.items():
        print(f"  {name:13} {w / PAGES:.3f} s wall, {cpu / PAGES:.3f} s Python CPU a page")
    print(f"load average after {open('/proc/loadavg').read().split()[:3]}")
    app.close()
    server.shutdown()


if __name__ == "__main__":
    main()
