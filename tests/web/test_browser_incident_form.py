"""The incident form on a phone in real Chromium: sections that fit 390 px and the searchable
multi-select for legal qualifications, used with the keyboard only.

Run: ``uv run pytest tests/web/test_browser_incident_form.py -m browser``."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import sign_in_page

pytestmark = pytest.mark.browser
TORTURE = "Crime against humanity of torture (art. 7(1)(f))"


def _shown_options(page) -> list[str]:
    return page.locator("#f-acts\\[0\\]\\.qualifications-list [role=option]:visible").all_inner_texts()


def test_legal_qualifications_are_chosen_by_typing_and_keys_on_a_phone(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(15000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in_page(page, server, "investigator")
    page.goto(server + "/incidents/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    keys = page.evaluate("[...document.querySelectorAll('[accesskey]')].map(e => e.accessKey.toLowerCase())")
    assert len(keys) == len(set(keys)), keys  # no Alt+key bound twice (Alt+S was search and Save)

    page.get_by_label(re.compile("^Title(?! in)")).fill("Synthetic detention and torture in a basement")
    page.get_by_label("Start date").fill("2022-04-02")
    page.locator('select[name="acts[0].violation_type"]').select_option("torture_and_ill_treatment")
    box = page.get_by_role("combobox", name="Legal qualifications").first
    expect(page.locator('select[name="acts[0].qualifications"]')).to_be_hidden()  # enhanced, still submitted
    box.focus()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.type("tortur")
    shown = _shown_options(page)
    assert TORTURE in shown  # the full label, with the article
    assert "Crime against humanity of murder (art. 7(1)(a))" not in shown
    assert 2 <= len(shown) < 20, shown  # a provision matches by its label or its instrument's
    # Typing made the first match active; arrows move through the matches.
    active = page.locator("[role=option].active")
    for _ in range(len(shown)):
        if active.inner_text() == TORTURE:
            break
        page.keyboard.press("ArrowDown")
    expect(active).to_have_text(TORTURE)
    page.keyboard.press("Enter")
    chips = page.locator(".ms-chips .chip span")
    expect(chips).to_have_text([TORTURE])
    # The article number finds a provision too; Backspace in an empty box removes the last chip.
    page.keyboard.press("Control+A")
    page.keyboard.type("8(2)(a)(ii)")
    expect(page.locator("[role=option].active")).to_contain_text("War crime of torture")
    page.keyboard.press("Enter")
    expect(chips).to_have_count(2)
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(chips).to_have_text([TORTURE])
    page.keyboard.type("no such provision zzz")
    expect(page.locator(".ms-none").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Incident saved.")).to_be_visible()
    expect(page.get_by_text("Qualified under")).to_contain_text("Crime against humanity of torture")
    assert not blocked, blocked
    page.close()
