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
from pathlib import Path

import pytest

from svidok.core.actors import SYSTEM
from svidok.schemas import others
from svidok.services import accounts, evidence, records
from tests import fixtures as fx
from tests.web.conftest import PASSWORD, PNG, fresh_core, need_chromium, serving, sign_in_page

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
    need_chromium()
    core = fresh_core(tmp_path_factory, "axe-data")
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
    with serving(core) as base:
        yield base, pages


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violation_and_no_sideways_scroll(site, browser, width):
    base, pages = site
    axe = _axe_source()
    problems: list[str] = []
    # axe is injected as an inline script, which the pages' Content-Security-Policy rightly blocks
    page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    page.set_default_timeout(15000)
    sign_in_page(page, base, "administrator")
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
    page.close()
    assert not problems, "\n".join(problems)
