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
import socket
import sys
import tempfile
import threading
import time
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


def build(data_dir: Path, size: int):
    """A demo installation (whose load attaches synthetic evidence files) with a second report of an
    incident in the duplicate queue and a finished estimate (latent-class, by sex); (app, an image's
    evidence id, its incident id, duplicate pair id, a victim's family name in Latin letters for the
    search page, estimate job id)."""
    from sqlalchemy import select

    from svidok.app import Svidok
    from svidok.config import Settings
    from svidok.core.actors import SYSTEM
    from svidok.domain import names
    from svidok.schemas.records import IncidentIn
    from svidok.services import demo, incident_duplicates, incidents, jobs
    from svidok.storage.models import EvidenceItem, Person, Victim

    app = Svidok(Settings(data_dir=data_dir))
    app.init()
    demo.load(app, size=size)
    with app.db.session() as s:
        first, incident_id = s.execute(select(EvidenceItem.id, EvidenceItem.incident_id)
                                       .where(EvidenceItem.media_type == "image/png")
                                       .order_by(EvidenceItem.id).limit(1)).one()
        # the search page looks for a victim's family name in Latin letters (it finds their incidents)
        victim = s.scalar(select(Person.full_name).join(Victim, Victim.person_id == Person.id).limit(1)) or "Kharkiv"
    family = names.split_full_name(victim).family or victim
    shown = incidents.get(app, SYSTEM, incident_id)
    first = _edited_graphic_photo(app, shown)
    incidents.create(app, SYSTEM, IncidentIn.model_validate({
        "title": f"(second report) {shown['title']}", "date_start": shown["date_start"], "place": shown["place_id"],
        "title_i18n": {k: f"(друге повідомлення) {v}" for k, v in (shown.get("title_i18n") or {}).items() if k == "uk"},
        "lat": shown["lat"], "lon": shown["lon"], "narrative": "Synthetic. The same strike, from another source.",
        "narrative_i18n": {"uk": "Синтетичний запис. Той самий удар, з іншого джерела."},
        "acts": [{"violation_type": a["violation_type"], "means": a["means"]} for a in shown["acts"]]}))
    pair_id = incident_duplicates.queue(app, SYSTEM, limit=1)["items"][0]["id"]
    estimate = jobs.submit(app, SYSTEM, "estimate", {"method": "lcmcr", "stratify": "sex", "chains": 4, "samples": 300,
                                                     "burnin": 1000, "thinning": 10})
    jobs.DatabaseWorker(app).run(burst=True)
    from svidok.services import claims  # the person's claims page shows a family member recorded with consent

    claims.add_relative(app, SYSTEM, 1, "spouse", "Synthetic Name", consent=True, consent_date="2024-05-02",
                        consent_scope="a claim to the Register of Damage")
    return app, first, incident_id, pair_id, names.name_forms(family).get("uk_latin", family), estimate["id"]


def _edited_graphic_photo(app, incident: dict) -> int:
    """A photo of the incident marked graphic whose tags name an editor and an older date (metadata warnings)."""
    import io

    from PIL import Image

    from svidok.core.actors import SYSTEM
    from svidok.services import evidence
    from svidok.services.demo_files import synthetic_png

    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.0"
    exif.get_ifd(0x8769)[0x9003] = "2019:05:01 10:00:00"
    out = io.BytesIO()
    Image.open(io.BytesIO(synthetic_png())).convert("RGB").save(out, "JPEG", exif=exif)
    item = evidence.ingest(app, SYSTEM, io.BytesIO(out.getvalue()), original_name="edited_strike.jpg",
                           media_type="image/jpeg", incident_id=incident["id"], confidentiality=incident["confidentiality"], graphic=True)
    return item["id"]


def captured(app, incident_id: int) -> tuple[int, int]:
    """A synthetic news page on a loopback server, preserved for the incident: (batch id, capture id)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from svidok.core.actors import SYSTEM
    from svidok.services import captures
    from svidok.services.demo_files import synthetic_png

    article = (b"<!doctype html><html><head><meta charset='utf-8'><title>Synthetic report: strike on a depot</title>"
               b"<meta name='author' content='Demo Newsroom'></head><body><h1>Synthetic report</h1>"
               b"<p>A depot was hit at 05:10 (synthetic text).</p><img src='/photo.png'></body></html>")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a) -> None:
            pass

        def do_GET(self) -> None:
            body, kind = (synthetic_png(), "image/png") if self.path == "/photo.png" else (article, "text/html")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    app.settings.capture_allow_private = True  # the synthetic site is on loopback
    try:
        b = captures.create_batch(app, SYSTEM, [f"http://127.0.0.1:{site.server_address[1]}/report"],
                                  incident_id=incident_id)
        captures.run_batch(app, SYSTEM, b["id"])
        return b["id"], captures.batch(app, SYSTEM, b["id"])["captures"][0]["id"]
    finally:
        site.shutdown()



def partnered(app) -> dict[str, str]:
    """Exchange keys, a partner (this installation itself, so that its package can be checked here too),
    a package written for it and checked; the partners pages to shoot."""
    from svidok.core.actors import SYSTEM
    from svidok.services import jobs, sharing
    from svidok.services.jobs import starts

    own = sharing.create_keys(app, SYSTEM, "Demo documentation group (synthetic)")
    sharing.add_partner(app, SYSTEM, "self", own["organisation"], own["encryption_key"], own["signing_key"])
    export = jobs.submit(app, SYSTEM, "share_export", {"partner": "self"})
    jobs.DatabaseWorker(app).run(burst=True)
    path = jobs.get(app, SYSTEM, export["id"])["result"]["file"]
    with open(path, "rb") as fh:
        check = starts.start_share_import(app, SYSTEM, fh, Path(path).name, True)
    jobs.DatabaseWorker(app).run(burst=True)
    return {"partners": "/partners", "partner": "/partners/self", "partner-export": f"/partners/jobs/{export['id']}",
            "partner-import-check": f"/partners/jobs/{check['id']}"}


def person_pair(app) -> dict[str, str]:
    """The same-person review page of the strongest pair the linkage finds among the demo's persons."""
    from svidok.core.actors import SYSTEM
    from svidok.services import person_linkage

    person_linkage.run(app, SYSTEM, review_threshold=0.3)
    items = person_linkage.queue(app, SYSTEM)["items"]
    return {"person-pair": f"/review/{items[0]['id']}"} if items else {}


def serve(app) -> tuple[str, object, threading.Thread]:
    import uvicorn

    from svidok.server import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def pages(evidence_id: int, incident_id: int, pair_id: int, batch_id: int, capture_id: int,
          estimate_id: int, q: str = "Kharkiv") -> dict[str, str]:
    return {"capture-batch": f"/captures/batches/{batch_id}", "capture": f"/captures/{capture_id}",
            "dashboard": "/", "incidents": "/incidents", "incident": f"/incidents/{incident_id}",
            "incident-form": "/incidents/new", "persons": "/persons", "evidence": "/evidence",
            "evidence-item": f"/evidence/{evidence_id}", "map": "/map", "search": f"/search?q={q}", "incident-edit": f"/incidents/{incident_id}/edit",
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
    parser.add_argument("--pages", "--only", dest="pages", help="only these pages (names, comma-separated), e.g. capture,account")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    from svidok.services.demo import DEMO_PASSWORD

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="svidok-shots-") as tmp:
        app, evidence_id, incident_id, pair_id, q, estimate_id = build(Path(tmp), args.size)
        batch_id, capture_id = captured(app, incident_id)
        shares = partnered(app)
        shares.update(person_pair(app))
        base, server, thread = serve(app)
        try:
            targets = pages(evidence_id, incident_id, pair_id, batch_id, capture_id, estimate_id, q)
            targets.update(shares)
            if args.pages:
                targets = {k: v for k, v in targets.items() if k in args.pages.split(",")}
            problems = shoot(base, args.out, targets, DEMO_PASSWORD)
        finally:
            server.should_exit = True
            thread.join(30)  # the server's shutdown stops the web's job worker before the database goes
            app.close()
    if problems:
        print("pages that scroll sideways:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
