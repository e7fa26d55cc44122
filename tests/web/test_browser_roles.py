"""Each role's everyday work in real Chromium against a served demo installation:
an analyst makes a brief and downloads a chart's data, a reviewer decides a same-person pair,
an administrator revokes an API token. (The documenter's workflow is in test_browser.py, test_browser_incident_form.py and
test_browser_documenter.py, on a phone.)

Run: ``uv run pytest tests/web/test_browser_roles.py -m browser``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from svidok.core.actors import SYSTEM
from svidok.services import accounts, demo, person_linkage
from tests import fixtures as fx
from tests.web.conftest import PASSWORD, fresh_core, need_chromium, serving, sign_in_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A demo installation (synthetic) with a same-person pair in the queue, served by uvicorn."""
    need_chromium()
    core = fresh_core(tmp_path_factory, "browser-roles")
    demo.load(core, size=150)
    for name, role in (("root", "administrator"), ("reviewer", "investigator"), ("ana", "analyst")):
        accounts.create_user(core, SYSTEM, name, PASSWORD, role)  # the demo has its own users
    fx.person(core, full_name="Мельник Ганна Петрівна", birth_date="1962-07-01", sex="female",
              confidentiality="public")
    fx.person(core, full_name="Hanna Melnyk", birth_date="1962-07-01", sex="female", confidentiality="public")
    person_linkage.run(core, SYSTEM, review_threshold=0.3)
    with serving(core) as base:
        yield base


def test_analyst_makes_a_brief_and_downloads_a_charts_data(served, browser):
    from playwright.sync_api import expect

    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(20000)
    sign_in_page(page, served, "ana")
    page.get_by_role("link", name="Briefs").first.click()
    page.locator('a[href="/briefs/monthly_update"]').first.click()
    page.locator('input[name="p_month"]').fill("2023-03")
    page.locator('input[name="p_since"]').fill("2022-02-24")
    page.get_by_label("Format").select_option("html")
    page.get_by_role("button", name="Make the brief").click()
    link = page.get_by_role("link", name="Download the brief")
    expect(link).to_be_visible(timeout=120000)  # the job page follows the job, then offers the file
    with page.expect_download() as got:
        link.click()
    brief = Path(got.value.path()).read_text(encoding="utf-8")
    assert "Monthly update on civilian harm" in brief

    # The dashboard's chart of people killed and injured by month: its data as a CSV file.
    page.goto(served + "/")
    with page.expect_download() as got:
        page.locator('a[href="/api/v1/stats/breakdown.csv?by=month"]').click()
    assert got.value.suggested_filename == "svidok-month.csv"
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig"))))
    figures = page.request.get(served + "/api/v1/stats/breakdown?by=month").json()
    counted = [r for r in rows if r["month"]]
    assert [r["month"] for r in counted] == [r["key"] for r in figures["rows"]]
    assert sum(int(r["total"]) for r in rows) == figures["total"] > 0
    ctx.close()


def test_reviewer_decides_that_two_records_are_one_person(served, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(20000)
    sign_in_page(page, served, "reviewer")
    page.goto(served + "/review")
    row = page.locator("tr", has_text="Hanna Melnyk").first
    row.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Same person?")).to_be_visible()
    expect(page.get_by_text("same birth date (1962-07-01)")).to_be_visible()
    page.locator("#note-accept").fill("same woman: the Ukrainian and the Latin spelling, same birth date")
    page.get_by_role("button", name="Same person").click()
    expect(page.get_by_role("button", name="Undo this decision")).to_be_visible()
    expect(page.get_by_text("accepted", exact=False).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


def test_administrator_revokes_an_api_token(served, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.set_default_timeout(20000)
    sign_in_page(page, served, "root")
    page.goto(served + "/account")
    page.get_by_label("Token name").fill("nightly export")
    page.get_by_role("button", name="Create a token").click()
    token = page.locator("pre.token").inner_text().strip()
    api = page.context.request  # the token alone, not the browser's session
    bare = lambda: api.get(served + "/api/v1/incidents?limit=1",  # noqa: E731
                           headers={"Authorization": f"Bearer {token}", "Cookie": ""})
    assert bare().status == 200
    page.locator("tr", has_text="nightly export").get_by_role("button", name="Revoke").click()
    expect(page.locator("tr", has_text="nightly export")).to_have_count(0)
    assert bare().status == 401
    page.close()
