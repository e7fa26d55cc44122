"""Screenshots of every page at 390 px and 1366 px, in English and Ukrainian.

    uv run python tools/screenshots.py OUT_DIR [--size 300] [--only briefs,imports]

Builds a throw-away demo installation (SQLite, synthetic data, a few synthetic evidence
files), serves it with uvicorn on a free loopback port, signs in as the demo administrator
in Chromium (/usr/bin/chromium, through Playwright) and writes ``OUT_DIR/<lang>-<width>-<page>.png``.
It also prints, per shot, whether the page scrolls sideways (wider than the window) and
exits with status 1 if any does.
"""

from __future__ import annotations

import argparse
import io
import socket
import struct
import sys
import tempfile
import threading
import time
import wave
import zlib
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WIDTHS = (390, 1366)
LANGS = ("en", "uk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def synthetic_png(width: int = 320, height: int = 200) -> bytes:
    """A gradient picture drawn here (no photograph of anyone)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 140)) for x in range(width))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def synthetic_pdf() -> bytes:
    """A one-page PDF with a line of text, written by hand (offsets computed)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>", None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    text = b"BT /F1 18 Tf 60 780 Td (Synthetic report for the Svidok demo) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def synthetic_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(rate)
        w.writeframes(bytes(128 + (40 if (i // 20) % 2 else -40) for i in range(int(seconds * rate))))
    return buf.getvalue()


def build(data_dir: Path, size: int):
    """A demo installation with a few evidence files on its newest incident, a second report of it
    in the duplicate queue and a finished estimate (latent-class, by sex); (app, first evidence id,
    incident id, duplicate pair id, estimate job id)."""
    from svidok.app import Svidok
    from svidok.config import Settings
    from svidok.core.actors import SYSTEM
    from svidok.schemas.filters import IncidentFilter
    from svidok.schemas.records import IncidentIn
    from svidok.services import demo, evidence, incident_duplicates, incident_queries, incidents, jobs

    app = Svidok(Settings(data_dir=data_dir))
    app.init()
    demo.load(app, size=size)
    incident_id = incident_queries.listing(app, SYSTEM, IncidentFilter(), limit=1)["items"][0]["id"]
    files = [("street_after_the_strike.png", synthetic_png(), "image/png"),
             ("field_report.pdf", synthetic_pdf(), "application/pdf"),
             ("witness_call_synthetic.wav", synthetic_wav(), "audio/x-wav")]
    first = None
    for name, body, media_type in files:
        item = evidence.ingest(app, SYSTEM, io.BytesIO(body), original_name=name, media_type=media_type,
                               incident_id=incident_id, acquired_by="demo field team (synthetic)",
                               acquisition_method="phone camera", purpose="demo screenshot data")
        first = first or item["id"]
    shown = incidents.get(app, SYSTEM, incident_id)
    incidents.create(app, SYSTEM, IncidentIn.model_validate({
        "title": f"(second report) {shown['title']}", "date_start": shown["date_start"], "place": shown["place_id"],
        "lat": shown["lat"], "lon": shown["lon"], "narrative": "Synthetic. The same strike, from another source.",
        "acts": [{"violation_type": a["violation_type"], "means": a["means"]} for a in shown["acts"]]}))
    pair_id = incident_duplicates.queue(app, SYSTEM, limit=1)["items"][0]["id"]
    estimate = jobs.submit(app, SYSTEM, "estimate", {"method": "lcmcr", "stratify": "sex", "chains": 4, "samples": 300,
                                                     "burnin": 1000, "thinning": 10})
    jobs.DatabaseWorker(app).run(burst=True)
    return app, first, incident_id, pair_id, estimate["id"]


def serve(app) -> tuple[str, object]:
    import uvicorn

    from svidok.server import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.time() + 60
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def pages(evidence_id: int, incident_id: int, pair_id: int, estimate_id: int) -> dict[str, str]:
    return {"dashboard": "/", "incidents": "/incidents", "incident": f"/incidents/{incident_id}",
            "incident-form": "/incidents/new", "persons": "/persons", "evidence": "/evidence",
            "evidence-item": f"/evidence/{evidence_id}", "map": "/map", "search": "/search?q=Kharkiv",
            "review": "/review", "review-incidents": "/review/incidents", "incident-pair": f"/review/incidents/{pair_id}",
            "admin": "/admin/users", "account": "/account", "claims": "/claims",
            "person-claims": "/persons/1/claims",
            "briefs": "/briefs", "brief-form": "/briefs/monthly_update", "interventions": "/interventions",
            "intervention": "/interventions/1", "intervention-form": "/interventions/1/edit", "imports": "/imports",
            "admin-keys": "/admin/keys", "statistics": "/statistics",
            "estimate": f"/statistics/estimates/{estimate_id}?models=1"}


#: The outermost elements that reach past the window's right edge (what to fix when a page scrolls sideways).
WIDEST = """w => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > w + 1 && e.parentElement.getBoundingClientRect().right <= w + 1)
  .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
  + (e.id ? '#' + e.id : '') + ':' + Math.round(e.getBoundingClientRect().right))"""


def wait_for_image(page, timeout: float = 15.0) -> int:
    """The preview's naturalWidth once it has loaded (polled: the CSP forbids wait_for_function's eval)."""
    deadline = time.time() + timeout
    while (width := page.locator(".preview-box img").evaluate("el => el.naturalWidth")) == 0:
        if time.time() > deadline:
            raise TimeoutError("the preview did not load")
        time.sleep(0.1)
    return width


def shoot(base: str, out: Path, targets: dict[str, str], password: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for lang in LANGS:
                for width in WIDTHS:
                    ctx = browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 844},
                                              locale="uk-UA" if lang == "uk" else "en-GB")
                    page = ctx.new_page()
                    page.goto(base + "/login")
                    page.fill("input[name=username]", "admin")
                    page.fill("input[name=password]", password)
                    page.click("form[action='/login'] button[type=submit]")
                    page.wait_for_load_state("load")
                    for name, path in targets.items():
                        page.goto(base + path, wait_until="load")
                        if name == "evidence-item":  # the preview as a user sees it after "Show"
                            page.click("button.show-preview")
                            wait_for_image(page)
                        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load
                        page.wait_for_timeout(400)
                        for _ in range(300):  # trace plots are drawn on request: wait until every image is in
                            if page.evaluate("[...document.images].every(i => i.complete)"):
                                break
                            page.wait_for_timeout(100)
                        page.evaluate("window.scrollTo(0, 0)")
                        wide = page.evaluate("document.documentElement.scrollWidth")
                        file = out / f"{lang}-{width}-{name}.png"
                        page.screenshot(path=str(file), full_page=True)
                        verdict = "ok" if wide <= width else f"SCROLLS SIDEWAYS ({wide} px)"
                        if wide > width:
                            problems.append(f"{file.name}: {wide} px, widest: {', '.join(page.evaluate(WIDEST, width))}")
                        print(f"{file.name:40} {verdict}", flush=True)
                    ctx.close()
        finally:
            browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files (created if missing)")
    parser.add_argument("--size", type=int, default=300, help="synthetic incidents in the demo database")
    parser.add_argument("--only", default="", help="comma-separated page names (default: every page)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    from svidok.services.demo import DEMO_PASSWORD

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="svidok-shots-") as tmp:
        app, evidence_id, incident_id, pair_id, estimate_id = build(Path(tmp), args.size)
        base, server = serve(app)
        try:
            targets = pages(evidence_id, incident_id, pair_id, estimate_id)
            if args.only:
                targets = {k: v for k, v in targets.items() if k in args.only.split(",")}
            problems = shoot(base, args.out, targets, DEMO_PASSWORD)
        finally:
            server.should_exit = True
            time.sleep(0.3)
            app.close()
    if problems:
        print("pages that scroll sideways:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
