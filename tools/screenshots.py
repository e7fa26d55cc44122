"""Screenshots of every page at 390 px and 1366 px, in English and Ukrainian.

    uv run python tools/screenshots.py OUT_DIR [--size 300]

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
    """A demo installation (whose load attaches synthetic evidence files); (app, an image's evidence id, its incident id)."""
    from sqlalchemy import select

    from svidok.app import Svidok
    from svidok.config import Settings
    from svidok.domain import names
    from svidok.services import demo
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
    return app, first, incident_id, names.name_forms(family).get("uk_latin", family)


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


def pages(evidence_id: int, incident_id: int, q: str = "Kharkiv") -> dict[str, str]:
    return {"dashboard": "/", "incidents": "/incidents", "incident": f"/incidents/{incident_id}",
            "incident-form": "/incidents/new", "persons": "/persons", "evidence": "/evidence",
            "evidence-item": f"/evidence/{evidence_id}", "map": "/map", "search": f"/search?q={q}", "incident-edit": f"/incidents/{incident_id}/edit",
            "review": "/review", "admin": "/admin/users", "account": "/account"}


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
    parser.add_argument("--pages", default="", help="comma-separated page names to shoot (default: all)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    from svidok.services.demo import DEMO_PASSWORD

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="svidok-shots-") as tmp:
        app, evidence_id, incident_id, q = build(Path(tmp), args.size)
        base, server = serve(app)
        try:
            targets = pages(evidence_id, incident_id, q)
            if args.pages:
                targets = {k: v for k, v in targets.items() if k in args.pages.split(",")}
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
