"""axe-core (from npm, tests/web/axe) injected by Playwright into every main page, at 390 px and
1366 px: no serious or critical violation, and no page scrolls sideways.

axe-core is installed with ``npm ci`` in tests/web/axe (``.ci/run`` does it; this module does it
too when node_modules is missing, so the README's test command works on a fresh machine).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.schemas import others
from svidok.services import accounts, evidence, records
from tests import fixtures as fx
from tests.conftest import TEST_KEY
from tests.web.test_browser import ARGS, CHROMIUM, PASSWORD, PNG, _free_port

pytestmark = pytest.mark.browser
AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1366)
SERIOUS = ("serious", "critical")


def _axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("axe-core is not installed and npm is missing: apt-get install -y npm, then "
                        f"npm ci --prefix {AXE_DIR}")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, check=True, timeout=300,
                       capture_output=True)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A served SQLite installation with one record of each kind; yields (base URL, page paths)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    import uvicorn

    from svidok.server import create_app

    core = Svidok(Settings(data_dir=tmp_path_factory.mktemp("axe-data"), field_key=TEST_KEY))
    core.init()
    accounts.create_user(core, SYSTEM, "administrator", PASSWORD, "administrator")
    person = fx.person(core, confidentiality="public")
    inc = fx.incident(core, confidentiality="public")
    item = evidence.ingest(core, SYSTEM, io.BytesIO(PNG), original_name="photo.png", incident_id=inc["id"],
                           confidentiality="public")
    letter = records.create(core, SYSTEM, "intervention", others.InterventionIn(
        title="Letter (synthetic)", date="2023-01", target="A government",
        recommendations=[others.RecommendationIn(theme="detainees_and_pows", text="Grant access.")]))
    pages = ["/", "/incidents", f"/incidents/{inc['id']}", "/incidents/new", f"/incidents/{inc['id']}/edit",
             "/persons", f"/persons/{person['id']}", "/evidence", f"/evidence/{item['id']}", "/search?q=strike",
             "/map", "/review", "/briefs", "/briefs/monthly_update", "/interventions",
             f"/interventions/{letter['id']}", "/interventions/new", "/imports", "/admin/users", "/admin/keys",
             "/account", "/records/custody-episodes", "/statistics", "/claims", "/review/incidents"]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(core), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", pages
    server.should_exit = True
    thread.join(10)
    core.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violation_and_no_sideways_scroll(site, width):
    from playwright.sync_api import sync_playwright

    base, pages = site
    axe = _axe_source()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # axe is injected as an inline script, which the pages' Content-Security-Policy rightly blocks
        page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
        page.set_default_timeout(15000)
        page.goto(base + "/login")
        page.get_by_label("User name").fill("administrator")
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/")
        for path in pages:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.add_script_tag(content=axe)
            found = page.evaluate("""async () => {
                const r = await axe.run(document, {resultTypes: ["violations"]});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
            }""")
            for v in found:
                if v["impact"] in SERIOUS:
                    problems.append(f"{path} @ {width}px: {v['impact']} {v['id']} ({v['help']}): "
                                    f"{json.dumps(v['nodes'])}")
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if wide > 1:
                problems.append(f"{path} @ {width}px: scrolls sideways by {wide}px")
        browser.close()
    assert not problems, "\n".join(problems)
