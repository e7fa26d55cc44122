"""The search page: an incident found by a victim's spelling, with counts, names and dates."""

from __future__ import annotations

import re

from svidok.core.actors import SYSTEM
from svidok.schemas.others import CustodyEpisodeIn, HazardAreaIn
from tests import fixtures as fx


def test_a_latin_spelling_of_a_victim_finds_the_incident_with_its_victim_named(web, client_for):
    core, _ = web
    fx.incident(core, title="Shelling of a bus stop", date_start="2023-11-22", acts=[
        {"violation_type": "killing_of_civilians", "victims": [
            {"harm": "killed", "status": "civilian", "age": 34, "person": {"full_name": "Бондаренко Андрій Миколайович"}}]}])
    fx.incident(core, title="Older strike on a bus stop", date_start="2022-03-01")
    c = client_for("investigator")
    page = c.get("/search?q=Andrii+Bondarenko").text
    assert "Shelling of a bus stop" in page and "Older strike" not in page
    assert re.search(r'id="incident-count">\s*1 incident matches\.', page)
    assert "victim: Бондаренко Андрій Миколайович" in page
    assert '<span class="date">2023-11-22</span>' in page
    page = c.get("/search?q=bus+stop").text
    assert page.index("Shelling of a bus stop") < page.index("Older strike on a bus stop")  # newest date first
    assert re.search(r'id="incident-count">\s*2 incidents match\.', page)
    assert "Андрій" in c.get("/search?q=Андрей+Бондаренко").text


def test_record_lists_show_person_names_and_rounded_coordinates(web, client_for):
    core, _ = web
    from svidok.services import records

    p = fx.person(core, full_name="Гончаренко Віра", confidentiality="restricted")
    records.create(core, SYSTEM, "custody_episode", CustodyEpisodeIn.model_validate(
        {"person_id": p["id"], "date_from": "2022-04-01", "authority": "unknown", "outcome": "unknown"}))
    c = client_for("investigator")
    page = c.get("/records/custody-episodes").text
    assert f'<a href="/persons/{p["id"]}">Гончаренко Віра</a>' in page
    assert '<span class="date">2022-04-01</span>' in page
    records.create(core, SYSTEM, "hazard_area", HazardAreaIn.model_validate(
        {"name": "Field (synthetic)", "lat": 49.987654321012345, "lon": 36.123456789, "contamination": "ap_mine"}))
    page = c.get("/records/hazard-areas").text
    assert "49.98765" in page and "49.987654" not in page and "36.12346" in page
