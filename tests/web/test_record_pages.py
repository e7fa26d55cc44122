"""Displacements, custody episodes, hazard areas and cases through the generic record forms."""

from __future__ import annotations

import re

from svidok.core.actors import SYSTEM
from svidok.services import records
from tests import fixtures as fx
from tests.web.conftest import csrf


def test_displacement_form_validates_and_saves(web, client_for):
    core, _ = web
    p = fx.person(core)
    c = client_for("investigator")
    r = c.post("/records/displacements/new", data={"csrf_token": csrf(c), "person_id": str(p["id"]),
                                                   "kind": "", "date": "2022-14", "to_country": "Poland",
                                                   "confidentiality": "restricted"})
    assert r.status_code == 422
    for field in ("kind", "date"):
        assert f'id="{field}-error"' in r.text
    assert records.listing(core, SYSTEM, "displacement")[0] == []
    r = c.post("/records/displacements/new", data={"csrf_token": csrf(c), "person_id": str(p["id"]),
                                                   "kind": "refugee", "date": "2022-03", "to_country": "PL",
                                                   "protection_status": "", "confidentiality": "restricted"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"]).text
    assert "Refugee" in page and "PL" in page


def test_record_edit_refuses_a_stale_version(web, client_for):
    core, _ = web
    from svidok.schemas import others

    h = records.create(core, SYSTEM, "hazard_area", others.HazardAreaIn(
        name="Orchard (synthetic)", lat=49.5, lon=36.1, contamination="cluster_submunition"))
    c = client_for("investigator")
    form = c.get(f"/records/hazard-areas/{h['id']}/edit").text
    assert 'value="Orchard (synthetic)"' in form and re.search(r'name="version" value="1"', form)
    records.update(core, SYSTEM, "hazard_area", h["id"], others.HazardAreaIn(
        name="Orchard, cleared part (synthetic)", lat=49.5, lon=36.1, contamination="cluster_submunition",
        status="cleared"), 1)
    r = c.post(f"/records/hazard-areas/{h['id']}/edit", data={
        "csrf_token": csrf(c), "version": "1", "name": "My name for it", "lat": "49.5", "lon": "36.1",
        "contamination": "cluster_submunition", "status": "confirmed", "confidentiality": "public"})
    assert r.status_code == 409 and "Someone else saved this record" in r.text
    assert records.get(core, SYSTEM, "hazard_area", h["id"])["name"] == "Orchard, cleared part (synthetic)"


def test_bad_geojson_is_named(web, client_for):
    c = client_for("investigator")
    r = c.post("/records/hazard-areas/new", data={
        "csrf_token": csrf(c), "name": "Field", "lat": "49.2", "lon": "37.2", "geometry": "{not json",
        "contamination": "ap_mine", "status": "suspected", "confidentiality": "public"})
    assert r.status_code == 422 and 'id="geometry-error"' in r.text and "not valid GeoJSON" in r.text


def test_unknown_record_kind_is_a_friendly_404(client_for):
    r = client_for("viewer").get("/records/spaceships")
    assert r.status_code == 404 and "No such page." in r.text
