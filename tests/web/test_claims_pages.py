"""The claims pages: figures by category and oblast, one person's assessment; in English and Ukrainian."""

from __future__ import annotations

from svidok.core.actors import SYSTEM
from svidok.services import claims
from tests import fixtures as fx
from tests.web.conftest import csrf


def test_claims_pages_show_categories_checklist_and_figures(web, client_for):
    core, _ = web
    p = fx.person(core, full_name="Коваленко Ганна", confidentiality="restricted")["id"]
    fx.incident(core, confidentiality="restricted", acts=[{"violation_type": "killing_of_civilians",
                                                          "victims": [{"harm": "killed", "person_id": p}]}])
    claims.add_relative(core, SYSTEM, p, "child", "Коваленко Петро", consent=True, consent_date="2024-05")
    c = client_for("analyst")
    page = c.get(f"/persons/{p}/claims").text
    assert "A2.1 Death of an immediate family member" in page and "the claimant provides" in page
    assert "Коваленко Петро" not in page  # the family member's name is protected
    figures = c.get("/claims").text
    assert "Kharkivska oblast" in figures and "A2.1" in figures
    c.post("/language", data={"csrf_token": csrf(c), "lang": "uk"})
    assert "Смерть члена найближчої родини" in c.get(f"/persons/{p}/claims").text
    assert "Хто міг би подати заяву" in c.get("/claims").text
    viewer = client_for("viewer")  # the restricted victim is not visible to a viewer
    assert viewer.get(f"/persons/{p}/claims").status_code == 404
    assert "A2.1" in viewer.get("/claims").text and "Kharkivska" not in viewer.get("/claims").text
