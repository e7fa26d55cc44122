"""A documenter on a phone (390 px) finds an evidence file, previews it and downloads the original.

Real Chromium (Playwright + Debian's /usr/bin/chromium) against a real uvicorn server.
Run: ``uv run pytest tests/web/test_browser_evidence.py -m browser``.
"""

from __future__ import annotations

import hashlib
import io
import time

import pytest

from svidok.core.actors import SYSTEM
from svidok.services import accounts, evidence
from tests import fixtures as fx
from tests.web.conftest import PASSWORD, fresh_core, need_chromium, serving, sign_in_page

pytestmark = pytest.mark.browser


def _photo() -> bytes:
    """A synthetic picture (a gradient), a real PNG a browser decodes."""
    from PIL import Image

    img = Image.new("RGB", (240, 160))
    img.putdata([(x, y, 120) for y in range(160) for x in range(240)])
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, evidence item, its bytes): one public incident with one photo, served by uvicorn."""
    need_chromium()
    core = fresh_core(tmp_path_factory, "browser-evidence")
    accounts.create_user(core, SYSTEM, "documenter", PASSWORD, "investigator")
    incident = fx.incident(core, title="Synthetic strike on a market in Kupiansk", confidentiality="public")
    photo = _photo()
    item = evidence.ingest(core, SYSTEM, io.BytesIO(photo), original_name="market_after_strike.png",
                           media_type="image/png", incident_id=incident["id"], confidentiality="public",
                           acquired_by="field team (synthetic)")
    with serving(core) as base:
        yield base, item, photo, core


def test_documenter_previews_and_downloads_evidence_on_a_phone(served, browser, tmp_path):
    from playwright.sync_api import expect

    base, item, photo, core = served
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    try:
        page = ctx.new_page()
        page.set_default_timeout(15000)
        sign_in_page(page, base, "documenter")

        page.get_by_role("link", name="Evidence", exact=True).click()
        expect(page.get_by_role("heading", name="Evidence")).to_be_visible()
        expect(page.get_by_text("1 file matches.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.get_by_role("link", name="market_after_strike.png").click()
        expect(page.get_by_role("heading", name="market_after_strike.png")).to_be_visible()
        expect(page.get_by_text(item["sha256"])).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        img = page.locator(".preview-box img")
        assert img.get_attribute("src") is None  # nothing loads before "Show"
        page.get_by_role("button", name="Show").click()
        deadline = time.time() + 15  # polled: the page's CSP forbids wait_for_function's eval
        while img.evaluate("el => el.naturalWidth") == 0:
            assert time.time() < deadline, "the preview did not load"
            time.sleep(0.1)
        assert img.evaluate("el => [el.naturalWidth, el.naturalHeight]") == [240, 160]
        assert img.bounding_box()["width"] <= 390

        with page.expect_download() as info:
            page.get_by_role("button", name="Download the original").click()
        saved = tmp_path / "downloaded.png"
        info.value.save_as(saved)
        assert info.value.suggested_filename == "market_after_strike.png"
        assert saved.read_bytes() == photo
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == item["sha256"]
    finally:
        ctx.close()
    actions = [e["action"] for e in evidence.get(core, SYSTEM, item["id"])["custody_events"]]
    assert actions[0] == "acquisition" and "access" in actions and "download" in actions  # the view and the download
