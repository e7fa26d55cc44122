"""Ukrainian demo titles: a place name from the gazetteer is in the nominative, so a title may not
put it where Ukrainian needs another case ("в Бучанська громада", "мешканців Бучанська громада")."""

from __future__ import annotations

import json

from sqlalchemy import select

from svidok.services import demo
from svidok.services.demo_scenarios import SCENARIOS
from svidok.storage.models import Incident, Place


def test_every_ukrainian_title_names_the_place_on_its_own():
    for sc in SCENARIOS:
        assert sc.title_uk.startswith("{place}: ") and sc.title_uk.count("{place}") == 1, sc.title_uk
        rest = sc.title_uk.removeprefix("{place}: ")
        assert rest[:1].islower(), sc.title_uk  # the heading continues after the colon


def test_demo_incidents_carry_the_gazetteer_name_unchanged_in_their_ukrainian_title(app):
    demo.load(app, size=60, seed=3, batch_size=60)
    with app.db.session() as s:
        rows = s.execute(select(Incident.title_i18n, Incident.narrative_i18n, Place.name_uk)
                         .join(Place, Place.id == Incident.place_id).where(Incident.synthetic.is_(True))).all()
    assert rows
    for title_i18n, narrative_i18n, name_uk in rows:
        title = (title_i18n if isinstance(title_i18n, dict) else json.loads(title_i18n))["uk"]
        narrative = (narrative_i18n if isinstance(narrative_i18n, dict) else json.loads(narrative_i18n))["uk"]
        assert title.startswith(f"{name_uk}: "), title
        assert narrative.startswith(f"Синтетичний запис. {title}. Дата: "), narrative
