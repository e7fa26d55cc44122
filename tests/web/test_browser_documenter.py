"""A documenter in the field, on a phone (390 px): records an incident through the sectioned form,
attaches a photo from the phone's camera input, saves, and finds the incident again by typing the
victim's name in Latin letters although it was entered in Cyrillic.

Real Chromium (Playwright + Debian's /usr/bin/chromium) against a real uvicorn server.
Run: ``uv run pytest tests/web/test_browser_documenter.py -m browser``.
"""

from __future__ import annotations

import hashlib
import io
import re

import pytest

from tests.web.conftest import sign_in_page

pytestmark = pytest.mark.browser
TITLE = "Synthetic shelling of a courtyard in Izium"


def _jpeg() -> bytes:
    """A small synthetic photo (a gradient) as a phone's camera would hand it over: a JPEG."""
    from PIL import Image

    img = Image.new("RGB", (320, 240))
    img.putdata([(x % 256, y, 90) for y in range(240) for x in range(320)])
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_documenter_records_an_incident_with_a_photo_on_a_phone_and_finds_it_by_a_latin_spelling(server, browser, tmp_path):
    from playwright.sync_api import expect

    photo = _jpeg()
    shot = tmp_path / "IMG_20220914_101502.jpg"
    shot.write_bytes(photo)
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(20000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        sign_in_page(page, server, "investigator")
        page.goto(server + "/incidents/new")
        _no_sideways_scroll(page)
        # The form is a sequence of sections, reachable from the list at its top.
        steps = page.get_by_role("navigation", name="Sections of the form")
        expect(steps.get_by_role("link")).to_have_text(
            ["What happened", "Where and when", "Acts, victims and perpetrators", "Sources", "Evidence", "Confidentiality and verification"]
        )

        page.get_by_label(re.compile("^Title(?! in)")).fill(TITLE)
        page.get_by_label(re.compile("^Narrative(?! in)")).fill("A shell hit the courtyard of a block of flats (synthetic).")
        page.get_by_label("Start date").fill("2022-09-14")
        page.locator('select[name="acts[0].violation_type"]').select_option("injury_of_civilians")
        victim = page.get_by_role("group", name="Victim 1").first
        victim.get_by_label("Name of a person").fill("Олена Коваленко")
        page.locator('select[name="acts[0].victims[0].harm"]').select_option("injured")
        victim.get_by_label("Age").fill("41")
        page.get_by_label("Confidentiality").select_option("public")

        # The photo: the file input opens the camera on a phone.
        steps.get_by_role("link", name="Evidence").click()
        camera = page.get_by_label("Photo or file (optional)")
        expect(camera).to_be_in_viewport()
        assert camera.get_attribute("capture") == "environment"
        assert "image/*" in camera.get_attribute("accept")
        camera.set_input_files(str(shot))
        _no_sideways_scroll(page)
        page.get_by_role("button", name="Save").click()

        expect(page.get_by_text("Incident saved with the file IMG_20220914_101502.jpg")).to_be_visible()
        expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
        incident_url = page.url.split("#", 1)[0]
        _no_sideways_scroll(page)
        evidence = page.locator("#evidence")
        expect(evidence.get_by_role("link", name="IMG_20220914_101502.jpg")).to_be_visible()
        expect(evidence).to_contain_text("image/jpeg")
        expect(evidence.locator(f'code[title="{hashlib.sha256(photo).hexdigest()}"]')).to_have_count(1)

        # Found again by the victim's name spelled in Latin letters, typed in the search box.
        for query in ("Kovalenko", "Olena Kovalenko"):
            page.goto(server + "/")
            page.get_by_role("searchbox").first.fill(query)
            page.keyboard.press("Enter")
            found = page.locator("main").get_by_role("link", name=TITLE)
            expect(found).to_be_visible()
            _no_sideways_scroll(page)
        found.click()
        assert page.url == incident_url
        expect(page.locator("#evidence").get_by_role("link", name="IMG_20220914_101502.jpg")).to_be_visible()
        expect(page.get_by_role("link", name="Олена Коваленко")).to_be_visible()
        assert not blocked, blocked
    finally:
        ctx.close()


def test_a_file_of_an_unknown_type_saves_nothing(server, browser, tmp_path):
    from playwright.sync_api import expect

    bad = tmp_path / "notes.bin"
    bad.write_bytes(b"\x00\x01\x02 not a photo \xff" * 20)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(20000)
    try:
        sign_in_page(page, server, "investigator")
        page.goto(server + "/incidents/new")
        page.get_by_label(re.compile("^Title(?! in)")).fill("Synthetic incident that must not be saved")
        page.get_by_label("Start date").fill("2022-09-15")
        page.get_by_label("Photo or file (optional)").set_input_files(str(bad))
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#file-error")).to_contain_text("unknown or unsupported file type")
        expect(page.get_by_text("Choose the file again")).to_be_visible()
        expect(page.get_by_label(re.compile("^Title(?! in)"))).to_have_value("Synthetic incident that must not be saved")
        page.goto(server + "/incidents?q=must+not+be+saved")
        expect(page.get_by_role("link", name="Synthetic incident that must not be saved")).to_have_count(0)
    finally:
        page.close()


def test_place_suggestions_are_in_ukrainian_in_the_ukrainian_interface(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(20000)
    try:
        sign_in_page(page, server, "investigator")
        page.get_by_role("button", name="Українська").click()
        page.goto(server + "/incidents/new")
        page.get_by_label("Місце (назва або код)").press_sequentially("Буча", delay=50)
        options = page.locator("#place-options option")
        expect(options.first).to_have_attribute("label", re.compile(r"^Буча"))
        labels = [options.nth(i).get_attribute("label") for i in range(options.count())]
        assert all(re.search(r"[А-ЯІЇЄҐа-яіїєґ]", label) for label in labels), labels
        assert not any(re.search(r"\((hromada|settlement|raion|oblast)\)$", label) for label in labels), labels
        assert any(label.endswith("(Територіальна громада)") for label in labels), labels
    finally:
        page.close()
