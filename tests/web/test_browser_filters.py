"""A list's filters in real Chromium: behind a "Filters" toggle on a phone (390 px), saying how many
are set; always open, without the toggle, at 1366 px.

Run: ``uv run pytest tests/web/test_browser_filters.py -m browser``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/incidents", "/evidence"])
def test_filters_fold_on_a_phone_and_stay_open_on_a_laptop(server, browser, path):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        sign_in_page(page, server, "investigator")
        page.goto(server + path)
        box, form = page.locator("details.filter-box"), page.locator("form.filters")
        assert box.evaluate("d => d.open") is False and not form.is_visible()
        summary = box.locator("summary")
        assert summary.is_visible() and summary.bounding_box()["height"] < 80  # the list starts on the first screen
        summary.click()
        assert form.is_visible()
        page.goto(server + path + "?case_id=7")
        assert "(1 set)" in page.locator("details.filter-box summary").inner_text()
        assert not page.locator("form.filters").is_visible()
        page.goto(server + path + "?case_id=x")  # a wrong filter stays in view, marked
        assert page.locator("form.filters").is_visible()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(server + path)
        assert page.locator("form.filters").is_visible()
        assert not page.locator("details.filter-box summary").is_visible()
        page.set_viewport_size({"width": 390, "height": 844})  # narrowing the window folds them again
        # the fold follows the media query's change event, which comes after the resize: wait for it
        expect(page.locator("form.filters")).to_be_hidden()
    finally:
        ctx.close()
