"""Replay of a capture's web archive on its page: sandboxed, scripts removed, nothing fetched from the
original site (real Chromium against a real uvicorn server; the site is a local server)."""

from __future__ import annotations

import time

import pytest

from svidok.core.actors import SYSTEM
from svidok.services import accounts, captures
from tests.web.conftest import ARGS, CHROMIUM, PASSWORD, fresh_core, need_chromium, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory, sites):
    need_chromium()
    core = fresh_core(tmp_path_factory, "replay", capture_allow_private=True, capture_page_timeout=4.0)
    accounts.create_user(core, SYSTEM, "reviewer", PASSWORD, "investigator")
    b = captures.create_batch(core, SYSTEM, [f"{sites.base}/article"], confidentiality="public")
    captures.run_batch(core, SYSTEM, b["id"])
    [c] = captures.batch(core, SYSTEM, b["id"])["captures"]
    assert c["status"] == "done", c
    with serving(core) as base:
        yield base, c["id"]


def test_the_archived_page_is_replayed_offline_in_a_sandbox(served, sites) -> None:
    from playwright.sync_api import sync_playwright

    base, capture_id = served
    visits_before = dict(sites.visits)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.set_default_timeout(15000)
            requested: list[str] = []
            page.on("request", lambda r: requested.append(r.url))
            page.goto(base + "/login")
            page.get_by_label("User name").fill("reviewer")
            page.get_by_label("Password").fill(PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url(base + "/")
            page.goto(f"{base}/captures/{capture_id}")
            frame_el = page.locator("iframe.replay")
            assert frame_el.get_attribute("sandbox") == ""  # no scripts, no same-origin, no top navigation
            page.get_by_role("button", name="May be graphic: click to show").first.click()
            frame = page.frame_locator("iframe.replay")
            heading = frame.get_by_role("heading", name="Shelling of a school in Testville")
            heading.wait_for()
            img = frame.locator("img")
            deadline = time.time() + 15
            while img.evaluate("el => el.naturalWidth") == 0:
                assert time.time() < deadline, "the archived photo did not load"
                time.sleep(0.1)
            assert img.evaluate("el => el.naturalWidth") == 320
            src = img.get_attribute("src")
            assert src.startswith(f"/captures/{capture_id}/replay/") and "?u=" in src
            r = page.request.get(f"{base}/captures/{capture_id}/replay")
            csp = r.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp
            token_url = base + src.split("?u=")[0]
            assert page.request.get(token_url + "?u=http%3A%2F%2Fother.example%2F").status == 404  # not kept
            assert page.request.get(f"{base}/captures/{capture_id}/replay/forged?u=x").status == 404
        finally:
            browser.close()
    assert not [u for u in requested if u.startswith(sites.base)]  # the browser never asked the original site
    assert sites.visits == visits_before  # …and neither did the server
