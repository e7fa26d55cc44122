"""The web app in real Chromium (Playwright + Debian's chromium) against a real uvicorn server.

Run: ``uv run pytest tests/web/test_browser.py -m browser``. Skipped when /usr/bin/chromium
is missing (install it with ``apt-get install -y chromium``).
"""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import PNG, sign_in_page

pytestmark = pytest.mark.browser


def test_documenter_workflow_in_chromium(server, browser, tmp_path):
    from playwright.sync_api import expect

    base = server
    page = browser.new_page()
    page.set_default_timeout(15000)
    # The Content-Security-Policy allows nothing inline: anything it blocks shows up here.
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(base + "/")
    assert page.url.endswith("/login")  # signed out: the login page
    sign_in_page(page, base, "investigator")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # Create an incident with an act and a named victim.
    page.get_by_role("link", name="Record an incident").first.click()
    page.get_by_label(re.compile("^Title(?! in)")).fill("Synthetic strike on a bakery in Vovchansk")
    page.get_by_label("Start date").fill("2022-05-17")
    page.get_by_label("Place (name or code)").fill("UA63000000000041885")
    page.get_by_label("Latitude").fill("50.29")
    page.get_by_label("Longitude").fill("36.94")
    page.get_by_label("Confidentiality").select_option("public")
    page.locator('select[name="acts[0].violation_type"]').select_option("killing_of_civilians")
    page.get_by_role("group", name="Victim 1").first.get_by_label("Name of a person").fill("Synthetic Person Kovalenko")
    page.locator('select[name="acts[0].victims[0].harm"]').select_option("killed")
    page.locator('select[name="acts[0].victims[0].status"]').select_option("civilian")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Incident saved.")).to_be_visible()
    incident_url = page.url
    incident_id = int(incident_url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", name="Synthetic strike on a bakery in Vovchansk")).to_be_visible()
    expect(page.get_by_text("Killing of civilians")).to_be_visible()
    expect(page.get_by_role("link", name="Synthetic Person Kovalenko")).to_be_visible()

    # An evidence file.
    photo = tmp_path / "bakery.png"
    photo.write_bytes(PNG)
    page.get_by_label("File (photo, video, audio, PDF)").set_input_files(str(photo))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("File bakery.png added")).to_be_visible()
    expect(page.locator("#evidence")).to_contain_text("image/png")

    # A source with a protected identity.
    page.get_by_text("Add a source").click()
    page.get_by_label("Kind of source").select_option("witness")
    page.get_by_label("Description").fill("shop assistant (synthetic)")
    page.get_by_label("Identity (stored encrypted)").fill("Synthetic Witness Hrytsenko")
    page.locator("#sources").get_by_label("Confidentiality").select_option("public")
    page.get_by_role("button", name="Add the source").click()
    expect(page.get_by_text("Source added.")).to_be_visible()
    pseudonym = page.locator("td.pseudonym").first.inner_text()
    reveal_action = page.locator("form[action$='/identity']").first.get_attribute("action")
    assert pseudonym.startswith("SRC-")

    # Find it in the list, on the map and by search (the search box is one key away: "/").
    page.goto(base + "/incidents")
    expect(page.get_by_role("link", name="Synthetic strike on a bakery in Vovchansk")).to_be_visible()
    page.goto(base + "/map")
    page.wait_for_selector("#map[data-ready='1']")
    assert str(incident_id) in page.locator("#map").get_attribute("data-incident-ids").split(",")
    assert int(page.locator("#map").get_attribute("data-boundary-count")) >= 25
    layers = page.evaluate("() => { let n = 0; window.svidokMap.eachLayer(() => n++); return n; }")
    assert layers >= 26  # the oblasts, the incident point and their groups are drawn
    assert page.locator("#map canvas").count() >= 1
    assert blocked == [], blocked
    page.keyboard.press("/")
    page.keyboard.type("bakery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Synthetic strike on a bakery in Vovchansk")).to_be_visible()

    # Edit it and see the history.
    page.goto(incident_url)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label(re.compile("^Title(?! in)")).fill("Synthetic strike on a bakery in Vovchansk (corrected)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    history = page.locator("#history")
    expect(history).to_contain_text("version 3")  # 1 created, 2 source added, 3 title corrected
    expect(history.locator("del", has_text="Synthetic strike on a bakery in Vovchansk")).to_be_visible()
    expect(history.locator("ins", has_text="(corrected)")).to_be_visible()

    # Invalid input: a message beside the field, nothing saved.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Start date").fill("2022-02-30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#date_start-error")).to_be_visible()
    page.goto(incident_url)
    expect(page.locator("#history")).not_to_contain_text("version 4")

    # The investigator may reveal the identity (and the read is logged).
    page.get_by_label("Why do you need the identity?").fill("preparing the case file")
    page.get_by_role("button", name="Show identity").click()
    expect(page.get_by_text("Synthetic Witness Hrytsenko")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/login")

    # A viewer sees the pseudonym and is refused the identity.
    sign_in_page(page, base, "viewer")
    page.goto(incident_url)
    expect(page.get_by_text(pseudonym)).to_be_visible()
    expect(page.get_by_text("Protected: your role sees the pseudonym only.")).to_be_visible()
    assert "Hrytsenko" not in page.content()
    assert page.get_by_role("link", name="Edit").count() == 0
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    resp = page.request.post(base + reveal_action, form={"csrf_token": token, "purpose": "curious"})
    assert resp.status == 403 and "Hrytsenko" not in resp.text()

    # Switch to Ukrainian.
    page.get_by_role("button", name="Українська").click()
    expect(page.get_by_role("link", name="Огляд")).to_be_visible()
    expect(page.get_by_text("Вбивство цивільних осіб")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "uk"
    page.close()
