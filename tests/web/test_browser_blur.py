"""A reviewer's wellbeing: evidence pictures and video frames are blurred (video muted) until clicked,
and a reviewer who turns the setting off on their account page sees them at once.

Real Chromium (Playwright + Debian's /usr/bin/chromium) against a real uvicorn server.
"""

from __future__ import annotations

import io
import time

import pytest

from svidok.core.actors import SYSTEM
from svidok.services import accounts, evidence
from tests import fixtures as fx
from tests.captures.sites import clip_mp4
from tests.web.conftest import PASSWORD, fresh_core, need_chromium, serving, sign_in_page
from tests.web.test_browser_evidence import _photo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, photo item, video item, incident): served by uvicorn; user "reviewer" (investigator)."""
    need_chromium()
    core = fresh_core(tmp_path_factory, "browser-blur")
    accounts.create_user(core, SYSTEM, "reviewer", PASSWORD, "investigator")
    incident = fx.incident(core, title="Synthetic strike on a bus stop", confidentiality="public")
    common = {"incident_id": incident["id"], "confidentiality": "public"}
    photo = evidence.ingest(core, SYSTEM, io.BytesIO(_photo()), original_name="bus_stop.png",
                            media_type="image/png", **common)
    video = evidence.ingest(core, SYSTEM, io.BytesIO(clip_mp4()), original_name="bus_stop.mp4",
                            media_type="video/mp4", **common)
    with serving(core) as base:
        yield base, photo, video, incident


def _filter(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).filter")


def _loaded(img) -> None:
    deadline = time.time() + 15  # polled: the page's CSP forbids wait_for_function's eval
    while img.evaluate("el => el.naturalWidth") == 0:
        assert time.time() < deadline, "the picture did not load"
        time.sleep(0.1)


def test_media_blurred_until_clicked_and_the_setting_turns_it_off(served, browser) -> None:
    from playwright.sync_api import expect

    base, photo, video, incident = served
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.set_default_timeout(15000)
        sign_in_page(page, base, "reviewer")

        # A photo: shown blurred, cannot be opened or dragged until "click to show".
        page.goto(f"{base}/evidence/{photo['id']}")
        page.get_by_role("button", name="Show", exact=True).click()
        img = page.locator(".preview-box img")
        _loaded(img)
        assert "blur(" in _filter(img)
        assert img.evaluate("el => getComputedStyle(el).pointerEvents") == "none"
        page.get_by_role("button", name="May be graphic: click to show").click()
        assert _filter(img) == "none"
        expect(page.get_by_role("button", name="May be graphic: click to show")).to_have_count(0)

        # A video: blurred and muted; shown, it has its sound back.
        page.goto(f"{base}/evidence/{video['id']}")
        page.get_by_role("button", name="Show", exact=True).click()
        clip = page.locator(".preview-box video")
        assert "blur(" in _filter(clip) and clip.evaluate("el => el.muted") is True
        page.get_by_role("button", name="May be graphic: click to show").click()
        assert _filter(clip) == "none" and clip.evaluate("el => el.muted") is False

        # The video's keyframes on the incident page: blurred too.
        page.goto(f"{base}/incidents/{incident['id']}")
        page.get_by_text("Keyframes", exact=True).click()
        sheet = page.locator("details.keyframes img")
        _loaded(sheet)
        assert "blur(" in _filter(sheet)

        # The reviewer turns blurring of unmarked media off on the account page: these are shown at once.
        page.goto(base + "/account")
        box = page.get_by_label("Blur all evidence pictures, screenshots and video frames, marked or not, until I click them")
        assert box.is_checked()
        box.uncheck()
        page.locator("form[action='/account/media'] button[type=submit]").click()
        expect(page.get_by_text("Pictures marked graphic will be blurred until you click them; others will be "
                                "shown.")).to_be_visible()
        assert not page.get_by_label("Blur all evidence pictures, screenshots and video frames, marked or not, until I "
                                     "click them").is_checked()
        page.goto(f"{base}/evidence/{photo['id']}")
        page.get_by_role("button", name="Show", exact=True).click()
        _loaded(img)
        assert _filter(img) == "none"
        expect(page.get_by_role("button", name="May be graphic: click to show")).to_have_count(0)
        page.goto(f"{base}/incidents/{incident['id']}")
        page.get_by_text("Keyframes", exact=True).click()
        _loaded(sheet)
        assert _filter(sheet) == "none"
    finally:
        page.close()
