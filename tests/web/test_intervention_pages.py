"""The interventions pages: list, create with recommendations, versioned edits, status changes
by the allowed transitions, what changed since the last letter, and need-to-know."""

from __future__ import annotations

import re

from svidok.core.actors import SYSTEM
from svidok.schemas import others
from svidok.services import records
from tests.web.conftest import csrf


def _create(c, **form) -> str:
    token = csrf(c, "/interventions/new")
    r = c.post("/interventions/new", data={"csrf_token": token, **form}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_create_edit_and_change_status_with_history(web, client_for):
    core, _ = web
    c = client_for("investigator")
    where = _create(c, title="Letter on detainees (synthetic)", date="2023-05-02", target="Ministry of Synthetic Affairs",
                    target_kind="government", confidentiality="public", body="We ask that…",
                    rec_theme=["detainees_and_pows", ""], rec_text=["Grant monitors access to places of detention.", ""])
    page = c.get(where).text
    assert "Letter on detainees (synthetic)" in page and "Grant monitors access to places of detention." in page
    assert "Draft" in page and "version 1" in page
    ident = int(where.rsplit("/", 1)[1])
    form = c.get(f"{where}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    r = c.post(f"{where}/edit", data={"csrf_token": csrf(c, where), "version": version, "title": "Letter on detainees, 2nd (synthetic)",
                                      "date": "2023-05-02", "target": "Ministry of Synthetic Affairs",
                                      "target_kind": "government", "confidentiality": "public",
                                      "rec_theme": "detainees_and_pows", "rec_text": "Grant monitors access to places of detention."},
               follow_redirects=False)
    assert r.status_code == 303
    page = c.get(where).text
    assert "Letter on detainees, 2nd (synthetic)" in page and "version 2" in page and "changed" in page
    # a stale form is refused, not silently merged
    stale = c.post(f"{where}/edit", data={"csrf_token": csrf(c, where), "version": version, "title": "Lost",
                                          "date": "2023-05-02", "target": "Ministry of Synthetic Affairs"})
    assert stale.status_code == 409 and records.get(core, SYSTEM, "intervention", ident)["title"] != "Lost"
    # status: only allowed transitions are offered and accepted
    assert '<option value="sent">' in page and '<option value="acted_on">' not in page
    bad = c.post(f"{where}/status", data={"csrf_token": csrf(c, where), "status": "acted_on"})
    assert "cannot become" in bad.text and records.get(core, SYSTEM, "intervention", ident)["status"] == "draft"
    c.post(f"{where}/status", data={"csrf_token": csrf(c, where), "status": "sent", "note": "by post"})
    page = c.get(where).text
    assert "by post" in page and records.get(core, SYSTEM, "intervention", ident)["status"] == "sent"
    assert "Since this letter to Ministry of Synthetic Affairs" in page
    listing = c.get("/interventions").text
    assert "Letter on detainees, 2nd (synthetic)" in listing and "Ministry of Synthetic Affairs" in listing
    c.post("/language", data={"lang": "uk", "csrf_token": csrf(c)})
    uk = c.get(where).text
    assert "Рекомендації" in uk and "Надіслано" in uk


def test_bad_input_is_named_and_nothing_saved(web, client_for):
    core, _ = web
    c = client_for("investigator")
    r = c.post("/interventions/new", data={"csrf_token": csrf(c, "/interventions/new"), "title": "", "date": "2023-02-30",
                                           "target": "X", "rec_theme": "no_such_theme", "rec_text": "Something."})
    assert r.status_code == 422
    assert 'id="title-error"' in r.text and "day 30 does not exist in 2023-02" in r.text
    r = c.post("/interventions/new", data={"csrf_token": csrf(c, "/interventions/new"), "title": "T", "date": "2023-02",
                                           "target": "X", "rec_theme": "no_such_theme", "rec_text": "Something."})
    assert r.status_code == 422 and 'id="rec-theme-0-error"' in r.text and "unknown intervention_themes term" in r.text
    assert records.listing(core, SYSTEM, "intervention")[0] == []


def test_a_viewer_does_not_see_confidential_interventions_nor_write(web, client_for):
    core, _ = web
    hidden = records.create(core, SYSTEM, "intervention", others.InterventionIn(
        title="Confidential letter (synthetic)", date="2023-01", target="Hidden addressee", confidentiality="confidential"))
    shown = records.create(core, SYSTEM, "intervention", others.InterventionIn(
        title="Public letter (synthetic)", date="2023-01", target="Open addressee"))
    v = client_for("viewer")
    listing = v.get("/interventions").text
    assert "Public letter (synthetic)" in listing
    assert "Confidential letter (synthetic)" not in listing and "Hidden addressee" not in listing
    assert v.get(f"/interventions/{hidden['id']}").status_code == 404
    assert v.get(f"/interventions/{shown['id']}").status_code == 200
    assert v.get("/interventions/new").status_code == 403
    assert "Confidential letter (synthetic)" in client_for("investigator").get("/interventions").text
