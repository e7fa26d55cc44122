"""Recording, finding and changing incidents through the web forms."""

from __future__ import annotations

import re

from svidok.core.actors import SYSTEM
from svidok.schemas.filters import IncidentFilter
from svidok.services import incident_queries, incidents
from tests import fixtures as fx
from tests.web.conftest import csrf, csrf_of


def _new_incident_form(c, **fields) -> dict:
    data = {
        "csrf_token": csrf(c, "/incidents/new"),
        "title": "Shelling of a market in Kupiansk",
        "date_start": "2022-09-03",
        "place": fx.KHARKIV_OBLAST,
        "verification_status": "unverified",
        "confidentiality": "restricted",
        "narrative": "Synthetic. Shells hit the central market.",
        "acts[0].violation_type": "killing_of_civilians",
        "acts[0].means": "",
        "acts[0].victims[0].person.full_name": "Бондаренко Марія Іванівна",
        "acts[0].victims[0].harm": "killed",
        "acts[0].victims[0].status": "civilian",
        "acts[0].victims[0].sex": "female",
        "acts[0].victims[0].age": "71",
        "acts[0].victims[1].group_description": "passers-by",
        "acts[0].victims[1].count": "4",
        "acts[0].victims[1].harm": "injured",
        "acts[0].victims[1].status": "civilian",
        "acts[0].perpetrators[0].description": "artillery unit (unidentified)",
        "acts[0].perpetrators[0].mode": "",
        "acts[1].violation_type": "",  # the blank act the form always offers
        "acts[1].victims[0].harm": "",
    }
    data.update(fields)
    return data


def _count(core) -> int:
    return incident_queries.count(core, SYSTEM, IncidentFilter())


def test_create_an_incident_with_an_act_and_victims(web, client_for):
    core, _ = web
    c = client_for("investigator")
    r = c.post("/incidents/new", data=_new_incident_form(c), follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"])
    assert "Incident saved." in page.text
    assert "Shelling of a market in Kupiansk" in page.text
    assert "Killing of civilians" in page.text
    assert "Бондаренко Марія Іванівна" in page.text and "4 × passers-by" in page.text
    assert "artillery unit (unidentified)" in page.text
    incident = incidents.get(core, SYSTEM, int(r.headers["location"].rsplit("/", 1)[1]))
    victims = incident["acts"][0]["victims"]
    assert [v["harm"] for v in victims] == ["killed", "injured"] and victims[0]["age"] == 71
    assert len(incident["acts"]) == 1  # the blank act was not saved


def test_invalid_fields_get_messages_beside_them_and_nothing_is_saved(web, client_for):
    core, _ = web
    c = client_for("investigator")
    before = _count(core)
    data = _new_incident_form(c, **{"date_start": "2022-02-30", "acts[0].victims[0].harm": "",
                                    "acts[0].victims[1].age": "300", "acts[0].victims[1].harm": "exploded"})
    r = c.post("/incidents/new", data=data)
    assert r.status_code == 422
    assert "The incident was not saved" in r.text
    html = r.text
    # Each message sits beside its own field and the field points at it (aria-describedby).
    assert re.search(r'id="f-date_start"[^>]*aria-invalid="true"[^>]*aria-describedby="date_start-error"', html)
    assert re.search(r'<span class="error" id="date_start-error">[^<]*30[^<]*</span>', html)
    assert 'id="acts[0].victims[1].age-error"' in html
    assert 'id="acts[0].victims[0].harm-error"' in html
    assert "Traceback" not in html
    # What the user typed is kept.
    assert 'value="Shelling of a market in Kupiansk"' in html
    assert _count(core) == before


def test_a_missing_title_and_a_bad_act_are_reported_together(web, client_for):
    core, _ = web
    c = client_for("investigator")
    r = c.post("/incidents/new", data=_new_incident_form(c, title="", **{"acts[0].victims[1].age": "-4"}))
    assert r.status_code == 422
    assert 'id="title-error"' in r.text and 'id="acts[0].victims[1].age-error"' in r.text
    assert _count(core) == 0


def test_unknown_vocabulary_code_is_named_in_the_message(web, client_for):
    core, _ = web
    c = client_for("investigator")
    r = c.post("/incidents/new", data=_new_incident_form(c, **{"acts[0].victims[1].harm": "exploded"}))
    assert r.status_code == 422
    m = re.search(r'id="acts\[0\]\.victims\[1\]\.harm-error">([^<]*)<', r.text)
    assert m and "exploded" in m.group(1)
    assert _count(core) == 0


def test_edit_an_incident_and_see_the_history(web, client_for):
    core, _ = web
    inc = fx.incident(core)
    c = client_for("investigator")
    form_html = c.get(f"/incidents/{inc['id']}/edit").text
    assert 'value="Strike on a residential building"' in form_html
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form_html))
    fields.update({k: v for k, v in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected', form_html, re.S)})
    fields["title"] = "Strike on a residential building, Saltivka"
    r = c.post(f"/incidents/{inc['id']}/edit", data=fields, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(f"/incidents/{inc['id']}").text
    assert "Changes saved." in page
    history = page[page.index('id="history"'):]
    assert "Strike on a residential building, Saltivka" in history
    assert "<del>Strike on a residential building</del>" in history
    after = incidents.get(core, SYSTEM, inc["id"])
    assert after["version"] == 2 and after["acts"][0]["violation_type"] == "killing_of_civilians"
    assert after["acts"][0]["victims"][0]["count"] == 3  # acts survived the round trip


def _form_fields(form_html: str) -> dict:
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form_html))
    fields.update(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form_html))
    fields.update({k: v for k, v in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected', form_html, re.S)})
    return fields


def test_the_title_and_narrative_in_each_language_round_trip_through_the_form(web, client_for):
    core, _ = web
    inc = fx.incident(core, title_i18n={"uk": "Удар по житловому будинку"})
    c = client_for("investigator")
    form_html = c.get(f"/incidents/{inc['id']}/edit").text
    assert 'name="title_i18n.uk" value="Удар по житловому будинку"' in form_html
    assert "<details class=\"translations\" open>" in form_html  # a filled translation is not hidden
    fields = _form_fields(form_html)
    fields.update({"title_i18n.en": "Strike on a block of flats", "title_i18n.uk": "Удар по багатоквартирному будинку",
                   "narrative_i18n.uk": "Снаряд влучив у п'ятий поверх (synthetic)."})
    r = c.post(f"/incidents/{inc['id']}/edit", data=fields, follow_redirects=False)
    assert r.status_code == 303, r.text
    after = incidents.get(core, SYSTEM, inc["id"])
    assert after["title_i18n"] == {"en": "Strike on a block of flats", "uk": "Удар по багатоквартирному будинку"}
    assert after["narrative_i18n"] == {"uk": "Снаряд влучив у п'ятий поверх (synthetic)."}
    assert after["title"] == inc["title"]  # the title as recorded stays
    c.post("/language", data={"csrf_token": csrf(c), "lang": "uk"})
    assert "Удар по багатоквартирному будинку" in c.get(f"/incidents/{inc['id']}").text
    again = _form_fields(c.get(f"/incidents/{inc['id']}/edit").text)
    assert again["title_i18n.uk"] == "Удар по багатоквартирному будинку" and again["version"] == "2"
    again.update({"title_i18n.en": "", "title_i18n.uk": "", "narrative_i18n.uk": " "})  # blank clears
    assert c.post(f"/incidents/{inc['id']}/edit", data=again, follow_redirects=False).status_code == 303
    cleared = incidents.get(core, SYSTEM, inc["id"])
    assert not cleared["title_i18n"] and not cleared["narrative_i18n"]
    too_long = {**_form_fields(c.get(f"/incidents/{inc['id']}/edit").text), "title_i18n.en": "x" * 5000}
    r = c.post(f"/incidents/{inc['id']}/edit", data=too_long)
    assert r.status_code == 422 and 'id="title_i18n.en-error"' in r.text


def test_a_new_incident_takes_its_title_in_another_language(web, client_for):
    core, _ = web
    c = client_for("investigator")
    r = c.post("/incidents/new", data={
        "csrf_token": csrf(c), "title": "Обстріл ринку", "title_i18n.en": "Shelling of a market",
        "date_start": "2022-07-01", "verification_status": "unverified", "confidentiality": "restricted"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    made = incidents.get(core, SYSTEM, int(r.headers["location"].rsplit("/", 1)[1]))
    assert made["title_i18n"] == {"en": "Shelling of a market"} and made["narrative_i18n"] is None


def test_a_conflicting_save_is_refused_with_a_clear_message(web, client_for):
    core, _ = web
    inc = fx.incident(core)
    c = client_for("investigator")
    html = c.get(f"/incidents/{inc['id']}/edit").text
    token = csrf_of(html)
    incidents.update(core, SYSTEM, inc["id"], incidents.IncidentUpdate(version=1, title="Changed by a colleague"))
    r = c.post(f"/incidents/{inc['id']}/edit", data={
        "csrf_token": token, "version": "1", "title": "My change", "date_start": "2022-03-05",
        "verification_status": "unverified", "confidentiality": "restricted"})
    assert r.status_code == 409
    assert "Someone else saved this incident" in r.text
    assert incidents.get(core, SYSTEM, inc["id"])["title"] == "Changed by a colleague"


def test_list_filters_and_search(web, client_for):
    core, _ = web
    fx.incident(core, title="Strike on a school in Kharkiv")
    fx.incident(core, title="Detention at a checkpoint", place=fx.CRIMEA,
                acts=[{"violation_type": "arbitrary_detention", "victims": [{"harm": "detained", "count": 1}]}])
    c = client_for("analyst")
    page = c.get("/incidents?family=detention").text
    assert "Detention at a checkpoint" in page and "Strike on a school" not in page
    page = c.get("/incidents?date_from=2022-13").text
    assert 'id="date_from-error"' in page
    found = c.get("/search?q=school").text
    assert "Strike on a school in Kharkiv" in found and "Detention at a checkpoint" not in found


def test_viewer_cannot_open_forms_or_post(web, client_for):
    core, _ = web
    inc = fx.incident(core, confidentiality="public")
    c = client_for("viewer")
    assert c.get("/incidents/new").status_code == 403
    r = c.post(f"/incidents/{inc['id']}/edit", data={"csrf_token": csrf(c), "version": "1", "title": "x"})
    assert r.status_code == 403 and "may not change records" in r.text
    assert incidents.get(core, SYSTEM, inc["id"])["title"] == "Strike on a residential building"


def test_form_is_in_sections_and_works_without_javascript(web, client_for):
    """The plain <select multiple> is what is submitted (the script only enhances it); labels are full."""
    core, _ = web
    c = client_for("investigator")
    form = c.get("/incidents/new").text
    for section in ("What happened", "Where and when", "Victims", "Alleged perpetrators", "Legal qualifications",
                    "Sources", "Confidentiality and verification"):
        assert section in form, section
    assert re.search(r'<select id="f-acts\[0\]\.qualifications" name="acts\[0\]\.qualifications" multiple', form)
    assert "Crime against humanity of torture (art. 7(1)(f))</option>" in form
    assert '<optgroup label="Rome Statute of the International Criminal Court (1998)">' in form
    keys = re.findall(r'accesskey="(\w)"', form)
    assert len(keys) == len(set(keys)), keys  # Alt+S is Save only
    r = c.post("/incidents/new", data=_new_incident_form(c, **{"acts[0].qualifications": ["rs_7_1_a", "rs_8_2_a_i"]}),
               follow_redirects=False)
    assert r.status_code == 303
    inc = incidents.get(core, SYSTEM, int(r.headers["location"].rsplit("/", 1)[1]))
    assert inc["acts"][0]["qualifications"] == ["rs_7_1_a", "rs_8_2_a_i"]
    victim = inc["acts"][0]["victims"][0]
    from svidok.services import persons

    p = persons.get(core, SYSTEM, victim["person_id"])  # the victim row reached the person record
    assert (p["life_status"], p["age_band"], p["family_name"], p["given_name"]) == ("dead", "70-79", "Бондаренко", "Марія")
    uk = client_for("investigator")
    uk.post("/language", data={"csrf_token": csrf(uk), "lang": "uk"})
    page = uk.get("/incidents/new").text
    assert "Що сталося" in page and "Де і коли" in page and "Правова кваліфікація" in page


def test_the_list_is_in_date_order_with_its_count_and_ukrainian_place_names(web, client_for):
    core, _ = web
    for title, day in (("Synthetic event B (middle)", "2022-06-10"), ("Synthetic event A (latest)", "2023-01-02"),
                       ("Synthetic event C (earliest)", "2022-03")):
        fx.incident(core, title=title, date_start=day, confidentiality="public", lat=49.99, lon=36.23)
    c = client_for("viewer")
    page = c.get("/incidents").text
    order = [page.index(t) for t in ("event A (latest)", "event B (middle)", "event C (earliest)")]
    assert order == sorted(order)  # latest first, whatever order they were recorded in
    assert "3 incidents match, latest first." in page
    assert "Kharkivska oblast" in page or "Kharkiv" in page
    # one per page: the cursor goes on in date order
    first = incident_queries.listing(core, SYSTEM, IncidentFilter(), None, 1, order="date")
    second = incident_queries.listing(core, SYSTEM, IncidentFilter(), first["next_cursor"], 1, order="date")
    third = incident_queries.listing(core, SYSTEM, IncidentFilter(), second["next_cursor"], 1, order="date")
    assert [p["items"][0]["title"].removeprefix("Synthetic event ") for p in (first, second, third)] == [
        "A (latest)", "B (middle)", "C (earliest)"]
    assert third["next_cursor"] is None

    c.post("/language", data={"lang": "uk", "csrf_token": csrf(c)})
    uk = c.get("/incidents").text
    assert "Харківська область" in uk and "Kharkiv" not in uk.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "3 інциденти відповідають фільтрам, найпізніші спершу." in uk
    assert "Харківська область" in c.get("/").text  # the dashboard's recent incidents
    popups = c.get("/map/incidents.geojson").json()["features"]
    assert {f["properties"]["place"] for f in popups} == {"Харківська область"}


def test_the_incident_page_shows_the_narrative_in_the_interfaces_language(web, client_for):
    core, _ = web
    inc = fx.incident(core, confidentiality="public", narrative="Synthetic. Shells hit a school.",
                      narrative_i18n={"uk": "Синтетичний запис. Снаряди влучили в школу."},
                      title="Synthetic shelling of a school", title_i18n={"uk": "Синтетичний обстріл школи"})
    c = client_for("viewer")
    assert "Shells hit a school." in c.get(f"/incidents/{inc['id']}").text
    assert "Синтетичний обстріл школи" not in c.get("/incidents").text
    c.post("/language", data={"lang": "uk", "csrf_token": csrf(c)})
    page = c.get(f"/incidents/{inc['id']}").text
    assert "<h1>Синтетичний обстріл школи</h1>" in page and "Назва, як її записано: Synthetic shelling of a school" in page
    assert f'<a href="/incidents/{inc["id"]}">Синтетичний обстріл школи</a>' in c.get("/incidents").text
    assert "Синтетичний обстріл школи" in c.get("/search?q=обстріл школи").text
    assert "Синтетичний обстріл школи" in c.get("/search?q=shelling").text
    assert '<div class="narrative" lang="uk">Синтетичний запис. Снаряди влучили в школу.</div>' in page
    assert "Опис, як його записано" in page and "Shells hit a school." in page  # the original, folded
