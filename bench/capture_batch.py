"""Web capture speed: one typical news page, then a batch of 100 local pages.

    uv run python bench/capture_batch.py                 # news page x3, batch of 100
    SVIDOK_BENCH_PAGES=20 uv run python bench/capture_batch.py

Targets (issue 16): a typical news page (archive + screenshot + hashes, stored as evidence)
in < 15 s; 100 local pages in a batch at >= 1 page/s on 2 cores. Pages come from a server
on 127.0.0.1 started here: the "news page" has ~60 KB of HTML, 3 style sheets, 4 scripts
and 24 photos (~30-60 KB each); batch pages are short articles with one photo. Each figure
is the whole use case (``services.captures.run_batch``): Chromium, WACZ, screenshot, text,
media, evidence items, custody and ledger in SQLite. CPU time includes Chromium's.
"""

from __future__ import annotations

import io
import os
import random
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine

PAGES = int(os.environ.get("SVIDOK_BENCH_PAGES", "100"))


def photo(seed: int) -> bytes:
    rnd = random.Random(seed)
    img = Image.effect_noise((480, 320), 40).convert("RGB")
    img.paste((rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)), (20, 20, 200, 200))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


PHOTOS = [photo(i) for i in range(24)]
PARA = "<p>" + "Synthetic reporting on a shelled district, with quotes and figures. " * 12 + "</p>"


def news_page() -> bytes:
    head = "".join(f'<link rel="stylesheet" href="/css/{i}.css">' for i in range(3)) + \
        "".join(f'<script src="/js/{i}.js"></script>' for i in range(4))
    body = "".join(f'<figure><img src="/img/{i}.jpg" width="480" height="320"><figcaption>Photo {i}</figcaption>'
                   f"</figure>{PARA * 3}" for i in range(24))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Typical news page</title>"
            f"<meta name='author' content='Test Reporter'>{head}</head><body><article>{body}</article></body></html>"
            ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a) -> None:
        pass

    def do_GET(self) -> None:
        p = self.path
        if p == "/news":
            body, ctype = news_page(), "text/html; charset=utf-8"
        elif p.startswith("/css/"):
            body, ctype = ("body{font-family:serif} " * 400).encode(), "text/css"
        elif p.startswith("/js/"):
            body, ctype = ("var x = 1;\n" * 2000).encode(), "application/javascript"
        elif p.startswith("/img/"):
            body, ctype = PHOTOS[int(p.split("/")[-1].split(".")[0]) % len(PHOTOS)], "image/jpeg"
        elif p.startswith("/page/"):
            n = int(p.rsplit("/", 1)[1])
            body = (f"<html><head><title>Report {n}</title></head><body><h1>Report {n}</h1>{PARA * 4}"
                    f"<img src='/img/{n % 24}.jpg'></body></html>").encode()
            ctype = "text/html; charset=utf-8"
        else:
            body, ctype = b"no", "text/plain"
            self.send_response(404)
        if p != "/" and not body == b"no":
            self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    folder = Path(tempfile.mkdtemp(prefix="svidok-bench-capture-"))
    os.environ.update(SVIDOK_DATA_DIR=str(folder), SVIDOK_CAPTURE_ALLOW_PRIVATE="1", SVIDOK_FIELD_KEY="a" * 43 + "=")
    from svidok.app import Svidok
    from svidok.core.actors import Actor
    from svidok.services import captures

    app = Svidok()
    app.init()
    actor = Actor("bench", "administrator")
    print(f"{machine()}, load average {open('/proc/loadavg').read().split()[:3]}")
    for run in range(3):
        b = captures.create_batch(app, actor, [f"{base}/news"])
        t, c = time.perf_counter(), cpu()
        out = captures.run_batch(app, actor, b["id"])
        cap = captures.batch(app, actor, b["id"])["captures"][0]
        arts = captures.get(app, actor, cap["id"])["artefacts"]
        print(f"news page (run {run + 1}, browser start included): {time.perf_counter() - t:.2f} s wall, "
              f"{cpu() - c:.2f} s CPU; {out['done']} done, {len(arts)} artefacts "
              f"({sum(a['size'] for a in arts) / 1e6:.1f} MB)")
    urls = [f"{base}/page/{i}" for i in range(PAGES)]
    b = captures.create_batch(app, actor, urls)
    t, c = time.perf_counter(), cpu()
    out = captures.run_batch(app, actor, b["id"])
    dt = time.perf_counter() - t
    print(f"batch of {PAGES} pages: {dt:.1f} s wall, {cpu() - c:.1f} s CPU, {PAGES / dt:.2f} pages/s; "
          f"{out['done']} done, {out['failed']} failed")
    print(f"load average after {open('/proc/loadavg').read().split()[:3]}")
    app.close()
    server.shutdown()


if __name__ == "__main__":
    main()
