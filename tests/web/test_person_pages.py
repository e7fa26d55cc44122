"""Persons through the web forms."""

from __future__ import annotations

from svidok.core.actors import SYSTEM
from svidok.services import persons
from tests import fixtures as fx
from tests.web.conftest import csrf


def test_add_and_edit_a_person(web, client_for):
    core, _ = web
    c = client_for("investigator")
    r = c.post("/persons/new", data={"csrf_token": csrf(c), "full_name": "Мельник Оксана Петрівна",
                                     "sex": "female", "birth_date": "1948", "status": "civilian",
                                     "characteristics": "older_person", "residence_place": fx.KHARKIV_OBLAST,
                                     "address": "вул. Вигадана, 5 (synthetic)", "confidentiality": "restricted"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    pid = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/persons/{pid}").text
    assert "Мельник Оксана Петрівна" in page and "Вигадана" not in page  # protected until asked for
    form = c.get(f"/persons/{pid}/edit").text
    assert "Вигадана" not in form  # never pre-filled into a form either
    r = c.post(f"/persons/{pid}/edit", data={"csrf_token": csrf(c), "version": "1", "full_name": "",
                                             "confidentiality": "restricted"})
    assert r.status_code == 422 and 'id="full_name-error"' in r.text
    r = c.post(f"/persons/{pid}/edit", data={"csrf_token": csrf(c), "version": "1", "full_name": "Мельник Оксана",
                                             "birth_date": "1948-02-30", "confidentiality": "restricted"})
    assert r.status_code == 422 and 'id="birth_date-error"' in r.text
    r = c.post(f"/persons/{pid}/edit", data={"csrf_token": csrf(c), "version": "1", "full_name": "Мельник Оксана",
                                             "sex": "female", "birth_date": "1948", "confidentiality": "restricted",
                                             "residence_place": fx.KHARKIV_OBLAST}, follow_redirects=False)
    assert r.status_code == 303
    after = persons.get(core, SYSTEM, pid)
    assert after["full_name"] == "Мельник Оксана" and after["version"] == 2
    assert persons.read_protected(core, SYSTEM, pid, "test")["address"] == "вул. Вигадана, 5 (synthetic)"


def test_person_page_lists_incidents_of_that_person(web, client_for):
    core, _ = web
    p = fx.person(core)
    fx.incident(core, title="Shelling of a bus stop", acts=[{"violation_type": "killing_of_civilians",
                                                             "victims": [{"person_id": p["id"], "harm": "injured"}]}])
    page = client_for("analyst").get(f"/persons/{p['id']}").text
    assert "Shelling of a bus stop" in page and "Injured" in page


def test_the_list_says_how_many_persons_the_user_may_see(web, client_for):
    core, _ = web
    from svidok.core.actors import Actor

    for name in ("Бойко Марія", "Ткаченко Іван", "Кравець Олена"):
        fx.person(core, full_name=name, confidentiality="restricted")
    fx.person(core, full_name="Секретна Особа", confidentiality="confidential")
    analyst, investigator = Actor("a", "analyst"), Actor("i", "investigator")
    seen_by_analyst = persons.count(core, analyst)
    assert persons.count(core, investigator) == seen_by_analyst + 1  # the confidential one is not counted for her
    assert f"{seen_by_analyst} persons are recorded" in client_for("analyst").get("/persons").text
    assert f"{seen_by_analyst + 1} persons are recorded" in client_for("investigator").get("/persons").text
    assert persons.count(core, investigator, cap=2) == 2
