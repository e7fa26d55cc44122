"""Search finds an incident by any script's spelling of its victims' names, newest date first."""

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.services import search
from tests import fixtures as fx


def _with_victim(app, name: str, **kw) -> dict:
    return fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"harm": "killed", "status": "civilian", "person": {"full_name": name}}]}], **kw)


def test_a_latin_or_cyrillic_spelling_of_a_victim_finds_the_incident_and_the_person(app):
    inc = _with_victim(app, "Бондаренко Андрій Миколайович", title="Shelling of a bus stop")
    fx.incident(app, title="Unrelated strike")
    for q in ("Andrii Bondarenko", "Бондаренко Андрей", "bondarenko"):
        got = search.everything(app, SYSTEM, q)
        assert [i["id"] for i in got["incidents"]] == [inc["id"]], q
        assert got["incidents"][0]["victims"] == ["Бондаренко Андрій Миколайович"]
        assert not got["incidents"][0]["text_matched"]
        assert (got["incident_count"], got["person_count"]) == (1, 1)
        assert got["persons"][0]["full_name"] == "Бондаренко Андрій Миколайович"


def test_results_are_in_date_order_newest_first_with_counts(app):
    older = _with_victim(app, "Коваль Петро", title="Later record, older date", date_start="2022-03-01")
    newer = _with_victim(app, "Коваль Ольга", title="Earlier record, newer date", date_start="2023-11-22")
    first = fx.incident(app, title="Koval family shelter hit", date_start="2022-06-15")
    got = search.everything(app, SYSTEM, "Koval", limit=2)
    assert got["incident_count"] == 3
    assert [i["id"] for i in got["incidents"]] == [newer["id"], first["id"]]
    assert older["id"] not in [i["id"] for i in got["incidents"]]


def test_victims_the_reader_may_not_see_do_not_lead_to_incidents(app):
    viewer = fx.user(app, "viewer")
    _with_victim(app, "Мельник Тарас", confidentiality="public")  # the person stays "restricted"
    got = search.everything(app, viewer, "Melnyk")
    assert (got["incident_count"], got["person_count"]) == (0, 0)
    assert search.everything(app, SYSTEM, "Melnyk")["incident_count"] == 1


def test_a_visible_victim_does_not_reveal_an_incident_the_reader_may_not_see(app):
    analyst = fx.user(app, "analyst")
    hidden = _with_victim(app, "Ткаченко Ірина", confidentiality="confidential")
    shown = _with_victim(app, "Ткаченко Ірина Петрівна", title="Open record")
    got = search.everything(app, analyst, "Tkachenko")
    assert got["person_count"] == 2  # both persons stay "restricted": the analyst sees them
    assert [i["id"] for i in got["incidents"]] == [shown["id"]]
    assert got["incident_count"] == 1
    assert {i["id"] for i in search.everything(app, SYSTEM, "Tkachenko")["incidents"]} == {hidden["id"], shown["id"]}


def test_nothing_to_search_for_is_an_error_on_q(app):
    with pytest.raises(ValidationFailed) as exc:
        search.everything(app, SYSTEM, "  ..  ")
    assert exc.value.errors[0].field == "q"
